// The Vue backend: IR -> a Vite + Vue 3 + TypeScript project in <out>/frontend/.
//   1. runtime   hand-written support code and project config, copied verbatim
//   2. project   index.html, vite.config.ts, main.ts, App layout, router
//   3. api       Read / Create / Update types and one client per entity
//   4. stores    one Pinia store per entity, with a generated vitest spec
//   5. views     one single-file component per view, plus login / register
import { codes, formatTemplate } from '../../diagnostics/codes.js';
import type { Program, View } from '../../ir/schema.js';
import { isAffected } from '../../incremental/parts.js';
import type { PartialBackend } from '../../incremental/builder.js';
import { comparePaths, type BackendContext, type GeneratedFile } from '../types.js';
import { apiFiles, type TypesChunk } from './api.js';
import { everyFile, outputPath, VueModel, type Wanted } from './model.js';
import { LOGIN_COMPONENT, projectFiles, REGISTER_COMPONENT } from './project.js';
import { runtimeFiles } from './runtime-files.js';
import { storeFiles } from './stores.js';
import { dashboardView } from './view-dashboard.js';
import { detailView } from './view-detail.js';
import { formView, loginView, registerView } from './view-form.js';
import { listView } from './view-list.js';

function viewComponent(model: VueModel, view: View): string {
  switch (view.kind) {
    case 'list':
      return listView(model, view);
    case 'detail':
      return detailView(model, view);
    case 'form':
      return formView(model, view);
    case 'dashboard':
      return dashboardView(model, view);
  }
}

/**
 * IR parts a view's component reads, each at the finest part that still
 * covers it: the app (auth) and the user entity (rules on `currentUser`),
 * its own entity, the entities its column and field paths step through, and
 * by kind: a detail view the targets of its related lists (their columns and
 * labels, `views:<target>` for their first form and detail) and its entity's
 * actions (`flows:<E>`, `behaviors:<E>`: a new flow or behavior counts too);
 * a form the targets of the relations it edits (option labels); a dashboard
 * the entities its metrics count (`views:<E>` for their list filters) and its
 * tables' list views by name. `views:<E>` of its own entity: links to the
 * entity's first list / detail / form (a list's named `detailView` by name).
 * Enums are only named (`<enum>Values` is imported from types.ts), never read.
 * Other relation targets are not read (a dashboard's table is another view's
 * component, imported by name).
 */
function viewDependencies(model: VueModel, view: View): string[] {
  const entities = new Set<string>();
  const parts: string[] = ['app'];
  const own = model.entity(view.entity);
  if (own !== undefined) {
    entities.add(own.name);
    parts.push(`views:${own.name}`);
  }
  for (const field of [...view.columns, ...view.fields]) {
    for (const step of field.steps) entities.add(step.entity);
  }
  const targetsOf = (names: readonly string[], withViews: boolean) => {
    for (const name of names) {
      const field = own && model.field(own, name);
      if (field?.type.kind !== 'relation') continue;
      entities.add(field.type.target);
      if (withViews) parts.push(`views:${field.type.target}`);
    }
  };
  if (view.kind === 'detail') {
    targetsOf(view.related, true);
    if (own !== undefined) parts.push(`flows:${own.name}`, `behaviors:${own.name}`);
  }
  if (view.kind === 'form')
    targetsOf(
      view.fields.map((f) => f.steps[0]?.field ?? f.path),
      false,
    );
  if (view.kind === 'list' && view.detailView !== undefined) parts.push(`view:${view.detailView}`);
  for (const metric of view.metrics) {
    if (metric.expr.kind === 'countEntity') {
      entities.add(metric.expr.entity);
      parts.push(`views:${metric.expr.entity}`);
    }
  }
  for (const table of view.tables) parts.push(`view:${table.view}`);
  if (model.program.app.auth) entities.add(model.program.app.auth.user);
  for (const e of entities) parts.push(`entity:${e}`);
  return [...new Set(parts)];
}

function internalError(reason: string) {
  return {
    code: 'BC9001',
    severity: 'error' as const,
    message: formatTemplate(codes.BC9001.message, { phase: 'the Vue backend', reason }),
    notes: [],
  };
}

/** What an incremental run passes in: the change, and what the last run made. */
interface Incremental {
  changed: ReadonlySet<string>;
  parts: Record<string, string>;
  /** the last run's files by path */
  previous: ReadonlyMap<string, GeneratedFile>;
}

/**
 * Which files an incremental run makes: those whose dependsOn the change
 * affects. A file of the last run whose dependsOn then is unaffected is
 * skipped without working out its dependsOn now: every file here reads only
 * parts its dependsOn names, and those decide its dependsOn, so it is the same.
 */
function wantedFiles({ changed, parts, previous }: Incremental): Wanted {
  return (path, dependsOn) => {
    const before = previous.get(path);
    if (before !== undefined) return isAffected(before.dependsOn, changed, parts);
    return isAffected(dependsOn(), changed, parts);
  };
}

/**
 * types.ts blocks of the last incremental run by part key, each with the part
 * hash it was made from (a block reads only its own declaration). A whole
 * run (generate(), which gets no hashes) records its blocks apart with blank
 * hashes, and the files it returned: the next incremental run handed those
 * very files is given the change since that run, so the blocks of the parts
 * it leaves alone are promoted with their hashes.
 */
type Blocks = Map<string, { hash: string; text: string }>;
let typesBlocks: Blocks = new Map();
let seeded: { blocks: Blocks; files?: readonly GeneratedFile[] } = { blocks: new Map() };

function promoteSeed(changed: ReadonlySet<string>, parts: Record<string, string>): void {
  typesBlocks = new Map();
  for (const [key, entry] of seeded.blocks) {
    const hash = parts[key];
    if (!changed.has(key) && hash !== undefined) typesBlocks.set(key, { hash, text: entry.text });
  }
  seeded = { blocks: new Map() };
}

/** The block maker of this run: kept blocks by part hash, or (no `parts`) recorded for the seed. */
function typesChunk(parts: Record<string, string> | undefined): TypesChunk {
  if (parts === undefined) {
    const blocks: Blocks = new Map();
    seeded = { blocks };
    return (key, make) => {
      const text = make();
      blocks.set(key, { hash: '', text });
      return text;
    };
  }
  // taken over on the first block asked for: a run that does not make
  // types.ts keeps the blocks for the next one
  let last: Blocks | undefined;
  const next: Blocks = new Map();
  return (key, make) => {
    if (last === undefined) {
      last = typesBlocks;
      typesBlocks = next;
    }
    const hash = parts[key];
    if (hash === undefined) return make();
    const before = last.get(key);
    const entry = before?.hash === hash ? before : { hash, text: make() };
    next.set(key, entry);
    return entry.text;
  };
}

function generateFiles(
  program: Program,
  context: BackendContext,
  incremental?: Incremental,
): GeneratedFile[] {
  const wanted = incremental ? wantedFiles(incremental) : everyFile;
  const model = new VueModel(program);
  const files: GeneratedFile[] = [];
  // 1. runtime
  const runtime = runtimeFiles();
  if (runtime === undefined) {
    context.report(internalError('runtime/vue is missing from the BITCUP installation'));
    return [];
  }
  for (const file of runtime) {
    files.push({
      path: `frontend/${file.path}`,
      content: file.content,
      ownership: 'generated',
      dependsOn: [],
    });
  }
  // 2-4. project shell, API client, stores
  files.push(
    ...projectFiles(model, wanted),
    ...apiFiles(model, wanted, typesChunk(incremental?.parts)),
    ...storeFiles(model, wanted),
  );
  // 5. views
  const file = (path: string, dependsOn: () => string[], content: () => string): void => {
    if (!wanted(path, dependsOn)) return;
    files.push({ path, content: content(), ownership: 'generated', dependsOn: dependsOn() });
  };
  const viewPath = (component: string) =>
    outputPath('view', component, () => `frontend/src/views/${component}.vue`);
  for (const view of program.views) {
    if (view.kind !== 'dashboard' && model.entity(view.entity) === undefined) continue;
    file(
      viewPath(view.component),
      () => viewDependencies(model, view),
      () => viewComponent(model, view),
    );
  }
  if (model.hasAuth) {
    const user = `entity:${program.app.auth!.user}`;
    // the login field's label and type
    file(
      viewPath(LOGIN_COMPONENT),
      () => ['app', user],
      () => loginView(model),
    );
    file(
      viewPath(REGISTER_COMPONENT),
      () => ['app', `views:${program.app.auth!.user}`, user],
      () => registerView(model),
    );
  }
  files.sort(comparePaths);
  if (!incremental) seeded.files = files;
  return files;
}

/** A backend never throws: a bug here becomes a diagnostic, not a crash. */
function generate(
  program: Program,
  context: BackendContext,
  incremental?: Incremental,
): GeneratedFile[] {
  try {
    return generateFiles(program, context, incremental);
  } catch (caught) {
    context.report(internalError(caught instanceof Error ? caught.message : String(caught)));
    return [];
  }
}

export const vueBackend: PartialBackend = {
  name: 'vue',
  generate: (program, context) => generate(program, context),
  // only the files a change affects; types.ts from the kept blocks of
  // unchanged declarations
  generateChanged: (program, context, changed, parts, previous) => {
    if (previous === seeded.files) promoteSeed(changed, parts);
    return generate(program, context, {
      changed,
      parts,
      previous: new Map(previous.map((file) => [file.path, file])),
    });
  },
};
