// What every bundler entry of the plugin shares: one incremental builder for
// (entry, out), the last build, and the model's metadata for `virtual:bitcup`.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { formatDiagnostics } from '../../compiler/diagnostics/printer.js';
import type { Program } from '../../compiler/ir/schema.js';
import {
  IncrementalBuilder,
  type BuildOptions,
  type BuildResult,
} from '../../compiler/incremental/builder.js';
import { readSourceTexts } from '../../compiler/incremental/sources.js';

export interface BitcupPluginOptions {
  /** the model's entry file, e.g. `shop.bitcup` (relative to the Vite root) */
  entry: string;
  /** the output folder of the whole app (relative to the Vite root); default `out` */
  out?: string;
  /** front end and backends to use instead of the real ones (tests) */
  build?: Pick<BuildOptions, 'frontEnd' | 'backends'>;
  /** `bitcup dev`: its builder and first build, and a callback after every build */
  dev?: {
    builder: IncrementalBuilder;
    first?: BuildResult;
    onBuild?: (result: BuildResult) => void;
  };
}

export const VIRTUAL_ID = 'virtual:bitcup';
export const RESOLVED_VIRTUAL_ID = '\0virtual:bitcup';

/** What app code gets from `import meta from 'virtual:bitcup'`. */
export interface ModelMetadata {
  app: { name: string; title: string; apiPrefix: string };
  entities: {
    name: string;
    label: string;
    pluralLabel: string;
    apiPath: string;
    fields: { name: string; apiName: string; label: string; type: string; optional: boolean }[];
  }[];
  routes: {
    path: string;
    view: string;
    kind: string;
    entity: string | null;
    component: string;
    title: string;
    public: boolean;
  }[];
}

export function modelMetadata(program: Program): ModelMetadata {
  return {
    app: { name: program.app.name, title: program.app.title, apiPrefix: program.app.apiPrefix },
    entities: program.entities.map((e) => ({
      name: e.name,
      label: e.label,
      pluralLabel: e.pluralLabel,
      apiPath: e.apiPath,
      fields: e.fields.map((f) => ({
        name: f.name,
        apiName: f.apiName,
        label: f.label,
        type:
          f.type.kind === 'scalar'
            ? f.type.scalar
            : f.type.kind === 'enum'
              ? f.type.enum
              : `${f.type.target}${f.type.relation.endsWith('many') ? '[]' : ''}`,
        optional: f.optional,
      })),
    })),
    routes: program.views.flatMap((v) =>
      v.paths.map((path) => ({
        path,
        view: v.name,
        kind: v.kind,
        entity: v.entity ?? null,
        component: v.component,
        title: v.title,
        public: v.public,
      })),
    ),
  };
}

export class BitcupContext {
  readonly entry: string;
  readonly out: string;
  readonly builder: IncrementalBuilder;
  /** the last build, good or bad */
  last: BuildResult | undefined;
  /** metadata of the last good build */
  metadata: ModelMetadata | undefined;

  constructor(options: BitcupPluginOptions, root: string) {
    const at = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
    this.entry = at(options.entry);
    this.out = at(options.out ?? 'out');
    // a dev tool: migration revisions come only from `bitcup build` / `bitcup migrate`
    this.builder =
      options.dev?.builder ??
      new IncrementalBuilder(this.entry, this.out, { ...options.build, skipHistory: true });
    this.onBuild = options.dev?.onBuild;
    if (options.dev?.first) this.remember(options.dev.first);
  }

  private readonly onBuild: ((result: BuildResult) => void) | undefined;

  private remember(result: BuildResult): void {
    this.last = result;
    if (result.ok && result.program) this.metadata = modelMetadata(result.program);
  }

  build(): BuildResult {
    const result = this.builder.rebuild();
    this.remember(result);
    this.onBuild?.(result);
    return result;
  }

  /** A model source file: one the last build read, or any `.bitcup` file beside them. */
  isModelFile(file: string): boolean {
    if (!file.endsWith('.bitcup')) return false;
    const folders = new Set((this.last?.sourceFiles ?? [this.entry]).map((f) => dirname(f)));
    return folders.has(dirname(resolve(file)));
  }

  errors(): Diagnostic[] {
    return (this.last?.diagnostics ?? []).filter((d) => d.severity === 'error');
  }

  /** The errors as text with code frames (spans are relative to the entry's folder). */
  errorText(): string {
    const sources = readSourceTexts(this.entry, this.last?.sourceFiles ?? []);
    return formatDiagnostics(this.errors(), { sources });
  }

  /**
   * The metadata as a module. On a hot update the new version patches the
   * first one's object in place (importers keep their reference) and fires
   * `bitcup:metadata` on window.
   */
  virtualModuleSource(): string {
    const data = JSON.stringify(this.metadata ?? { app: null, entities: [], routes: [] }, null, 2);
    return [
      `const metadata = ${data};`,
      'export default metadata;',
      'if (import.meta.hot) {',
      '  const first = import.meta.hot.data.metadata ?? metadata;',
      '  import.meta.hot.data.metadata = first;',
      '  if (first !== metadata) {',
      '    for (const key of Object.keys(first)) delete first[key];',
      '    Object.assign(first, metadata);',
      "    globalThis.dispatchEvent?.(new CustomEvent('bitcup:metadata', { detail: first }));",
      '  }',
      '  import.meta.hot.accept();',
      '}',
      '',
    ].join('\n');
  }
}
