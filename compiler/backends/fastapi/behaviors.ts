// Behaviors: app-level actions (POST <prefix>/actions/<name>, with their own
// `allow if` lines), their input schemas and services, and the user-owned
// stubs of `custom` behaviors (written once, never overwritten) that raise
// NotImplementedError until written, which the endpoint turns into a 501.
import { behaviorKey } from '../../incremental/parts.js';
import type { Behavior } from '../../ir/schema.js';
import { CodeWriter } from '../../emit/code-writer.js';
import { pascal, snake } from '../../names.js';
import { type Ctx, info, mentionsCurrentUser } from './context.js';
import { track } from './deps.js';
import { compileExpr } from './expr.js';
import { type FileSpec, spec } from './files.js';
import {
  call,
  docstring,
  Imports,
  appendBody,
  moduleHeader,
  pyStr,
  stmt,
  responses,
} from './py.js';
import {
  callCustom,
  customModule,
  customReturn,
  notImplementedMessage,
  userParam,
} from './routers.js';
import { behaviorInput, behaviorInputClass } from './schemas.js';
import { behaviorFnName, behaviorStatements } from './services.js';

export function generateBehaviors(ctx: Ctx, behaviors: readonly Behavior[]): FileSpec[] {
  const files: FileSpec[] = [
    spec(
      'backend/app/custom/__init__.py',
      () => '"""Hand-written bodies of `custom` behaviors (these files are yours)."""\n',
    ),
  ];
  for (const b of behaviors) {
    if (!b.custom) continue;
    const make = () => {
      track(`behavior:${behaviorKey(b)}`);
      return customStub(ctx, b);
    };
    files.push(spec(`backend/app/custom/${customModule(b)}.py`, make, 'user'));
  }
  const appLevel = () => ctx.program.behaviors.filter((b) => !b.entity);
  if (behaviors.some((b) => !b.entity)) {
    files.push(spec('backend/app/schemas/actions.py', () => actionSchemas(ctx, appLevel())));
    files.push(spec('backend/app/services/actions.py', () => actionServices(ctx, appLevel())));
    files.push(spec('backend/app/api/routes/actions.py', () => actionRoutes(ctx, appLevel())));
  }
  return files;
}

function customStub(ctx: Ctx, b: Behavior): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.add('sqlalchemy.ext.asyncio', 'AsyncSession');
  const params = ['session: AsyncSession'];
  if (ctx.userInfo) {
    imports.add('app.models', ctx.userInfo.className);
    params.push(`user: ${ctx.userInfo.className}`);
  }
  if (b.entity) {
    const e = info(ctx, b.entity);
    imports.add('app.models', e.className);
    params.push(`row: ${e.className}`);
  }
  if (b.input.length > 0) {
    imports.add(
      b.entity ? `app.schemas.${info(ctx, b.entity).module}` : 'app.schemas.actions',
      behaviorInputClass(b),
    );
    params.push(`data: ${behaviorInputClass(b)}`);
  }
  const returns = customReturn(ctx, b, imports);
  const w = new CodeWriter();
  moduleHeader(
    w,
    `${b.entity ? b.entity + '.' : ''}${b.name}: a custom behavior.\n\nThis file is yours: BITCUP wrote it once and never overwrites it. The\nendpoint answers 501 until the function below stops raising NotImplementedError.`,
    imports,
  );
  w.blank(2);
  stmt(w, 0, { open: `async def ${snake(b.name)}(`, items: params, close: `) -> ${returns}:` });
  w.indent(() => {
    const doc = b.doc ?? `Run ${b.name} in the request's transaction; commit when done.`;
    docstring(w, 1, doc);
    stmt(w, 1, call('raise NotImplementedError', pyStr(notImplementedMessage(b))));
  });
  return w.toString();
}

function actionSchemas(ctx: Ctx, behaviors: Behavior[]): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  const w = new CodeWriter();
  for (const b of behaviors) {
    if (b.input.length === 0) continue;
    imports.add('app.runtime.schemas', 'InputModel');
    w.blank(2);
    behaviorInput(ctx, b, w, imports);
  }
  const out = new CodeWriter();
  moduleHeader(out, 'Inputs of the app-level behaviors (actions).', imports);
  appendBody(out, w.toString() || '__all__: list[str] = []\n');
  return out.toString();
}

function actionServices(ctx: Ctx, behaviors: Behavior[]): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.module('uuid');
  imports.add('sqlalchemy.ext.asyncio', 'AsyncSession');
  imports.add('app.runtime', 'rules as rt');
  const w = new CodeWriter();
  for (const b of behaviors) {
    const env = { ctx, imports, userId: 'uid', input: 'data' };
    w.blank(2);
    stmt(w, 0, {
      open: `async def may_${snake(b.name)}(`,
      items: ['session: AsyncSession', 'uid: uuid.UUID | None'],
      close: ') -> bool:',
    });
    w.indent(() => {
      docstring(w, 1, `Whether the caller may run ${b.name} (its \`allow if\` lines).`);
      if (b.allows.length === 0) {
        w.line('return True');
        return;
      }
      const clauses = b.allows.map((a) => compileExpr(env, a));
      stmt(
        w,
        1,
        call(
          'return await rt.evaluate_bool',
          'session',
          clauses.length === 1 ? clauses[0]! : call('rt.any_of', ...clauses),
        ),
      );
    });
    if (b.custom) continue;
    const params = ['session: AsyncSession', 'uid: uuid.UUID | None'];
    if (b.input.length > 0) {
      imports.add('app.schemas.actions', behaviorInputClass(b));
      params.push(`data: ${behaviorInputClass(b)}`);
    }
    const returnsEntity = b.returns?.kind === 'entity' ? info(ctx, b.returns.entity) : undefined;
    imports.add('typing', 'Any');
    w.blank(2);
    stmt(w, 0, { open: `async def ${behaviorFnName(b.name)}(`, items: params, close: `) -> Any:` });
    w.indent(() => {
      docstring(w, 1, b.doc ?? `${b.name}: one transaction.`);
      imports.add('app.runtime', 'crud');
      const created = behaviorStatements(ctx, undefined, b, w, imports);
      w.line('await session.commit()');
      const variable = returnsEntity ? created.get(returnsEntity.entity.name) : undefined;
      if (returnsEntity && variable) {
        imports.add('app.services', `${returnsEntity.module} as ${returnsEntity.module}_service`);
        stmt(
          w,
          1,
          call(
            `return await ${returnsEntity.module}_service.load_row`,
            'session',
            `${variable}.id`,
          ),
        );
      } else w.line('return None');
    });
  }
  const out = new CodeWriter();
  moduleHeader(
    out,
    'App-level behaviors (actions): permission checks and generated bodies.',
    imports,
  );
  appendBody(out, w.toString());
  return out.toString();
}

function actionRoutes(ctx: Ctx, behaviors: Behavior[]): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.add('fastapi', 'APIRouter');
  imports.add('app.api.deps', 'SessionDep');
  imports.add('app.services', 'actions as service');
  imports.add('app.runtime', 'errors');
  const w = new CodeWriter();
  w.blank(1);
  w.line('router = APIRouter(prefix="/actions", tags=["actions"])');
  for (const b of behaviors) {
    const needsUser = ctx.hasAuth; // currentUser is never null in behaviors of an auth app
    void mentionsCurrentUser;
    const u = userParam(ctx, needsUser, imports);
    const returnsEntity = b.returns?.kind === 'entity' ? info(ctx, b.returns.entity) : undefined;
    let returns = 'None';
    if (returnsEntity) {
      returns = `${pascal(returnsEntity.entity.name)}Read`;
      imports.add(`app.schemas.${returnsEntity.module}`, returns);
    } else if (b.returns) {
      imports.add('typing', 'Any');
      returns = 'Any';
    }
    const params = ['session: SessionDep', ...(u.param ? [u.param] : [])];
    if (b.input.length > 0) {
      imports.add('app.schemas.actions', behaviorInputClass(b));
      params.push(`data: ${behaviorInputClass(b)}`);
    }
    const statuses = b.custom
      ? responses([403, 'Not allowed'], [501, 'Custom code not written yet'])
      : responses([403, 'Not allowed']);
    w.blank(2);
    stmt(
      w,
      0,
      call(
        '@router.post',
        pyStr(`/${b.apiPath}`),
        `summary=${pyStr(pascal(b.name))}`,
        ...(b.doc ? [`description=${pyStr(b.doc)}`] : []),
        statuses,
      ),
    );
    stmt(w, 0, { open: `async def ${snake(b.name)}(`, items: params, close: `) -> ${returns}:` });
    w.indent(() => {
      w.line(`if not await service.may_${snake(b.name)}(session, ${u.uid}):`);
      w.indent(() => w.line('raise errors.forbidden()'));
      if (b.custom) {
        const module = customModule(b);
        imports.add('app.custom', `${module} as ${module}_custom`);
        const args = [
          'session',
          ...(ctx.hasAuth ? ['user'] : []),
          ...(b.input.length > 0 ? ['data'] : []),
        ];
        callCustom(w, module, b, args);
        if (returnsEntity) {
          imports.add('app.services', `${returnsEntity.module} as ${returnsEntity.module}_service`);
          stmt(
            w,
            1,
            call(
              `return ${returns}.model_validate`,
              call(`await ${returnsEntity.module}_service.load_row`, 'session', 'result.id'),
            ),
          );
        } else w.line('return result');
        return;
      }
      const args = ['session', u.uid, ...(b.input.length > 0 ? ['data'] : [])];
      const c = call(`await service.${behaviorFnName(b.name)}`, ...args);
      if (returnsEntity) stmt(w, 1, call(`return ${returns}.model_validate`, c));
      else if (b.returns)
        stmt(w, 1, {
          ...(c as { open: string; items: never[]; close: string }),
          open: `return ${(c as { open: string }).open}`,
        });
      else stmt(w, 1, c);
    });
  }
  const out = new CodeWriter();
  moduleHeader(out, 'App-level behaviors under /actions.', imports);
  appendBody(out, w.toString());
  return out.toString();
}
