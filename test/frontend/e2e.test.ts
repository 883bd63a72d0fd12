// Issue 5 item 7: the generated frontends in headless Chromium against the
// generated FastAPI backend (uvicorn, fresh SQLite) behind `vite preview`,
// which proxies the api prefix. Every view is screenshotted under
// test-output/screenshots/<example>/ and audited with axe-core (no serious
// or critical violation allowed).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type BackendServer } from '../helpers/backend-server.js';
import { launchChromium, type LaunchedChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/postgres.js';
import { runToolAsync } from '../helpers/venv.js';
import { buildExample, linkDependencies, REPO, runTool, type Example } from './support.js';

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const SCREENSHOTS = join(REPO, 'test-output', 'screenshots');

interface Preview {
  origin: string;
  stop(): Promise<void>;
}

/** `vite preview` of the built app on 127.0.0.1, proxying the api prefix to `apiTarget`. */
async function startPreview(frontendDir: string, apiTarget: string): Promise<Preview> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    join(frontendDir, 'node_modules', '.bin', 'vite'),
    ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: frontendDir, env: { ...process.env, BITCUP_API_TARGET: apiTarget }, stdio: 'pipe' },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(origin)).status === 200) return { origin, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`vite preview did not start:\n${output}`);
}

interface Stack {
  backend: BackendServer;
  preview: Preview;
  chromium: LaunchedChromium;
  page: Page;
  /** axe findings (serious / critical) by view */
  violations: string[];
  /** API requests the page sent, as 'METHOD /path' */
  requests: string[];
}

async function startStack(
  example: Example,
  setup: (backendDir: string, env: NodeJS.ProcessEnv) => Promise<void>,
): Promise<Stack> {
  const out = buildExample(example, 'e2e');
  const frontend = join(out, 'frontend');
  const backendDir = join(out, 'backend');
  linkDependencies(frontend);
  const built = runTool(frontend, 'vite', ['build', '--logLevel', 'error']);
  if (built.status !== 0) throw new Error(`vite build failed:\n${built.output}`);
  const databaseUrl = `sqlite+aiosqlite:///${join(out, 'e2e.db')}`;
  const env = { DATABASE_URL: databaseUrl };
  const init = await runToolAsync('python', ['-m', 'app.manage', 'init-db'], backendDir, env);
  if (init.status !== 0) throw new Error(`init-db failed:\n${init.output}`);
  await setup(backendDir, env);
  const appConfig = readFileSync(join(frontend, 'src', 'app-config.ts'), 'utf8');
  const prefix = /apiPrefix: '([^']*)'/.exec(appConfig)?.[1] ?? '/api';
  const backend = await startBackend({ backendDir, databaseUrl, apiPrefix: prefix });
  const preview = await startPreview(frontend, backend.origin);
  const chromium = await launchChromium();
  const page = await chromium.context.newPage();
  const requests: string[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith(prefix)) requests.push(`${request.method()} ${url.pathname}`);
  });
  rmSync(join(SCREENSHOTS, example), { recursive: true, force: true });
  mkdirSync(join(SCREENSHOTS, example), { recursive: true });
  return { backend, preview, chromium, page, violations: [], requests };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (stack === undefined) return;
  await stack.chromium.close().catch(() => undefined);
  await stack.preview.stop();
  await stack.backend.stop();
}

/** Screenshot the view and run axe on it; serious and critical findings are kept. */
async function audit(stack: Stack, example: Example, name: string): Promise<void> {
  const { page } = stack;
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(SCREENSHOTS, example, `${name}.png`), fullPage: true });
  await page.addScriptTag({ content: AXE_SOURCE });
  // runs in the page (as source: the project's own lib has no DOM types)
  const found = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', '));
  })()`)) as string[];
  stack.violations.push(...found.map((f) => `${name}: ${f}`));
}

const STAFF = { email: 'staff@example.com', password: 'staff-secret-1' };
const CUSTOMER = { email: 'ada@example.com', name: 'Ada Lovelace', password: 'customer-secret-1' };

describe('shop in the browser', () => {
  let stack: Stack | undefined;
  const go = (path: string) => stack!.page.goto(`${stack!.preview.origin}${path}`);

  beforeAll(async () => {
    stack = await startStack('shop', async (backendDir, env) => {
      const args = ['-m', 'app.manage', 'create-user', STAFF.email, '--password', STAFF.password];
      const made = await runToolAsync(
        'python',
        [...args, '--set', 'isStaff=true'],
        backendDir,
        env,
      );
      if (made.status !== 0) throw new Error(`create-user failed:\n${made.output}`);
    });
  });
  afterAll(() => stopStack(stack));

  it('staff: a product in stock with price 0 is refused before sending, a valid one is saved', async () => {
    const page = stack!.page;
    await go('/login');
    await audit(stack!, 'shop', 'AppLoginView');
    await page.getByLabel('Email').fill(STAFF.email);
    await page.getByLabel('Password').fill(STAFF.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack!.preview.origin}/`);
    await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    await audit(stack!, 'shop', 'HomeView');

    await go('/products/new');
    await page.getByLabel('Sku').fill('WID-1');
    await page.getByLabel('Name', { exact: true }).fill('Widget');
    await page.getByLabel('Price').fill('0');
    await page.getByLabel('Stock').fill('5');
    const before = stack!.requests.length;
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByText('A product in stock needs a price').isVisible())
      .toBe(true);
    expect(stack!.requests.slice(before).filter((r) => r.startsWith('POST'))).toEqual([]);
    await audit(stack!, 'shop', 'EditProductView');

    await page.getByLabel('Price').fill('12.50');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/products\/[0-9a-f-]{36}$/);
    expect(stack!.requests.slice(before)).toContain('POST /api/products');
    await expect.poll(() => page.getByText('WID-1').isVisible()).toBe(true);
    await audit(stack!, 'shop', 'ProductPageView');

    await go('/catalog');
    await expect.poll(() => page.getByRole('link', { name: 'WID-1' }).isVisible()).toBe(true);
    await audit(stack!, 'shop', 'CatalogView');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
  });

  it('customer: registers, orders, adds a line, places the order, signs out', async () => {
    const page = stack!.page;
    await go('/');
    await page.evaluate('localStorage.clear()'); // whatever the staff test left behind
    await go('/register');
    await audit(stack!, 'shop', 'AppRegisterView');
    await page.getByLabel('Email').fill(CUSTOMER.email);
    await page.getByLabel('Display name').fill(CUSTOMER.name);
    await page.getByLabel('Password').fill(CUSTOMER.password);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(`${stack!.preview.origin}/`);
    await expect.poll(() => page.getByText(CUSTOMER.email).isVisible()).toBe(true);

    // a create rule only staff pass: no "New product" for a customer
    await go('/catalog');
    await expect.poll(() => page.getByRole('link', { name: 'WID-1' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'New product' }).count()).toBe(0);

    await go('/orders/new');
    await audit(stack!, 'shop', 'NewOrderView');
    await page.getByLabel('Note').fill('For the workshop');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const orderId = page.url().split('/').pop()!;
    await expect.poll(() => page.getByText('For the workshop').isVisible()).toBe(true);

    await page.getByRole('link', { name: 'Add order line' }).click();
    await page.waitForURL(/\/order-lines\/new\?/);
    await expect.poll(() => page.getByLabel('Order').inputValue()).toBe(orderId);
    await expect.poll(() => page.getByRole('option', { name: 'Widget' }).count()).toBe(1);
    await audit(stack!, 'shop', 'AddLineView');
    await page.getByLabel('Product').selectOption({ label: 'Widget' });
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`/orders/${orderId}$`));
    const lines = page.getByRole('region', { name: 'Lines' });
    await expect.poll(() => lines.getByRole('cell', { name: '12.50' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Place' }).isVisible()).toBe(true);
    await audit(stack!, 'shop', 'OrderPageView');

    await go('/orders');
    await expect.poll(() => page.getByRole('link', { name: orderId }).isVisible()).toBe(true);
    await audit(stack!, 'shop', 'OrdersView');
    await page.getByRole('link', { name: orderId }).click();
    await page.waitForURL(new RegExp(`/orders/${orderId}$`));
    await page.getByRole('button', { name: 'Place' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Place: done.');
    await expect.poll(() => page.getByRole('button', { name: 'Place' }).count()).toBe(0);
    await expect.poll(() => page.locator('dd').first().textContent()).toBe('placed');
    // pay, then reorder: the behavior asks for its input and opens the new order
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect.poll(() => page.locator('dd').first().textContent()).toBe('paid');
    await page.getByRole('button', { name: 'Reorder' }).click();
    await page.getByRole('form', { name: 'Reorder' }).getByLabel('Note').fill('Same again');
    await page.getByRole('button', { name: 'Run reorder' }).click();
    await page.waitForURL(
      (url) => /^\/orders\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(orderId),
    );
    await expect.poll(() => page.getByText('Same again').isVisible()).toBe(true);
    await expect.poll(() => page.locator('dd').first().textContent()).toBe('draft');
    // the dashboard counts it: a list total with the status filter
    await go('/');
    const openOrders = page.getByRole('listitem').filter({ hasText: 'Open orders' });
    await expect.poll(() => openOrders.locator('.metric-value').textContent()).toBe('1');
    const inStock = page.getByRole('listitem').filter({ hasText: 'Products in stock' });
    await expect.poll(() => inStock.locator('.metric-value').textContent()).toBe('1');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await go('/orders');
    await page.waitForURL(/\/login\?redirect=(%2F|\/)orders$/);
    // a token the server no longer accepts (401) signs the user out
    await page.evaluate(`localStorage.setItem('bitcup.token', 'expired-token')`);
    await go('/orders');
    await page.waitForURL(/\/login\?redirect=(%2F|\/)orders$/);
    expect(await page.evaluate('localStorage.getItem("bitcup.token")')).toBeNull();
    await go('/no-such-page');
    await expect
      .poll(() => page.getByRole('heading', { name: 'Page not found' }).isVisible())
      .toBe(true);
    await audit(stack!, 'shop', 'NotFoundPage');
  });

  it('finds no serious or critical accessibility violation on any view', () => {
    expect(stack!.violations).toEqual([]);
  });
});

describe('blog in the browser', () => {
  let stack: Stack | undefined;
  const go = (path: string) => stack!.page.goto(`${stack!.preview.origin}${path}`);

  beforeAll(async () => {
    stack = await startStack('blog', async () => undefined);
  });
  afterAll(() => stopStack(stack));

  it('creates an author and a post, and finds the post by search', async () => {
    const page = stack!.page;
    await go('/authors');
    await audit(stack!, 'blog', 'AuthorsView');
    await page.getByRole('link', { name: 'New author' }).click();
    await page.waitForURL(/\/authors\/new$/);
    await page.getByLabel('Name').fill('Grace Hopper');
    await page.getByLabel('Email').fill('grace@example.com');
    await audit(stack!, 'blog', 'AuthorFormView');
    // a 422 from the server is shown under the field it names
    const detail = [{ loc: ['body', 'email'], msg: 'Rejected by the server', type: 'value_error' }];
    await page.route('**/api/authors', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 422, json: { detail } })
        : route.fallback(),
    );
    await page.getByRole('button', { name: 'Save' }).click();
    const emailError = page.locator('#author-form-field-email-error');
    await expect.poll(() => emailError.textContent()).toBe('Rejected by the server');
    await page.unroute('**/api/authors');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/authors$/);
    await expect
      .poll(() => page.getByRole('cell', { name: 'Grace Hopper' }).isVisible())
      .toBe(true);

    await go('/posts/new');
    await expect.poll(() => page.getByRole('option', { name: 'Grace Hopper' }).count()).toBe(1);
    await page.getByLabel('Title').fill('Compilers for everyone');
    await page.getByLabel('Slug').fill('compilers-for-everyone');
    await page.getByLabel('Body').fill('Why a compiler is a friendly thing.');
    await page.getByLabel('Author').selectOption({ label: 'Grace Hopper' });
    await audit(stack!, 'blog', 'WritePostView');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/posts\/[0-9a-f-]{36}$/);
    await expect
      .poll(() => page.getByText('Why a compiler is a friendly thing.').isVisible())
      .toBe(true);
    await audit(stack!, 'blog', 'PostPageView');

    await go('/');
    await page.getByLabel('Search posts').fill('compilers');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.getByRole('link', { name: 'Compilers for everyone' }).count())
      .toBe(1);
    await page.getByLabel('Search posts').fill('gardening');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByText('No posts yet.').isVisible()).toBe(true);
    await page.getByLabel('Search posts').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.getByRole('link', { name: 'Compilers for everyone' }).count())
      .toBe(1);
    await audit(stack!, 'blog', 'PostsView');

    // delete asks twice, then the list is empty again
    await page.getByRole('link', { name: 'Compilers for everyone' }).click();
    await page.waitForURL(/\/posts\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.waitForURL(`${stack!.preview.origin}/`);
    await expect.poll(() => page.getByText('No posts yet.').isVisible()).toBe(true);
  });

  it('finds no serious or critical accessibility violation on any view', () => {
    expect(stack!.violations).toEqual([]);
  });
});
