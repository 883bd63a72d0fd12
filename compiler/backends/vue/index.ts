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
import type { BackendContext, GeneratedFile } from '../types.js';
import { apiFiles } from './api.js';
import { VueModel } from './model.js';
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
 * IR parts a view's component reads: the views list (it links to other views),
 * flows, behaviors, enums, the app (auth), and every entity it reaches — its
 * own and their relation targets, paths, metric and table entities, the user.
 */
function viewDependencies(model: VueModel, view: View): string[] {
  const entities = new Set<string>();
  const reach = (name: string | undefined) => {
    const entity = model.entity(name);
    if (entity === undefined || entities.has(entity.name)) return;
    entities.add(entity.name);
    for (const field of entity.fields) {
      if (field.type.kind === 'relation') entities.add(field.type.target);
    }
  };
  reach(view.entity);
  for (const field of [...view.columns, ...view.fields]) {
    for (const step of field.steps) entities.add(step.entity);
  }
  for (const metric of view.metrics) {
    if (metric.expr.kind === 'countEntity') reach(metric.expr.entity);
  }
  for (const table of view.tables) reach(model.view(table.view)?.entity);
  if (model.program.app.auth) entities.add(model.program.app.auth.user);
  return [
    'app',
    'behaviors',
    'enums',
    'flows',
    'views',
    ...[...entities].map((e) => `entity:${e}`),
  ];
}

function internalError(reason: string) {
  return {
    code: 'BC9001',
    severity: 'error' as const,
    message: formatTemplate(codes.BC9001.message, { phase: 'the Vue backend', reason }),
    notes: [],
  };
}

/** `wanted` (incremental builds): skip a view component whose dependsOn it rejects. */
function generateFiles(
  program: Program,
  context: BackendContext,
  wanted: (dependsOn: string[]) => boolean = () => true,
): GeneratedFile[] {
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
  files.push(...projectFiles(model), ...apiFiles(model), ...storeFiles(model));
  // 5. views
  for (const view of program.views) {
    if (view.kind !== 'dashboard' && model.entity(view.entity) === undefined) continue;
    const dependsOn = viewDependencies(model, view);
    if (!wanted(dependsOn)) continue;
    files.push({
      path: `frontend/src/views/${view.component}.vue`,
      content: viewComponent(model, view),
      ownership: 'generated',
      dependsOn,
    });
  }
  if (model.hasAuth) {
    files.push({
      path: `frontend/src/views/${LOGIN_COMPONENT}.vue`,
      content: loginView(model),
      ownership: 'generated',
      dependsOn: ['app'],
    });
    files.push({
      path: `frontend/src/views/${REGISTER_COMPONENT}.vue`,
      content: registerView(model),
      ownership: 'generated',
      dependsOn: ['app', 'enums', 'views', `entity:${program.app.auth!.user}`],
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

/** A backend never throws: a bug here becomes a diagnostic, not a crash. */
function generate(
  program: Program,
  context: BackendContext,
  wanted?: (dependsOn: string[]) => boolean,
): GeneratedFile[] {
  try {
    return generateFiles(program, context, wanted);
  } catch (caught) {
    context.report(internalError(caught instanceof Error ? caught.message : String(caught)));
    return [];
  }
}

export const vueBackend: PartialBackend = {
  name: 'vue',
  generate: (program, context) => generate(program, context),
  // view components only where the change reaches (the shell, API and stores always)
  generateChanged: (program, context, changed, parts) =>
    generate(program, context, (dependsOn) => isAffected(dependsOn, changed, parts)),
};
