// Run a generated FastAPI backend for real: uvicorn from the shared venv on
// 127.0.0.1 and a free port, with the DATABASE_URL given; resolves once
// `<prefix>/ready` answers 200. Every request line uvicorn logs is kept, so
// a test can count requests and 5xx answers from the server's own side.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './postgres.js';
import { backendEnv, venvBin } from './venv.js';

export interface BackendServer {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** everything uvicorn printed so far */
  log(): string;
  /** status codes of the requests uvicorn logged, in order */
  statuses(): number[];
  stop(): Promise<void>;
}

export interface StartOptions {
  backendDir: string;
  databaseUrl: string;
  apiPrefix: string;
  env?: NodeJS.ProcessEnv;
  /** ms to wait for /ready (default 60 s) */
  timeout?: number;
}

const ACCESS_LINE = /"[A-Z]+ [^"]*HTTP\/[0-9.]+" (\d{3})/;

export async function startBackend(options: StartOptions): Promise<BackendServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    venvBin('python'),
    ['-m', 'uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', String(port)],
    {
      cwd: options.backendDir,
      env: backendEnv(options.backendDir, {
        DATABASE_URL: options.databaseUrl,
        ENVIRONMENT: 'test',
        ...options.env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const server: BackendServer = {
    port,
    origin,
    log: () => output,
    statuses: () =>
      output
        .split('\n')
        .map((line) => ACCESS_LINE.exec(line)?.[1])
        .filter((s): s is string => s !== undefined)
        .map(Number),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.timeout ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the backend exited before it was ready:\n${output}`);
    try {
      const response = await fetch(`${origin}${options.apiPrefix}/ready`);
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await server.stop();
  throw new Error(`the backend was not ready within the timeout:\n${output}`);
}
