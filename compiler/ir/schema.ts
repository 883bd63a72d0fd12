// The typed IR: the one contract between the front end (grammar + analysis)
// and every backend. Types are inferred from these zod schemas, never written
// twice. Backends read only the IR, never the AST.
//
// Conventions:
// - Names are the model's own (camelCase fields, PascalCase entities); derived
//   target names (table, column, API path) are resolved here once so every
//   backend agrees on them.
// - Arrays are in program order unless a comment says "sorted".
// - Every declaration keeps its source span for diagnostics and docs.
import { z } from 'zod';

export const SpanSchema = z.object({
  file: z.string(), // path relative to the entry file's folder, '/' separators
  line: z.number().int(), // 1-based
  column: z.number().int(), // 1-based
  offset: z.number().int(), // 0-based, in UTF-16 code units of the file text
  length: z.number().int(),
});
export type Span = z.infer<typeof SpanSchema>;

export const ScalarTypeSchema = z.enum([
  'string',
  'text',
  'int',
  'bigint',
  'float',
  'decimal',
  'bool',
  'date',
  'datetime',
  'time',
  'uuid',
  'json',
  'email',
  'url',
  'password',
]);
export type ScalarType = z.infer<typeof ScalarTypeSchema>;

export const OnDeleteSchema = z.enum(['cascade', 'restrict', 'set null']);
export type OnDelete = z.infer<typeof OnDeleteSchema>;

export const RelationKindSchema = z.enum([
  'many-to-one',
  'one-to-one',
  'one-to-many',
  'many-to-many',
]);
export type RelationKind = z.infer<typeof RelationKindSchema>;

/** The type of a field as declared, with relations resolved. */
export const FieldTypeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('scalar'),
    scalar: ScalarTypeSchema,
    /** string/email/url/password: varchar length (default 255). */
    length: z.number().int().optional(),
    /** decimal(p, s) */
    precision: z.number().int().optional(),
    scale: z.number().int().optional(),
  }),
  z.object({ kind: z.literal('enum'), enum: z.string() }),
  z.object({
    kind: z.literal('relation'),
    target: z.string(), // entity name
    relation: RelationKindSchema,
    /**
     * The field on the target that is the other side, when there is one
     * (a many-to-one may have no declared inverse). For a symmetric
     * many-to-many (a list of its own entity) this is the field itself.
     */
    inverse: z.string().optional(),
    /** true for the side that stores the foreign key (to-one with a column). */
    owning: z.boolean(),
    /** to-one owning side: ON DELETE action (default restrict). */
    onDelete: OnDeleteSchema.optional(),
    /** many-to-many: name of the join table in IR.joinTables. */
    joinTable: z.string().optional(),
  }),
]);
export type FieldType = z.infer<typeof FieldTypeSchema>;

export const ExprTypeSchema = z.object({
  kind: z.enum([
    'string',
    'int',
    'float',
    'decimal',
    'bool',
    'date',
    'datetime',
    'time',
    'uuid',
    'json',
    'duration',
    'null',
    'enum',
    'entity',
    'list',
  ]),
  /** enum or entity name when kind is 'enum' / 'entity'; element for 'list'. */
  name: z.string().optional(),
  nullable: z.boolean(),
});
export type ExprType = z.infer<typeof ExprTypeSchema>;

/** One step of a field path: the field `field` of entity `entity`. */
export const PathStepSchema = z.object({ entity: z.string(), field: z.string() });
export type PathStep = z.infer<typeof PathStepSchema>;

export type Expr =
  | {
      kind: 'literal';
      type: ExprType;
      span: Span;
      value: string | number | boolean | null;
      /** durations are normalised to seconds in `value` */
    }
  | { kind: 'enumValue'; type: ExprType; span: Span; enum: string; value: string }
  | {
      kind: 'path';
      type: ExprType;
      span: Span;
      /**
       * 'row': a bare field path or `this` (steps empty for `this` itself);
       * 'currentUser': the signed-in user (steps empty for currentUser itself);
       * 'input': a behavior's input (`steps[0].entity` is '<input>').
       */
      root: 'row' | 'currentUser' | 'input';
      steps: PathStep[];
    }
  | { kind: 'now'; type: ExprType; span: Span }
  | { kind: 'unary'; type: ExprType; span: Span; op: 'not' | '-'; operand: Expr }
  | {
      kind: 'binary';
      type: ExprType;
      span: Span;
      op: '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or' | '+' | '-' | '*' | '/';
      left: Expr;
      right: Expr;
    }
  | { kind: 'in'; type: ExprType; span: Span; value: Expr; list: Expr[] }
  | {
      kind: 'call';
      type: ExprType;
      span: Span;
      fn: 'len' | 'trim' | 'lower' | 'upper' | 'matches' | 'count';
      /** count(relation): args[0] is a 'path' to a to-many relation */
      args: Expr[];
    }
  | {
      kind: 'countEntity';
      type: ExprType;
      span: Span;
      entity: string;
      /** evaluated on rows of `entity` ('row' paths are that entity's fields) */
      where?: Expr;
    };

export const ExprSchema: z.ZodType<Expr> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('literal'),
      type: ExprTypeSchema,
      span: SpanSchema,
      value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
    }),
    z.object({
      kind: z.literal('enumValue'),
      type: ExprTypeSchema,
      span: SpanSchema,
      enum: z.string(),
      value: z.string(),
    }),
    z.object({
      kind: z.literal('path'),
      type: ExprTypeSchema,
      span: SpanSchema,
      root: z.enum(['row', 'currentUser', 'input']),
      steps: z.array(PathStepSchema),
    }),
    z.object({ kind: z.literal('now'), type: ExprTypeSchema, span: SpanSchema }),
    z.object({
      kind: z.literal('unary'),
      type: ExprTypeSchema,
      span: SpanSchema,
      op: z.enum(['not', '-']),
      operand: ExprSchema,
    }),
    z.object({
      kind: z.literal('binary'),
      type: ExprTypeSchema,
      span: SpanSchema,
      op: z.enum(['==', '!=', '<', '<=', '>', '>=', 'and', 'or', '+', '-', '*', '/']),
      left: ExprSchema,
      right: ExprSchema,
    }),
    z.object({
      kind: z.literal('in'),
      type: ExprTypeSchema,
      span: SpanSchema,
      value: ExprSchema,
      list: z.array(ExprSchema),
    }),
    z.object({
      kind: z.literal('call'),
      type: ExprTypeSchema,
      span: SpanSchema,
      fn: z.enum(['len', 'trim', 'lower', 'upper', 'matches', 'count']),
      args: z.array(ExprSchema),
    }),
    z.object({
      kind: z.literal('countEntity'),
      type: ExprTypeSchema,
      span: SpanSchema,
      entity: z.string(),
      where: ExprSchema.optional(),
    }),
  ]),
);

export const DefaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('literal'), value: z.union([z.string(), z.number(), z.boolean()]) }),
  z.object({ kind: z.literal('enum'), value: z.string() }),
  z.object({ kind: z.literal('now') }),
  z.object({ kind: z.literal('emptyObject') }),
  z.object({ kind: z.literal('emptyArray') }),
  z.object({ kind: z.literal('currentUser') }),
  /** evaluated by the server at creation over the new row's to-one relations */
  z.object({ kind: z.literal('expression'), expr: ExprSchema }),
]);
export type Default = z.infer<typeof DefaultSchema>;

export const FieldSchema = z.object({
  name: z.string(),
  /** JSON / API name: `buyerId` for a to-one, `tagIds` for a many-to-many, else name. */
  apiName: z.string(),
  /** Database column, absent for relation sides without a column. */
  column: z.string().optional(),
  type: FieldTypeSchema,
  optional: z.boolean(),
  primaryKey: z.boolean(), // only the implicit `id`
  unique: z.boolean(),
  indexed: z.boolean(), // the `index` modifier (see IR.indexes for the full list)
  default: DefaultSchema.optional(),
  onUpdateNow: z.boolean(),
  min: z.number().optional(),
  max: z.number().optional(),
  pattern: z.string().optional(),
  private: z.boolean(), // always true for password fields
  readonly: z.boolean(),
  label: z.string(), // `label "..."` or humanized name ("Display name")
  was: z.string().optional(),
  doc: z.string().optional(),
  /** the flow that owns this field, if any (then it is readonly in create/update) */
  flow: z.string().optional(),
  /** filled from the token on create, never changed (entity `owned by`) */
  ownerField: z.boolean(),
  origin: z.enum(['id', 'declared', 'timestamps']),
  span: SpanSchema,
});
export type Field = z.infer<typeof FieldSchema>;

export const AllowRuleSchema = z.object({
  /** 'create' | 'read' | 'update' | 'delete' | 'all' | a transition or behavior name */
  ops: z.array(z.string()),
  expr: ExprSchema,
  /** 'ownedBy' for the rule implied by `owned by field` */
  source: z.enum(['rules', 'ownedBy']),
  span: SpanSchema,
});
export type AllowRule = z.infer<typeof AllowRuleSchema>;

export const CheckRuleSchema = z.object({
  expr: ExprSchema,
  message: z.string(),
  /** the first field the expression mentions (422 location), else undefined */
  field: z.string().optional(),
  span: SpanSchema,
});
export type CheckRule = z.infer<typeof CheckRuleSchema>;

export const UniqueConstraintSchema = z.object({
  fields: z.array(z.string()),
  span: SpanSchema,
});

export const EntitySchema = z.object({
  name: z.string(),
  doc: z.string().optional(),
  table: z.string(),
  /** plural kebab-case, without the api prefix: `order-lines` */
  apiPath: z.string(),
  /** humanized singular and plural labels for UIs: "Order line", "Order lines" */
  label: z.string(),
  pluralLabel: z.string(),
  timestamps: z.boolean(),
  ownedBy: z.string().optional(),
  was: z.string().optional(),
  /** `id` first, then declared fields in order, then timestamps fields */
  fields: z.array(FieldSchema),
  /** declared `unique (a, b)` entity options (single-field unique is on the field) */
  uniques: z.array(UniqueConstraintSchema),
  allows: z.array(AllowRuleSchema),
  checks: z.array(CheckRuleSchema),
  /** true when the app has auth and this is its user entity */
  isAuthUser: z.boolean(),
  span: SpanSchema,
});
export type Entity = z.infer<typeof EntitySchema>;

export const EnumSchema = z.object({
  name: z.string(),
  doc: z.string().optional(),
  values: z.array(z.string()),
  span: SpanSchema,
});
export type EnumDecl = z.infer<typeof EnumSchema>;

export const JoinTableSchema = z.object({
  name: z.string(),
  /** sides in column order (alphabetical by column name) */
  sides: z
    .array(
      z.object({
        entity: z.string(),
        field: z.string(), // the list field on `entity` that this side serves
        column: z.string(), // e.g. post_id
        references: z.string(), // referenced table
      }),
    )
    .length(2),
  symmetric: z.boolean(),
});
export type JoinTable = z.infer<typeof JoinTableSchema>;

export const IndexSchema = z.object({
  name: z.string(), // deterministic, <= 63 bytes
  entity: z.string(),
  table: z.string(),
  fields: z.array(z.string()),
  columns: z.array(z.string()),
  unique: z.boolean(),
  method: z.enum(['btree', 'gin_trgm']),
  reasons: z.array(z.enum(['declared', 'modifier', 'foreign-key', 'filter', 'sort', 'search'])),
});
export type IndexDecl = z.infer<typeof IndexSchema>;

export const AssignmentSchema = z.object({ field: z.string(), expr: ExprSchema, span: SpanSchema });
export type Assignment = z.infer<typeof AssignmentSchema>;

export const EmitSchema = z.object({
  event: z.string(),
  /** every event field, explicit or filled implicitly with `this` */
  assignments: z.array(AssignmentSchema),
  span: SpanSchema,
});
export type Emit = z.infer<typeof EmitSchema>;

export const TransitionSchema = z.object({
  name: z.string(),
  apiPath: z.string(), // kebab-case
  from: z.array(z.string()),
  to: z.string(),
  guard: ExprSchema.optional(),
  /** a false guard that mentions currentUser answers 403, else 409 */
  guardMentionsCurrentUser: z.boolean(),
  sets: z.array(AssignmentSchema),
  emits: z.array(EmitSchema),
  span: SpanSchema,
});
export type Transition = z.infer<typeof TransitionSchema>;

export const FlowSchema = z.object({
  name: z.string(),
  entity: z.string(),
  field: z.string(),
  enum: z.string(),
  initial: z.string(),
  /** states with no outgoing transition */
  finalStates: z.array(z.string()),
  transitions: z.array(TransitionSchema),
  span: SpanSchema,
});
export type Flow = z.infer<typeof FlowSchema>;

export const InputFieldSchema = z.object({
  name: z.string(),
  type: FieldTypeSchema, // scalar or enum (relations are not inputs)
  optional: z.boolean(),
  span: SpanSchema,
});

export const BehaviorStatementSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('require'), expr: ExprSchema, message: z.string(), span: SpanSchema }),
  z.object({ kind: z.literal('set'), assignment: AssignmentSchema, span: SpanSchema }),
  z.object({
    kind: z.literal('create'),
    entity: z.string(),
    assignments: z.array(AssignmentSchema),
    span: SpanSchema,
  }),
  z.object({ kind: z.literal('emit'), emit: EmitSchema, span: SpanSchema }),
]);
export type BehaviorStatement = z.infer<typeof BehaviorStatementSchema>;

export const ReturnTypeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('entity'), entity: z.string() }),
  z.object({ kind: z.literal('scalar'), scalar: ScalarTypeSchema }),
  z.object({ kind: z.literal('enum'), enum: z.string() }),
]);

export const BehaviorSchema = z.object({
  name: z.string(),
  /** row behavior: the entity it acts on; app-level when absent */
  entity: z.string().optional(),
  /** kebab-case: POST /<entity path>/{id}/<apiPath> or /actions/<apiPath> */
  apiPath: z.string(),
  custom: z.boolean(),
  doc: z.string().optional(),
  /** app-level `allow if expr` lines (any may hold) */
  allows: z.array(ExprSchema),
  input: z.array(InputFieldSchema),
  statements: z.array(BehaviorStatementSchema),
  returns: ReturnTypeSchema.optional(),
  span: SpanSchema,
});
export type Behavior = z.infer<typeof BehaviorSchema>;

export const EventFieldSchema = z.object({
  name: z.string(),
  /** `orderId` for an entity field */
  apiName: z.string(),
  type: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('scalar'),
      scalar: ScalarTypeSchema,
      length: z.number().optional(),
    }),
    z.object({ kind: z.literal('enum'), enum: z.string() }),
    z.object({ kind: z.literal('entity'), entity: z.string() }),
  ]),
  optional: z.boolean(),
  span: SpanSchema,
});

export const EventSchema = z.object({
  name: z.string(),
  /** Redis stream name */
  stream: z.string(),
  doc: z.string().optional(),
  fields: z.array(EventFieldSchema),
  span: SpanSchema,
});
export type EventDecl = z.infer<typeof EventSchema>;

/** A column or field shown by a view: a path through to-one relations. */
export const ViewFieldSchema = z.object({
  /** dotted model path, e.g. 'buyer.email' */
  path: z.string(),
  steps: z.array(PathStepSchema),
  label: z.string(),
  span: SpanSchema,
});
export type ViewField = z.infer<typeof ViewFieldSchema>;

export const ViewSchema = z.object({
  name: z.string(),
  kind: z.enum(['list', 'detail', 'form', 'dashboard']),
  entity: z.string().optional(),
  public: z.boolean(),
  /** route paths: one, or two for a form ('/x/new', '/x/:id/edit') */
  paths: z.array(z.string()),
  /** Vue component name, multi-word: 'OrdersView' */
  component: z.string(),
  title: z.string(), // humanized view name
  columns: z.array(ViewFieldSchema),
  fields: z.array(ViewFieldSchema),
  /** detail: to-many relation fields of the entity */
  related: z.array(z.string()),
  actions: z.array(z.object({ name: z.string(), kind: z.enum(['transition', 'behavior']) })),
  filter: z.array(z.string()),
  search: z.array(z.string()),
  sort: z.object({ field: z.string(), direction: z.enum(['asc', 'desc']) }).optional(),
  pageSize: z.number().int(),
  metrics: z.array(z.object({ label: z.string(), expr: ExprSchema })),
  tables: z.array(z.object({ view: z.string(), limit: z.number().int().optional() })),
  /** list: the detail view its rows link to (first in program order) */
  detailView: z.string().optional(),
  /** shown in navigation (dashboards and lists) */
  inNav: z.boolean(),
  span: SpanSchema,
});
export type View = z.infer<typeof ViewSchema>;

export const AppSchema = z.object({
  name: z.string(),
  title: z.string(),
  version: z.string(),
  description: z.string().optional(),
  doc: z.string().optional(),
  auth: z
    .object({
      user: z.string(), // entity
      login: z.string(), // field
      password: z.string(), // field
      tokenTtlSeconds: z.number().int(),
    })
    .optional(),
  apiPrefix: z.string(),
  span: SpanSchema,
});
export type App = z.infer<typeof AppSchema>;

const ResourcesSchema = z.object({ request: z.string(), limit: z.string() });

export const DeploySchema = z.object({
  compose: z.object({ frontendPort: z.number().int(), backendPort: z.number().int() }),
  kubernetes: z.object({
    namespace: z.string(),
    hosts: z.object({ frontend: z.string().optional(), backend: z.string().optional() }).optional(),
    tls: z.object({ issuer: z.string() }).optional(),
    backend: z.object({
      replicas: z.number().int(),
      maxReplicas: z.number().int(),
      cpu: ResourcesSchema.optional(),
      memory: ResourcesSchema.optional(),
    }),
    frontend: z.object({
      replicas: z.number().int(),
      cpu: ResourcesSchema.optional(),
      memory: ResourcesSchema.optional(),
    }),
  }),
});
export type Deploy = z.infer<typeof DeploySchema>;

/** Filled by the architecture pass (deploy backends read only this). */
export const ArchitectureSchema = z.object({
  services: z.array(
    z.object({
      name: z.string(), // 'database' | 'backend' | 'frontend' | 'migrate' | 'redis' | 'relay'
      role: z.string(),
      image: z.string().optional(),
      port: z.number().int().optional(),
      replicas: z.number().int().optional(),
      needs: z.array(z.string()),
      reason: z.string(),
      /** optional (H6): backend autoscaler bounds, from deploy.kubernetes.backend */
      autoscaling: z
        .object({ minReplicas: z.number().int(), maxReplicas: z.number().int() })
        .optional(),
      /** optional (H6): container requests/limits, the model's or the architecture pass's defaults */
      resources: z.object({ cpu: ResourcesSchema, memory: ResourcesSchema }).optional(),
      /** optional (H6): the command a service runs when it is not the image's default */
      command: z.array(z.string()).optional(),
    }),
  ),
  hasEvents: z.boolean(),
});
export type Architecture = z.infer<typeof ArchitectureSchema>;

export const ProgramSchema = z.object({
  irVersion: z.literal(1),
  app: AppSchema,
  deploy: DeploySchema,
  enums: z.array(EnumSchema),
  entities: z.array(EntitySchema),
  joinTables: z.array(JoinTableSchema),
  /** every index the database gets, sorted by table then name */
  indexes: z.array(IndexSchema),
  flows: z.array(FlowSchema),
  behaviors: z.array(BehaviorSchema),
  events: z.array(EventSchema),
  views: z.array(ViewSchema),
  architecture: ArchitectureSchema.optional(),
  /** source files of the program, entry first, with content hashes */
  sources: z.array(z.object({ file: z.string(), hash: z.string() })),
});
export type Program = z.infer<typeof ProgramSchema>;
