// Names pass: gather every declaration into the symbol tables, report names
// declared twice (pointing at both places) and check there is exactly one
// `app`. Types (enums, entities, events) share one namespace; views, flows
// and app-level behaviors each have their own; transitions and row
// behaviors are per entity.
import type * as ast from '../../../grammar/ast.js';
import type { EnumDecl, Span } from '../../ir/schema.js';
import { declarations, type AnalyzeContext } from './context.js';

export function resolveNames(ctx: AnalyzeContext): void {
  const types = new Map<string, Span>();
  const views = new Map<string, Span>();
  const flows = new Map<string, Span>();
  const appBehaviors = new Map<string, Span>();
  const claim = (table: Map<string, Span>, kind: string, name: string, span: Span): boolean => {
    if (name === '') return false; // lost to a syntax error, already reported
    const first = table.get(name);
    if (first) {
      ctx.report.report('BC2001', span, { kind, name }, [first]);
      return false;
    }
    table.set(name, span);
    return true;
  };

  for (const decl of declarations(ctx)) {
    switch (decl.kind) {
      case 'app':
        if (ctx.app) ctx.report.report('BC2003', decl.nameSpan, {}, [ctx.app.nameSpan]);
        else ctx.app = decl;
        break;
      case 'deploy':
        if (ctx.deploy)
          ctx.report.report('BC2001', decl.span, { kind: 'block', name: 'deploy' }, [
            ctx.deploy.span,
          ]);
        else ctx.deploy = decl;
        break;
      case 'enum':
        if (claim(types, 'type', decl.name, decl.nameSpan)) {
          // doc added last (a spread in the literal is slow in V8; same key order)
          const ir: EnumDecl = { name: decl.name, values: [], span: decl.nameSpan };
          if (decl.doc) ir.doc = decl.doc;
          ctx.enums.set(decl.name, { decl, ir, values: new Set() });
        }
        break;
      case 'entity':
        if (claim(types, 'type', decl.name, decl.nameSpan)) {
          // the IR entity is filled by the lowering pass
          ctx.entities.set(decl.name, {
            decl,
            ir: undefined as never,
            fields: new Map(),
            declaredIndexes: [],
          });
        }
        break;
      case 'event':
        if (claim(types, 'type', decl.name, decl.nameSpan)) {
          ctx.events.set(decl.name, { decl, ir: undefined as never });
        }
        break;
      case 'flow':
        if (claim(flows, 'flow', decl.name, decl.nameSpan)) ctx.flowDecls.push(decl);
        break;
      case 'behavior':
        if (decl.entity) ctx.behaviorDecls.push(decl);
        else if (claim(appBehaviors, 'behavior', decl.name, decl.nameSpan))
          ctx.behaviorDecls.push(decl);
        break;
      case 'view':
        if (claim(views, 'view', decl.name, decl.nameSpan)) ctx.viewDecls.push(decl);
        break;
      case 'rules':
        ctx.rulesDecls.push(decl);
        break;
    }
  }
  if (!ctx.app && ctx.modules.length > 0) {
    const entry = ctx.modules[0]!.ast;
    ctx.report.report('BC2002', { ...entry.span, length: 0 });
  }
  collectActionNames(ctx);
}

/** Transition and row-behavior names per entity, with duplicates reported. */
function collectActionNames(ctx: AnalyzeContext): void {
  const add = (entity: ast.Ident, name: ast.Ident, kind: 'transition' | 'behavior'): void => {
    if (entity.name === '' || name.name === '') return;
    let names = ctx.actions.get(entity.name);
    if (!names) ctx.actions.set(entity.name, (names = new Map()));
    const first = names.get(name.name);
    if (!first) {
      names.set(name.name, { kind, span: name.span });
    } else if (first.kind === 'transition' && kind === 'transition') {
      ctx.report.report('BC4003', name.span, { name: name.name, entity: entity.name }, [
        first.span,
      ]);
    } else if (first.kind === 'behavior' && kind === 'behavior') {
      ctx.report.report(
        'BC2005',
        name.span,
        { kind: 'behavior', name: name.name, owner: entity.name },
        [first.span],
      );
    } else {
      ctx.report.report('BC4012', name.span, { name: name.name, entity: entity.name }, [
        first.span,
      ]);
    }
  };
  for (const flow of ctx.flowDecls)
    for (const t of flow.transitions) add(flow.entity, t.name, 'transition');
  for (const b of ctx.behaviorDecls) {
    if (b.entity) add(b.entity, { name: b.name, span: b.nameSpan }, 'behavior');
  }
}
