// Settings pass: split the generic `key value...` / `key { ... }` items of
// `app` and `deploy` by LANGUAGE.md's rule, check them against the key tables
// in settings-schema.ts, apply defaults and produce IR.app / IR.deploy.
//
// Splitting rule: an entry starts with a key word; its first value always
// belongs to it; further values run to the end of the key's line or to the
// next word that is a key of the same block. More values than the key takes
// is an error naming the closest key.
import type { App, Deploy, Span } from '../../ir/schema.js';
import type { SettingsEntry, SettingsValue } from '../../../grammar/ast.js';
import type { DiagnosticCollector } from '../../diagnostics/collector.js';
import type { AnalyzeContext } from './context.js';
import { closest, didYouMean } from '../../diagnostics/did-you-mean.js';
import { kebab } from '../../names.js';
import {
  SETTINGS_DEFAULTS,
  appSettings,
  deploySettings,
  type BlockSpec,
  type KeySpec,
  type SettingValueType,
} from './settings-schema.js';

export interface CheckedEntry {
  key: string;
  keySpan: Span;
  values: SettingsValue[];
  block?: SettingsTree;
}

export interface SettingsTree {
  entries: Map<string, CheckedEntry>;
  span: Span;
}

const describe = (value: SettingsValue): string =>
  value.kind === 'name'
    ? `the name \`${value.raw}\``
    : value.kind === 'string'
      ? 'a string'
      : value.kind === 'number'
        ? 'a number'
        : 'a duration';

const typeName: Record<SettingValueType, string> = {
  string: 'a string',
  int: 'a whole number',
  duration: 'a duration (30s, 15m, 12h, 7d)',
  name: 'a name',
};

function matches(value: SettingsValue, type: SettingValueType): boolean {
  switch (type) {
    case 'string':
      return value.kind === 'string';
    case 'int':
      return value.kind === 'number' && Number.isInteger(value.value);
    case 'duration':
      return value.kind === 'duration';
    case 'name':
      return value.kind === 'name';
  }
}

/**
 * Split a parsed line entry at later words that are keys of the block. The
 * first value after any key always belongs to that key (`password password`).
 */
export function splitEntry(
  entry: SettingsEntry,
  isKey: (word: string) => boolean,
): SettingsEntry[] {
  if (entry.block || entry.values.length < 2) return [entry];
  const out: SettingsEntry[] = [];
  let current: SettingsEntry = { ...entry, values: [] };
  for (const value of entry.values) {
    if (current.values.length > 0 && value.kind === 'name' && isKey(value.raw)) {
      out.push(current);
      current = { key: value.raw, keySpan: value.span, values: [], span: value.span };
    } else {
      current.values.push(value);
    }
  }
  out.push(current);
  return out;
}

/** Split and check one block's entries against its key table. */
export function readBlock(
  rawEntries: readonly SettingsEntry[],
  spec: BlockSpec,
  blockName: string,
  span: Span,
  report: DiagnosticCollector,
): SettingsTree {
  const entries = new Map<string, CheckedEntry>();
  /** keys written, even when rejected: no "needs `title`" after a bad `title` */
  const written = new Map<string, Span>();
  const keys = Object.keys(spec);
  const isKey = (word: string): boolean => Object.hasOwn(spec, word);
  for (const entry of rawEntries.flatMap((e) => splitEntry(e, isKey))) {
    if (entry.key === '') continue; // a syntax error, already reported
    const keySpec: KeySpec | undefined = isKey(entry.key) ? spec[entry.key] : undefined;
    if (!keySpec) {
      report.report('BC6001', entry.keySpan, {
        key: entry.key,
        block: blockName,
        hint: didYouMean(entry.key, keys),
      });
      continue;
    }
    const previous = written.get(entry.key);
    if (previous) {
      report.report('BC6005', entry.keySpan, { key: entry.key, block: blockName }, [previous]);
      continue;
    }
    written.set(entry.key, entry.keySpan);
    if (keySpec.kind === 'block') {
      if (!entry.block) {
        report.report('BC6007', entry.keySpan, { key: entry.key });
        continue;
      }
      entries.set(entry.key, {
        key: entry.key,
        keySpan: entry.keySpan,
        values: [],
        block: readBlock(entry.block, keySpec.keys, `\`${entry.key}\``, entry.span, report),
      });
      continue;
    }
    if (entry.block) {
      report.report('BC6008', entry.keySpan, { key: entry.key });
      continue;
    }
    const values = entry.values;
    if (values.length < keySpec.min) {
      report.report('BC6009', entry.keySpan, {
        what: `\`${entry.key}\``,
        reason: `needs ${typeName[keySpec.types[0]!]}`,
      });
      continue;
    }
    if (values.length > keySpec.types.length) {
      const extra = values[keySpec.types.length]!;
      const suggestion = extra.kind === 'name' ? closest(extra.raw, keys) : undefined;
      report.report('BC6003', extra.span, {
        key: entry.key,
        count: keySpec.types.length,
        hint: suggestion ? ` (did you mean the key \`${suggestion}\`?)` : '',
      });
      continue;
    }
    let ok = true;
    values.forEach((value, index) => {
      const expected = keySpec.types[index]!;
      if (!matches(value, expected)) {
        ok = false;
        report.report('BC6002', value.span, {
          key: entry.key,
          expected: typeName[expected],
          actual: describe(value),
        });
      }
    });
    if (ok) entries.set(entry.key, { key: entry.key, keySpan: entry.keySpan, values });
  }
  for (const [key, keySpec] of Object.entries(spec)) {
    if (keySpec.required && !written.has(key))
      report.report('BC6004', span, { block: blockName, key });
  }
  return { entries, span };
}

// ---- typed accessors over a checked tree
export const sub = (tree: SettingsTree | undefined, key: string): SettingsTree | undefined =>
  tree?.entries.get(key)?.block;

export function str(tree: SettingsTree | undefined, key: string, index = 0): string | undefined {
  const v = tree?.entries.get(key)?.values[index];
  return v === undefined ? undefined : String(v.value);
}

export function int(tree: SettingsTree | undefined, key: string): number | undefined {
  const v = tree?.entries.get(key)?.values[0];
  return v?.kind === 'number' && typeof v.value === 'number' ? v.value : undefined;
}

export function seconds(tree: SettingsTree | undefined, key: string): number | undefined {
  const v = tree?.entries.get(key)?.values[0];
  return v?.kind === 'duration' && typeof v.value === 'number' ? v.value : undefined;
}

export const readAppBlock = (
  entries: readonly SettingsEntry[],
  span: Span,
  report: DiagnosticCollector,
): SettingsTree => readBlock(entries, appSettings, '`app`', span, report);

export const readDeployBlock = (
  entries: readonly SettingsEntry[],
  span: Span,
  report: DiagnosticCollector,
): SettingsTree => readBlock(entries, deploySettings, '`deploy`', span, report);

/** IR.app from a checked `app` tree (auth references are checked by the caller). */
export function buildApp(
  name: string,
  tree: SettingsTree,
  span: Span,
  doc: string | undefined,
): App {
  const auth = sub(tree, 'auth');
  const app: App = {
    name,
    title: str(tree, 'title') ?? name,
    version: str(tree, 'version') ?? SETTINGS_DEFAULTS.version,
    apiPrefix: str(sub(tree, 'api'), 'prefix') ?? SETTINGS_DEFAULTS.apiPrefix,
    span,
  };
  const description = str(tree, 'description');
  if (description !== undefined) app.description = description;
  if (doc !== undefined) app.doc = doc;
  if (auth) {
    app.auth = {
      user: str(auth, 'user') ?? '',
      login: str(auth, 'login') ?? '',
      password: str(auth, 'password') ?? '',
      tokenTtlSeconds: seconds(auth, 'tokenTtl') ?? SETTINGS_DEFAULTS.tokenTtlSeconds,
    };
  }
  return app;
}

function resources(
  tree: SettingsTree | undefined,
  key: string,
): { request: string; limit: string } | undefined {
  const request = str(tree, key, 0);
  if (request === undefined) return undefined;
  return { request, limit: str(tree, key, 1) ?? request };
}

/** IR.deploy from a checked `deploy` tree (or none: all defaults). */
export function buildDeploy(
  appName: string,
  tree: SettingsTree | undefined,
  report: DiagnosticCollector,
): Deploy {
  const compose = sub(tree, 'compose');
  const k8s = sub(tree, 'kubernetes');
  const hosts = sub(k8s, 'hosts');
  const tls = sub(k8s, 'tls');
  const backend = sub(k8s, 'backend');
  const frontend = sub(k8s, 'frontend');
  const replicas = int(backend, 'replicas') ?? SETTINGS_DEFAULTS.backendReplicas;
  const maxReplicas = int(backend, 'maxReplicas') ?? SETTINGS_DEFAULTS.maxReplicasFactor * replicas;
  for (const [block, key] of [
    [compose, 'frontendPort'],
    [compose, 'backendPort'],
  ] as const) {
    const port = int(block, key);
    if (port !== undefined && (port < 1 || port > 65535)) {
      report.report('BC6009', block!.entries.get(key)!.keySpan, {
        what: `\`${key}\``,
        reason: 'a port is between 1 and 65535',
      });
    }
  }
  for (const [block, key] of [
    [backend, 'replicas'],
    [frontend, 'replicas'],
  ] as const) {
    const n = int(block, key);
    if (n !== undefined && n < 1) {
      report.report('BC6009', block!.entries.get(key)!.keySpan, {
        what: `\`${key}\``,
        reason: 'at least 1 replica is needed',
      });
    }
  }
  if (maxReplicas < replicas && backend?.entries.get('maxReplicas')) {
    report.report('BC6009', backend.entries.get('maxReplicas')!.keySpan, {
      what: '`maxReplicas`',
      reason: `must be at least \`replicas\` (${replicas})`,
    });
  }
  const deploy: Deploy = {
    compose: {
      frontendPort: int(compose, 'frontendPort') ?? SETTINGS_DEFAULTS.frontendPort,
      backendPort: int(compose, 'backendPort') ?? SETTINGS_DEFAULTS.backendPort,
    },
    kubernetes: {
      namespace: str(k8s, 'namespace') ?? kebab(appName),
      backend: { replicas, maxReplicas },
      frontend: { replicas: int(frontend, 'replicas') ?? SETTINGS_DEFAULTS.frontendReplicas },
    },
  };
  if (hosts) {
    const h: { frontend?: string; backend?: string } = {};
    const f = str(hosts, 'frontend');
    const b = str(hosts, 'backend');
    if (f !== undefined) h.frontend = f;
    if (b !== undefined) h.backend = b;
    deploy.kubernetes.hosts = h;
  }
  const issuer = str(tls, 'issuer');
  if (issuer !== undefined) deploy.kubernetes.tls = { issuer };
  const bcpu = resources(backend, 'cpu');
  const bmem = resources(backend, 'memory');
  if (bcpu) deploy.kubernetes.backend.cpu = bcpu;
  if (bmem) deploy.kubernetes.backend.memory = bmem;
  const fcpu = resources(frontend, 'cpu');
  const fmem = resources(frontend, 'memory');
  if (fcpu) deploy.kubernetes.frontend.cpu = fcpu;
  if (fmem) deploy.kubernetes.frontend.memory = fmem;
  return deploy;
}

/** The settings pass: IR.app and IR.deploy, and the auth user's checks. */
export function checkSettings(ctx: AnalyzeContext): void {
  const appDecl = ctx.app;
  if (!appDecl) return;
  const tree = readAppBlock(appDecl.entries, appDecl.nameSpan, ctx.report);
  ctx.program.app = buildApp(appDecl.name, tree, appDecl.nameSpan, appDecl.doc);
  const deployTree = ctx.deploy
    ? readDeployBlock(ctx.deploy.entries, ctx.deploy.span, ctx.report)
    : undefined;
  ctx.program.deploy = buildDeploy(appDecl.name, deployTree, ctx.report);
  checkValues(ctx, tree, deployTree);
  const auth = sub(tree, 'auth');
  if (auth) checkAuth(ctx, auth);
}

/** Values with a shape: the API prefix, the Kubernetes namespace, the token lifetime. */
function checkValues(
  ctx: AnalyzeContext,
  app: SettingsTree,
  deploy: SettingsTree | undefined,
): void {
  const check = (
    tree: SettingsTree | undefined,
    key: string,
    ok: (value: string) => boolean,
    reason: string,
  ) => {
    const entry = tree?.entries.get(key);
    const value = entry?.values[0];
    if (value && !ok(String(value.value)))
      ctx.report.report('BC6009', value.span, { what: `\`${key}\``, reason });
  };
  check(
    sub(app, 'api'),
    'prefix',
    (v) => /^\/[A-Za-z0-9_\-/.]*[A-Za-z0-9_\-.]$/.test(v),
    'an API prefix starts with `/` and does not end with one (e.g. "/api/v1")',
  );
  check(
    sub(deploy, 'kubernetes'),
    'namespace',
    (v) => /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v),
    'a Kubernetes namespace is lower-case letters, digits and `-`, at most 63 characters',
  );
  check(sub(app, 'auth'), 'tokenTtl', (v) => Number(v) > 0, 'a token lifetime is longer than zero');
}

function checkAuth(ctx: AnalyzeContext, auth: SettingsTree): void {
  const entry = (key: string): CheckedEntry | undefined => auth.entries.get(key);
  const userEntry = entry('user');
  if (!userEntry) return;
  const userName = String(userEntry.values[0]!.value);
  const user = ctx.entities.get(userName);
  if (!user) {
    ctx.report.report('BC6006', userEntry.values[0]!.span, {
      key: 'user',
      value: userName,
      reason: `no entity is called \`${userName}\`${didYouMean(userName, ctx.entities.keys())}`,
    });
    return;
  }
  let ok = true;
  const login = entry('login');
  if (login) {
    const name = String(login.values[0]!.value);
    const field = user.fields.get(name);
    const reason = !field
      ? `${userName} has no field \`${name}\`${didYouMean(name, user.fields.keys())}`
      : field.ir.type.kind !== 'scalar' || !['string', 'email'].includes(field.ir.type.scalar)
        ? 'the login field must be a `string` or `email` field'
        : !field.ir.unique || field.ir.optional
          ? 'the login field must be required and `unique`'
          : undefined;
    if (reason) {
      ok = false;
      ctx.report.report('BC6006', login.values[0]!.span, { key: 'login', value: name, reason });
    }
  }
  const password = entry('password');
  if (password) {
    const name = String(password.values[0]!.value);
    const field = user.fields.get(name);
    const reason = !field
      ? `${userName} has no field \`${name}\`${didYouMean(name, user.fields.keys())}`
      : field.ir.type.kind !== 'scalar' || field.ir.type.scalar !== 'password'
        ? 'the password field must have type `password`'
        : undefined;
    if (reason) {
      ok = false;
      ctx.report.report('BC6006', password.values[0]!.span, {
        key: 'password',
        value: name,
        reason,
      });
    }
  }
  if (ok) {
    ctx.authUser = userName;
    user.ir.isAuthUser = true;
  }
}
