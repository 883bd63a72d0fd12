// One Alembic revision file from a list of changes: upgrade() runs them,
// downgrade() runs their inverses in reverse. The same file works on
// PostgreSQL and SQLite: ALTERs go through batch_alter_table (a table copy on
// SQLite, plain ALTERs on PostgreSQL) and PostgreSQL-only objects (trigram
// indexes, regex checks, constraint renames) are guarded by the dialect.
// Revision ids hash the content, so the same history gives the same files.
import { createHash } from 'node:crypto';
import { CodeWriter } from '../../emit/code-writer.js';
import {
  checkSql,
  pgTypeSql,
  type Column,
  type ColumnDefault,
  type Constraint,
  type Index,
  type SqlType,
  type Table,
} from '../sql/model.js';
import { quoteIdent } from '../sql/identifiers.js';
import { downgradeOf, type Change } from '../../migrate/diff.js';
import { call, kw, list, star, statement, str, type Py } from './python.js';

// ---- 1. Python expressions for the database model -------------------------------

interface Usage {
  json: boolean;
  pg: boolean;
  now: boolean;
  uuid: boolean;
  postgresqlOnly: boolean;
}

function typePy(type: SqlType, use: Usage): Py {
  switch (type.kind) {
    case 'uuid':
      return 'sa.Uuid()';
    case 'varchar':
      return call('sa.String', kw('length', String(type.length)));
    case 'text':
      return 'sa.Text()';
    case 'numeric':
      return call(
        'sa.Numeric',
        kw('precision', String(type.precision)),
        kw('scale', String(type.scale)),
      );
    case 'timestamptz':
      return call('sa.DateTime', kw('timezone', 'True'));
    case 'date':
      return 'sa.Date()';
    case 'time':
      return 'sa.Time()';
    case 'jsonb':
      use.json = true;
      return 'JSON';
    case 'boolean':
      return 'sa.Boolean()';
    case 'integer':
      return 'sa.Integer()';
    case 'bigint':
      return 'sa.BigInteger()';
    case 'double':
      return 'sa.Double()';
  }
}

function defaultPy(d: ColumnDefault, use: Usage): Py {
  switch (d.kind) {
    case 'now':
      use.now = true;
      use.pg = true;
      return 'now_default()';
    case 'uuid':
      use.uuid = true;
      use.pg = true;
      return 'uuid_default()';
    case 'currentDate':
      return call('sa.text', str('CURRENT_DATE'));
    case 'currentTime':
      return call('sa.text', str('CURRENT_TIME'));
    case 'json':
      return call('sa.text', str(`'${d.value}'`));
    case 'literal':
      return call('sa.text', str(d.sql));
  }
}

/** The default as SQL both dialects accept, to fill existing rows. */
function fillSql(d: ColumnDefault): string {
  switch (d.kind) {
    case 'now':
      return 'CURRENT_TIMESTAMP';
    case 'currentDate':
      return 'CURRENT_DATE';
    case 'currentTime':
      return 'CURRENT_TIME';
    case 'json':
      return `'${d.value}'`;
    case 'literal':
      return d.sql;
    case 'uuid':
      return 'NULL';
  }
}

function columnPy(column: Column, use: Usage): Py {
  const args: Py[] = [str(column.name), typePy(column.type, use)];
  if (column.default) args.push(kw('server_default', defaultPy(column.default, use)));
  args.push(kw('nullable', column.nullable ? 'True' : 'False'));
  return call('sa.Column', ...args);
}

const strList = (names: string[]) => list(names.map(str));

function constraintPy(c: Constraint): Py {
  switch (c.kind) {
    case 'foreignKey':
      return call(
        'sa.ForeignKeyConstraint',
        strList(c.columns),
        strList(c.refColumns.map((r) => `${c.refTable}.${r}`)),
        kw('name', str(c.name)),
        kw('ondelete', str(c.onDelete)),
      );
    case 'unique':
      return call('sa.UniqueConstraint', ...c.columns.map(str), kw('name', str(c.name)));
    case 'check':
      return call('sa.CheckConstraint', str(checkSql(c)), kw('name', str(c.name)));
  }
}

const CONSTRAINT_TYPE = { foreignKey: 'foreignkey', unique: 'unique', check: 'check' } as const;

// ---- 2. statements ------------------------------------------------------------------

/** One statement: on a batch of one table, plain, or PostgreSQL-only with a fallback. */
type Stmt =
  | { kind: 'batch'; table: string; expr: Py }
  | { kind: 'op'; expr: Py }
  | { kind: 'pg'; body: Stmt[]; otherwise?: Stmt[] }
  | { kind: 'notPg'; body: Stmt[] };

const opCall = (name: string, ...args: Py[]): Stmt => ({
  kind: 'op',
  expr: call(`op.${name}`, ...args),
});
const batch = (table: string, name: string, ...args: Py[]): Stmt => ({
  kind: 'batch',
  table,
  expr: call(`batch_op.${name}`, ...args),
});
const pgOnly = (body: Stmt[], otherwise?: Stmt[]): Stmt => ({
  kind: 'pg',
  body,
  ...(otherwise ? { otherwise } : {}),
});
const execute = (sql: string): Stmt => opCall('execute', str(sql));

function createIndexStmt(table: string, index: Index, inBatch: boolean): Stmt {
  if (index.method === 'gin_trgm')
    return pgOnly([
      opCall(
        'create_index',
        str(index.name),
        str(table),
        strList(index.columns),
        kw('postgresql_using', str('gin')),
        kw(
          'postgresql_ops',
          `{${index.columns.map((c) => `${str(c)}: ${str('gin_trgm_ops')}`).join(', ')}}`,
        ),
      ),
    ]);
  const extra = index.unique ? [kw('unique', 'True')] : [];
  return inBatch
    ? batch(table, 'create_index', str(index.name), strList(index.columns), ...extra)
    : opCall('create_index', str(index.name), str(table), strList(index.columns), ...extra);
}

function dropIndexStmt(table: string, index: Index): Stmt {
  if (index.method === 'gin_trgm')
    return pgOnly([opCall('drop_index', str(index.name), kw('table_name', str(table)))]);
  return batch(table, 'drop_index', str(index.name));
}

function addConstraintStmt(table: string, c: Constraint): Stmt {
  switch (c.kind) {
    case 'foreignKey':
      return batch(
        table,
        'create_foreign_key',
        str(c.name),
        str(c.refTable),
        strList(c.columns),
        strList(c.refColumns),
        kw('ondelete', str(c.onDelete)),
      );
    case 'unique':
      return batch(table, 'create_unique_constraint', str(c.name), strList(c.columns));
    case 'check':
      if (c.postgresqlOnly)
        return pgOnly([
          opCall('create_check_constraint', str(c.name), str(table), str(checkSql(c))),
        ]);
      return batch(table, 'create_check_constraint', str(c.name), str(checkSql(c)));
  }
}

function dropConstraintStmt(table: string, c: Constraint): Stmt {
  const type = kw('type_', str(CONSTRAINT_TYPE[c.kind]));
  if (c.kind === 'check' && c.postgresqlOnly)
    return pgOnly([opCall('drop_constraint', str(c.name), str(table), type)]);
  return batch(table, 'drop_constraint', str(c.name), type);
}

function createTableStmts(table: Table, deferred: string[], use: Usage): Stmt[] {
  const pgChecks = table.constraints.filter((c) => c.kind === 'check' && c.postgresqlOnly);
  const args: Py[] = [
    str(table.name),
    ...table.columns.map((c) => columnPy(c, use)),
    call(
      'sa.PrimaryKeyConstraint',
      ...table.primaryKey.columns.map(str),
      kw('name', str(table.primaryKey.name)),
    ),
    ...table.constraints
      .filter((c) => !(c.kind === 'check' && c.postgresqlOnly) && !deferred.includes(c.name))
      .map(constraintPy),
  ];
  if (pgChecks.length > 0) {
    use.postgresqlOnly = true;
    args.push(star(call('postgresql_only', ...pgChecks.map(constraintPy))));
  }
  return [
    opCall('create_table', ...args),
    ...table.indexes.map((i) => createIndexStmt(table.name, i, false)),
  ];
}

function alterColumnStmts(table: string, from: Column, to: Column, use: Usage): Stmt[] {
  const stmts: Stmt[] = [];
  if (from.nullable && !to.nullable && to.default && to.default.kind !== 'uuid')
    stmts.push(
      execute(
        `UPDATE ${quoteIdent(table)} SET ${quoteIdent(to.name)} = ${fillSql(to.default)} WHERE ${quoteIdent(to.name)} IS NULL`,
      ),
    );
  const args: Py[] = [str(to.name), kw('existing_type', typePy(from.type, use))];
  if (JSON.stringify(from.type) !== JSON.stringify(to.type)) {
    args.push(kw('type_', typePy(to.type, use)));
    args.push(kw('postgresql_using', str(`${quoteIdent(to.name)}::${pgTypeSql(to.type)}`)));
  }
  if (from.nullable !== to.nullable) args.push(kw('nullable', to.nullable ? 'True' : 'False'));
  else args.push(kw('existing_nullable', to.nullable ? 'True' : 'False'));
  if (JSON.stringify(from.default ?? null) !== JSON.stringify(to.default ?? null)) {
    args.push(kw('server_default', to.default ? defaultPy(to.default, use) : 'None'));
    if (from.default) args.push(kw('existing_server_default', defaultPy(from.default, use)));
  } else if (from.default) {
    args.push(kw('existing_server_default', defaultPy(from.default, use)));
  }
  stmts.push(batch(table, 'alter_column', ...args));
  return stmts;
}

function changeStmts(change: Change, use: Usage): Stmt[] {
  if ('sqliteOnly' in change && change.sqliteOnly)
    return [{ kind: 'notPg', body: changeStmts({ ...change, sqliteOnly: false }, use) }];
  switch (change.kind) {
    case 'createExtension':
      use.pg = true;
      return [pgOnly([execute(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(change.name)}`)])];
    case 'dropExtension':
      return [pgOnly([execute(`DROP EXTENSION IF EXISTS ${quoteIdent(change.name)}`)])];
    case 'createTable':
      return createTableStmts(change.table, change.deferredForeignKeys, use);
    case 'dropTable':
      return [opCall('drop_table', str(change.table.name))];
    case 'renameTable':
      return [opCall('rename_table', str(change.from), str(change.to))];
    case 'addColumn':
      return [batch(change.table, 'add_column', columnPy(change.column, use))];
    case 'dropColumn':
      return [batch(change.table, 'drop_column', str(change.column.name))];
    case 'renameColumn':
      // a native RENAME COLUMN (SQLite too): it also rewrites the CHECKs that name the column
      return [
        opCall(
          'alter_column',
          str(change.table),
          str(change.from),
          kw('new_column_name', str(change.to)),
        ),
      ];
    case 'alterColumn':
      return alterColumnStmts(change.table, change.from, change.to, use);
    case 'addConstraint':
      return [addConstraintStmt(change.table, change.constraint)];
    case 'dropConstraint':
      return [dropConstraintStmt(change.table, change.constraint)];
    case 'replacePrimaryKey':
      return [
        batch(change.table, 'drop_constraint', str(change.from.name), kw('type_', str('primary'))),
        batch(change.table, 'create_primary_key', str(change.to.name), strList(change.to.columns)),
      ];
    case 'renamePrimaryKey':
      use.pg = true;
      // SQLite keeps no name for a primary key
      return [
        pgOnly([
          execute(
            `ALTER TABLE ${quoteIdent(change.table)} RENAME CONSTRAINT ${quoteIdent(change.from)} TO ${quoteIdent(change.to)}`,
          ),
        ]),
      ];
    case 'renameConstraint':
      // SQLite: dropped and added around the renames (see diff.ts)
      return [
        pgOnly([
          execute(
            `ALTER TABLE ${quoteIdent(change.table)} RENAME CONSTRAINT ${quoteIdent(change.from.name)} TO ${quoteIdent(change.to.name)}`,
          ),
        ]),
      ];
    case 'createIndex':
      if (change.index.method === 'gin_trgm') use.pg = true;
      return [createIndexStmt(change.table, change.index, true)];
    case 'dropIndex':
      if (change.index.method === 'gin_trgm') use.pg = true;
      return [dropIndexStmt(change.table, change.index)];
    case 'renameIndex':
      return [
        pgOnly([
          execute(
            `ALTER INDEX ${quoteIdent(change.from.name)} RENAME TO ${quoteIdent(change.to.name)}`,
          ),
        ]),
      ];
  }
}

/** Merge neighbouring dialect guards of the same kind into one `if` block. */
function coalesce(stmts: Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const stmt of stmts) {
    const last = out[out.length - 1];
    if (last && last.kind === 'notPg' && stmt.kind === 'notPg')
      out[out.length - 1] = { kind: 'notPg', body: [...last.body, ...stmt.body] };
    else if (last?.kind === 'pg' && stmt.kind === 'pg' && !last.otherwise && !stmt.otherwise)
      out[out.length - 1] = { kind: 'pg', body: [...last.body, ...stmt.body] };
    else out.push(stmt);
  }
  return out;
}

/** Write statements, merging consecutive batch operations on one table into one block. */
function writeStmts(w: CodeWriter, input: Stmt[], depth: number): void {
  const stmts = coalesce(input);
  const cols = depth * 4;
  for (let i = 0; i < stmts.length; i++) {
    const stmt = stmts[i]!;
    if (stmt.kind === 'op') w.lines_(statement(stmt.expr, cols));
    else if (stmt.kind === 'notPg')
      w.block('if not is_postgresql():', () => writeStmts(w, stmt.body, depth + 1));
    else if (stmt.kind === 'pg') {
      w.block('if is_postgresql():', () => writeStmts(w, stmt.body, depth + 1));
      if (stmt.otherwise) w.block('else:', () => writeStmts(w, stmt.otherwise!, depth + 1));
    } else {
      const group = [stmt.expr];
      while (i + 1 < stmts.length) {
        const next = stmts[i + 1]!;
        if (next.kind !== 'batch' || next.table !== stmt.table) break;
        group.push(next.expr);
        i++;
      }
      w.block(`with op.batch_alter_table(${str(stmt.table)}) as batch_op:`, () => {
        for (const expr of group) w.lines_(statement(expr, cols + 4));
      });
    }
  }
}

// ---- 3. the file ---------------------------------------------------------------------

export interface RevisionInput {
  message: string;
  /** the revision this one follows, undefined for the first */
  downRevision?: string;
  /** 1-based position in the history, for the file name */
  sequence: number;
  changes: Change[];
}

export interface RenderedRevision {
  id: string;
  fileName: string;
  content: string;
}

function slug(message: string): string {
  const s = message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return s || 'revision';
}

function functionBody(w: CodeWriter, name: string, stmts: Stmt[]): void {
  w.block(`def ${name}() -> None:`, () => {
    if (stmts.length === 0) w.line('pass');
    else writeStmts(w, stmts, 1);
  });
}

export function renderRevision(input: RevisionInput): RenderedRevision {
  const use: Usage = { json: false, pg: false, now: false, uuid: false, postgresqlOnly: false };
  const upgrade = input.changes.flatMap((c) => changeStmts(c, use));
  const downgrade = downgradeOf(input.changes).flatMap((c) => changeStmts(c, use));
  if (
    use.postgresqlOnly ||
    [...upgrade, ...downgrade].some((s) => s.kind !== 'op' && s.kind !== 'batch')
  )
    use.pg = true;
  const body = new CodeWriter('    ');
  functionBody(body, 'upgrade', upgrade);
  body.blank(2);
  functionBody(body, 'downgrade', downgrade);
  const bodyText = body.toString();

  const helpers = new CodeWriter('    ');
  if (use.json) {
    helpers.line('# jsonb on PostgreSQL, JSON text elsewhere');
    helpers.line('JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")');
  }
  if (use.pg) {
    helpers.blank(2);
    helpers.block('def is_postgresql() -> bool:', () =>
      helpers.line('return op.get_bind().dialect.name == "postgresql"'),
    );
  }
  if (use.uuid) {
    helpers.blank(2);
    helpers.block('def uuid_default() -> sa.TextClause | None:', () => {
      helpers.line('# SQLite has no gen_random_uuid(): the application supplies ids there');
      helpers.line('return sa.text("gen_random_uuid()") if is_postgresql() else None');
    });
  }
  if (use.now) {
    helpers.blank(2);
    helpers.block('def now_default() -> sa.TextClause:', () =>
      helpers.line('return sa.text("now()" if is_postgresql() else "CURRENT_TIMESTAMP")'),
    );
  }
  if (use.postgresqlOnly) {
    helpers.blank(2);
    helpers.block('def postgresql_only(*items: sa.Constraint) -> tuple[sa.Constraint, ...]:', () =>
      helpers.line('return items if is_postgresql() else ()'),
    );
  }
  const helperText = helpers.toString().trim();

  const id = createHash('sha256')
    .update(JSON.stringify([input.downRevision ?? null, input.message, helperText, bodyText]))
    .digest('hex')
    .slice(0, 12);

  const w = new CodeWriter('    ');
  w.line(`"""${input.message.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')}`);
  w.blank();
  w.line(`Revision ID: ${id}`);
  w.line(`Revises: ${input.downRevision ?? '<base>'}`);
  w.line('Generated by BITCUP from the model; history: never edited by a build.');
  w.line('"""');
  w.blank();
  w.line('from collections.abc import Sequence');
  w.blank();
  // In the generated backend ruff sees the local alembic/ folder, so `alembic`
  // sorts as a first-party import, after the third-party block.
  if (`${helperText}\n${bodyText}`.includes('sa.')) w.line('import sqlalchemy as sa');
  if (use.json) w.line('from sqlalchemy.dialects import postgresql');
  w.blank();
  w.line('from alembic import op');
  w.blank();
  w.line(`revision: str = ${str(id)}`);
  w.line(`down_revision: str | None = ${input.downRevision ? str(input.downRevision) : 'None'}`);
  w.line('branch_labels: str | Sequence[str] | None = None');
  w.line('depends_on: str | Sequence[str] | None = None');
  if (helperText) {
    w.blank(use.json ? 1 : 2);
    w.text(helperText);
  }
  w.blank(2);
  w.text(bodyText);
  const seq = String(input.sequence).padStart(4, '0');
  return { id, fileName: `${seq}_${id}_${slug(input.message)}.py`, content: w.toString() };
}
