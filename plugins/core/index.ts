// The bitcup unplugin: builds the app from the model when the bundler
// starts, rebuilds incrementally on every `.bitcup` save, and serves the
// model's metadata as `virtual:bitcup`. Vite dev server extras: diagnostics
// in the error overlay (cleared when fixed), `virtual:bitcup` hot-updated;
// the generated files that changed are hot-updated by Vite's own watcher
// (only those are written).
import { createUnplugin, type UnpluginFactory } from 'unplugin';
import type { ViteDevServer } from 'vite';
import { summaryLine } from '../../compiler/emit/summary.js';
import {
  BitcupContext,
  RESOLVED_VIRTUAL_ID,
  VIRTUAL_ID,
  type BitcupPluginOptions,
} from './context.js';

export type { BitcupPluginOptions, ModelMetadata } from './context.js';

export const unpluginFactory: UnpluginFactory<BitcupPluginOptions, false> = (options) => {
  let context: BitcupContext | undefined;
  const contextFor = (root: string) => (context ??= new BitcupContext(options, root));

  return {
    name: 'bitcup',
    enforce: 'pre',
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_VIRTUAL_ID : undefined;
    },
    loadInclude: (id) => id === RESOLVED_VIRTUAL_ID,
    load(id) {
      return id === RESOLVED_VIRTUAL_ID
        ? contextFor(process.cwd()).virtualModuleSource()
        : undefined;
    },
    buildStart() {
      const ctx = contextFor(process.cwd());
      if (ctx.last) return; // the dev server built already
      const result = ctx.build();
      // a bundler's build fails by an exception: this is the one place bitcup throws
      if (!result.ok) throw new Error(`bitcup: the model has errors\n${ctx.errorText()}`);
    },
    vite: {
      configResolved(config) {
        // build before the dev server starts watching its root: the root
        // may be inside the output and not exist yet
        const ctx = contextFor(config.root);
        if (config.command === 'serve' && !ctx.last) ctx.build();
      },
      configureServer(server: ViteDevServer) {
        const ctx = contextFor(server.config.root);
        const logger = server.config.logger;
        let showingError = false;
        const report = () => {
          const result = ctx.last!;
          if (result.ok) {
            logger.info(summaryLine(result), { timestamp: true });
            if (showingError) server.ws.send({ type: 'update', updates: [] }); // clears the overlay
            showingError = false;
            return;
          }
          const text = ctx.errorText();
          logger.error(text.trimEnd(), { timestamp: true });
          const first = ctx.errors()[0];
          server.ws.send({
            type: 'error',
            err: {
              message: `bitcup: the model has errors (the app was left as it was)\n\n${text}`,
              stack: '',
              plugin: 'bitcup',
              ...(first?.span
                ? {
                    id: first.span.file,
                    loc: {
                      file: first.span.file,
                      line: first.span.line,
                      column: first.span.column,
                    },
                  }
                : {}),
            },
          });
          showingError = true;
        };
        if (!ctx.last) ctx.build();
        report();
        server.watcher.add(ctx.last!.sourceFiles);
        // a new client connecting while the model is broken sees the overlay too
        server.ws.on('connection', () => {
          if (showingError) setTimeout(report, 50);
        });

        let timer: NodeJS.Timeout | undefined;
        const rebuildSoon = (ms: number) => {
          clearTimeout(timer);
          timer = setTimeout(rebuild, ms);
        };
        const onChange = (file: string) => {
          if (ctx.isModelFile(file)) rebuildSoon(30);
        };
        server.httpServer?.once('close', () => clearTimeout(timer));
        const rebuild = () => {
          const before = JSON.stringify(ctx.metadata);
          ctx.build();
          report();
          server.watcher.add(ctx.last!.sourceFiles);
          if (JSON.stringify(ctx.metadata) !== before) {
            // a virtual module has no file for Vite to watch: invalidate it and
            // send its update (it accepts itself and patches the metadata object)
            const client = server.environments.client;
            const mod = client.moduleGraph.getModuleById(RESOLVED_VIRTUAL_ID);
            if (mod) {
              client.moduleGraph.invalidateModule(mod);
              server.ws.send({
                type: 'update',
                updates: [
                  {
                    type: 'js-update',
                    path: mod.url,
                    acceptedPath: mod.url,
                    timestamp: Date.now(),
                    explicitImportRequired: false,
                    isWithinCircularImport: false,
                  },
                ],
              });
            }
          }
          // the watcher drops a save that comes right after another one
          timer = setTimeout(() => ctx.builder.sourcesChanged() && rebuildSoon(0), 100);
        };
        server.watcher.on('change', onChange);
        server.watcher.on('add', onChange);
      },
      handleHotUpdate({ file }) {
        // a model file is not a module: its effect comes through the files rebuilt
        if (context?.isModelFile(file)) return [];
        return undefined;
      },
    },
  };
};

export const bitcup = createUnplugin(unpluginFactory);
export const vite = bitcup.vite;
export default bitcup;
