// Pieces of the backend integration suite derived from an example's IR.
import type { Program } from '../../compiler/ir/schema.js';
import { snake } from '../../compiler/names.js';

/** Regex of the custom-behavior endpoints (unimplemented stubs answer 501 by design). */
export function customEndpointPattern(program: Program): string | undefined {
  const parts = program.behaviors
    .filter((b) => b.custom)
    .map((b) => (b.entity ? `/\\{[^/]+\\}/${b.apiPath}$` : `/actions/${b.apiPath}$`));
  return parts.length > 0 ? parts.join('|') : undefined;
}

/**
 * A Python script run in the backend folder: create the schema on
 * DATABASE_URL and, in an app with auth, make a user with every bool field
 * set (staff / superuser) through the generated test factories; prints its token.
 */
export function signInScript(program: Program): string {
  const user = program.app.auth?.user;
  const factory = user ? `create_${snake(user)}` : undefined;
  return [
    'import asyncio',
    'import importlib',
    '',
    'from sqlalchemy import text',
    '',
    'from app.core.db import Base, engine',
    'from tests import conftest',
    '',
    '',
    'async def main() -> None:',
    '    importlib.import_module("app.models")',
    '    async with engine.begin() as conn:',
    '        if conn.dialect.name == "postgresql":',
    '            await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))',
    '        await conn.run_sync(Base.metadata.create_all)',
    ...(factory
      ? [
          `    user = await conftest.${factory}(True)`,
          '    print(conftest.create_access_token(str(user["id"])))',
        ]
      : []),
    '    await engine.dispose()',
    '',
    '',
    'asyncio.run(main())',
    '',
  ].join('\n');
}
