// Lookups and derived facts the Vue backend needs from the IR: which fields a
// form edits and how, TypeScript types, row labels, and names of generated
// identifiers (kept apart from the model's names so none can collide).
import type { Behavior, Entity, Field, Flow, Program, Transition, View } from '../../ir/schema.js';
import { camel, kebab, pascal } from '../../names.js';

/**
 * Whether to make a file (incremental builds: generateChanged), by its path
 * (relative to the output) and dependsOn (worked out only when needed).
 */
export type Wanted = (path: string, dependsOn: () => string[]) => boolean;

export const everyFile: Wanted = () => true;

// Output paths, one string per (kind, name) across runs: an incremental run
// looks up hundreds of them, and a kept string is not built and hashed again.
const paths = new Map<string, Map<string, string>>();

/** The output path of the `kind` file of declaration `name` (`make` builds it once; any string kept per name). */
export function outputPath(kind: string, name: string, make: () => string): string {
  let byName = paths.get(kind);
  if (byName === undefined) paths.set(kind, (byName = new Map()));
  let path = byName.get(name);
  if (path === undefined) byName.set(name, (path = make()));
  return path;
}

/** How a form edits a field. */
export type InputKind =
  | 'text'
  | 'email'
  | 'url'
  | 'password'
  | 'textarea'
  | 'int'
  | 'float'
  | 'decimal'
  | 'bool'
  | 'date'
  | 'datetime'
  | 'time'
  | 'uuid'
  | 'json'
  | 'enum'
  | 'toOne'
  | 'toMany';

export interface EntityAction {
  name: string;
  kind: 'transition' | 'behavior';
  transition?: Transition;
  flow?: Flow;
  behavior?: Behavior;
}

/** Fields that name a row for people, in order of preference. */
const LABEL_FIELD_NAMES = [
  'name',
  'title',
  'displayName',
  'label',
  'username',
  'email',
  'sku',
  'slug',
];

export class VueModel {
  private readonly entities = new Map<string, Entity>();
  private readonly views = new Map<string, View>();

  constructor(readonly program: Program) {
    for (const entity of program.entities) this.entities.set(entity.name, entity);
    for (const view of program.views) this.views.set(view.name, view);
  }

  get hasAuth(): boolean {
    return this.program.app.auth !== undefined;
  }

  entity(name: string | undefined): Entity | undefined {
    return name === undefined ? undefined : this.entities.get(name);
  }

  view(name: string): View | undefined {
    return this.views.get(name);
  }

  field(entity: Entity, name: string): Field | undefined {
    return entity.fields.find((field) => field.name === name);
  }

  enumValues(name: string): string[] {
    return this.program.enums.find((decl) => decl.name === name)?.values ?? [];
  }

  /** The first view of `kind` for `entity`, in program order. */
  firstView(entity: string, kind: View['kind']): View | undefined {
    return this.program.views.find((view) => view.kind === kind && view.entity === entity);
  }

  /** Transitions and row behaviors of an entity, flows first. */
  actions(entity: Entity): EntityAction[] {
    const actions: EntityAction[] = [];
    for (const flow of this.flowsOf().get(entity.name) ?? []) {
      for (const transition of flow.transitions) {
        actions.push({ name: transition.name, kind: 'transition', transition, flow });
      }
    }
    for (const behavior of this.behaviorsOf().get(entity.name) ?? []) {
      actions.push({ name: behavior.name, kind: 'behavior', behavior });
    }
    return actions;
  }

  private flowsByEntity: Map<string, Flow[]> | undefined;
  private behaviorsByEntity: Map<string, Behavior[]> | undefined;

  /** Flows by entity name, in program order (built on first use: models have hundreds). */
  private flowsOf(): Map<string, Flow[]> {
    this.flowsByEntity ??= groupBy(this.program.flows, (flow) => flow.entity);
    return this.flowsByEntity;
  }

  private behaviorsOf(): Map<string, Behavior[]> {
    this.behaviorsByEntity ??= groupBy(this.program.behaviors, (behavior) => behavior.entity);
    return this.behaviorsByEntity;
  }

  appBehaviors(): Behavior[] {
    return this.program.behaviors.filter((behavior) => behavior.entity === undefined);
  }

  /** Fields a row is named by in links and selects. */
  labelFields(entity: Entity): string[] {
    const shown = entity.fields.filter((field) => !field.private);
    const byName = LABEL_FIELD_NAMES.filter((name) => shown.some((field) => field.name === name));
    const strings = shown
      .filter(
        (field) =>
          field.type.kind === 'scalar' &&
          ['string', 'email', 'url'].includes(field.type.scalar) &&
          !byName.includes(field.name),
      )
      .map((field) => field.name);
    return [...byName, ...strings].slice(0, 3);
  }

  /** Fields of the API read: everything but private fields and to-many inverses. */
  readFields(entity: Entity): Field[] {
    return entity.fields.filter((field) => !field.private && !isOneToMany(field));
  }

  /** Fields the client may send on create (readonly, flow, owner and server-set fields left out). */
  writableFields(entity: Entity): Field[] {
    return entity.fields.filter(
      (field) =>
        !field.primaryKey &&
        !field.readonly &&
        !field.private &&
        field.flow === undefined &&
        !field.ownerField &&
        !field.onUpdateNow &&
        field.origin === 'declared' &&
        !isOneToMany(field) &&
        !(
          field.type.kind === 'relation' &&
          !field.type.owning &&
          field.type.relation !== 'many-to-many'
        ),
    );
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function isOneToMany(field: Field): boolean {
  return field.type.kind === 'relation' && field.type.relation === 'one-to-many';
}

export function isToOne(field: Field): boolean {
  return (
    field.type.kind === 'relation' &&
    (field.type.relation === 'many-to-one' || field.type.relation === 'one-to-one')
  );
}

export function isManyToMany(field: Field): boolean {
  return field.type.kind === 'relation' && field.type.relation === 'many-to-many';
}

export function inputKind(field: Field): InputKind {
  const type = field.type;
  if (type.kind === 'enum') return 'enum';
  if (type.kind === 'relation') return type.relation === 'many-to-many' ? 'toMany' : 'toOne';
  switch (type.scalar) {
    case 'text':
      return 'textarea';
    case 'int':
    case 'bigint':
      return 'int';
    case 'float':
      return 'float';
    case 'string':
      return 'text';
    default:
      return type.scalar;
  }
}

/** The TypeScript type of a field's JSON value (without null). */
export function tsType(field: Field): string {
  const type = field.type;
  if (type.kind === 'enum') return type.enum;
  if (type.kind === 'relation') return type.relation === 'many-to-many' ? 'string[]' : 'string';
  return tsScalarType(type.scalar);
}

/** The TypeScript type of a scalar's JSON value (decimals and dates travel as strings). */
export function tsScalarType(scalar: string): string {
  switch (scalar) {
    case 'int':
    case 'bigint':
    case 'float':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'json':
      return 'unknown';
    default:
      return 'string';
  }
}

/** Names of generated identifiers for an entity; none is a bare model name. */
export function entityNames(entity: Entity) {
  const base = pascal(entity.name);
  return {
    read: `${base}Read`,
    create: `${base}Create`,
    update: `${base}Update`,
    api: `${camel(entity.name)}Api`,
    store: `use${base}Store`,
    storeId: camel(entity.name),
    file: kebab(entity.name),
  };
}

/** Store / api action names: CRUD verbs never clash with `run<Name>` actions. */
export const actionMethod = (name: string): string => `run${pascal(name)}`;
export const behaviorInputType = (entity: string | undefined, name: string): string =>
  `${pascal(entity ?? 'App')}${pascal(name)}Input`;

/** Route names: one per view path. */
export function routeNames(view: View): string[] {
  if (view.kind === 'form')
    return view.paths.map((_, i) => `${kebab(view.name)}-${i === 0 ? 'new' : 'edit'}`);
  return view.paths.map((_, i) => (i === 0 ? kebab(view.name) : `${kebab(view.name)}-${i + 1}`));
}

/** `/orders/:id` -> a TS template literal filling `:id` from `idExpr`. */
export function pathWithId(path: string, idExpr: string): string {
  return '`' + path.replace(/:id\b/, '${' + idExpr + '}') + '`';
}
