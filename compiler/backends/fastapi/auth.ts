// app/api/auth.py (register, OAuth2 password login -> JWT, me, password
// change) and app/manage.py (create-user, seed, init-db).
import { CodeWriter } from '../../emit/code-writer.js';
import { pascal } from '../../names.js';
import { type Ctx, type EntityInfo, info } from './context.js';
import { compileExpr } from './expr.js';
import { type FileSpec, type MadeText, piece, spec } from './files.js';
import { recurringRuntimeNames, runtimeNames, unionOfNames } from './runtime.js';
import {
  appendBody,
  call,
  type Doc,
  flat,
  Imports,
  INDENT,
  joinChunksOnce,
  LINE_LENGTH,
  mergedHeader,
  moduleHeader,
  prefix,
  pyStr,
  render,
  stmt,
} from './py.js';

export function generateAuth(ctx: Ctx, hasUser: boolean): FileSpec[] {
  const files = [spec('backend/app/manage.py', () => manageModule(ctx))];
  if (hasUser) files.push(spec('backend/app/api/auth.py', () => authModule(ctx)));
  return files;
}

function authModule(ctx: Ctx): string {
  const auth = ctx.program.app.auth!;
  const u = ctx.userInfo!;
  const loginField = u.byName.get(auth.login)!;
  const passwordField = u.byName.get(auth.password)!;
  const isEmail =
    loginField.field.type.kind === 'scalar' && loginField.field.type.scalar === 'email';
  const name = pascal(u.entity.name);
  const cls = u.className;
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.add('typing', 'Annotated');
  imports.add('fastapi', 'APIRouter', 'Depends', 'Response');
  imports.add('fastapi.security', 'OAuth2PasswordRequestForm');
  imports.add('pydantic', 'BaseModel', 'Field');
  imports.add('sqlalchemy', 'select');
  imports.add('app.api.deps', 'CurrentUser', 'SessionDep');
  imports.add('app.core.security', 'create_access_token', 'hash_password', 'verify_password');
  imports.add('app.models', cls);
  imports.add('app.runtime', 'errors');
  imports.add('app.runtime.schemas', 'InputModel');
  imports.add('app.runtime.types', 'Text', 'storable');
  imports.add(`app.schemas.${u.module}`, `${name}Create`, `${name}Read`);
  imports.add('app.services', `${u.module} as users`);
  const w = new CodeWriter();
  const loginAttr = loginField.columnAttr;
  const pw = passwordField.columnAttr;
  w.text(`

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(BaseModel):
    """An access token for the \`Authorization: Bearer\` header."""

    access_token: str
    token_type: str = "bearer"


class PasswordChange(InputModel):
    """Body of \`POST /auth/password\`."""

    current_password: Text = Field(alias="currentPassword", min_length=1, max_length=1024)
    new_password: Text = Field(alias="newPassword", min_length=1, max_length=1024)


@router.post("/register", status_code=201, responses={409: {"description": "Already registered"}})
async def register(session: SessionDep, data: ${name}Create) -> ${name}Read:
    """Create an account; the password is sent as \`password\` and stored hashed."""
    existing = await session.scalar(select(${cls}.id).where(${cls}.${loginAttr} == data.${loginAttr}))
    if existing is not None:
        raise errors.conflict(${pyStr(`This ${loginField.apiName} is already registered`)})
    row = await users.create_row(session, None, data, enforce_rules=False)
    return ${name}Read.model_validate(row)


@router.post("/login", responses={401: {"description": "Bad credentials"}})
async def login(
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """OAuth2 password flow: \`username\` is the ${loginField.apiName}."""
    identity = form.username.strip()${isEmail ? '.lower()' : ''}
    user = None
    if storable(identity):
        user = await session.scalar(select(${cls}).where(${cls}.${loginAttr} == identity))
    if user is None or not verify_password(form.password, user.${pw}):
        raise errors.unauthorized("Incorrect ${loginField.apiName} or password")
    return Token(access_token=create_access_token(str(user.id)))


@router.get("/me")
async def me(session: SessionDep, user: CurrentUser) -> ${name}Read:
    """The signed-in user."""
    return ${name}Read.model_validate(await users.load_row(session, user.id))


@router.post(
    "/password",
    status_code=204,
    response_class=Response,
    responses={403: {"description": "Wrong current password"}},
)
async def change_password(session: SessionDep, user: CurrentUser, data: PasswordChange) -> None:
    """Change the signed-in user's password (403 when the current one is wrong)."""
    if not verify_password(data.current_password, user.${pw}):
        raise errors.forbidden("The current password is wrong")
    user.${pw} = hash_password(data.new_password)
    await session.commit()
`);
  const out = new CodeWriter();
  moduleHeader(
    out,
    'Sign-up, sign-in (OAuth2 password flow, JWT), the current user, password change.',
    imports,
  );
  appendBody(out, w.toString());
  return out.toString();
}

/** One entity's part of manage.py: its SPECS entry (rendered), its fill function, imports. */
interface ManageSection {
  /** the entry on one line, and as the exploded dict writes it (trailing comma included) */
  flat: string;
  /** its lines in the exploded dict (one level deep, trailing comma) */
  text: string;
  fill: string;
  imports: Imports;
  importsKey: string;
  runtimeNames: string[];
}

const SPECS_OPEN = 'SPECS: dict[str, ModelSpec] = {';

function manageSection(ctx: Ctx, e: EntityInfo): ManageSection {
  const imports = new Imports();
  const fills = new CodeWriter();
  imports.add('app.models', e.className);
  const fields: Doc[] = e.fields
    .filter((f) => ['scalar', 'enum', 'toOne'].includes(f.kind))
    .map((f) => `${pyStr(f.apiName)}: ${pyStr(f.columnAttr)}`);
  const links = e.fields
    .filter((f) => f.kind === 'manyToMany')
    .map((f) => {
      const t = ctx.entities.get(f.target!)!;
      imports.add('app.models', t.className);
      return `${pyStr(f.apiName)}: (${pyStr(f.attr)}, ${t.className})`;
    });
  const passwords = e.fields
    .filter((f) => f.field.type.kind === 'scalar' && f.field.type.scalar === 'password')
    .map((f) => pyStr(f.columnAttr));
  const args: Doc[] = [e.className, { open: '{', items: fields, close: '}' }];
  if (links.length > 0) args.push({ open: 'links={', items: links, close: '}' });
  if (passwords.length > 0) args.push({ open: 'passwords=[', items: passwords, close: ']' });
  const emails = e.fields
    .filter((f) => f.field.type.kind === 'scalar' && f.field.type.scalar === 'email')
    .map((f) => pyStr(f.columnAttr));
  if (emails.length > 0) args.push({ open: 'lowercase=[', items: emails, close: ']' });
  const computed = e.fields.filter((f) => f.field.default?.kind === 'expression');
  if (computed.length > 0) {
    const fn = `_fill_${e.module.replace(/_$/, '')}`;
    imports.add('sqlalchemy.ext.asyncio', 'AsyncSession');
    imports.add('app.runtime', 'rules as rt');
    fills.line(`async def ${fn}(session: AsyncSession, row: ${e.className}) -> None:`);
    fills.indent(() => {
      fills.line('"""What the API computes on create, when the file leaves it out."""');
      for (const f of computed) {
        const d = f.field.default;
        if (d?.kind !== 'expression') continue;
        const env = {
          ctx,
          imports,
          row: { entity: e.entity.name, mode: 'values' as const, var: 'row' },
        };
        fills.line(`if row.${f.columnAttr} is None:`);
        fills.indent(() =>
          stmt(
            fills,
            2,
            prefix(
              `row.${f.columnAttr} = `,
              call('await rt.evaluate', 'session', compileExpr(env, d.expr)),
            ),
          ),
        );
      }
    });
    args.push(`fill=${fn}`);
  }
  const entry = prefix(`${pyStr(e.entity.name)}: `, call('ModelSpec', ...args));
  // as render() writes an item of the exploded dict: one level deep, then a comma
  const lines = render(entry, 4, 1).map((l) => INDENT + l);
  lines[lines.length - 1] += ',';
  const fill = fills.toString().trim() === '' ? '' : fills.toString().replace(/\n+$/, '');
  return {
    flat: flat(entry),
    text: lines.join('\n'),
    fill,
    imports,
    importsKey: imports.key(),
    runtimeNames: unionOfNames([runtimeNames(lines.join('\n')), runtimeNames(fill)]),
  };
}

/** `SPECS = {...}` as stmt() writes it: flat when it fits, else one entry per line. */
function specsStatement(sections: readonly ManageSection[]): string {
  let width = SPECS_OPEN.length + 1 + 2 * Math.max(0, sections.length - 1);
  for (const s of sections) width += s.flat.length;
  if (sections.length === 0 || width <= LINE_LENGTH)
    return `${SPECS_OPEN}${sections.map((s) => s.flat).join(', ')}}`;
  return `${SPECS_OPEN}\n${sections.map((s) => s.text).join('\n')}\n}`;
}

function manageModule(ctx: Ctx): MadeText {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.module('argparse');
  imports.module('asyncio');
  imports.module('json');
  imports.module('sys');
  imports.add('pathlib', 'Path');
  imports.add('app.core.db', 'SessionLocal', 'create_all', 'engine');
  imports.add('app.runtime.manage', 'ModelSpec', 'seed');
  const sections: ManageSection[] = [];
  for (const e of ctx.entities.values()) {
    const name = e.entity.name;
    sections.push(piece(name, () => manageSection(ctx, info(ctx, name))));
  }
  // each spec on its own line: ruff keeps the exploded dict (magic trailing comma)
  const chunks = [...sections.map((s) => s.fill), specsStatement(sections)];
  const w = new CodeWriter();
  const auth = ctx.program.app.auth;
  if (auth && ctx.userInfo) {
    const u = ctx.userInfo;
    const login = u.byName.get(auth.login)!;
    imports.add('app.runtime.manage', 'build_row', 'parse_assignments');
    const required = u.fields
      .filter(
        (f) =>
          f.kind === 'scalar' &&
          !f.field.optional &&
          !f.field.default &&
          f.field.type.kind === 'scalar' &&
          ['string', 'text'].includes(f.field.type.scalar) &&
          f.field.name !== auth.login,
      )
      .map((f) => pyStr(f.apiName));
    w.blank(2);
    w.text(`async def create_user(login: str, password: str, assignments: list[str]) -> None:
    """Create a user; \`--set\` may fill any field, readonly ones included (e.g. staff flags)."""
    values: dict[str, object] = dict(parse_assignments(assignments))
    values[${pyStr(login.apiName)}] = login${login.field.type.kind === 'scalar' && login.field.type.scalar === 'email' ? '.lower()' : ''}
    values["password"] = password
    for key in [${required.join(', ')}]:
        values.setdefault(key, login)
    async with SessionLocal() as session:
        row = await build_row(session, SPECS[${pyStr(u.entity.name)}], values)
        session.add(row)
        await session.commit()
        print(f"created {row.id}")`);
  }
  w.blank(2);
  w.text(`async def seed_file(path: str) -> None:
    """Load rows from a JSON file: {"Entity": [{"field": value, ...}, ...], ...}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    async with SessionLocal() as session:
        count = await seed(session, SPECS, data)
    print(f"seeded {count} rows")


async def run(args: argparse.Namespace) -> None:  # pragma: no cover - the CLI
    try:
        if args.command == "init-db":
            await create_all()
            print("tables created")${
              auth
                ? `
        elif args.command == "create-user":
            await create_user(args.login, args.password, args.set or [])`
                : ''
            }
        elif args.command == "seed":
            await seed_file(args.file)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - the CLI
    parser = argparse.ArgumentParser(prog="python -m app.manage")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init-db", help="create every table (development; production uses Alembic)")${
      auth
        ? `
    create = commands.add_parser("create-user", help="create a user (can set readonly fields)")
    create.add_argument("login")
    create.add_argument("--password", required=True)
    create.add_argument("--set", action="append", metavar="FIELD=VALUE")`
        : ''
    }
    seed_parser = commands.add_parser("seed", help="load rows from a JSON file")
    seed_parser.add_argument("file")
    args = parser.parse_args(argv)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())`);
  const header = mergedHeader(
    'Operator commands: `python -m app.manage init-db | create-user | seed`.',
    imports,
    sections,
  );
  chunks.push(w.toString());
  return {
    content: joinChunksOnce('manage.py', header, chunks),
    runtimeNames: unionOfNames([
      recurringRuntimeNames(header),
      recurringRuntimeNames(chunks[chunks.length - 1]!),
      recurringRuntimeNames(`${SPECS_OPEN}}`),
      ...sections.map((s) => s.runtimeNames),
    ]),
  };
}
