// A tiny builder of hand-made IR programs for the database suites: enough of
// the front end's lowering (tables, columns, FK indexes, join tables) to
// exercise the SQL generator and the migration diff without the parser.
import type {
  Default,
  Entity,
  Field,
  FieldType,
  IndexDecl,
  JoinTable,
  Program,
  ScalarType,
} from '../../compiler/ir/schema.js';
import { pluralSnake, snake } from '../../compiler/names.js';

const span = { file: 'model.bitcup', line: 1, column: 1, offset: 0, length: 1 };

export interface FieldSpec {
  type: FieldType;
  optional?: boolean;
  unique?: boolean;
  index?: boolean;
  default?: Default;
  min?: number;
  max?: number;
  pattern?: string;
  was?: string;
}

export const scalar = (
  s: ScalarType,
  extra: Partial<Extract<FieldType, { kind: 'scalar' }>> = {},
): FieldType => ({ kind: 'scalar', scalar: s, ...extra });
export const str = (length?: number): FieldType =>
  length === undefined ? scalar('string') : scalar('string', { length });
export const enumType = (name: string): FieldType => ({ kind: 'enum', enum: name });
export const toOne = (
  target: string,
  onDelete: 'cascade' | 'restrict' | 'set null' = 'restrict',
): FieldType => ({ kind: 'relation', target, relation: 'many-to-one', owning: true, onDelete });
export const toMany = (target: string, inverse?: string): FieldType => ({
  kind: 'relation',
  target,
  relation: 'one-to-many',
  owning: false,
  ...(inverse ? { inverse } : {}),
});
export const lit = (value: string | number | boolean): Default => ({ kind: 'literal', value });

export interface EntitySpec {
  name: string;
  fields: Record<string, FieldSpec>;
  timestamps?: boolean;
  table?: string;
  was?: string;
  uniques?: string[][];
  indexes?: string[][];
  search?: string[];
}

function makeField(name: string, spec: FieldSpec, origin: Field['origin'] = 'declared'): Field {
  const isToOne = spec.type.kind === 'relation' && spec.type.owning;
  const hasColumn = spec.type.kind !== 'relation' || isToOne;
  return {
    name,
    apiName: isToOne ? `${name}Id` : name,
    ...(hasColumn ? { column: isToOne ? `${snake(name)}_id` : snake(name) } : {}),
    type: spec.type,
    optional: spec.optional ?? false,
    primaryKey: origin === 'id',
    unique: spec.unique ?? false,
    indexed: spec.index ?? false,
    ...(spec.default ? { default: spec.default } : {}),
    onUpdateNow: false,
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(spec.pattern !== undefined ? { pattern: spec.pattern } : {}),
    private: false,
    readonly: false,
    label: name,
    ...(spec.was ? { was: spec.was } : {}),
    ownerField: false,
    origin,
    span,
  };
}

function makeEntity(spec: EntitySpec): Entity {
  const fields = [
    makeField('id', { type: scalar('uuid') }, 'id'),
    ...Object.entries(spec.fields).map(([n, f]) => makeField(n, f)),
  ];
  if (spec.timestamps) {
    fields.push(
      makeField('createdAt', { type: scalar('datetime'), default: { kind: 'now' } }, 'timestamps'),
    );
    fields.push(makeField('updatedAt', { type: scalar('datetime'), optional: true }, 'timestamps'));
  }
  return {
    name: spec.name,
    table: spec.table ?? pluralSnake(spec.name),
    apiPath: spec.name.toLowerCase(),
    label: spec.name,
    pluralLabel: spec.name,
    timestamps: spec.timestamps ?? false,
    ...(spec.was ? { was: spec.was } : {}),
    fields,
    uniques: (spec.uniques ?? []).map((fields) => ({ fields, span })),
    allows: [],
    checks: [],
    isAuthUser: false,
    span,
  };
}

export interface ProgramSpec {
  entities: EntitySpec[];
  enums?: Record<string, string[]>;
  /** many-to-many pairs: [Entity, field, OtherEntity, otherField] */
  manyToMany?: [string, string, string, string][];
  events?: string[];
}

export function buildProgram(spec: ProgramSpec): Program {
  const entities = spec.entities.map(makeEntity);
  const byName = new Map(entities.map((e) => [e.name, e]));
  const joinTables: JoinTable[] = [];
  for (const [a, af, b, bf] of spec.manyToMany ?? []) {
    const ea = byName.get(a)!;
    const eb = byName.get(b)!;
    const sa = { entity: a, field: af, column: `${snake(a)}_id`, references: ea.table };
    const sb = { entity: b, field: bf, column: `${snake(b)}_id`, references: eb.table };
    const sides = [sa, sb].sort((x, y) => x.column.localeCompare(y.column));
    const name = [snake(a), snake(b)].sort().join('_');
    joinTables.push({ name, sides: [sides[0]!, sides[1]!], symmetric: false });
    ea.fields.push(
      makeField(af, {
        type: {
          kind: 'relation',
          target: b,
          relation: 'many-to-many',
          owning: false,
          joinTable: name,
        },
      }),
    );
    eb.fields.push(
      makeField(bf, {
        type: {
          kind: 'relation',
          target: a,
          relation: 'many-to-many',
          owning: false,
          joinTable: name,
        },
      }),
    );
  }
  const indexes: IndexDecl[] = [];
  for (const [i, e] of entities.entries()) {
    const s = spec.entities[i]!;
    const colOf = (f: string) => e.fields.find((x) => x.name === f)!.column!;
    const add = (
      fields: string[],
      method: IndexDecl['method'],
      reason: IndexDecl['reasons'][number],
    ) => {
      const columns = fields.map(colOf);
      const name = `ix_${e.table}_${columns.join('_')}${method === 'gin_trgm' ? '_trgm' : ''}`;
      if (indexes.some((x) => x.name === name)) return;
      indexes.push({
        name,
        entity: e.name,
        table: e.table,
        fields,
        columns,
        unique: false,
        method,
        reasons: [reason],
      });
    };
    for (const fields of s.indexes ?? []) add(fields, 'btree', 'declared');
    for (const f of e.fields) {
      if (f.indexed) add([f.name], 'btree', 'modifier');
      if (f.type.kind === 'relation' && f.type.owning) add([f.name], 'btree', 'foreign-key');
    }
    for (const f of s.search ?? []) add([f], 'gin_trgm', 'search');
  }
  indexes.sort((x, y) => x.table.localeCompare(y.table) || x.name.localeCompare(y.name));
  return {
    irVersion: 1,
    app: { name: 'Test', title: 'Test', version: '0.1.0', apiPrefix: '/api', span },
    deploy: {
      compose: { frontendPort: 8080, backendPort: 8000 },
      kubernetes: {
        namespace: 'test',
        backend: { replicas: 1, maxReplicas: 3 },
        frontend: { replicas: 1 },
      },
    },
    enums: Object.entries(spec.enums ?? {}).map(([name, values]) => ({ name, values, span })),
    entities,
    joinTables,
    indexes,
    flows: [],
    behaviors: [],
    events: (spec.events ?? []).map((name) => ({ name, stream: name, fields: [], span })),
    views: [],
    sources: [{ file: 'model.bitcup', hash: '0' }],
  };
}
