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
import { AnalysisMemo, analyzeIncrementally } from './reuse.js';

export type { AnalyzeContext, LoadedModule } from './context.js';
export { AnalysisMemo } from './reuse.js';

type Stage = 'whole' | 'leaf' | 'final';

/**
 * The passes in order: each may rely on what the earlier ones filled in.
 * Stages matter to an incremental analysis (reuse.ts): `whole` passes always
 * run over everything; `leaf` passes work declaration by declaration and may
 * skip reused ones; `final` passes run over everything once those are back.
 */
export const analyzePasses: readonly { name: string; stage: Stage; run: AnalyzePass }[] = [
  { name: 'names', stage: 'whole', run: resolveNames },
  { name: 'lowering', stage: 'whole', run: lowerDeclarations },
  { name: 'relations', stage: 'whole', run: inferRelations },
  { name: 'settings', stage: 'whole', run: checkSettings },
  { name: 'modifiers', stage: 'whole', run: checkModifiers },
  { name: 'events', stage: 'whole', run: lowerEvents },
  { name: 'flows', stage: 'leaf', run: checkFlows },
  { name: 'behaviors', stage: 'leaf', run: checkBehaviors },
  { name: 'rules', stage: 'leaf', run: checkRules },
  { name: 'views', stage: 'leaf', run: checkViews },
  { name: 'readonly fields', stage: 'final', run: checkReadonlyFieldsAreSet },
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

/**
 * Run every pass; the context's program is complete when nothing failed.
 * With a `memo` (incremental builds), the leaf passes re-analyse only what
 * changed since the memo's run (reuse.ts) and the memo learns this run.
 */
export function analyze(
  modules: LoadedModule[],
  report: DiagnosticCollector,
  memo?: AnalysisMemo,
): AnalyzeContext {
  const ctx = createContext(modules, report);
  const run = (pass: (typeof analyzePasses)[number]) =>
    runGuarded(report, `the ${pass.name} pass`, () => pass.run(ctx));
  if (!memo) {
    for (const pass of analyzePasses) run(pass);
    return ctx;
  }
  const failed = !runGuarded(report, 'incremental analysis', () =>
    analyzeIncrementally(ctx, memo, analyzePasses, run),
  );
  // a bug in the reuse itself leaves nothing to trust for the next run
  if (failed) memo.forget();
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
