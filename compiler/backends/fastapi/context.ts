// What every FastAPI module needs to know about the program, derived once
// from the IR: Python names (classes, modules, attributes), field kinds and
// types, view-driven list features (filter/search/sort, nested reads, eager
// loads) and which operations need a signed-in user.
import type {
  AllowRule,
  Behavior,
  Entity,
  EventDecl,
  Expr,
  Field,
  Flow,
  IndexDecl,
  JoinTable,
  Program,
  View,
} from '../../ir/schema.js';
import { pascal, snake } from '../../names.js';
import { track } from './deps.js';
import { safeIdent } from './py.js';

/** Entity or enum names that would shadow a library name in generated modules. */
const CLASS_COLLISIONS = new Set([
  'Any',
  'APIRouter',
  'EventPayload',
  'InputModel',
  'ModelSpec',
  'OutputModel',
  'PasswordChange',
  'Redis',
  'Token',
  'AsyncSession',
  'Base',
  'BaseModel',
  'BigInteger',
  'Boolean',
  'Column',
  'ConfigDict',
  'Date',
  'DateTime',
  'Decimal',
  'DeclarativeBase',
  'Depends',
  'Email',
  'Enum',
  'FastAPI',
  'Field',
  'Float',
  'ForeignKey',
  'HTTPException',
  'Index',
  'Integer',
  'JSON',
  'JsonValue',
  'Literal',
  'Mapped',
  'Numeric',
  'OutboxEvent',
  'Page',
  'Query',
  'Request',
  'Response',
  'Select',
  'Session',
  'Settings',
  'String',
  'Table',
  'Text',
  'Time',
  'UniqueConstraint',
  'Url',
  'UtcDatetime',
  'Uuid',
  'datetime',
]);

export type FieldKind =
  'id' | 'scalar' | 'enum' | 'toOne' | 'inverseOne' | 'oneToMany' | 'manyToMany';

export interface FieldInfo {
  field: Field;
  kind: FieldKind;
  /** Python attribute on the model (relationship name for relations) */
  attr: string;
  /** to-one owning side: the foreign-key attribute (`buyer_id`); scalars: attr */
  columnAttr: string;
  /** schema attribute (to-one `buyer_id`, many-to-many `tag_ids`) */
  schemaAttr: string;
  apiName: string;
  target?: string; // relation target entity
}

export interface EntityInfo {
  readonly entity: Entity;
  readonly className: string; // model class
  readonly module: string; // snake module name
  readonly fields: FieldInfo[];
  readonly byName: Map<string, FieldInfo>;
  readonly listViews: View[];
  /** dotted view paths (steps >= 2) shown for this entity: nested read objects and eager loads */
  readonly nested: NestedTree;
  readonly filters: FieldInfo[];
  readonly search: FieldInfo[];
  readonly sorts: FieldInfo[];
  readonly defaultSort?: { field: FieldInfo; direction: 'asc' | 'desc' } | undefined;
  readonly pageSize: number;
  readonly plural: string; // snake plural for function names: order_lines
  /** the per-entity files: backend/app/{models,schemas,services,api/routes}/<module>.py */
  readonly paths: EntityPaths;
}

export interface EntityPaths {
  model: string;
  schema: string;
  service: string;
  route: string;
}

/** relation field -> its shown sub-paths */
export type NestedTree = Map<string, { leaves: Set<string>; children: NestedTree }>;

/** The entities by name; every lookup is recorded as a dependency of the file being made. */
export interface EntityTable {
  /** one entity (`entity:<name>`) */
  get(name: string): EntityInfo | undefined;
  /** all of them, in model order (`entities`) */
  values(): IterableIterator<EntityInfo>;
}

export interface Ctx {
  /** the IR; reading one of its lists records that list (deps.ts) */
  program: Program;
  entities: EntityTable;
  /** enum name -> Python class (`enum:<name>`) */
  enumClass: { get(name: string): string | undefined };
  /** `app` */
  hasAuth: boolean;
  /** `app` and the user entity */
  userInfo?: EntityInfo | undefined;
  /** `events` */
  hasEvents: boolean;
  /**
   * The flows of an entity's state fields, in model order (`flow:<name>`
   * each; which flows an entity has is part of its own IR: `field.flow`).
   */
  flowsOf(entity: EntityInfo): Flow[];
  /** an entity's row behaviors, in model order (`behaviors:<entity>`) */
  behaviorsOf(entity: string): Behavior[];
  /** the indexes of an entity's table, in model order (`indexes:<entity>`) */
  indexesOf(entity: string): IndexDecl[];
  /** `event:<name>` */
  event(name: string): EventDecl | undefined;
  /** `joinTable:<name>` */
  joinTable(name: string): JoinTable | undefined;
}

/**
 * The items of a program list with a given key, in list order: a scan for
 * the first few lookups (an incremental run asks for a handful), a map
 * after that (a whole run asks for every entity's).
 */
class Grouped<T> {
  private map: Map<string, T[]> | undefined;
  private lookups = 0;
  constructor(
    private readonly items: readonly T[],
    private readonly keyOf: (item: T) => string | undefined,
  ) {}

  get(key: string): T[] {
    if (!this.map && ++this.lookups > 8) {
      this.map = new Map();
      for (const item of this.items) {
        const k = this.keyOf(item);
        if (k === undefined) continue;
        const list = this.map.get(k);
        if (list) list.push(item);
        else this.map.set(k, [item]);
      }
    }
    if (this.map) return this.map.get(key) ?? [];
    return this.items.filter((item) => this.keyOf(item) === key);
  }
}

/** Lists of the program by name (or by entity), each grouped on first use. */
class Lookups {
  private flows: Grouped<{ flow: Flow; order: number }> | undefined;
  private indexes: Grouped<IndexDecl> | undefined;
  private behaviors: Grouped<Behavior> | undefined;
  private events: Grouped<EventDecl> | undefined;
  private joinTables: Grouped<JoinTable> | undefined;
  constructor(private readonly program: Program) {}

  flow(name: string): { flow: Flow; order: number } | undefined {
    this.flows ??= new Grouped(
      this.program.flows.map((flow, order) => ({ flow, order })),
      (f) => f.flow.name,
    );
    return this.flows.get(name)[0];
  }

  indexesOf(entity: string): IndexDecl[] {
    this.indexes ??= new Grouped(this.program.indexes, (i) => i.entity);
    return this.indexes.get(entity);
  }

  behaviorsOf(entity: string): Behavior[] {
    this.behaviors ??= new Grouped(this.program.behaviors, (b) => b.entity);
    return this.behaviors.get(entity);
  }

  event(name: string): EventDecl | undefined {
    this.events ??= new Grouped(this.program.events, (e) => e.name);
    return this.events.get(name)[0];
  }

  joinTable(name: string): JoinTable | undefined {
    this.joinTables ??= new Grouped(this.program.joinTables, (j) => j.name);
    return this.joinTables.get(name)[0];
  }
}

/** Modules the app defines next to the per-entity ones (models/, schemas/, services/, routes/). */
const MODULE_COLLISIONS = new Set(['enums', 'associations', 'actions', 'access', 'auth', 'deps']);

function moduleName(entity: string): string {
  const name = safeIdent(snake(entity));
  return MODULE_COLLISIONS.has(name) ? `${name}_entity` : name;
}

export function entityClassName(name: string): string {
  return CLASS_COLLISIONS.has(name) ? `${name}Model` : name;
}

export function enumClassName(name: string): string {
  return CLASS_COLLISIONS.has(name) ? `${name}Enum` : name;
}

function fieldKind(field: Field): FieldKind {
  if (field.primaryKey) return 'id';
  const t = field.type;
  if (t.kind === 'scalar') return 'scalar';
  if (t.kind === 'enum') return 'enum';
  switch (t.relation) {
    case 'many-to-one':
    case 'one-to-one':
      return t.owning ? 'toOne' : 'inverseOne';
    case 'one-to-many':
      return 'oneToMany';
    case 'many-to-many':
      return 'manyToMany';
  }
}

/** The program, with every property read recorded as its part (the list, or `program`). */
class TrackedProgram implements Program {
  constructor(private readonly ir: Program) {}
  get irVersion(): Program['irVersion'] {
    track('program');
    return this.ir.irVersion;
  }
  get app(): Program['app'] {
    track('app');
    return this.ir.app;
  }
  get deploy(): Program['deploy'] {
    track('deploy');
    return this.ir.deploy;
  }
  get enums(): Program['enums'] {
    track('enums');
    return this.ir.enums;
  }
  get entities(): Program['entities'] {
    track('entities');
    return this.ir.entities;
  }
  get joinTables(): Program['joinTables'] {
    track('joinTables');
    return this.ir.joinTables;
  }
  get indexes(): Program['indexes'] {
    track('indexes');
    return this.ir.indexes;
  }
  get flows(): Program['flows'] {
    track('flows');
    return this.ir.flows;
  }
  get behaviors(): Program['behaviors'] {
    track('behaviors');
    return this.ir.behaviors;
  }
  get events(): Program['events'] {
    track('events');
    return this.ir.events;
  }
  get views(): Program['views'] {
    track('views');
    return this.ir.views;
  }
  get architecture(): Program['architecture'] {
    track('architecture');
    return this.ir.architecture;
  }
  get sources(): Program['sources'] {
    track('sources');
    return this.ir.sources;
  }
}

/** Views by the entity they show. */
class ViewIndex {
  private readonly byEntity: Grouped<View>;
  constructor(program: Program) {
    this.byEntity = new Grouped(program.views, (v) => v.entity);
  }
  of(entity: string): View[] {
    return this.byEntity.get(entity);
  }
}

// class and module names depend on the entity name alone (bounded: one entry per name seen)
// (the same path strings run after run also keep their hashes for map lookups)
const namesByEntity = new Map<string, { className: string; module: string; paths: EntityPaths }>();

/**
 * An entity's class and module names: they come from its name alone, which
 * the referring field already holds, so using them reads nothing of that
 * entity (no dependency; a renamed target changes the referring entity).
 */
export function entityNames(entity: string): { className: string; module: string } {
  return namesOf(entity);
}

function namesOf(entity: string): { className: string; module: string; paths: EntityPaths } {
  let names = namesByEntity.get(entity);
  if (!names) {
    const module = moduleName(entity);
    names = {
      className: entityClassName(entity),
      module,
      paths: {
        model: `backend/app/models/${module}.py`,
        schema: `backend/app/schemas/${module}.py`,
        service: `backend/app/services/${module}.py`,
        route: `backend/app/api/routes/${module}.py`,
      },
    };
    namesByEntity.set(entity, names);
  }
  return names;
}

/**
 * One entity's derived names and field kinds (from its own IR) and its
 * view-driven list features (read lazily, each read recording `views`).
 */
class LazyEntityInfo implements EntityInfo {
  readonly className: string;
  readonly module: string;
  readonly paths: EntityPaths;
  private fieldList: FieldInfo[] | undefined;
  private fieldMap: Map<string, FieldInfo> | undefined;
  private features:
    | Pick<
        EntityInfo,
        'listViews' | 'nested' | 'filters' | 'search' | 'sorts' | 'defaultSort' | 'pageSize'
      >
    | undefined;

  constructor(
    readonly entity: Entity,
    private readonly views: ViewIndex,
  ) {
    const names = namesOf(entity.name);
    this.className = names.className;
    this.module = names.module;
    this.paths = names.paths;
  }

  get plural(): string {
    return snake(this.entity.apiPath);
  }

  get fields(): FieldInfo[] {
    this.fieldList ??= this.entity.fields.map((field) => {
      const kind = fieldKind(field);
      const attr = safeIdent(snake(field.name));
      const target = field.type.kind === 'relation' ? field.type.target : undefined;
      let columnAttr = attr;
      let schemaAttr = attr;
      if (kind === 'toOne') columnAttr = schemaAttr = safeIdent(snake(field.name) + '_id');
      if (kind === 'manyToMany') schemaAttr = safeIdent(snake(field.apiName));
      return { field, kind, attr, columnAttr, schemaAttr, apiName: field.apiName, target };
    });
    return this.fieldList;
  }

  get byName(): Map<string, FieldInfo> {
    this.fieldMap ??= new Map(this.fields.map((f) => [f.field.name, f]));
    return this.fieldMap;
  }

  get listViews(): View[] {
    return this.viewFeatures().listViews;
  }
  get nested(): NestedTree {
    return this.viewFeatures().nested;
  }
  get filters(): FieldInfo[] {
    return this.viewFeatures().filters;
  }
  get search(): FieldInfo[] {
    return this.viewFeatures().search;
  }
  get sorts(): FieldInfo[] {
    return this.viewFeatures().sorts;
  }
  get defaultSort(): EntityInfo['defaultSort'] {
    return this.viewFeatures().defaultSort;
  }
  get pageSize(): number {
    return this.viewFeatures().pageSize;
  }

  private viewFeatures(): NonNullable<LazyEntityInfo['features']> {
    // only the views of this entity shape its list features
    track(`views:${this.entity.name}`);
    if (this.features) return this.features;
    const entity = this.entity;
    const fields = this.fields;
    const byName = this.byName;
    const shownViews = this.views.of(entity.name);
    const listViews = shownViews.filter((v) => v.kind === 'list');
    const nested: NestedTree = new Map();
    for (const view of shownViews) {
      if (view.kind === 'form') continue;
      for (const vf of [...view.columns, ...view.fields]) {
        if (vf.steps.length < 2) continue;
        let tree = nested;
        for (let i = 0; i < vf.steps.length - 1; i++) {
          const step = vf.steps[i]!;
          let node = tree.get(step.field);
          if (!node) tree.set(step.field, (node = { leaves: new Set(), children: new Map() }));
          if (i === vf.steps.length - 2) node.leaves.add(vf.steps[i + 1]!.field);
          tree = node.children;
        }
      }
    }
    const pick = (names: string[]): FieldInfo[] => {
      const out: FieldInfo[] = [];
      for (const n of names) {
        const f = byName.get(n);
        if (f && ['id', 'scalar', 'enum', 'toOne'].includes(f.kind) && !out.includes(f))
          out.push(f);
      }
      return out;
    };
    // view filters, plus every to-one id (related lists filter by their back reference)
    const filters = pick([
      ...listViews.flatMap((v) => v.filter),
      ...fields.filter((f) => f.kind === 'toOne').map((f) => f.field.name),
    ]);
    const search = pick(listViews.flatMap((v) => v.search)).filter(
      (f) => f.field.type.kind === 'scalar' && isTextual(f.field),
    );
    const sortNames = listViews.flatMap((v) => [
      ...(v.sort ? [v.sort.field] : []),
      ...v.columns.filter((c) => c.steps.length === 1).map((c) => c.path),
    ]);
    const sorts = pick(sortNames).filter((f) => f.kind !== 'toOne' && !isJson(f.field));
    const firstSort = listViews.find((v) => v.sort)?.sort;
    const defaultSortField = firstSort ? byName.get(firstSort.field) : undefined;
    this.features = {
      listViews,
      nested,
      filters,
      search,
      sorts,
      defaultSort:
        firstSort && defaultSortField
          ? { field: defaultSortField, direction: firstSort.direction }
          : undefined,
      pageSize: listViews[0]?.pageSize ?? 20,
    };
    return this.features;
  }
}

export class LazyEntityTable implements EntityTable {
  private readonly infos = new Map<string, LazyEntityInfo>();
  private readonly irs: Map<string, Entity>;
  private readonly views: ViewIndex;

  constructor(private readonly program: Program) {
    this.irs = new Map(program.entities.map((e) => [e.name, e]));
    this.views = new ViewIndex(program);
  }

  /** without recording a dependency: for the driver, not for generators */
  peek(name: string): EntityInfo | undefined {
    let found = this.infos.get(name);
    if (!found) {
      const entity = this.irs.get(name);
      if (!entity) return undefined;
      this.infos.set(name, (found = new LazyEntityInfo(entity, this.views)));
    }
    return found;
  }

  get(name: string): EntityInfo | undefined {
    track(`entity:${name}`);
    return this.peek(name);
  }

  /** without recording a dependency: for the driver, not for generators */
  all(): EntityInfo[] {
    return this.program.entities.map((e) => this.peek(e.name)!);
  }

  values(): IterableIterator<EntityInfo> {
    track('entities');
    return this.all().values();
  }
}

/** The context of one program; entity infos are made on first use. */
export function buildCtx(program: Program): Ctx & { entities: LazyEntityTable } {
  const entities = new LazyEntityTable(program);
  const enums = new Map(program.enums.map((e) => [e.name, enumClassName(e.name)]));
  const lookups = new Lookups(program);
  return {
    program: new TrackedProgram(program),
    entities,
    enumClass: {
      get(name: string) {
        track(`enum:${name}`);
        return enums.get(name);
      },
    },
    get hasAuth() {
      track('app');
      return program.app.auth !== undefined;
    },
    get userInfo() {
      track('app');
      const auth = program.app.auth;
      return auth ? entities.get(auth.user) : undefined;
    },
    get hasEvents() {
      track('events');
      return program.events.length > 0;
    },
    flowsOf(entity: EntityInfo) {
      const found: { flow: Flow; order: number }[] = [];
      for (const f of entity.entity.fields) {
        if (f.flow === undefined) continue;
        track(`flow:${f.flow}`);
        const flow = lookups.flow(f.flow);
        if (flow && flow.flow.entity === entity.entity.name && !found.includes(flow))
          found.push(flow);
      }
      return found.sort((a, b) => a.order - b.order).map((f) => f.flow);
    },
    behaviorsOf(entity: string) {
      track(`behaviors:${entity}`);
      return lookups.behaviorsOf(entity);
    },
    indexesOf(entity: string) {
      track(`indexes:${entity}`);
      return lookups.indexesOf(entity);
    },
    event(name: string) {
      track(`event:${name}`);
      return lookups.event(name);
    },
    joinTable(name: string) {
      track(`joinTable:${name}`);
      return lookups.joinTable(name);
    },
  };
}

export function isTextual(field: Field): boolean {
  return (
    field.type.kind === 'scalar' && ['string', 'text', 'email', 'url'].includes(field.type.scalar)
  );
}

export function isJson(field: Field): boolean {
  return field.type.kind === 'scalar' && field.type.scalar === 'json';
}

export function info(ctx: Ctx, entity: string): EntityInfo {
  const found = ctx.entities.get(entity);
  if (!found) throw new Error(`unknown entity ${entity}`);
  return found;
}

export function fieldInfo(ctx: Ctx, entity: string, field: string): FieldInfo {
  const found = info(ctx, entity).byName.get(field);
  if (!found) throw new Error(`unknown field ${entity}.${field}`);
  return found;
}

/** Whether an expression reads `currentUser`. */
export function mentionsCurrentUser(expr: Expr): boolean {
  switch (expr.kind) {
    case 'path':
      return expr.root === 'currentUser';
    case 'unary':
      return mentionsCurrentUser(expr.operand);
    case 'binary':
      return mentionsCurrentUser(expr.left) || mentionsCurrentUser(expr.right);
    case 'in':
      return mentionsCurrentUser(expr.value) || expr.list.some(mentionsCurrentUser);
    case 'call':
      return expr.args.some(mentionsCurrentUser);
    case 'countEntity':
      return expr.where ? mentionsCurrentUser(expr.where) : false;
    default:
      return false;
  }
}

/** The first row field an expression mentions (for 422 locations). */
export function firstRowField(expr: Expr): string | undefined {
  switch (expr.kind) {
    case 'path':
      return expr.root === 'row' && expr.steps.length > 0 ? expr.steps[0]!.field : undefined;
    case 'unary':
      return firstRowField(expr.operand);
    case 'binary':
      return firstRowField(expr.left) ?? firstRowField(expr.right);
    case 'in':
      return firstRowField(expr.value) ?? expr.list.map(firstRowField).find((f) => f);
    case 'call':
      return expr.args.map(firstRowField).find((f) => f);
    default:
      return undefined;
  }
}

/** The first behavior input an expression mentions. */
export function firstInputField(expr: Expr): string | undefined {
  switch (expr.kind) {
    case 'path':
      return expr.root === 'input' && expr.steps.length > 0 ? expr.steps[0]!.field : undefined;
    case 'unary':
      return firstInputField(expr.operand);
    case 'binary':
      return firstInputField(expr.left) ?? firstInputField(expr.right);
    case 'in':
      return firstInputField(expr.value) ?? expr.list.map(firstInputField).find((f) => f);
    case 'call':
      return expr.args.map(firstInputField).find((f) => f);
    default:
      return undefined;
  }
}

/**
 * The access decision for one operation on an entity:
 * - rules: the allow rules that grant it (empty with `restricted` = denied to all);
 * - restricted: false when the entity has no allow at all (then only sign-in matters);
 * - needsUser: answer 401 to anonymous callers (every granting rule reads currentUser).
 */
export interface Access {
  rules: AllowRule[];
  restricted: boolean;
  needsUser: boolean;
}

export function access(ctx: Ctx, entity: Entity, op: string, rowAction = false): Access {
  if (entity.allows.length === 0) return { rules: [], restricted: false, needsUser: ctx.hasAuth };
  const rules = entity.allows.filter(
    (r) => r.ops.includes(op) || r.ops.includes('all') || (rowAction && r.ops.includes('update')),
  );
  const needsUser = ctx.hasAuth && rules.every((r) => mentionsCurrentUser(r.expr));
  return { rules, restricted: true, needsUser };
}

/** Class name of an entity's schemas: `OrderLine` -> `OrderLineCreate`. */
export const schemaBase = (entity: string): string => pascal(entity);
