// `bitcup dev <entry> --out <dir>`: the whole app live while you edit the model.
//   1. builds (never migration revisions: those come from build / migrate),
//   2. the backend: uvicorn --reload on a development SQLite database that is
//      rebuilt (and says so) whenever the schema changes,
//   3. a Vite dev server on the generated frontend with the bitcup plugin
//      added programmatically (the generated app never depends on bitcup):
//      every `.bitcup` save rebuilds incrementally, Vite hot-updates the
//      changed modules and shows diagnostics in its error overlay.
import type { CAC } from 'cac';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ViteDevServer } from 'vite';
import { contentHash } from '../../emit/hash.js';
import { summaryLine } from '../../emit/summary.js';
import { IncrementalBuilder, type BuildResult } from '../../incremental/builder.js';
import { hashParts } from '../../incremental/parts.js';
import { readSourceTexts } from '../../incremental/sources.js';
import type { CommandResult } from '../main.js';
import { printDiagnostics } from '../print.js';

export interface DevOptions {
  entry: string;
  out: string;
  host?: string;
  /** Vite's port (the next free one if taken) */
  port?: number;
  /** the backend's port */
  apiPort?: number;
  /** the Python that has the backend's requirements installed */
  python?: string;
  /** start the backend (default true) */
  backend?: boolean;
  /** npm install the frontend when it has no node_modules (default true) */
  install?: boolean;
  log?: (line: string) => void;
}

export interface DevSession {
  vite: ViteDevServer;
  /** the frontend's URL */
  url: string;
  /** the backend's origin */
  apiOrigin: string;
  /** the development database file */
  database: string;
  close(): Promise<void>;
}

/** The parts that shape the database: a change in them rebuilds the dev database. */
function schemaKey(result: BuildResult): string | undefined {
  if (!result.ok || !result.program) return undefined;
  const parts = hashParts(result.program);
  return contentHash(['entities', 'enums', 'joinTables', 'indexes'].map((k) => parts[k]).join());
}

function defaultPython(): string {
  if (process.env.BITCUP_PYTHON) return process.env.BITCUP_PYTHON;
  if (process.env.VIRTUAL_ENV) return join(process.env.VIRTUAL_ENV, 'bin', 'python');
  return 'python3';
}

export async function startDev(options: DevOptions): Promise<DevSession> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const apiPort = options.apiPort ?? 8000;
  const apiOrigin = `http://${host}:${apiPort}`;
  const python = options.python ?? defaultPython();
  const frontendDir = join(options.out, 'frontend');
  const backendDir = join(options.out, 'backend');
  const devDir = join(options.out, '.bitcup', 'dev');
  const database = join(devDir, 'dev.db');
  const keyFile = join(devDir, 'schema-key');

  const builder = new IncrementalBuilder(options.entry, options.out, { skipHistory: true });
  const first = builder.rebuild();
  printDiagnostics(first.diagnostics, readSourceTexts(options.entry, first.sourceFiles));
  log(summaryLine(first));
  if (!existsSync(join(frontendDir, 'index.html')))
    throw new Error('there is no generated frontend yet: fix the errors above and run again');

  // ---- backend: dev database + uvicorn --reload
  const backendEnv = {
    ...process.env,
    PYTHONPATH: backendDir,
    DATABASE_URL: `sqlite+aiosqlite:///${database}`,
    ENVIRONMENT: 'development',
    CORS_ORIGINS: `http://${host}:${options.port ?? 5173}`,
  };
  let uvicorn: ChildProcess | undefined;
  let databaseJob = Promise.resolve();
  const rebuildDatabase = (result: BuildResult) => {
    const key = schemaKey(result);
    if (!key || options.backend === false || !existsSync(backendDir)) return;
    const previous = existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined;
    if (previous === key && existsSync(database)) return;
    databaseJob = databaseJob.then(
      () =>
        new Promise<void>((done) => {
          mkdirSync(devDir, { recursive: true });
          rmSync(database, { force: true });
          const init = spawn(python, ['-m', 'app.manage', 'init-db'], {
            cwd: backendDir,
            env: backendEnv,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let output = '';
          init.stdout?.on('data', (d: Buffer) => (output += d.toString()));
          init.stderr?.on('data', (d: Buffer) => (output += d.toString()));
          init.on('error', (error) => {
            log(`bitcup dev: cannot run ${python}: ${error.message}`);
            done();
          });
          init.on('exit', (code) => {
            if (code === 0) {
              writeFileSync(keyFile, key);
              log(
                `bitcup dev: ${previous === undefined ? 'created' : 'the schema changed; rebuilt'} the development database ${database}`,
              );
            } else log(`bitcup dev: could not create the development database:\n${output}`);
            done();
          });
        }),
    );
  };
  rebuildDatabase(first);
  if (options.backend !== false && existsSync(backendDir)) {
    await databaseJob;
    uvicorn = spawn(
      python,
      ['-m', 'uvicorn', 'app.main:app', '--reload', '--host', host, '--port', String(apiPort)],
      { cwd: backendDir, env: backendEnv, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    uvicorn.on('error', (error) => log(`bitcup dev: cannot start the backend: ${error.message}`));
  }

  // ---- frontend: Vite with the plugin
  if (!existsSync(join(frontendDir, 'node_modules')) && options.install !== false) {
    log('bitcup dev: installing the frontend dependencies (npm install)');
    spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
      cwd: frontendDir,
      stdio: 'inherit',
    });
  }
  process.env.BITCUP_API_TARGET = apiOrigin; // read by the generated vite.config.ts
  const { createServer } = await import('vite');
  const { default: bitcupVite } = await import('../../../plugins/vite.js');
  const configFile = join(frontendDir, 'vite.config.ts');
  const vite = await createServer({
    root: frontendDir,
    configFile: existsSync(configFile) ? configFile : false,
    server: { host, port: options.port ?? 5173 },
    plugins: [
      bitcupVite({
        entry: options.entry,
        out: options.out,
        dev: { builder, first, onBuild: rebuildDatabase },
      }),
    ],
  });
  await vite.listen();
  const url = vite.resolvedUrls?.local[0] ?? `http://${host}:${vite.config.server.port}/`;
  log(`bitcup dev: frontend ${url}  backend ${apiOrigin}`);

  return {
    vite,
    url,
    apiOrigin,
    database,
    async close() {
      await vite.close();
      if (uvicorn && uvicorn.exitCode === null) {
        const exited = new Promise((done) => uvicorn!.once('exit', done));
        uvicorn.kill('SIGTERM');
        await exited;
      }
      await databaseJob;
    },
  };
}

export function registerDev(cli: CAC, run: (result: CommandResult) => void): void {
  cli
    .command(
      'dev <entry>',
      'Run the app (backend + Vite) and rebuild it live as you edit the model',
    )
    .option('--out <dir>', 'Output folder', { default: 'out' })
    .option('--host <host>', 'Host of both servers', { default: '127.0.0.1' })
    .option('--port <port>', 'Vite dev server port', { default: 5173 })
    .option('--api-port <port>', 'Backend port', { default: 8000 })
    .option(
      '--python <path>',
      'Python with the backend requirements (default: $VIRTUAL_ENV or python3)',
    )
    .option('--no-backend', 'Do not start the backend')
    .action(
      (
        entry: string,
        options: {
          out: string;
          host: string;
          port: number;
          apiPort: number;
          python?: string;
          backend: boolean;
        },
      ) => {
        run(
          (async () => {
            let session: DevSession;
            try {
              session = await startDev({
                entry: resolve(entry),
                out: resolve(options.out),
                host: options.host,
                port: Number(options.port),
                apiPort: Number(options.apiPort),
                backend: options.backend,
                ...(options.python ? { python: options.python } : {}),
              });
            } catch (error) {
              process.stderr.write(`bitcup dev: ${(error as Error).message}\n`);
              return 1;
            }
            await new Promise<void>((done) => {
              process.once('SIGINT', () => done());
              process.once('SIGTERM', () => done());
            });
            await session.close();
            return 0;
          })(),
        );
      },
    );
}
