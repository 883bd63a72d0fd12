// `bitcup migrate`: diff the current model against the snapshot of the
// latest revision and write the next revision (+ the new snapshot), refusing
// changes that can lose data unless allowed. Revisions are history: this is
// the only place that adds one after the first build.
//   1. compile       the model must have no error
//   2. previous      snapshot + revision chain from <out>
//   3. diff          typed, classified changes
//   4. decide        nothing to do / --check / refuse destructive
//   5. write         revision first, then the snapshot (atomic each)
import { join } from 'node:path';
import { compile } from '../index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { makeDiagnostic } from '../diagnostics/collector.js';
import type { Program } from '../ir/schema.js';
import {
  readPreviousOutput,
  REVISIONS_DIR,
  SNAPSHOT_PATH,
  writeFileAtomic,
} from '../emit/writer.js';
import { renderRevision } from '../backends/alembic/revision.js';
import { snapshotContent } from '../backends/alembic/index.js';
import { diff, type PlannedChange } from './diff.js';

export interface MigrateOptions {
  message?: string;
  allowDestructive?: boolean;
  /** only report whether the model has changes no revision covers */
  check?: boolean;
}

export type MigrateStatus = 'written' | 'no-change' | 'pending' | 'refused' | 'error';

export interface MigrateResult {
  status: MigrateStatus;
  diagnostics: Diagnostic[];
  changes: PlannedChange[];
  /** the revision written, relative to out */
  revision?: string;
}

interface ChainHead {
  head?: string;
  count: number;
  error?: string;
}

/** The latest revision of the chain in `revisions` (file -> content). */
export function revisionChain(revisions: ReadonlyMap<string, string>): ChainHead {
  const ids = new Map<string, string | undefined>();
  for (const content of revisions.values()) {
    const id = /^revision(?::[^=]*)? = ["']([^"']+)["']/m.exec(content)?.[1];
    if (!id) continue;
    const down = /^down_revision(?::[^=]*)? = (?:["']([^"']+)["']|None)/m.exec(content);
    ids.set(id, down?.[1]);
  }
  const parents = new Set([...ids.values()].filter((v): v is string => v !== undefined));
  const heads = [...ids.keys()].filter((id) => !parents.has(id));
  if (ids.size === 0) return { count: 0 };
  if (heads.length !== 1)
    return { count: ids.size, error: `${heads.length} heads (${heads.sort().join(', ')})` };
  return { head: heads[0], count: ids.size };
}

export function migrate(entry: string, out: string, options: MigrateOptions = {}): MigrateResult {
  // 1. compile
  const compiled = compile(entry);
  if (!compiled.program) return { status: 'error', diagnostics: compiled.diagnostics, changes: [] };
  const result = migrateProgram(compiled.program, out, options);
  return { ...result, diagnostics: [...compiled.diagnostics, ...result.diagnostics] };
}

/** Steps 2-5 on an already compiled program (tests drive this directly). */
export function migrateProgram(
  program: Program,
  out: string,
  options: MigrateOptions = {},
): MigrateResult {
  const diagnostics: Diagnostic[] = [];
  const fail = (status: MigrateStatus, changes: PlannedChange[] = []): MigrateResult => ({
    status,
    diagnostics,
    changes,
  });

  // 2. previous
  const previous = readPreviousOutput(out);
  const chain = revisionChain(previous.revisions);
  if (chain.error) {
    diagnostics.push(
      makeDiagnostic('BC7005', undefined, { path: REVISIONS_DIR, reason: chain.error }),
    );
    return fail('error');
  }
  if (!previous.snapshot && chain.count > 0) {
    diagnostics.push(makeDiagnostic('BC7002', undefined, { path: SNAPSHOT_PATH }));
    return fail('error');
  }

  // 3. diff (no snapshot and no revision: the first revision, as a first build writes)
  const changes = diff(previous.snapshot, program);

  // 4. decide
  if (changes.length === 0) return { status: 'no-change', diagnostics, changes };
  if (options.check) {
    diagnostics.push(makeDiagnostic('BC7003', undefined, { count: changes.length }));
    return fail('pending', changes);
  }
  const destructive = changes.filter((c) => c.destructive);
  if (destructive.length > 0 && !options.allowDestructive) {
    for (const c of destructive)
      diagnostics.push(makeDiagnostic('BC7001', c.span, { change: c.destructive! }));
    return fail('refused', changes);
  }
  const message = options.message?.trim() || (chain.count === 0 ? 'initial schema' : '');
  if (!message) {
    diagnostics.push(makeDiagnostic('BC7004', undefined));
    return fail('error', changes);
  }

  // 5. write
  const revision = renderRevision({
    message,
    sequence: chain.count + 1,
    changes: changes.map((c) => c.change),
    ...(chain.head ? { downRevision: chain.head } : {}),
  });
  const path = `${REVISIONS_DIR}/${revision.fileName}`;
  writeFileAtomic(join(out, path), revision.content);
  writeFileAtomic(join(out, SNAPSHOT_PATH), snapshotContent(program));
  return { status: 'written', diagnostics, changes, revision: path };
}

/** One line per change, for the command's summary. */
export function describeChange(planned: PlannedChange): string {
  const c = planned.change;
  const mark = planned.destructive ? ' (destructive)' : '';
  switch (c.kind) {
    case 'createExtension':
    case 'dropExtension':
      return `${c.kind === 'createExtension' ? 'create' : 'drop'} extension ${c.name}`;
    case 'createTable':
    case 'dropTable':
      return `${c.kind === 'createTable' ? 'create' : 'drop'} table ${c.table.name}${mark}`;
    case 'renameTable':
      return `rename table ${c.from} to ${c.to}`;
    case 'addColumn':
      return `add column ${c.table}.${c.column.name}${mark}`;
    case 'dropColumn':
      return `drop column ${c.table}.${c.column.name}${mark}`;
    case 'renameColumn':
      return `rename column ${c.table}.${c.from} to ${c.to}`;
    case 'alterColumn':
      return `alter column ${c.table}.${c.to.name}${mark}`;
    case 'addConstraint':
      return `add constraint ${c.constraint.name}`;
    case 'dropConstraint':
      return `drop constraint ${c.constraint.name}${mark}`;
    case 'replacePrimaryKey':
      return `replace primary key ${c.from.name} (${c.from.columns.join(', ')}) by ${c.to.name} (${c.to.columns.join(', ')})`;
    case 'renamePrimaryKey':
      return `rename constraint ${c.from} to ${c.to}`;
    case 'renameConstraint':
      return `rename constraint ${c.from.name} to ${c.to.name}`;
    case 'createIndex':
      return `create index ${c.index.name}`;
    case 'dropIndex':
      return `drop index ${c.index.name}`;
    case 'renameIndex':
      return `rename index ${c.from.name} to ${c.to.name}`;
  }
}
