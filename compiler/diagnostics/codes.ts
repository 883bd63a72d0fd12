// The one table of diagnostic codes (Vue compiler-core style): a stable code,
// its severity, a message template and optional note templates. Passes report
// by code with template arguments; only this folder turns them into text.
//
// Ranges: BC0xxx usage/IO, BC1xxx lexical/syntax/imports, BC2xxx
// names/types/relations/modifiers, BC3xxx rules/expressions, BC4xxx
// flows/behaviors/events, BC5xxx views, BC6xxx settings, BC7xxx migrations,
// BC8xxx emit/merge, BC9xxx internal.
//
// Templates use `{name}` placeholders. `{hint}` is by convention the
// did-you-mean suffix (" (did you mean `x`?)" or ""). Never renumber a code:
// add new ones at the end of their range. Every code needs a fixture under
// test/diagnostics/fixtures/ or an entry in test/diagnostics/external-codes.ts.
import type { Severity } from './diagnostic.js';

export interface CodeInfo {
  severity: Severity;
  message: string;
  /** note templates, matched by index with the note spans given when reporting */
  notes?: readonly string[];
}

export const codes = {
  // ---- BC0xxx usage / IO
  BC0001: { severity: 'error', message: 'cannot read `{file}`: {reason}' },

  // ---- BC1xxx lexical / syntax / imports (grammar, 1-load)
  BC1001: { severity: 'error', message: 'unexpected character {text}' },
  BC1002: { severity: 'error', message: 'unterminated string: a string must end on its line' },
  BC1003: { severity: 'error', message: 'unterminated block comment: `/*` has no `*/`' },
  BC1004: { severity: 'error', message: 'expected {expected}, found {found}' },
  BC1005: {
    severity: 'error',
    message:
      'unexpected {found}: expected a declaration (`app`, `deploy`, `import`, `enum`, `entity`, `rules`, `flow`, `event`, `behavior` or `view`)',
  },
  BC1006: {
    severity: 'error',
    message: '{what} nests deeper than {limit} levels',
  },
  BC1007: { severity: 'error', message: 'cannot find imported file `{path}`{reason}' },
  BC1008: {
    severity: 'error',
    message: 'import cycle: {chain}',
  },
  BC1009: {
    severity: 'error',
    message: 'an import path must be relative (start with `./` or `../`): `{path}`',
  },
  BC1010: { severity: 'error', message: 'an imported file must end in `.bitcup`: `{path}`' },

  // ---- BC2xxx names, types, relations, modifiers
  BC2001: {
    severity: 'error',
    message: '{kind} `{name}` is declared more than once',
    notes: ['first declared here'],
  },
  BC2002: { severity: 'error', message: 'the program has no `app` declaration' },
  BC2003: {
    severity: 'error',
    message: 'a program has exactly one `app` declaration',
    notes: ['first `app` declared here'],
  },
  BC2004: { severity: 'error', message: 'unknown type `{name}`{hint}' },
  BC2005: {
    severity: 'error',
    message: '{kind} `{name}` is declared more than once in {owner}',
    notes: ['first declared here'],
  },
  BC2006: { severity: 'error', message: 'unknown {kind} `{name}`{hint}' },
  BC2007: { severity: 'error', message: '{owner} has no field `{name}`{hint}' },
  BC2008: {
    severity: 'error',
    message: '`{entity}.{field}` is ambiguous: {reason}; name the other side with `by`',
  },
  BC2009: {
    severity: 'error',
    message:
      '`{entity}.{field}` lists {target}, but no field of {target} points back to {entity}; add a `{entity}` field or a `{entity}[]` list to {target}',
  },
  BC2010: {
    severity: 'error',
    message: '`by {by}`: `{target}.{by}` does not point back to {entity}',
  },
  BC2011: {
    severity: 'error',
    message:
      '`{entity}.{field}` is the inverse of a one-to-one, so `{target}.{by}` must be `unique`',
  },
  BC2012: { severity: 'error', message: '`on delete` applies only to a to-one relation' },
  BC2013: {
    severity: 'error',
    message: '`on delete set null` needs an optional field: write `{field} {type}?`',
  },
  BC2014: {
    severity: 'error',
    message: '`{modifier}` does not apply to a field of type `{type}`',
  },
  BC2015: { severity: 'error', message: 'the pattern is not a valid regular expression: {reason}' },
  BC2016: {
    severity: 'error',
    message:
      '`{entity}.{field}` is readonly and required with no default, and nothing sets it; give it a default or make it optional',
  },
  BC2017: {
    severity: 'error',
    message: 'the default of `{field}` must be {expected}, found {actual}',
  },
  BC2018: { severity: 'error', message: '`{name}` is implicit: {reason}' },
  BC2019: {
    severity: 'error',
    message: 'table `{table}` is used by both {first} and {second}; give one a `table "name"`',
  },
  BC2020: {
    severity: 'error',
    message: '`owned by {field}`: {reason}',
  },
  BC2021: { severity: 'error', message: '`min({min})` is greater than `max({max})`' },
  BC2022: { severity: 'error', message: '{what} is out of range: {reason}' },
  BC2023: {
    severity: 'error',
    message: '`{field}` is a list and has no column; {what} needs a field with a column',
  },
  BC2024: {
    severity: 'error',
    message: '`by` applies only to a relation field',
  },
  BC2025: {
    severity: 'error',
    message: '{what} `{name}` is not a usable SQL name: {reason}',
  },

  // ---- BC3xxx rules and expressions
  BC3001: { severity: 'error', message: 'unknown name `{name}` in {where}{hint}' },
  BC3002: { severity: 'error', message: 'cannot compare {left} with {right}' },
  BC3003: { severity: 'error', message: 'operator `{op}` needs {expected}, found {actual}' },
  BC3004: {
    severity: 'error',
    message:
      '`{field}` is a to-many relation; a path may only follow to-one relations (use `count({field})`)',
  },
  BC3005: {
    severity: 'error',
    message: '`currentUser` needs an `auth` block in the app (this app is public)',
  },
  BC3006: { severity: 'error', message: '`{name}` is not available here: {reason}' },
  BC3007: {
    severity: 'error',
    message:
      '`{name}` is both a field of {entity} and a value of enum {enum}; write `{enum}.{name}` for the value or `this.{name}` for the field',
  },
  BC3008: { severity: 'error', message: 'unknown function `{name}`{hint}' },
  BC3009: {
    severity: 'error',
    message: '`{fn}` takes {expected}, found {actual} argument(s)',
  },
  BC3010: { severity: 'error', message: '{what} must be a boolean, found {actual}' },
  BC3011: { severity: 'error', message: 'enum {enum} has no value `{value}`{hint}' },
  BC3012: {
    severity: 'error',
    message:
      '`{op}` is not an operation (create, read, update, delete, all) nor a transition or behavior of {entity}{hint}',
  },
  BC3013: { severity: 'error', message: '`{name}` is {type}; it has no field `{next}`' },
  BC3014: { severity: 'error', message: '{what}: expected {expected}, found {actual}' },
  BC3015: {
    severity: 'error',
    message: '`count` takes a to-many relation{where}, found {actual}',
  },

  // ---- BC4xxx flows, behaviors, events
  BC4001: {
    severity: 'error',
    message: 'a flow needs an enum field: `{entity}.{field}` is {actual}',
  },
  BC4002: { severity: 'error', message: 'unknown state `{state}` of enum {enum}{hint}' },
  BC4003: {
    severity: 'error',
    message: 'transition `{name}` is declared more than once on {entity}',
    notes: ['first declared here'],
  },
  BC4004: {
    severity: 'warning',
    message: 'state `{state}` cannot be reached from the initial state `{initial}`',
  },
  BC4005: {
    severity: 'warning',
    message: 'state `{state}` is a dead end: no final state can be reached from it',
  },
  BC4006: {
    severity: 'error',
    message: '`{entity}.{field}` already has a flow',
    notes: ['first flow declared here'],
  },
  BC4007: {
    severity: 'error',
    message:
      '`emit {event}` cannot fill the event implicitly: it has {count} fields of type {entity}; set them with `emit {event} { field = ... }`',
  },
  BC4008: { severity: 'error', message: 'cannot assign {actual} to `{field}` ({expected})' },
  BC4009: {
    severity: 'error',
    message: '`{what}` does not set required field(s) {fields}',
  },
  BC4010: {
    severity: 'error',
    message: 'app-level behavior `{name}` returns {entity} but creates no {entity}',
  },
  BC4011: {
    severity: 'error',
    message: '`allow if` is for app-level behaviors; use `rules {entity} { allow {name} if ... }`',
  },
  BC4012: {
    severity: 'error',
    message: '`{name}` is both a transition and a behavior of {entity}',
    notes: ['the other one is declared here'],
  },
  BC4013: {
    severity: 'error',
    message:
      'the flow field `{entity}.{field}` needs a default: it is the initial state (write `= {suggestion}`)',
  },
  BC4014: {
    severity: 'error',
    message: '`{field}` is the flow field; it changes only through transitions',
  },
  BC4015: {
    severity: 'error',
    message: 'event field `{field}` must be a scalar, an enum or an entity, not a list',
  },

  // ---- BC5xxx views
  BC5001: {
    severity: 'error',
    message: '`{path}`: `{field}` is a to-many relation; views follow to-one relations only',
  },
  BC5002: {
    severity: 'error',
    message: '`{action}` is neither a transition nor a behavior of {entity}{hint}',
  },
  BC5003: { severity: 'error', message: '`table {name}` must name a list view{hint}' },
  BC5004: {
    severity: 'error',
    message: 'views `{first}` and `{second}` have the same path `{path}`; give one a `path`',
    notes: ['the other view is declared here'],
  },
  BC5005: {
    severity: 'error',
    message:
      'form `{view}` must include the required field(s) {fields} (no default, not filled by `owned by`)',
  },
  BC5006: { severity: 'error', message: '`{path}` is private and may not be shown in a view' },
  BC5007: {
    severity: 'error',
    message:
      'public view `{view}` shows {entity}, which no visitor may read: add an `allow read` rule that does not use `currentUser`',
  },
  BC5008: { severity: 'error', message: 'a {kind} view {reason}' },
  BC5009: { severity: 'error', message: '`{clause}` is not allowed in a {kind} view' },
  BC5010: {
    severity: 'error',
    message: '`related {name}` must be a to-many relation of {entity}',
  },
  BC5011: {
    severity: 'error',
    message: '`{path}` is listed more than once in `{clause}`',
    notes: ['first listed here'],
  },
  BC5012: {
    severity: 'error',
    message: '`{name}` is a one-to-many inverse and cannot be a form field',
  },
  BC5013: { severity: 'error', message: '`pageSize` must be between 1 and 100, found {value}' },
  BC5014: { severity: 'error', message: '`{clause} {path}`: {reason}' },
  BC5015: {
    severity: 'error',
    message: '`{path}`: `{name}` is {type}; it has no field `{next}`',
  },
  BC5016: {
    severity: 'error',
    message:
      '`{name}` is readonly (set by the server or a flow) and cannot be a form field; show it in a detail view',
  },

  // ---- BC6xxx settings (app, deploy)
  BC6001: { severity: 'error', message: 'unknown key `{key}` in {block}{hint}' },
  BC6002: { severity: 'error', message: '`{key}` expects {expected}, found {actual}' },
  BC6003: {
    severity: 'error',
    message: '`{key}` takes {count} value(s), found more{hint}',
  },
  BC6004: { severity: 'error', message: '{block} needs `{key}`' },
  BC6005: {
    severity: 'error',
    message: '`{key}` is set more than once in {block}',
    notes: ['first set here'],
  },
  BC6006: { severity: 'error', message: 'auth `{key} {value}`: {reason}' },
  BC6007: {
    severity: 'error',
    message: '`{key}` is a block: write `{key} { ... }`',
  },
  BC6008: { severity: 'error', message: '`{key}` takes values, not a block' },
  BC6009: { severity: 'error', message: '{what}: {reason}' },

  // ---- BC7xxx migrations (database engineer)
  BC7001: {
    severity: 'error',
    message:
      'refused: this migration {change}; rerun `bitcup migrate` with --allow-destructive to accept the loss',
  },
  BC7002: {
    severity: 'error',
    message:
      'no model snapshot at `{path}` although revisions exist: cannot tell what the database holds',
  },
  BC7003: {
    severity: 'error',
    message:
      'the model has {count} database change(s) that no revision covers; run `bitcup migrate -m "..."`',
  },
  BC7004: {
    severity: 'error',
    message: 'a new revision needs a message: `bitcup migrate -m "..."`',
  },
  BC7005: {
    severity: 'error',
    message: 'the revisions in `{path}` do not form one chain: {reason}',
  },

  // ---- BC8xxx emit / merge (emitter engineer)
  BC8001: { severity: 'error', message: 'cannot write `{path}`: {reason}' },
  BC8002: {
    severity: 'error',
    message: 'a backend produced an invalid output path `{path}`: {reason}',
  },
  BC8003: { severity: 'error', message: '`{path}` is produced more than once ({backends})' },
  BC8004: {
    severity: 'error',
    message:
      'merge conflict in `{path}`: your edit and the new output change the same lines; the file is left as you wrote it (rerun with --force to write the new output and keep yours as `{path}.orig`)',
  },
  BC8005: {
    severity: 'error',
    message:
      '`{path}` already exists and was not written by bitcup; it is left unchanged (rerun with --force to replace it and keep yours as `{path}.orig`)',
  },
  BC8006: {
    severity: 'warning',
    message: '`{path}` is no longer generated, but you edited it, so it is left in place',
  },
  BC8007: {
    severity: 'warning',
    message: 'cannot read the emitter manifest `{path}`: {reason}; every file is treated as new',
  },
  BC8008: { severity: 'error', message: 'cannot remove `{path}`: {reason}' },

  // ---- BC9xxx internal
  BC9001: {
    severity: 'error',
    message: 'internal compiler error in {phase}: {reason} (please report this bug)',
  },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof codes;

/** Fill a `{name}` template; a missing argument stays visible as `{name}`. */
export function formatTemplate(
  template: string,
  args: Readonly<Record<string, string | number>> = {},
): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in args ? String(args[key]) : key === 'hint' ? '' : whole,
  );
}
