// Helpers of the database suites: run the generated Alembic project, read a
// PostgreSQL catalog in a normalized form, and write generated files.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { GeneratedFile } from '../../compiler/backends/types.js';
import type { PostgresCluster } from '../helpers/postgres.js';

const run = promisify(execFile);

export const ROOT = resolve(import.meta.dirname, '../..');
export const VENV = resolve(ROOT, process.env.BITCUP_VENV ?? '.venv');
export const PYTHON = join(VENV, 'bin/python');

export function writeFiles(out: string, files: GeneratedFile[]): void {
  for (const file of files) {
    const target = join(out, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

/** `alembic <args>` in <out>/backend against `databaseUrl`; resolves to its output. */
export async function alembic(
  out: string,
  databaseUrl: string,
  ...args: string[]
): Promise<string> {
  try {
    const { stdout, stderr } = await run(join(VENV, 'bin/alembic'), args, {
      cwd: join(out, 'backend'),
      env: { ...process.env, DATABASE_URL: databaseUrl },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `alembic ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`,
      { cause: error },
    );
  }
}

/** An Alembic command, a script run on the SQLite file, or statements run on DATABASE_URL. */
export type AlembicStep = ['upgrade' | 'downgrade', string] | ['sqlite', string] | ['sql', string];

const STEPS_PY = `
import asyncio, json, os, sqlite3, sys
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from alembic import command
from alembic.config import Config


async def run_sql(statements):
    engine = create_async_engine(os.environ["DATABASE_URL"])
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(sa.text(statement))
    await engine.dispose()


config = Config("alembic.ini")
for kind, arg in json.loads(sys.argv[1]):
    if kind == "upgrade":
        command.upgrade(config, arg)
    elif kind == "downgrade":
        command.downgrade(config, arg)
    elif kind == "sql":
        asyncio.run(run_sql([line for line in arg.split("\\n") if line.strip()]))
    else:
        connection = sqlite3.connect(sys.argv[2])
        connection.executescript(arg)
        connection.commit()
        connection.close()
`;

/**
 * Several Alembic commands (and SQLite scripts) in one Python process: the
 * interpreter start-up is most of an alembic call's second.
 */
export async function alembicSteps(
  out: string,
  databaseUrl: string,
  steps: AlembicStep[],
  sqliteFile = '',
): Promise<void> {
  try {
    await run(PYTHON, ['-c', STEPS_PY, JSON.stringify(steps), sqliteFile], {
      cwd: join(out, 'backend'),
      env: { ...process.env, DATABASE_URL: databaseUrl },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`alembic steps ${JSON.stringify(steps)} failed:\n${e.stderr ?? e.message}`, {
      cause: error,
    });
  }
}

/** The generated backend's ruff settings (the FastAPI backend's pyproject.toml). */
const RUFF_PYPROJECT = `[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "I", "B", "UP"]
ignore = ["E501", "B008"]

[tool.ruff.lint.isort]
known-first-party = ["app"]
`;

/**
 * \`ruff format --check\` and \`ruff check\` on <out>/backend/alembic, from
 * <out>/backend with the backend's ruff settings (written when absent).
 */
export async function ruffClean(out: string): Promise<void> {
  const ruff = join(VENV, 'bin/ruff');
  const cwd = join(out, 'backend');
  if (!existsSync(join(cwd, 'pyproject.toml')))
    writeFileSync(join(cwd, 'pyproject.toml'), RUFF_PYPROJECT);
  for (const args of [['format', '--check', '--diff'], ['check']])
    try {
      await run(ruff, [...args, 'alembic'], { cwd });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      throw new Error(`ruff ${args[0]} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, {
        cause: error,
      });
    }
}

/** Run a Python snippet with the shared venv. */
export async function python(code: string, cwd = ROOT): Promise<string> {
  const { stdout } = await run(PYTHON, ['-c', code], { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

const CATALOG_SQL = `
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  AND c.relname <> 'alembic_version'
UNION ALL
SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint
WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'alembic_version'
UNION ALL
SELECT 'index ' || tablename || ' ' || indexname || ' ' || indexdef
FROM pg_indexes
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
UNION ALL
SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
ORDER BY 1;
`;

/** The schema of `database` as sorted lines: columns, constraints, indexes, extensions. */
export function catalog(pg: PostgresCluster, database: string): string[] {
  return pg
    .psql(database, CATALOG_SQL)
    .split('\n')
    .filter((l) => l.length > 0);
}
