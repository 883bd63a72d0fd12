// app/services/<entity>.py: the queries and changes of one entity with its
// rules applied — paged lists (read rule, filters, search, sort, eager loads
// in a constant number of statements), get, create (owner, defaults, refs),
// partial update (rules before and after), delete, one function per flow
// transition (atomic conditional UPDATE) and per row behavior.
import type { Behavior, BehaviorStatement, Emit, Expr, Flow, Transition } from '../../ir/schema.js';
import { CodeWriter } from '../../emit/code-writer.js';
import { snake, withArticle } from '../../names.js';
import { accessFn, checksFn, opAccess } from './access.js';
import {
  type Ctx,
  type EntityInfo,
  entityNames,
  type FieldInfo,
  firstInputField,
  firstRowField,
  info,
  mentionsCurrentUser,
  type NestedTree,
} from './context.js';
import { compileExpr, enumMember, type ExprEnv, exprText, paramKind } from './expr.js';
import {
  call,
  type Doc,
  docstring,
  Imports,
  list,
  appendBody,
  moduleHeader,
  pyStr,
  stmt,
} from './py.js';
import {
  behaviorInputClass,
  inputNames,
  isPassword,
  serverDefault,
  writableFields,
} from './schemas.js';
import { payloadClass } from './events.js';
import { type FileSpec, spec } from './files.js';
import { filterParamType } from './types.js';
import { pascal } from '../../names.js';

export function generateServices(ctx: Ctx, entities: readonly EntityInfo[]): FileSpec[] {
  return [
    ...entities.map((e) =>
      spec(e.paths.service, () => serviceModule(ctx, info(ctx, e.entity.name))),
    ),
    spec(
      'backend/app/services/__init__.py',
      () => '"""Queries and changes per entity, with the model\'s rules applied."""\n',
    ),
  ];
}

/** selectinload chains for what responses show: many-to-many ids and view paths. */
function loadOptions(ctx: Ctx, e: EntityInfo, imports: Imports): Doc[] {
  const out: Doc[] = [];
  for (const f of e.fields)
    if (f.kind === 'manyToMany') out.push(call('selectinload', `${e.className}.${f.attr}`));
  const walk = (entity: EntityInfo, tree: NestedTree, chain: Doc | undefined): void => {
    for (const [name, node] of tree) {
      const f = entity.byName.get(name);
      if (!f || !f.target) continue;
      const target = info(ctx, f.target);
      const attr = `${entity.className}.${f.attr}`;
      const here: Doc = chain === undefined ? call('selectinload', attr) : chainLoad(chain, attr);
      if (node.children.size === 0) out.push(here);
      else walk(target, node.children, here);
      imports.add('app.models', entity.className);
    }
  };
  walk(e, e.nested, undefined);
  if (out.length > 0) imports.add('sqlalchemy.orm', 'selectinload');
  return out;
}

function chainLoad(chain: Doc, attr: string): Doc {
  const base = typeof chain === 'string' ? chain : { ...chain };
  return typeof base === 'string'
    ? `${base}.selectinload(${attr})`
    : { ...base, close: `${base.close}.selectinload(${attr})` };
}

export function userArg(): string {
  return 'uid: uuid.UUID | None';
}

function serviceModule(ctx: Ctx, e: EntityInfo): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.module('uuid');
  imports.add('typing', 'Any');
  imports.add('sqlalchemy', 'select');
  imports.add('sqlalchemy.ext.asyncio', 'AsyncSession');
  imports.add('app', 'access');
  imports.add('app.runtime', 'crud', 'errors');
  imports.add('app.models', e.className);
  const cls = e.className;
  const name = pascal(e.entity.name);
  const w = new CodeWriter();

  // ---- list configuration
  w.blank(1);
  const loads = loadOptions(ctx, e, imports);
  stmt(w, 0, {
    open: 'LOAD_OPTIONS: tuple[Any, ...] = (',
    items: loads,
    close: ')',
    tuple1: loads.length === 1,
  });
  stmt(w, 0, {
    open: 'SORT_COLUMNS: dict[str, Any] = {',
    items: e.sorts.map((f) => `${pyStr(f.apiName)}: ${cls}.${f.columnAttr}`),
    close: '}',
  });
  const def = e.defaultSort;
  w.line(
    `DEFAULT_ORDER: list[Any] = [${def ? `${cls}.${def.field.columnAttr}.${def.direction}(), ` : ''}${cls}.id]`,
  );
  stmt(w, 0, {
    open: 'SEARCH_COLUMNS: list[Any] = [',
    items: e.search.map((f) => `${cls}.${f.columnAttr}`),
    close: ']',
  });
  w.line(`DEFAULT_PAGE_SIZE = ${e.pageSize}`);

  // ---- list
  w.blank(2);
  const filterParams = e.filters.map((f) => {
    const py = filterParamType(ctx, f, imports, 'str');
    return `${f.schemaAttr}: ${py} | None = None`;
  });
  stmt(w, 0, {
    open: 'async def list_rows(',
    items: [
      'session: AsyncSession',
      userArg(),
      '*',
      'page: int',
      'page_size: int',
      'sort: str | None = None',
      'q: str | None = None',
      ...filterParams,
    ],
    close: `) -> tuple[list[${cls}], int]:`,
  });
  w.indent(() => {
    docstring(
      w,
      1,
      `One page of the ${e.entity.pluralLabel.toLowerCase()} the caller may read, and their total.`,
    );
    w.line(`query = select(${cls}).where(access.${accessFn(e, 'read')}(uid))`);
    for (const f of e.filters) {
      w.line(`if ${f.schemaAttr} is not None:`);
      w.indent(() => w.line(`query = query.where(${cls}.${f.columnAttr} == ${f.schemaAttr})`));
    }
    w.line('found = crud.search_clause(SEARCH_COLUMNS, q)');
    w.line('if found is not None:');
    w.indent(() => w.line('query = query.where(found)'));
    w.line('total = await crud.count_of(session, query)');
    w.line(`order_by = [*crud.sort_order(sort, SORT_COLUMNS, DEFAULT_ORDER), ${cls}.id]`);
    w.line('query = query.options(*LOAD_OPTIONS).order_by(*order_by)');
    w.line('query = query.offset((page - 1) * page_size).limit(page_size)');
    w.line('rows = (await session.execute(query)).scalars().all()');
    w.line('return list(rows), total');
  });

  // ---- load / get
  w.blank(2);
  stmt(w, 0, {
    open: 'async def load_row(',
    items: ['session: AsyncSession', 'row_id: uuid.UUID'],
    close: `) -> ${cls}:`,
  });
  w.indent(() => {
    docstring(w, 1, 'The stored row with what responses show, fresh from the database.');
    w.line(`query = select(${cls}).where(${cls}.id == row_id).options(*LOAD_OPTIONS)`);
    w.line('query = query.execution_options(populate_existing=True)');
    w.line('row = (await session.execute(query)).scalars().first()');
    w.line('if row is None:');
    w.indent(() => w.line(`raise errors.not_found(${pyStr(e.entity.name)})`));
    w.line('return row');
  });
  w.blank(2);
  stmt(w, 0, {
    open: 'async def get_row(',
    items: ['session: AsyncSession', userArg(), 'row_id: uuid.UUID'],
    close: `) -> ${cls}:`,
  });
  w.indent(() => {
    docstring(w, 1, 'The row if the caller may read it, else 404.');
    stmt(
      w,
      1,
      call(
        'query = select(cls).where'.replace('cls', cls),
        `${cls}.id == row_id`,
        `access.${accessFn(e, 'read')}(uid)`,
      ),
    );
    w.line('query = query.options(*LOAD_OPTIONS).execution_options(populate_existing=True)');
    w.line('row = (await session.execute(query)).scalars().first()');
    w.line('if row is None:');
    w.indent(() => w.line(`raise errors.not_found(${pyStr(e.entity.name)})`));
    w.line('return row');
  });

  // ---- create
  const writable = writableFields(ctx, e);
  imports.add(`app.schemas.${e.module}`, `${name}Create`, `${name}Update`);
  w.blank(2);
  stmt(w, 0, {
    open: 'async def create_row(',
    items: [
      'session: AsyncSession',
      userArg(),
      `data: ${name}Create`,
      '*',
      'enforce_rules: bool = True',
    ],
    close: `) -> ${cls}:`,
  });
  w.indent(() => {
    docstring(
      w,
      1,
      `Create ${withArticle(e.entity.label.toLowerCase())}: refs must be readable, rules and checks must hold.`,
    );
    imports.module('uuid');
    w.line(`row = ${cls}(id=uuid.uuid4())`);
    for (const f of writable) assignFromInput(ctx, e, f, w, imports, false);
    for (const f of e.fields) {
      if (f.field.ownerField) {
        w.line(`row.${f.columnAttr} = crud.signed_in(uid)`);
      }
    }
    // server-filled defaults: now (model default), currentUser, expressions
    for (const f of e.fields) {
      const d = f.field.default;
      if (!d || f.field.ownerField) continue;
      const inInput = writable.includes(f);
      if (d.kind === 'currentUser') {
        if (inInput) {
          w.line(`if row.${f.columnAttr} is None:`);
          w.indent(() => w.line(`row.${f.columnAttr} = crud.signed_in(uid)`));
        } else w.line(`row.${f.columnAttr} = crud.signed_in(uid)`);
      }
    }
    for (const f of e.fields) {
      const d = f.field.default;
      if (!d || d.kind !== 'expression') continue;
      const env: ExprEnv = {
        ctx,
        imports,
        row: { entity: e.entity.name, mode: 'values', var: 'row' },
        userId: 'uid',
      };
      imports.add('app.runtime', 'rules as rt');
      const value = prefixDoc(
        `row.${f.columnAttr} = `,
        call('await rt.evaluate', 'session', compileExpr(env, d.expr)),
      );
      if (writable.includes(f)) {
        w.line(`if row.${f.columnAttr} is None:`);
        w.indent(() => stmt(w, 2, value));
      } else stmt(w, 1, value);
    }
    w.line('session.add(row)');
    w.line('await session.flush()');
    w.line('if enforce_rules:');
    w.indent(() =>
      stmt(
        w,
        2,
        call(
          'await crud.require',
          'session',
          cls,
          'row.id',
          `access.${accessFn(e, 'create')}(uid)`,
        ),
      ),
    );
    stmt(
      w,
      1,
      call('await crud.enforce_checks', 'session', cls, 'row.id', `access.${checksFn(e)}(uid)`),
    );
    w.line('await session.commit()');
    w.line('return await load_row(session, row.id)');
  });

  // ---- update
  const updatable = writable.filter((f) => !(e.entity.isAuthUser && isPassword(f.field)));
  w.blank(2);
  stmt(w, 0, {
    open: 'async def update_row(',
    items: ['session: AsyncSession', userArg(), 'row_id: uuid.UUID', `data: ${name}Update`],
    close: `) -> ${cls}:`,
  });
  w.indent(() => {
    docstring(w, 1, 'Change the fields sent; the update rule must hold before and after.');
    w.line('row = await get_row(session, uid, row_id)');
    stmt(
      w,
      1,
      call('await crud.require', 'session', cls, 'row.id', `access.${accessFn(e, 'update')}(uid)`),
    );
    w.line('sent = data.model_fields_set');
    const required = updatable.filter((f) => !f.field.optional && f.kind !== 'manyToMany');
    if (required.length > 0) {
      stmt(
        w,
        1,
        call('crud.reject_nulls', '{name: getattr(data, name) for name in sent}', {
          open: '{',
          items: required.map(
            (f) => `${pyStr(inputNames(ctx, e, f).attr)}: ${pyStr(inputNames(ctx, e, f).alias)}`,
          ),
          close: '}',
        }),
      );
    }
    for (const f of updatable) assignFromInput(ctx, e, f, w, imports, true);
    w.line('await session.flush()');
    stmt(
      w,
      1,
      call('await crud.require', 'session', cls, 'row.id', `access.${accessFn(e, 'update')}(uid)`),
    );
    stmt(
      w,
      1,
      call('await crud.enforce_checks', 'session', cls, 'row.id', `access.${checksFn(e)}(uid)`),
    );
    w.line('await session.commit()');
    w.line('return await load_row(session, row.id)');
  });

  // ---- delete
  imports.add('sqlalchemy', 'delete');
  w.blank(2);
  stmt(w, 0, {
    open: 'async def delete_row(',
    items: ['session: AsyncSession', userArg(), 'row_id: uuid.UUID'],
    close: ') -> None:',
  });
  w.indent(() => {
    docstring(w, 1, 'Delete the row; rows that still reference it (restrict) make it a 409.');
    w.line('row = await get_row(session, uid, row_id)');
    stmt(
      w,
      1,
      call('await crud.require', 'session', cls, 'row.id', `access.${accessFn(e, 'delete')}(uid)`),
    );
    w.line(`await session.execute(delete(${cls}).where(${cls}.id == row.id))`);
    w.line('await session.commit()');
  });

  // ---- transitions
  for (const flow of ctx.flowsOf(e)) {
    for (const t of flow.transitions) transitionFn(ctx, e, flow, t, w, imports);
  }
  // ---- row behaviors (generated bodies; custom ones are wired in the router)
  for (const b of ctx.behaviorsOf(e.entity.name)) {
    if (b.custom) continue;
    behaviorFn(ctx, e, b, w, imports);
  }

  const out = new CodeWriter();
  moduleHeader(
    out,
    `${e.entity.name}: queries and changes, with the model's rules applied.`,
    imports,
  );
  appendBody(out, w.toString());
  return out.toString();
}

/** Copy one input field onto the row (validating relation ids; hashing passwords). */
function assignFromInput(
  ctx: Ctx,
  e: EntityInfo,
  f: FieldInfo,
  w: CodeWriter,
  imports: Imports,
  update: boolean,
): void {
  const { attr } = inputNames(ctx, e, f);
  const field = f.field;
  const value = `data.${attr}`;
  const guardUpdate = (body: () => void, needsNotNone: boolean): void => {
    if (!update) {
      if (needsNotNone) {
        w.line(`if ${value} is not None:`);
        w.indent(body);
      } else body();
      return;
    }
    w.line(`if ${pyStr(attr)} in sent${needsNotNone ? ` and ${value} is not None` : ''}:`);
    w.indent(body);
  };
  if (f.kind === 'toOne') {
    const target = entityNames(f.target!);
    imports.add('app.models', target.className);
    const load = call(
      'await crud.load_ref',
      'session',
      target.className,
      value,
      pyStr(f.apiName),
      `access.${accessFn(target, 'read')}(uid)`,
    );
    const required = !field.optional;
    guardUpdate(
      () => {
        stmt(w, update ? 2 : 1, load);
        w.line(`row.${f.columnAttr} = ${value}`);
      },
      required && (update || serverDefault(field)),
    );
    return;
  }
  if (f.kind === 'manyToMany') {
    const target = entityNames(f.target!);
    imports.add('app.models', target.className);
    const load = call(
      `row.${f.attr} = await crud.load_refs`,
      'session',
      target.className,
      value,
      pyStr(f.apiName),
      `access.${accessFn(target, 'read')}(uid)`,
    );
    guardUpdate(() => stmt(w, update ? 2 : 1, load), update);
    return;
  }
  if (isPassword(field)) {
    imports.add('app.runtime.security', 'hash_password');
    guardUpdate(
      () => w.line(`row.${f.columnAttr} = hash_password(${value})`),
      update || field.optional,
    );
    return;
  }
  const needsNotNone =
    (!field.optional && (update || serverDefault(field))) || (!update && serverDefault(field));
  guardUpdate(() => w.line(`row.${f.columnAttr} = ${value}`), needsNotNone);
}

function transitionFn(
  ctx: Ctx,
  e: EntityInfo,
  flow: Flow,
  t: Transition,
  w: CodeWriter,
  imports: Imports,
): void {
  const cls = e.className;
  const stateField = e.byName.get(flow.field)!;
  const enumCls = ctx.enumClass.get(flow.enum) ?? flow.enum;
  imports.add('app.models.enums', enumCls);
  imports.add('sqlalchemy', 'update');
  imports.add('app.runtime', 'rules as rt');
  const env: ExprEnv = {
    ctx,
    imports,
    row: { entity: e.entity.name, mode: 'model' },
    userId: 'uid',
  };
  w.blank(2);
  stmt(w, 0, {
    open: `async def ${transitionFnName(t.name)}(`,
    items: ['session: AsyncSession', userArg(), 'row_id: uuid.UUID'],
    close: `) -> ${cls}:`,
  });
  w.indent(() => {
    docstring(w, 1, `${flow.name}: ${t.from.join(', ')} -> ${t.to} (\`${t.name}\`).`);
    w.line('row = await get_row(session, uid, row_id)');
    stmt(
      w,
      1,
      call('await crud.require', 'session', cls, 'row.id', `access.${accessFn(e, t.name)}(uid)`),
    );
    stmt(w, 1, {
      open: 'source = [',
      items: t.from.map((s) => `${enumCls}.${enumMember(s)}`),
      close: ']',
    });
    const allowed = { open: '[', items: t.from.map(pyStr), close: ']' };
    w.line(`if row.${stateField.columnAttr} not in source:`);
    w.indent(() =>
      stmt(
        w,
        2,
        call('raise crud.wrong_state', pyStr(flow.field), `row.${stateField.columnAttr}`, allowed),
      ),
    );
    if (t.guard) {
      const guard = compileExpr(env, t.guard);
      stmt(w, 1, call('if not await rt.holds', 'session', cls, 'row.id', guard), ':');
      const message = `Condition failed: ${exprText(t.guard)}`;
      w.indent(() =>
        w.line(
          t.guardMentionsCurrentUser || mentionsCurrentUser(t.guard!)
            ? `raise errors.forbidden(${pyStr(message)})`
            : `raise errors.conflict(${pyStr(message)})`,
        ),
      );
    }
    const values: Doc[] = [`${stateField.columnAttr}=${enumCls}.${enumMember(t.to)}`];
    for (const s of t.sets) {
      const f = e.byName.get(s.field);
      if (!f) continue;
      const attr = f.kind === 'toOne' ? f.columnAttr : f.attr;
      values.push(prefixDoc(`${attr}=`, compileExpr(env, s.expr)));
    }
    stmt(
      w,
      1,
      call(
        `statement = update(${cls}).where`,
        `${cls}.id == row.id`,
        `${cls}.${stateField.columnAttr}.in_(source)`,
      ),
    );
    stmt(w, 1, call('statement = statement.values', ...values));
    w.line(
      'changed = await session.execute(statement.execution_options(synchronize_session=False))',
    );
    w.line('if rt.rowcount(changed) == 0:');
    w.indent(() =>
      stmt(
        w,
        2,
        call(
          'raise errors.conflict',
          pyStr(`${flow.field} changed meanwhile; ${t.name} is allowed from: ${t.from.join(', ')}`),
        ),
      ),
    );
    for (const emit of t.emits) emitEvent(ctx, e, emit, w, imports, 1);
    stmt(
      w,
      1,
      call('await crud.enforce_checks', 'session', cls, 'row.id', `access.${checksFn(e)}(uid)`),
    );
    w.line('await session.commit()');
    w.line('return await load_row(session, row.id)');
  });
}

function prefixDoc(text: string, doc: Doc): Doc {
  return typeof doc === 'string' ? text + doc : { ...doc, open: text + doc.open };
}

export function transitionFnName(name: string): string {
  return `transition_${snake(name)}`;
}

export function behaviorFnName(name: string): string {
  return `behavior_${snake(name)}`;
}

/** Write an outbox row for an emit; values are evaluated on the stored row. */
export function emitEvent(
  ctx: Ctx,
  e: EntityInfo | undefined,
  emit: Emit,
  w: CodeWriter,
  imports: Imports,
  depth: number,
): void {
  const event = ctx.event(emit.event);
  if (!event) return;
  imports.add('app.events.outbox', 'outbox_event');
  imports.add('app.events.payloads', payloadClass(event.name));
  imports.add('app.runtime', 'rules as rt');
  const env: ExprEnv = {
    ctx,
    imports,
    row: e ? { entity: e.entity.name, mode: 'model' } : undefined,
    userId: 'uid',
    input: 'data',
  };
  const entries: Doc[] = emit.assignments.map((a) => {
    const ef = event.fields.find((f) => f.name === a.field);
    const key = ef?.apiName ?? a.field;
    const args: Doc[] = ['session', compileExpr(env, a.expr)];
    if (e) args.push(e.className, 'row.id');
    return prefixDoc(`${pyStr(key)}: `, call('await rt.evaluate', ...args));
  });
  stmt(w, depth, { open: 'payload: dict[str, Any] = {', items: entries, close: '}' });
  imports.add('typing', 'Any');
  w.line(`session.add(outbox_event(${payloadClass(event.name)}.model_validate(payload)))`);
}

function behaviorFn(ctx: Ctx, e: EntityInfo, b: Behavior, w: CodeWriter, imports: Imports): void {
  const cls = e.className;
  imports.add('app.runtime', 'rules as rt');
  const params = ['session: AsyncSession', userArg(), 'row_id: uuid.UUID'];
  if (b.input.length > 0) {
    imports.add(`app.schemas.${e.module}`, behaviorInputClass(b));
    params.push(`data: ${behaviorInputClass(b)}`);
  }
  const returnsEntity = b.returns?.kind === 'entity' ? info(ctx, b.returns.entity) : undefined;
  const retType = returnsEntity ? returnsEntity.className : 'Any';
  if (returnsEntity) imports.add('app.models', returnsEntity.className);
  w.blank(2);
  stmt(w, 0, {
    open: `async def ${behaviorFnName(b.name)}(`,
    items: params,
    close: `) -> ${retType}:`,
  });
  w.indent(() => {
    docstring(w, 1, b.doc ?? `${e.entity.name}.${b.name}: one transaction.`);
    w.line('row = await get_row(session, uid, row_id)');
    stmt(
      w,
      1,
      call('await crud.require', 'session', cls, 'row.id', `access.${accessFn(e, b.name)}(uid)`),
    );
    const created = behaviorStatements(ctx, e, b, w, imports);
    stmt(
      w,
      1,
      call('await crud.enforce_checks', 'session', cls, 'row.id', `access.${checksFn(e)}(uid)`),
    );
    w.line('await session.commit()');
    if (returnsEntity && created.has(returnsEntity.entity.name)) {
      const variable = created.get(returnsEntity.entity.name)!;
      if (returnsEntity.entity.name === e.entity.name)
        stmt(w, 1, call('return await load_row', 'session', `${variable}.id`));
      else {
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
      }
    } else if (returnsEntity) w.line('return await load_row(session, row.id)');
    else w.line('return None');
  });
}

/**
 * require / set / create / emit, in order, inside the caller's transaction.
 * Returns the Python variables holding created rows, by entity.
 */
export function behaviorStatements(
  ctx: Ctx,
  e: EntityInfo | undefined,
  b: Behavior,
  w: CodeWriter,
  imports: Imports,
): Map<string, string> {
  const created = new Map<string, string>();
  const env: ExprEnv = {
    ctx,
    imports,
    row: e ? { entity: e.entity.name, mode: 'model' } : undefined,
    userId: 'uid',
    input: 'data',
  };
  const rowArgs = e ? [e.className, 'row.id'] : [];
  let counter = 0;
  for (const s of b.statements) {
    switch (s.kind) {
      case 'require': {
        const field =
          firstInputField(s.expr) ??
          (e ? (e.byName.get(firstRowField(s.expr) ?? '')?.apiName ?? e.entity.name) : b.name);
        stmt(
          w,
          1,
          call('if not await rt.evaluate_bool', 'session', compileExpr(env, s.expr), ...rowArgs),
          ':',
        );
        w.indent(() =>
          stmt(w, 2, call('raise errors.field_error', pyStr(field), pyStr(s.message))),
        );
        break;
      }
      case 'set': {
        if (!e) break;
        const f = e.byName.get(s.assignment.field);
        if (!f) break;
        imports.add('sqlalchemy', 'update');
        const attr = f.kind === 'toOne' ? f.columnAttr : f.attr;
        w.line(`statement = update(${e.className}).where(${e.className}.id == row.id)`);
        stmt(
          w,
          1,
          call(
            'statement = statement.values',
            prefixDoc(`${attr}=`, compileExpr(env, s.assignment.expr)),
          ),
        );
        w.line('await session.execute(statement.execution_options(synchronize_session=False))');
        break;
      }
      case 'create': {
        const target = info(ctx, s.entity);
        const variable = `created_${snake(s.entity)}${counter++ === 0 ? '' : counter}`;
        imports.add('app.models', target.className);
        imports.module('uuid');
        w.line(`${variable} = ${target.className}(id=uuid.uuid4())`);
        const assigned = new Set<string>();
        for (const a of s.assignments) {
          const f = target.byName.get(a.field);
          if (!f) continue;
          assigned.add(f.field.name);
          const attr = f.kind === 'toOne' ? f.columnAttr : f.attr;
          stmt(
            w,
            1,
            prefixDoc(
              `${variable}.${attr} = `,
              call('await rt.evaluate', 'session', compileExpr(env, a.expr), ...rowArgs),
            ),
          );
        }
        for (const f of target.fields) {
          if (assigned.has(f.field.name)) continue;
          if (f.field.ownerField || f.field.default?.kind === 'currentUser')
            w.line(`${variable}.${f.columnAttr} = crud.signed_in(uid)`);
        }
        // expression defaults read the new row's values (its to-one ids), before the insert
        for (const f of target.fields) {
          const d = f.field.default;
          if (!d || d.kind !== 'expression' || assigned.has(f.field.name)) continue;
          const tenv: ExprEnv = {
            ctx,
            imports,
            row: { entity: target.entity.name, mode: 'values', var: variable },
            userId: 'uid',
          };
          stmt(
            w,
            1,
            prefixDoc(
              `${variable}.${f.columnAttr} = `,
              call('await rt.evaluate', 'session', compileExpr(tenv, d.expr)),
            ),
          );
        }
        w.line(`session.add(${variable})`);
        w.line('await session.flush()');
        imports.add('app', 'access');
        stmt(
          w,
          1,
          call(
            'await crud.enforce_checks',
            'session',
            target.className,
            `${variable}.id`,
            `access.${checksFn(target)}(uid)`,
          ),
        );
        created.set(s.entity, variable);
        break;
      }
      case 'emit':
        emitEvent(ctx, e, s.emit, w, imports, 1);
        break;
    }
  }
  void paramKind;
  void ({} as BehaviorStatement | Expr | undefined);
  void list;
  void opAccess;
  return created;
}
