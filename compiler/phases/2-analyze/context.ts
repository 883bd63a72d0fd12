// The state shared by the analysis passes: the loaded modules, the symbol
// tables built by `names`, and the IR under construction. Passes read and
// fill it in list order (see index.ts); each one reports and continues.
import type * as ast from '../../../grammar/ast.js';
import type { DiagnosticCollector } from '../../diagnostics/collector.js';
import type {
  Entity,
  EnumDecl,
  EventDecl,
  ExprType,
  Field,
  Program,
  Span,
} from '../../ir/schema.js';

export type { LoadedModule } from '../1-load/index.js';
import type { LoadedModule } from '../1-load/index.js';

export interface FieldInfo {
  ir: Field;
  /** absent for the implicit `id` and timestamps fields */
  decl?: ast.FieldDecl;
  /** relation fields: the target entity and whether it is a list (`Tag[]`) */
  target?: string;
  list: boolean;
  /** `by field` on a relation */
  by?: ast.Ident;
}

export interface EntityInfo {
  decl: ast.EntityDecl;
  ir: Entity;
  fields: Map<string, FieldInfo>;
  /** `index (a, b)` options, for index inference */
  declaredIndexes: string[][];
}

export interface EnumInfo {
  decl: ast.EnumDecl;
  ir: EnumDecl;
  values: Set<string>;
}

export interface EventInfo {
  decl: ast.EventDecl;
  ir: EventDecl;
}

/** A name that an `allow` op or a view action can refer to. */
export interface ActionName {
  kind: 'transition' | 'behavior';
  span: Span;
}

export interface AnalyzeContext {
  modules: LoadedModule[];
  report: DiagnosticCollector;
  /** declarations gathered by `names` (first of each name wins) */
  app?: ast.AppDecl;
  deploy?: ast.DeployDecl;
  enums: Map<string, EnumInfo>;
  entities: Map<string, EntityInfo>;
  events: Map<string, EventInfo>;
  flowDecls: ast.FlowDecl[];
  behaviorDecls: ast.BehaviorDecl[];
  rulesDecls: ast.RulesDecl[];
  viewDecls: ast.ViewDecl[];
  /** transition and row-behavior names by entity (filled by names) */
  actions: Map<string, Map<string, ActionName>>;
  /** the auth user entity, once settings ran */
  authUser?: string;
  /** the IR being built; complete only when no error was reported */
  program: Program;
  /** fields some statement sets (`Entity.field`), for the readonly check */
  setFields: Set<string>;
  /** set by an incremental analysis (reuse.ts) while the per-declaration passes run */
  leaf?: LeafHooks;
}

/**
 * What the per-declaration work (lowering and modifiers of an entity, flows,
 * behaviors, rules, views) tells an incremental analysis (reuse.ts), so it
 * can skip the declarations whose result it already has and learn what each
 * one read, reported and produced.
 */
export interface LeafHooks {
  /**
   * Before a declaration's own work: false when its result is reused (skip
   * it). `readsCount: false` when the work reads other entities only for
   * what the skeleton covers (lowering resolves type names).
   */
  begin(decl: ast.Declaration, readsCount?: boolean): boolean;
  /** After a pass's loop over its declarations (what follows is app-wide). */
  end(): void;
  /** The IR a declaration produced (a flow, behavior or view). */
  produced(decl: ast.Declaration, ir: object): void;
  /** The reused IR of a skipped declaration (views take part in app-wide checks). */
  reused(decl: ast.Declaration): object | undefined;
  /** An entity read without going through `ctx.entities` (a cached lookup). */
  read(entity: string): void;
}

export type AnalyzePass = (ctx: AnalyzeContext) => void;

export const exprType = (kind: ExprType['kind'], nullable = false, name?: string): ExprType =>
  name === undefined ? { kind, nullable } : { kind, name, nullable };

/** Every declaration of every module, in program order. */
export function* declarations(ctx: AnalyzeContext): Iterable<ast.Declaration> {
  for (const m of ctx.modules) yield* m.ast.declarations;
}
