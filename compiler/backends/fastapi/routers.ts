// app/api/routes/<entity>.py: the HTTP surface of one entity — list (paged,
// filter/search/sort), get, create (201), PATCH, DELETE (204), one POST per
// transition and row behavior. Which dependency a route takes decides 401:
// CurrentUser where every granting rule needs a user, OptionalUser otherwise.
import type { Behavior } from '../../ir/schema.js';
import { CodeWriter } from '../../emit/code-writer.js';
import { pascal, snake, withArticle } from '../../names.js';
import { accessFn, opAccess } from './access.js';
import { type Ctx, type EntityInfo, info, mentionsCurrentUser } from './context.js';
import { type FileSpec, spec } from './files.js';
import { filterParamType } from './types.js';
import {
  call,
  type Doc,
  docstring,
  Imports,
  appendBody,
  moduleHeader,
  pyStr,
  stmt,
  responses,
} from './py.js';
import { behaviorInputClass } from './schemas.js';
import { behaviorFnName, transitionFnName } from './services.js';

interface UserParam {
  param?: string; // 'user: CurrentUser'
  uid: string; // python expression of the caller's id
}

export function userParam(ctx: Ctx, needsUser: boolean, imports: Imports): UserParam {
  if (!ctx.hasAuth) return { uid: 'None' };
  if (needsUser) {
    imports.add('app.api.deps', 'CurrentUser');
    return { param: 'user: CurrentUser', uid: 'user.id' };
  }
  imports.add('app.api.deps', 'OptionalUser');
  return { param: 'user: OptionalUser', uid: 'user.id if user is not None else None' };
}

export function generateRouters(ctx: Ctx, entities: readonly EntityInfo[]): FileSpec[] {
  return entities.map((e) =>
    spec(e.paths.route, () => routerModule(ctx, info(ctx, e.entity.name))),
  );
}

/** `@router.verb(...)` decorator, wrapped when long. */
function decorator(w: CodeWriter, verb: string, path: string, args: Doc[]): void {
  stmt(w, 0, call(`@router.${verb}`, pyStr(path), ...args));
}

function funcDef(w: CodeWriter, name: string, params: Doc[], returns: string): void {
  stmt(w, 0, { open: `async def ${name}(`, items: params, close: `) -> ${returns}:` });
}

function routerModule(ctx: Ctx, e: EntityInfo): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.add('fastapi', 'APIRouter');
  imports.add('app.api.deps', 'SessionDep');
  imports.add('app.services', `${e.module} as service`);
  const name = pascal(e.entity.name);
  const read = `${name}Read`;
  imports.add(`app.schemas.${e.module}`, read, `${name}Create`, `${name}Update`);
  const w = new CodeWriter();
  const label = e.entity.label.toLowerCase();
  const plural = e.entity.pluralLabel.toLowerCase();
  const doc = e.entity.doc;
  w.blank(1);
  w.line(
    `router = APIRouter(prefix=${pyStr('/' + e.entity.apiPath)}, tags=[${pyStr(e.entity.apiPath)}])`,
  );
  const sortable = e.sorts.map((f) => f.apiName).join(', ');
  w.line(`SORT_HELP = ${pyStr(`field or -field, one of: ${sortable || 'none'}`)}`);

  // ---- list
  {
    const a = opAccess(ctx, e, 'read');
    const u = userParam(ctx, a.needsUser, imports);
    imports.add('typing', 'Annotated');
    imports.add('fastapi', 'Query');
    imports.add('app.runtime.pagination', 'MAX_PAGE', 'Page', 'clamp_page_size');
    w.blank(2);
    decorator(w, 'get', '', [`summary=${pyStr(`List ${plural}`)}`, ...descArg(doc)]);
    const params: Doc[] = ['session: SessionDep'];
    if (u.param) params.push(u.param);
    params.push('page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1');
    params.push('page_size: Annotated[int | None, Query(alias="pageSize", ge=1)] = None');
    params.push('sort: Annotated[str | None, Query(max_length=100, description=SORT_HELP)] = None');
    params.push(
      'q: Annotated[str | None, Query(max_length=200, description="search text")] = None',
    );
    const filterArgs: string[] = [];
    for (const f of e.filters) {
      const type = filterParamType(ctx, f, imports, 'Text');
      const pname = `filter_${f.schemaAttr}`;
      params.push(`${pname}: Annotated[${type} | None, Query(alias=${pyStr(f.apiName)})] = None`);
      filterArgs.push(`${f.schemaAttr}=${pname}`);
    }
    funcDef(w, `list_${e.plural}`, params, `Page[${read}]`);
    w.indent(() => {
      docstring(w, 1, `One page of ${plural}, with the total count.`);
      w.line('size = clamp_page_size(page_size, service.DEFAULT_PAGE_SIZE)');
      stmt(
        w,
        1,
        call(
          'rows, total = await service.list_rows',
          'session',
          u.uid,
          'page=page',
          'page_size=size',
          'sort=sort',
          'q=q',
          ...filterArgs,
        ),
      );
      const items = `[${read}.model_validate(row) for row in rows]`;
      stmt(
        w,
        1,
        call(`return Page[${read}]`, `items=${items}`, 'total=total', 'page=page', 'pageSize=size'),
      );
    });
  }

  // ---- get
  {
    const u = userParam(ctx, opAccess(ctx, e, 'read').needsUser, imports);
    imports.module('uuid');
    w.blank(2);
    decorator(w, 'get', '/{id}', [
      `summary=${pyStr(`Get ${withArticle(label)}`)}`,
      responses([404, 'Not found']),
    ]);
    funcDef(
      w,
      `get_${e.module.replace(/_$/, '')}`,
      ['session: SessionDep', ...(u.param ? [u.param] : []), 'id: uuid.UUID'],
      read,
    );
    w.indent(() => {
      stmt(
        w,
        1,
        call(
          `return ${read}.model_validate`,
          call('await service.get_row', 'session', u.uid, 'id'),
        ),
      );
    });
  }

  // ---- create
  {
    const u = userParam(ctx, opAccess(ctx, e, 'create').needsUser, imports);
    w.blank(2);
    decorator(w, 'post', '', [
      'status_code=201',
      `summary=${pyStr(`Create ${withArticle(label)}`)}`,
    ]);
    funcDef(
      w,
      `create_${e.module.replace(/_$/, '')}`,
      ['session: SessionDep', ...(u.param ? [u.param] : []), `data: ${name}Create`],
      read,
    );
    w.indent(() => {
      stmt(
        w,
        1,
        call(
          `return ${read}.model_validate`,
          call('await service.create_row', 'session', u.uid, 'data'),
        ),
      );
    });
  }

  // ---- update
  {
    const u = userParam(ctx, opAccess(ctx, e, 'update').needsUser, imports);
    w.blank(2);
    decorator(w, 'patch', '/{id}', [
      `summary=${pyStr(`Update ${withArticle(label)}`)}`,
      responses([404, 'Not found']),
    ]);
    funcDef(
      w,
      `update_${e.module.replace(/_$/, '')}`,
      [
        'session: SessionDep',
        ...(u.param ? [u.param] : []),
        'id: uuid.UUID',
        `data: ${name}Update`,
      ],
      read,
    );
    w.indent(() => {
      stmt(
        w,
        1,
        call(
          `return ${read}.model_validate`,
          call('await service.update_row', 'session', u.uid, 'id', 'data'),
        ),
      );
    });
  }

  // ---- delete
  {
    const u = userParam(ctx, opAccess(ctx, e, 'delete').needsUser, imports);
    imports.add('fastapi', 'Response');
    w.blank(2);
    decorator(w, 'delete', '/{id}', [
      'status_code=204',
      'response_class=Response',
      `summary=${pyStr(`Delete ${withArticle(label)}`)}`,
      responses([404, 'Not found'], [409, 'Still referenced']),
    ]);
    funcDef(
      w,
      `delete_${e.module.replace(/_$/, '')}`,
      ['session: SessionDep', ...(u.param ? [u.param] : []), 'id: uuid.UUID'],
      'None',
    );
    w.indent(() => w.line(`await service.delete_row(session, ${u.uid}, id)`));
  }

  // ---- transitions
  for (const flow of ctx.flowsOf(e)) {
    for (const t of flow.transitions) {
      const u = userParam(ctx, true, imports); // currentUser is never null in transitions
      w.blank(2);
      decorator(w, 'post', `/{id}/${t.apiPath}`, [
        `summary=${pyStr(`${pascal(t.name)}: ${t.from.join(', ')} -> ${t.to}`)}`,
        responses([404, 'Not found'], [409, 'Wrong state']),
      ]);
      funcDef(
        w,
        `transition_${snake(t.name)}`,
        ['session: SessionDep', ...(u.param ? [u.param] : []), 'id: uuid.UUID'],
        read,
      );
      w.indent(() => {
        docstring(w, 1, `Move the ${label} from ${t.from.join(' or ')} to ${t.to}.`);
        stmt(
          w,
          1,
          call(
            `return ${read}.model_validate`,
            call(`await service.${transitionFnName(t.name)}`, 'session', u.uid, 'id'),
          ),
        );
      });
    }
  }

  // ---- row behaviors
  for (const b of ctx.behaviorsOf(e.entity.name)) {
    rowBehaviorRoute(ctx, e, b, w, imports);
  }

  const out = new CodeWriter();
  moduleHeader(out, `HTTP endpoints of ${e.entity.name} under /${e.entity.apiPath}.`, imports);
  appendBody(out, w.toString());
  return out.toString();
}

function descArg(doc: string | undefined): string[] {
  return doc ? [`description=${pyStr(doc)}`] : [];
}

export function customModule(b: Behavior): string {
  return b.entity ? `${snake(b.entity)}_${snake(b.name)}` : snake(b.name);
}

export function customReturn(ctx: Ctx, b: Behavior, imports: Imports): string {
  const r = b.returns;
  if (!r) return 'None';
  if (r.kind === 'entity') {
    const t = info(ctx, r.entity);
    imports.add('app.models', t.className);
    return t.className;
  }
  if (r.kind === 'enum') {
    const cls = ctx.enumClass.get(r.enum) ?? r.enum;
    imports.add('app.models.enums', cls);
    return cls;
  }
  imports.add('typing', 'Any');
  return 'Any';
}

function rowBehaviorRoute(
  ctx: Ctx,
  e: EntityInfo,
  b: Behavior,
  w: CodeWriter,
  imports: Imports,
): void {
  const u = userParam(ctx, true, imports); // nor in behaviors
  const returnsEntity = b.returns?.kind === 'entity' ? info(ctx, b.returns.entity) : undefined;
  let returns = 'None';
  if (returnsEntity) {
    const readCls = `${pascal(returnsEntity.entity.name)}Read`;
    imports.add(`app.schemas.${returnsEntity.module}`, readCls);
    returns = readCls;
  } else if (b.returns) {
    imports.add('typing', 'Any');
    returns = 'Any';
  }
  const params: Doc[] = ['session: SessionDep', ...(u.param ? [u.param] : []), 'id: uuid.UUID'];
  if (b.input.length > 0) {
    imports.add(`app.schemas.${e.module}`, behaviorInputClass(b));
    params.push(`data: ${behaviorInputClass(b)}`);
  }
  w.blank(2);
  const statuses = b.custom
    ? responses([404, 'Not found'], [501, 'Custom code not written yet'])
    : responses([404, 'Not found']);
  decorator(w, 'post', `/{id}/${b.apiPath}`, [
    `summary=${pyStr(pascal(b.name))}`,
    ...descArg(b.doc),
    statuses,
  ]);
  funcDef(w, `behavior_${snake(b.name)}`, params, returns);
  w.indent(() => {
    if (!b.custom) {
      const args = ['session', u.uid, 'id', ...(b.input.length > 0 ? ['data'] : [])];
      const callDoc = call(`await service.${behaviorFnName(b.name)}`, ...args);
      if (returnsEntity) stmt(w, 1, call(`return ${returns}.model_validate`, callDoc));
      else if (b.returns)
        stmt(w, 1, {
          ...(callDoc as { open: string; items: Doc[]; close: string }),
          open: `return ${(callDoc as { open: string }).open}`,
        });
      else stmt(w, 1, callDoc);
      return;
    }
    const module = customModule(b);
    imports.add('app.custom', `${module} as ${module}_custom`);
    imports.add('app', 'access');
    imports.add('app.runtime', 'crud', 'errors');
    imports.add('app.models', e.className);
    w.line(`row = await service.get_row(session, ${u.uid}, id)`);
    stmt(
      w,
      1,
      call(
        'await crud.require',
        'session',
        e.className,
        'row.id',
        `access.${accessFn(e, b.name)}(${u.uid})`,
      ),
    );
    const args = [
      'session',
      ...(ctx.hasAuth ? ['user'] : []),
      'row',
      ...(b.input.length > 0 ? ['data'] : []),
    ];
    callCustom(w, module, b, args);
    if (returnsEntity) {
      imports.add(
        'app.services',
        returnsEntity.module === e.module
          ? `${e.module} as service`
          : `${returnsEntity.module} as ${returnsEntity.module}_service`,
      );
      const loader =
        returnsEntity.module === e.module ? 'service' : `${returnsEntity.module}_service`;
      stmt(
        w,
        1,
        call(
          `return ${returns}.model_validate`,
          call(`await ${loader}.load_row`, 'session', 'result.id'),
        ),
      );
    } else if (b.returns) w.line('return result');
    else w.line('return result');
  });
  void mentionsCurrentUser;
}

/**
 * `result = await <module>_custom.<behavior>(args)`; a stub the user has not
 * written yet (NotImplementedError) answers 501 with the behavior's message.
 */
export function callCustom(w: CodeWriter, module: string, b: Behavior, args: string[]): void {
  w.line('try:');
  w.indent(() => stmt(w, 2, call(`result = await ${module}_custom.${snake(b.name)}`, ...args)));
  w.line('except NotImplementedError:');
  w.indent(() =>
    stmt(w, 2, call('raise errors.not_implemented', pyStr(notImplementedMessage(b))), ' from None'),
  );
}

export function notImplementedMessage(b: Behavior): string {
  return `${b.entity ? b.entity + '.' : ''}${b.name} is a custom behavior: implement it in backend/app/custom/${customModule(b)}.py`;
}
