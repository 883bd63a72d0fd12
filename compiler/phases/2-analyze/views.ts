// Views pass (LANGUAGE.md "User views"): kinds and their clauses, paths of
// columns/fields through to-one relations only, no private fields, actions
// that name a transition or behavior of the entity, `table` refs to list
// views, metrics, route paths (defaults; duplicates are an error), Vue
// component names (multi-word, unique), forms with every required field,
// public views over visitor-readable entities, list -> detail links.
import type * as ast from '../../../grammar/ast.js';
import type { Expr, PathStep, Span, View, ViewField } from '../../ir/schema.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { humanize, kebab, pascal } from '../../names.js';
import type { AnalyzeContext, EntityInfo } from './context.js';
import { requiredInputs } from './behaviors.js';
import { ExprChecker, describeType, fieldExprType, isError, mentionsCurrentUser } from './types.js';

const KINDS = ['list', 'detail', 'form', 'dashboard'] as const;
type Kind = (typeof KINDS)[number];

const CLAUSES: Record<Kind, readonly ast.ViewClause['kind'][]> = {
  list: ['path', 'columns', 'filter', 'search', 'sort', 'pageSize', 'public'],
  detail: ['path', 'fields', 'related', 'actions', 'public'],
  form: ['path', 'fields', 'public'],
  dashboard: ['path', 'metric', 'table', 'public'],
};
/** Component names the generated frontend uses for its own views. */
const RESERVED_COMPONENTS = [
  'App',
  'LoginView',
  'RegisterView',
  'NotFoundView',
  'AppLayout',
  'AppNav',
  // the Vue backend's own views and runtime components (docs/notes/vue.md)
  'AppLoginView',
  'AppRegisterView',
  'NotFoundPage',
  'PageNav',
];
const STRINGS = new Set(['string', 'text', 'email', 'url']);
const DEFAULT_PAGE_SIZE = 20;

type TableClause = Extract<ast.ViewClause, { kind: 'table' }>;

// The `table` clauses lowerView kept for each view, by view object: the
// app-wide steps resolve them, for a fresh view and for a reused one (the
// same object, or its copy) alike.
const tableClausesOf = new WeakMap<View, TableClause[]>();

export function checkViews(ctx: AnalyzeContext): void {
  const checker = new ExprChecker(ctx);
  // each view in program order; a reused one (incremental analysis) is the
  // finished view of the last run: the app-wide steps below check it and
  // copy it when one of them now gives something else
  const entries: { decl: ast.ViewDecl; view: View; reused: boolean }[] = [];
  for (const decl of ctx.viewDecls) {
    if (ctx.leaf && !ctx.leaf.begin(decl)) {
      const view = ctx.leaf.reused(decl) as View | undefined;
      if (view) entries.push({ decl, view, reused: true });
      continue;
    }
    const kindName = decl.viewKind.name;
    if (!(KINDS as readonly string[]).includes(kindName)) {
      if (kindName !== '')
        ctx.report.report('BC2006', decl.viewKind.span, {
          kind: 'view kind',
          name: kindName,
          hint: didYouMean(kindName, KINDS),
        });
      continue;
    }
    const kind = kindName as Kind;
    let entity: EntityInfo | undefined;
    if (kind === 'dashboard') {
      if (decl.entity)
        ctx.report.report('BC5008', decl.entity.span, {
          kind,
          reason: 'shows no single entity; remove the entity name',
        });
    } else if (!decl.entity) {
      ctx.report.report('BC5008', decl.viewKind.span, {
        kind,
        reason: `needs an entity: \`view ${decl.name} ${kind} Entity\``,
      });
      continue;
    } else {
      if (decl.entity.name === '') continue;
      entity = ctx.entities.get(decl.entity.name);
      if (!entity) {
        ctx.report.report('BC2006', decl.entity.span, {
          kind: 'entity',
          name: decl.entity.name,
          hint: didYouMean(decl.entity.name, ctx.entities.keys()),
        });
        continue;
      }
    }
    const view = lowerView(ctx, checker, decl, kind, entity);
    entries.push({ decl, view, reused: false });
    ctx.leaf?.produced(decl, view);
  }
  ctx.leaf?.end();
  finishViews(ctx, entries);
}

/**
 * The app-wide steps, over every view in program order: route paths unique
 * across the app, Vue component names, `table` references to list views, and
 * the detail view a list links to. A fresh view is filled in; a reused one is
 * checked, and replaced by a copy (in its unit's record too) when it now
 * differs — never changed in place: the last run's program still holds it.
 */
function finishViews(
  ctx: AnalyzeContext,
  entries: { decl: ast.ViewDecl; view: View; reused: boolean }[],
): void {
  const components = new Set(RESERVED_COMPONENTS);
  const paths = new Map<string, { view: string; span?: Span }>();
  // an app with auth gets these views generated
  if (ctx.authUser) {
    paths.set('/login', { view: 'login (built in)' });
    paths.set('/register', { view: 'register (built in)' });
  }
  const componentOf = new Map<ast.ViewDecl, string>();
  for (const { decl, view } of entries) {
    const facts = declFacts(decl);
    // Route paths: unique across the app.
    for (const path of view.paths) {
      const first = paths.get(path);
      if (first) {
        ctx.report.report(
          'BC5004',
          facts.pathSpan,
          { first: first.view, second: view.name, path },
          [first.span],
        );
      } else {
        paths.set(path, { view: view.name, span: facts.pathSpan });
      }
    }
    // Vue component: multi-word `<Name>View`, unique.
    let component = facts.component;
    for (let n = 2; components.has(component); n++) component = `${facts.component}${n}`;
    components.add(component);
    componentOf.set(decl, component);
  }
  const views = entries.map((e) => e.view);
  const byName = new Map<string, View>();
  for (const v of views) byName.set(v.name, v);
  // the `table` clauses, in program order
  const tablesOf = new Map<View, View['tables']>();
  for (const { view } of entries) {
    const tables: View['tables'] = [];
    for (const ref of tableClausesOf.get(view) ?? []) {
      const target = byName.get(ref.view.name);
      if (ref.view.name === '') continue;
      if (!target || target.kind !== 'list') {
        ctx.report.report('BC5003', ref.view.span, {
          name: ref.view.name,
          hint: didYouMean(
            ref.view.name,
            views.filter((v) => v.kind === 'list').map((v) => v.name),
          ),
        });
        continue;
      }
      tables.push({
        view: target.name,
        ...(ref.limit !== undefined ? { limit: ref.limit } : {}),
      });
    }
    tablesOf.set(view, tables);
  }
  // a list links to the first detail view of its entity in program order
  const firstDetail = new Map<string, string>();
  for (const v of views) {
    if (v.kind === 'detail' && v.entity && !firstDetail.has(v.entity))
      firstDetail.set(v.entity, v.name);
  }
  for (const entry of entries) {
    const { view, decl } = entry;
    const component = componentOf.get(decl)!;
    const tables = tablesOf.get(view)!;
    const detail = view.kind === 'list' && view.entity ? firstDetail.get(view.entity) : undefined;
    if (!entry.reused) {
      view.component = component;
      view.tables.push(...tables);
      if (detail) view.detailView = detail;
      continue;
    }
    if (
      view.component === component &&
      view.detailView === detail &&
      sameTables(view.tables, tables)
    )
      continue;
    // what the app-wide steps give changed (another view took the component
    // name, a referenced list is gone...): a copy, keys in the same order
    const copy: View = { ...view, component, tables };
    if (detail) copy.detailView = detail;
    else delete copy.detailView;
    entry.view = copy;
    const clauses = tableClausesOf.get(view);
    if (clauses) tableClausesOf.set(copy, clauses);
    ctx.leaf?.produced(decl, copy);
  }
  ctx.program.views.push(...entries.map((e) => e.view));
}

// What the app-wide steps need from a view's declaration, once per
// declaration object (an unchanged file keeps its objects between builds).
const declFactsCache = new WeakMap<
  ast.ViewDecl,
  {
    pathSpan: Span;
    component: string;
  }
>();

function declFacts(decl: ast.ViewDecl) {
  let facts = declFactsCache.get(decl);
  if (!facts) {
    const clause = decl.clauses.find((c) => c.kind === 'path');
    const pascalName = pascal(decl.name);
    facts = {
      pathSpan: clause?.kind === 'path' ? clause.valueSpan : decl.nameSpan,
      component: pascalName.endsWith('View') ? pascalName : `${pascalName}View`,
    };
    declFactsCache.set(decl, facts);
  }
  return facts;
}

function sameTables(a: View['tables'], b: View['tables']): boolean {
  return (
    a.length === b.length && a.every((t, i) => t.view === b[i]!.view && t.limit === b[i]!.limit)
  );
}

function lowerView(
  ctx: AnalyzeContext,
  checker: ExprChecker,
  decl: ast.ViewDecl,
  kind: Kind,
  entity: EntityInfo | undefined,
): View {
  const view = newView(decl, kind, entity?.ir.name);
  const tableClauses: TableClause[] = [];
  tableClausesOf.set(view, tableClauses);
  let explicitPath: string | undefined;
  // paths already listed, per clause (keyed by the path text itself: no key
  // string built per item)
  const listed: { columns?: Map<string, Span>; fields?: Map<string, Span> } = {};
  for (const clause of decl.clauses) {
    if (!CLAUSES[kind].includes(clause.kind)) {
      ctx.report.report('BC5009', clause.span, { clause: clause.kind, kind });
      continue;
    }
    switch (clause.kind) {
      case 'public':
        view.public = true;
        break;
      case 'path':
        if (!clause.value.startsWith('/')) {
          ctx.report.report('BC5014', clause.valueSpan, {
            clause: 'path',
            path: clause.value,
            reason: 'a route path starts with `/`',
          });
        }
        explicitPath = clause.value;
        break;
      case 'columns':
      case 'fields':
        for (const item of clause.items) {
          const field = viewField(ctx, entity!, item);
          if (!field) continue;
          const seen = (listed[clause.kind] ??= new Map<string, Span>());
          const first = seen.get(field.path);
          if (first) {
            ctx.report.report('BC5011', item.span, { path: field.path, clause: clause.kind }, [
              first,
            ]);
            continue;
          }
          seen.set(field.path, item.span);
          if (kind === 'form') {
            checkFormField(ctx, entity!, item, field);
          } else if (field.steps.length === 1 && entity!.fields.get(field.path)?.list) {
            // a list of rows is not a cell or a field: detail views show it with `related`
            ctx.report.report('BC5014', item.span, {
              clause: clause.kind,
              path: item.text,
              reason: `\`${item.text}\` is a to-many relation; show it with \`related ${item.text}\` in a detail view`,
            });
            continue;
          }
          view[clause.kind].push(field);
        }
        break;
      case 'related':
        for (const item of clause.items) {
          const f = entity!.fields.get(item.text);
          if (item.segments.length !== 1 || !f || !f.list) {
            ctx.report.report('BC5010', item.span, { name: item.text, entity: entity!.ir.name });
            continue;
          }
          if (!view.related.includes(f.ir.name)) view.related.push(f.ir.name);
        }
        break;
      case 'actions': {
        const actions = ctx.actions.get(entity!.ir.name) ?? new Map();
        for (const item of clause.items) {
          const action = actions.get(item.text);
          if (!action || item.segments.length !== 1) {
            ctx.report.report('BC5002', item.span, {
              action: item.text,
              entity: entity!.ir.name,
              hint: didYouMean(item.text, actions.keys()),
            });
            continue;
          }
          if (!view.actions.some((a) => a.name === item.text))
            view.actions.push({ name: item.text, kind: action.kind });
        }
        break;
      }
      case 'filter':
      case 'search':
        for (const item of clause.items) {
          const name = ownField(ctx, entity!, item, clause.kind);
          if (name === undefined) continue;
          const f = entity!.fields.get(name)!;
          const t = fieldExprType(f.ir);
          if (
            clause.kind === 'search' &&
            !(f.ir.type.kind === 'scalar' && STRINGS.has(f.ir.type.scalar))
          ) {
            ctx.report.report('BC5014', item.span, {
              clause: 'search',
              path: item.text,
              reason: `search needs text fields; \`${name}\` is ${describeType(t)}`,
            });
            continue;
          }
          if (clause.kind === 'filter' && (t.kind === 'json' || f.list)) {
            ctx.report.report('BC5014', item.span, {
              clause: 'filter',
              path: item.text,
              reason: `cannot filter on ${describeType(t)}`,
            });
            continue;
          }
          if (!view[clause.kind].includes(name)) view[clause.kind].push(name);
        }
        break;
      case 'sort': {
        const name = ownField(ctx, entity!, clause.field, 'sort');
        if (name === undefined) break;
        const t = fieldExprType(entity!.fields.get(name)!.ir);
        if (t.kind === 'json' || t.kind === 'entity') {
          ctx.report.report('BC5014', clause.field.span, {
            clause: 'sort',
            path: clause.field.text,
            reason: `cannot sort by ${describeType(t)}`,
          });
          break;
        }
        view.sort = { field: name, direction: clause.direction ?? 'asc' };
        break;
      }
      case 'pageSize':
        if (!Number.isInteger(clause.value) || clause.value < 1 || clause.value > 100) {
          ctx.report.report('BC5013', clause.valueSpan, { value: clause.value });
        } else {
          view.pageSize = clause.value;
        }
        break;
      case 'metric': {
        const expr: Expr = checker.check(clause.value, {
          where: `metric "${clause.label}"`,
          currentUserNonNull: false,
          allowCountEntity: true,
        });
        if (
          !isError(expr.type) &&
          expr.type.kind !== 'int' &&
          expr.type.kind !== 'float' &&
          expr.type.kind !== 'decimal'
        ) {
          ctx.report.report('BC3014', clause.value.span, {
            what: 'a metric',
            expected: 'a number such as `count(Entity)`',
            actual: describeType(expr.type),
          });
        }
        view.metrics.push({ label: clause.label, expr });
        break;
      }
      case 'table':
        if (clause.limit !== undefined && (!Number.isInteger(clause.limit) || clause.limit < 1)) {
          ctx.report.report('BC5014', clause.limitSpan ?? clause.span, {
            clause: 'table',
            path: clause.view.name,
            reason: 'the limit is a whole number, at least 1',
          });
          break;
        }
        tableClauses.push(clause);
        break;
    }
  }
  if (entity && kind !== 'form') {
    const defaults = kind === 'list' ? view.columns : view.fields;
    if (
      defaults.length === 0 &&
      !decl.clauses.some((c) => c.kind === (kind === 'list' ? 'columns' : 'fields'))
    ) {
      defaults.push(...defaultFields(entity));
    }
  }
  view.paths = routePaths(kind, decl.name, entity, explicitPath);
  if (kind === 'form' && entity) {
    const shown = new Set(view.fields.map((f) => f.path));
    const missing = requiredInputs(entity).filter(
      (f) => !shown.has(f) && !(entity.ir.isAuthUser && ctx.program.app.auth?.password === f),
    );
    if (missing.length > 0) {
      ctx.report.report('BC5005', decl.nameSpan, {
        view: decl.name,
        fields: missing.map((m) => `\`${m}\``).join(', '),
      });
    }
  }
  if (view.public && entity && ctx.authUser && !visitorCanRead(entity)) {
    ctx.report.report('BC5007', decl.nameSpan, { view: decl.name, entity: entity.ir.name });
  }
  return view;
}

/**
 * An empty view. Two literals rather than `...(entity ? { entity } : {})`:
 * V8 defines every key after a spread one at a time, ~10x slower than a
 * literal. The key order is the IR JSON's, so both list the keys alike.
 */
function newView(decl: ast.ViewDecl, kind: Kind, entity: string | undefined): View {
  const title = humanize(decl.name);
  const inNav = kind === 'list' || kind === 'dashboard';
  if (entity === undefined) {
    return {
      name: decl.name,
      kind,
      public: decl.public,
      paths: [],
      component: '',
      title,
      columns: [],
      fields: [],
      related: [],
      actions: [],
      filter: [],
      search: [],
      pageSize: DEFAULT_PAGE_SIZE,
      metrics: [],
      tables: [],
      inNav,
      span: decl.nameSpan,
    };
  }
  return {
    name: decl.name,
    kind,
    entity,
    public: decl.public,
    paths: [],
    component: '',
    title,
    columns: [],
    fields: [],
    related: [],
    actions: [],
    filter: [],
    search: [],
    pageSize: DEFAULT_PAGE_SIZE,
    metrics: [],
    tables: [],
    inNav,
    span: decl.nameSpan,
  };
}

function routePaths(
  kind: Kind,
  name: string,
  entity: EntityInfo | undefined,
  explicit: string | undefined,
): string[] {
  const base = entity ? `/${entity.ir.apiPath}` : '';
  switch (kind) {
    case 'list':
    case 'dashboard':
      return [explicit ?? `/${kebab(name)}`];
    case 'detail':
      return [explicit ?? `${base}/:id`];
    case 'form':
      return explicit
        ? [explicit, `${explicit.replace(/\/$/, '')}/:id/edit`]
        : [`${base}/new`, `${base}/:id/edit`];
  }
}

/** A column or field path through to-one relations; private fields refused. */
function viewField(
  ctx: AnalyzeContext,
  entity: EntityInfo,
  item: ast.PathRef,
): ViewField | undefined {
  const steps: PathStep[] = [];
  let current: EntityInfo | undefined = entity;
  let label = '';
  for (let i = 0; i < item.segments.length; i++) {
    const segment = item.segments[i]!;
    if (segment.name === '') return undefined;
    if (!current) return undefined;
    const field = current.fields.get(segment.name);
    if (!field) {
      ctx.report.report('BC2007', segment.span, {
        owner: current.ir.name,
        name: segment.name,
        hint: didYouMean(segment.name, current.fields.keys()),
      });
      return undefined;
    }
    if (field.ir.private) {
      ctx.report.report('BC5006', item.span, { path: item.text });
      return undefined;
    }
    steps.push({ entity: current.ir.name, field: field.ir.name });
    label = label === '' ? field.ir.label : `${label} ${field.ir.label.toLowerCase()}`;
    const next = item.segments[i + 1];
    if (!next) break;
    if (field.list) {
      ctx.report.report('BC5001', segment.span, { path: item.text, field: segment.name });
      return undefined;
    }
    if (!field.target) {
      ctx.report.report('BC5015', next.span, {
        path: item.text,
        name: segment.name,
        type: describeType(fieldExprType(field.ir)),
        next: next.name,
      });
      return undefined;
    }
    current = ctx.entities.get(field.target);
  }
  // an exact-size copy (see ExprChecker.walk): `steps` grew by push
  return { path: item.text, steps: steps.slice(), label, span: item.span };
}

/** A form field: one segment, not a one-to-many inverse. */
function checkFormField(
  ctx: AnalyzeContext,
  entity: EntityInfo,
  item: ast.PathRef,
  field: ViewField,
): void {
  if (field.steps.length !== 1) {
    ctx.report.report('BC5014', item.span, {
      clause: 'fields',
      path: item.text,
      reason: 'a form edits fields of its own entity',
    });
    return;
  }
  const info = entity.fields.get(field.steps[0]!.field)!;
  const t = info.ir.type;
  if (
    t.kind === 'relation' &&
    (t.relation === 'one-to-many' || (t.relation === 'one-to-one' && !t.owning))
  ) {
    ctx.report.report('BC5012', item.span, { name: item.text });
  } else if (info.ir.readonly) {
    ctx.report.report('BC5016', item.span, { name: item.text });
  }
}

/** A field of the entity itself (filter, search, sort). */
function ownField(
  ctx: AnalyzeContext,
  entity: EntityInfo,
  item: ast.PathRef,
  clause: string,
): string | undefined {
  const first = item.segments[0];
  if (!first || first.name === '') return undefined;
  if (item.segments.length > 1) {
    ctx.report.report('BC5014', item.span, {
      clause,
      path: item.text,
      reason: `\`${clause}\` takes fields of ${entity.ir.name} itself`,
    });
    return undefined;
  }
  const field = entity.fields.get(first.name);
  if (!field) {
    ctx.report.report('BC2007', first.span, {
      owner: entity.ir.name,
      name: first.name,
      hint: didYouMean(first.name, entity.fields.keys()),
    });
    return undefined;
  }
  if (field.ir.private) {
    ctx.report.report('BC5006', item.span, { path: item.text });
    return undefined;
  }
  return field.ir.name;
}

/** Without `columns` / `fields`: every shown-able stored field except the id. */
function defaultFields(entity: EntityInfo): ViewField[] {
  const shown: ViewField[] = [];
  for (const f of entity.fields.values()) {
    if (f.ir.private || f.list || f.ir.origin === 'id') continue;
    if (f.ir.type.kind === 'relation' && !f.ir.type.owning) continue;
    shown.push({
      path: f.ir.name,
      steps: [{ entity: entity.ir.name, field: f.ir.name }],
      label: f.ir.label,
      span: f.ir.span,
    });
  }
  return shown;
}

/** A read (or all) rule that does not go through currentUser. */
function visitorCanRead(entity: EntityInfo): boolean {
  return entity.ir.allows.some(
    (rule) =>
      (rule.ops.includes('read') || rule.ops.includes('all')) && !mentionsCurrentUser(rule.expr),
  );
}
