// 2-analyze: AST -> IR lowering and the ordered validation passes. Each pass
// is a small function over the shared context; it reports and continues.
// A pass that throws is a compiler bug: it becomes a BC9001 diagnostic and
// the later passes still run on what is there.
import type { DiagnosticCollector } from '../../diagnostics/collector.js';
import type { Program } from '../../ir/schema.js';
import { inferRelations } from './relations.js';
import { checkBehaviors } from './behaviors.js';
import type { AnalyzeContext, AnalyzePass, LoadedModule } from './context.js';
import { lowerEvents } from './events.js';
import { checkFlows } from './flows.js';
import { lowerDeclarations } from './lowering.js';
import { checkModifiers, checkReadonlyFieldsAreSet } from './modifiers.js';
import { resolveNames } from './names.js';
import { checkRules } from './rules.js';
import { buildDeploy, checkSettings } from './settings.js';
import { checkViews } from './views.js';

export type { AnalyzeContext, LoadedModule } from './context.js';

/** The passes in order: each may rely on what the earlier ones filled in. */
export const analyzePasses: readonly { name: string; run: AnalyzePass }[] = [
  { name: 'names', run: resolveNames },
  { name: 'lowering', run: lowerDeclarations },
  { name: 'relations', run: inferRelations },
  { name: 'settings', run: checkSettings },
  { name: 'modifiers', run: checkModifiers },
  { name: 'events', run: lowerEvents },
  { name: 'flows', run: checkFlows },
  { name: 'behaviors', run: checkBehaviors },
  { name: 'rules', run: checkRules },
  { name: 'views', run: checkViews },
  { name: 'readonly fields', run: checkReadonlyFieldsAreSet },
];

export function createContext(
  modules: LoadedModule[],
  report: DiagnosticCollector,
): AnalyzeContext {
  const program: Program = {
    irVersion: 1,
    app: {
      name: '',
      title: '',
      version: '',
      apiPrefix: '',
      span: { file: '', line: 1, column: 1, offset: 0, length: 0 },
    },
    deploy: buildDeploy('app', undefined, report),
    enums: [],
    entities: [],
    joinTables: [],
    indexes: [],
    flows: [],
    behaviors: [],
    events: [],
    views: [],
    sources: modules.map((m) => ({ file: m.path, hash: m.hash })),
  };
  return {
    modules,
    report,
    enums: new Map(),
    entities: new Map(),
    events: new Map(),
    flowDecls: [],
    behaviorDecls: [],
    rulesDecls: [],
    viewDecls: [],
    actions: new Map(),
    program,
    setFields: new Set(),
  };
}

/** Run every pass; the context's program is complete when nothing failed. */
export function analyze(modules: LoadedModule[], report: DiagnosticCollector): AnalyzeContext {
  const ctx = createContext(modules, report);
  for (const pass of analyzePasses)
    runGuarded(report, `the ${pass.name} pass`, () => pass.run(ctx));
  return ctx;
}

/** Run `fn`; an exception is a compiler bug reported as BC9001, never thrown. */
export function runGuarded(report: DiagnosticCollector, phase: string, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? `${error.message}` : String(error);
    report.report('BC9001', undefined, { phase, reason });
    return false;
  }
}
