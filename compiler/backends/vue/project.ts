// 1-2. Project shell: index.html, vite.config.ts (dev + preview proxy for the
// api prefix), src/main.ts, the App layout with navigation from the views,
// and the router (one lazy route per view path, auth guard, NotFound).
import { CodeWriter } from '../../emit/code-writer.js';
import type { View } from '../../ir/schema.js';

import type { GeneratedFile } from '../types.js';
import { everyFile, routeNames, type VueModel, type Wanted } from './model.js';
import { escapeAttr, escapeText, jsString, sfc, TemplateWriter } from './template.js';

/** Components of the login, register and not-found pages (never a view's name). */
export const LOGIN_COMPONENT = 'AppLoginView';
export const REGISTER_COMPONENT = 'AppRegisterView';

const BUILTIN_ROUTES = new Set(['login', 'register', 'not-found']);

function indexHtml(model: VueModel): string {
  const title = escapeText(model.program.app.title);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="UTF-8" />',
    '    <meta name="viewport" content="width=device-width, initial-scale=1.0" />',
    `    <title>${title}</title>`,
    '  </head>',
    '  <body>',
    '    <div id="app"></div>',
    '    <script type="module" src="/src/main.ts"></script>',
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

function viteConfig(model: VueModel): string {
  const w = new CodeWriter('  ');
  w.line('// Dev server and `vite preview` forward the api prefix to the backend');
  w.line('// (BITCUP_API_TARGET overrides where it runs); vitest runs the *.spec.ts files.');
  w.line("import vue from '@vitejs/plugin-vue';");
  w.line("import { defineConfig } from 'vitest/config';");
  w.blank();
  w.line(`const apiPrefix = ${jsString(model.program.app.apiPrefix)};`);
  w.line(
    `const apiTarget = process.env.BITCUP_API_TARGET ?? 'http://127.0.0.1:${model.program.deploy.compose.backendPort}';`,
  );
  w.line('const proxy = { [apiPrefix]: { target: apiTarget, changeOrigin: true } };');
  w.blank();
  w.block(
    'export default defineConfig({',
    () => {
      w.line('plugins: [vue()],');
      w.line('server: { proxy },');
      w.line('preview: { proxy },');
      w.block(
        'test: {',
        () => {
          w.line("environment: 'node',");
          w.line("include: ['src/**/*.spec.ts'],");
        },
        '},',
      );
    },
    '});',
  );
  return w.toString();
}

function appConfig(model: VueModel): string {
  const app = model.program.app;
  const w = new CodeWriter('  ');
  w.line('// What the runtime needs to know about this app.');
  w.block(
    'export const appConfig = {',
    () => {
      w.line(`title: ${jsString(app.title)},`);
      w.line(`apiPrefix: ${jsString(app.apiPrefix)},`);
      w.line(`hasAuth: ${app.auth !== undefined},`);
    },
    '};',
  );
  return w.toString();
}

function mainTs(model: VueModel): string {
  const w = new CodeWriter('  ');
  w.line("import { createPinia } from 'pinia';");
  w.line("import { createApp } from 'vue';");
  w.line("import App from './App.vue';");
  w.line("import { appConfig } from './app-config';");
  w.line("import { router } from './router';");
  w.line("import { useAuthStore } from './runtime/auth';");
  w.line("import { configureHttp } from './runtime/http';");
  w.line("import './style.css';");
  w.blank();
  w.line('const app = createApp(App);');
  w.line('const pinia = createPinia();');
  w.line('app.use(pinia);');
  w.line('const auth = useAuthStore(pinia);');
  w.blank();
  w.line('// VITE_API_BASE (build time) points at an API on another origin; else this one.');
  w.block(
    'configureHttp({',
    () => {
      w.line("prefix: `${import.meta.env.VITE_API_BASE ?? ''}${appConfig.apiPrefix}`,");
      w.line('token: () => auth.token,');
      w.line('// an expired or revoked token signs the user out');
      w.block(
        'onUnauthorized: () => {',
        () => {
          w.line('auth.logout();');
          if (model.hasAuth) {
            w.line('const current = router.currentRoute.value;');
            w.block(
              'if (current.meta.requiresAuth) {',
              () => {
                w.line(
                  "void router.push({ name: 'login', query: { redirect: current.fullPath } });",
                );
              },
              '}',
            );
          }
        },
        '},',
      );
    },
    '});',
  );
  w.line('app.use(router);');
  w.line("app.mount('#app');");
  return w.toString();
}

interface RouteEntry {
  path: string;
  name: string;
  component: string;
  importPath: string;
  meta: string[];
}

function routeEntries(model: VueModel): RouteEntry[] {
  const entries: RouteEntry[] = [];
  for (const view of model.program.views) {
    const needsAuth = model.hasAuth && !view.public;
    routeNames(view).forEach((name, i) => {
      const meta = [`title: ${jsString(view.title)}`];
      if (needsAuth) meta.unshift('requiresAuth: true');
      entries.push({
        path: view.paths[i]!,
        name: BUILTIN_ROUTES.has(name) ? `${name}-view` : name,
        component: view.component,
        importPath: `../views/${view.component}.vue`,
        meta,
      });
    });
  }
  if (model.hasAuth) {
    for (const [name, component, title] of [
      ['login', LOGIN_COMPONENT, 'Sign in'],
      ['register', REGISTER_COMPONENT, 'Register'],
    ] as const) {
      entries.push({
        path: `/${name}`,
        name,
        component,
        importPath: `../views/${component}.vue`,
        meta: ['guestOnly: true', `title: '${title}'`],
      });
    }
  }
  entries.push({
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: 'NotFoundPage',
    importPath: '../runtime/components/NotFoundPage.vue',
    meta: ["title: 'Page not found'"],
  });
  return entries;
}

function routerTs(model: VueModel): string {
  const w = new CodeWriter('  ');
  w.line('// One lazily loaded route per view path. Signed-out users are sent to sign in');
  w.line('// before any view that needs it; signed-in users skip the sign-in pages.');
  w.line("import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';");
  w.line("import { appConfig } from '../app-config';");
  if (model.hasAuth) w.line("import { useAuthStore } from '../runtime/auth';");
  w.line("import '../runtime/router-meta';");
  w.blank();
  w.block(
    'const routes: RouteRecordRaw[] = [',
    () => {
      for (const entry of routeEntries(model)) {
        w.block(
          '{',
          () => {
            w.line(`path: ${jsString(entry.path)},`);
            w.line(`name: '${entry.name}',`);
            w.line(`component: () => import('${entry.importPath}'),`);
            const meta = `meta: { ${entry.meta.join(', ')} },`;
            if (meta.length + 6 <= 100) w.line(meta);
            else w.block('meta: {', () => entry.meta.forEach((m) => w.line(`${m},`)), '},');
          },
          '},',
        );
      }
    },
    '];',
  );
  w.blank();
  w.line('export const router = createRouter({ history: createWebHistory(), routes });');
  w.blank();
  if (model.hasAuth) {
    w.block(
      'router.beforeEach(async (to) => {',
      () => {
        w.line('const auth = useAuthStore();');
        w.block(
          'if (auth.signedIn && auth.user === null) {',
          () => {
            w.block('try {', () => w.line('await auth.fetchMe();'), '} catch {');
            w.indent(() => w.line('auth.logout();'));
            w.line('}');
          },
          '}',
        );
        w.block(
          'if (to.meta.requiresAuth && !auth.signedIn) {',
          () => {
            w.line("return { name: 'login', query: { redirect: to.fullPath } };");
          },
          '}',
        );
        w.line("if (to.meta.guestOnly && auth.signedIn) return { path: '/' };");
        w.line('return true;');
      },
      '});',
    );
    w.blank();
  }
  w.block(
    'router.afterEach((to) => {',
    () => {
      w.line(
        'document.title = to.meta.title ? `${to.meta.title} · ${appConfig.title}` : appConfig.title;',
      );
    },
    '});',
  );
  return w.toString();
}

/** Views shown in the navigation (dashboards and lists with a plain path). */
function navViews(model: VueModel): View[] {
  return model.program.views.filter((view) => view.inNav && !view.paths[0]!.includes(':'));
}

function appVue(model: VueModel): string {
  const nav = navViews(model);
  const home = model.program.views.some((v) => v.paths.includes('/'))
    ? '/'
    : (nav[0]?.paths[0] ?? '/');
  const script = new CodeWriter('  ');
  if (model.hasAuth) {
    script.line("import { computed } from 'vue';");
    script.line("import { RouterLink, RouterView, useRouter } from 'vue-router';");
    script.line("import { useAuthStore } from './runtime/auth';");
    script.line("import { rowLabel } from './runtime/format';");
    script.blank();
    script.line('const auth = useAuthStore();');
    script.line('const router = useRouter();');
    const userEntity = model.entity(model.program.app.auth!.user)!;
    const labels = [model.program.app.auth!.login, ...model.labelFields(userEntity)];
    const unique = [...new Set(labels)].map((l) => `'${l}'`).join(', ');
    script.line(`const userLabelFields = [${unique}];`);
    script.line(
      "const userLabel = computed(() => (auth.user ? rowLabel(auth.user, userLabelFields) : ''));",
    );
    script.blank();
    script.block(
      'function signOut(): void {',
      () => {
        script.line('auth.logout();');
        script.line("void router.push({ name: 'login' });");
      },
      '}',
    );
  } else {
    script.line("import { RouterLink, RouterView } from 'vue-router';");
  }
  const t = new TemplateWriter();
  t.element('header', ['class="app-header"'], () => {
    t.leaf(
      'RouterLink',
      ['class="app-title"', `to="${escapeAttr(home)}"`],
      escapeText(model.program.app.title),
    );
    t.element('nav', ['class="app-nav"', 'aria-label="Main"'], () => {
      t.element('ul', [], () => {
        for (const view of nav) {
          const attrs = model.hasAuth && !view.public ? ['v-if="auth.signedIn"'] : [];
          t.element('li', attrs, () => {
            t.leaf('RouterLink', [`to="${escapeAttr(view.paths[0]!)}"`], escapeText(view.title));
          });
        }
      });
    });
    if (model.hasAuth) {
      t.element('div', ['class="app-account"'], () => {
        t.element('template', ['v-if="auth.signedIn"'], () => {
          t.leaf('span', [], '{{ userLabel }}');
          t.leaf('button', ['type="button"', '@click="signOut"'], 'Sign out');
        });
        t.element('template', ['v-else'], () => {
          t.leaf('RouterLink', ['to="/login"'], 'Sign in');
          t.leaf('RouterLink', ['to="/register"'], 'Register');
        });
      });
    }
  });
  t.element('main', ['id="main"'], () => t.empty('RouterView', []));
  return sfc(script.toString(), t);
}

/** `wanted` (incremental builds): make only the files it accepts. */
export function projectFiles(model: VueModel, wanted: Wanted = everyFile): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const file = (path: string, dependsOn: string[], content: () => string): void => {
    if (!wanted(`frontend/${path}`, () => dependsOn)) return;
    files.push({ path: `frontend/${path}`, content: content(), ownership: 'generated', dependsOn });
  };
  file('index.html', ['app'], () => indexHtml(model));
  file('vite.config.ts', ['app', 'deploy'], () => viteConfig(model));
  file('src/app-config.ts', ['app'], () => appConfig(model));
  file('src/main.ts', ['app'], () => mainTs(model));
  file('src/router/index.ts', ['app', 'views'], () => routerTs(model));
  file(
    'src/App.vue',
    ['app', 'views', ...(model.program.app.auth ? [`entity:${model.program.app.auth.user}`] : [])],
    () => appVue(model),
  );
  return files;
}
