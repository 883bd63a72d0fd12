// The platform example's expected database shape (data/platform-schema.md,
// a copy of the shared reference table) parsed into per-column expectations
// and checked against a live PostgreSQL catalog.
import type { PostgresCluster } from '../helpers/postgres.js';

export interface ColumnExpectation {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
  /** 'default / constraint' items: unique, FK ..., indexed, a default value */
  rules: string[];
}

export function parsePlatformSchema(markdown: string): ColumnExpectation[] {
  const out: ColumnExpectation[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 7 || cells[1] === 'table' || cells[1]!.startsWith('---')) continue;
    const [, table, columnList, type, nullList, rules] = cells as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const columns = columnList.split(',').map((c) => c.trim());
    const nulls = nullList.split('/').map((n) => n.trim());
    // "now() / set on update" pairs with "created_at, updated_at"
    const perColumn = columns.length > 1 && rules.includes(' / ') ? rules.split(' / ') : undefined;
    columns.forEach((column, i) => {
      const ruleText = (perColumn ? perColumn[i] : rules) ?? '';
      out.push({
        table,
        column,
        type,
        nullable: (nulls[i] ?? nulls[0]) === 'yes',
        rules: ruleText
          .split(',')
          .map((r) => r.trim())
          .filter((r) => r.length > 0),
      });
    });
  }
  return out;
}

interface LiveColumn {
  type: string;
  notNull: boolean;
  default: string;
}

function rows(pg: PostgresCluster, database: string, sql: string): string[][] {
  return pg
    .psql(database, sql)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('|'));
}

const TYPES: Record<string, string> = {
  text: 'text',
  uuid: 'uuid',
  timestamptz: 'timestamp with time zone',
  jsonb: 'jsonb',
  boolean: 'boolean',
  integer: 'integer',
  'double / float': 'double precision',
};

/** Every way the live database differs from the expectations (empty: none). */
export function checkPlatformSchema(
  pg: PostgresCluster,
  database: string,
  expectations: ColumnExpectation[],
): string[] {
  const columns = new Map<string, LiveColumn>();
  for (const [table, column, type, notNull, def] of rows(
    pg,
    database,
    `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
            coalesce(pg_get_expr(d.adbin, d.adrelid), '')
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
       AND a.attnum > 0 AND NOT a.attisdropped`,
  ))
    columns.set(`${table}.${column}`, { type: type!, notNull: notNull === 't', default: def! });
  const constraints = rows(
    pg,
    database,
    `SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid) FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace`,
  );
  const indexes = rows(
    pg,
    database,
    `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
  );
  const problems: string[] = [];
  const tables = new Set(expectations.map((e) => e.table));

  for (const table of tables) {
    const id = columns.get(`${table}.id`);
    if (!id || id.type !== 'uuid' || !id.notNull || id.default !== 'gen_random_uuid()')
      problems.push(`${table}.id is not uuid NOT NULL DEFAULT gen_random_uuid()`);
    if (
      !constraints.some(
        ([t, type, def]) => t === table && type === 'p' && def === 'PRIMARY KEY (id)',
      )
    )
      problems.push(`${table} has no PRIMARY KEY (id)`);
  }

  for (const e of expectations) {
    const name = `${e.table}.${e.column}`;
    const live = columns.get(name);
    if (!live) {
      problems.push(`${name} is missing`);
      continue;
    }
    const checks = constraints
      .filter(([t, type]) => t === e.table && type === 'c')
      .map((c) => c[2]!);
    const varchar = /^varchar\((\d+)\)$/.exec(e.type);
    const enumValues = /^enum (.+)$/.exec(e.type)?.[1]!.split('/');
    if (varchar) {
      if (live.type !== `character varying(${varchar[1]})`)
        problems.push(`${name} is ${live.type}, not ${e.type}`);
    } else if (enumValues) {
      if (!live.type.startsWith('character varying'))
        problems.push(`${name} is ${live.type}, not a varchar enum`);
      const check = checks.find((c) => c.includes(`(${e.column})::text`) && c.includes('ANY'));
      const allowed = check ? [...check.matchAll(/'([^']*)'/g)].map((m) => m[1]).sort() : [];
      if (JSON.stringify(allowed) !== JSON.stringify([...enumValues].sort()))
        problems.push(
          `${name} CHECK allows [${allowed.join(', ')}], not [${enumValues.join(', ')}]`,
        );
    } else if (live.type !== TYPES[e.type]) {
      problems.push(`${name} is ${live.type}, not ${e.type}`);
    }
    if (live.notNull === e.nullable)
      problems.push(`${name} is ${live.notNull ? 'NOT NULL' : 'nullable'}`);

    let expectedDefault: ((d: string) => boolean) | undefined;
    let describe = 'no default';
    for (const rule of e.rules) {
      const fk = /^FK (\w+)\((\w+)\) ON DELETE ([A-Z ]+)$/.exec(rule);
      if (rule === 'unique') {
        if (
          !constraints.some(
            ([t, type, def]) => t === e.table && type === 'u' && def === `UNIQUE (${e.column})`,
          )
        )
          problems.push(`${name} is not unique`);
      } else if (fk) {
        const want = `FOREIGN KEY (${e.column}) REFERENCES ${fk[1]}(${fk[2]}) ON DELETE ${fk[3]}`;
        if (!constraints.some(([t, type, def]) => t === e.table && type === 'f' && def === want))
          problems.push(`${name} lacks ${want}`);
      } else if (rule === 'indexed') {
        const first = new RegExp(`USING btree \\(${e.column}[,)]`);
        if (!indexes.some(([t, def]) => t === e.table && first.test(def!)))
          problems.push(`${name} is not indexed`);
      } else if (rule === 'set on update') {
        // the backend sets it at every update: no database default
      } else if (/^-?\d+(\.\d+)?$/.test(rule)) {
        describe = rule;
        expectedDefault = (d) => d !== '' && Number(d) === Number(rule);
      } else if (/^'.*'$/.test(rule)) {
        describe = rule;
        expectedDefault = (d) => d.startsWith(rule);
      } else {
        describe = rule;
        expectedDefault = (d) => d === rule;
      }
    }
    const ok = expectedDefault ? expectedDefault(live.default) : live.default === '';
    if (!ok) problems.push(`${name} default is '${live.default}', expected ${describe}`);
  }
  return problems;
}
