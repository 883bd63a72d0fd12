// app/access.py: every entity's rules as SQL clauses over its table, one
// function per operation (`order_read(uid)`, `order_may_place(uid)`), plus
// its `check` rules. Services apply them inside queries (read filters lists
// and counts) or against one stored row (`rt.holds`), so one lowering serves
// every use and the database does the evaluating.
import { type FileSpec, type MadeText, piece, spec } from './files.js';
import { recurringRuntimeNames, runtimeNames, unionOfNames } from './runtime.js';
import type { AllowRule } from '../../ir/schema.js';
import { CodeWriter } from '../../emit/code-writer.js';
import { type Access, access, type Ctx, type EntityInfo, info } from './context.js';
import { compileExpr, exprText } from './expr.js';
import {
  call,
  type Doc,
  docstring,
  Imports,
  joinChunksOnce,
  mergedHeader,
  list,
  pyStr,
  stmt,
  tuple,
} from './py.js';

/** Operations with an access function: CRUD plus every transition and row behavior. */
export function rowActions(ctx: Ctx, e: EntityInfo): string[] {
  const names: string[] = [];
  for (const flow of ctx.flowsOf(e)) for (const t of flow.transitions) names.push(t.name);
  for (const b of ctx.behaviorsOf(e.entity.name)) names.push(b.name);
  return names;
}

export function accessFn(e: Pick<EntityInfo, 'module'>, op: string): string {
  return ['read', 'create', 'update', 'delete'].includes(op)
    ? `${e.module.replace(/_$/, '')}_${op}`
    : `${e.module.replace(/_$/, '')}_may_${snakeName(op)}`;
}

export function checksFn(e: Pick<EntityInfo, 'module'>): string {
  return `${e.module.replace(/_$/, '')}_checks`;
}

import { snake } from '../../names.js';
const snakeName = (name: string): string => snake(name);

export function opAccess(ctx: Ctx, e: EntityInfo, op: string): Access {
  const isAction = !['read', 'create', 'update', 'delete'].includes(op);
  return access(ctx, e.entity, op, isAction);
}

export function generateAccess(ctx: Ctx): FileSpec {
  return spec('backend/app/access.py', () => accessModule(ctx));
}

const ACCESS_DOC =
  "Who may do what: the model's rules as SQL clauses over each table.\n\n`uid` is the signed-in user's id, None for a visitor. Services apply read\nclauses inside list queries and counts, and the others to one stored row.";

/** One entity's part of access.py: its functions, the imports they need, the runtime names they mention. */
interface AccessSection {
  text: string;
  imports: Imports;
  importsKey: string;
  runtimeNames: string[];
}

function accessModule(ctx: Ctx): MadeText {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.module('uuid');
  imports.add('sqlalchemy', 'ColumnElement');
  imports.add('typing', 'Any');
  const sections: AccessSection[] = [];
  for (const e of ctx.entities.values()) {
    const name = e.entity.name;
    sections.push(piece(name, () => accessSection(ctx, info(ctx, name))));
  }
  const header = mergedHeader(ACCESS_DOC, imports, sections);
  return {
    content: joinChunksOnce(
      'access.py',
      header,
      sections.map((s) => s.text),
    ),
    runtimeNames: unionOfNames([
      recurringRuntimeNames(header),
      ...sections.map((s) => s.runtimeNames),
    ]),
  };
}

function accessSection(ctx: Ctx, e: EntityInfo): AccessSection {
  const imports = new Imports();
  const body = new CodeWriter();
  const ops = ['read', 'create', 'update', 'delete', ...rowActions(ctx, e)];
  for (const op of ops) {
    const a = opAccess(ctx, e, op);
    body.blank(2);
    body.line(`def ${accessFn(e, op)}(uid: uuid.UUID | None) -> ColumnElement[Any]:`);
    body.indent(() => {
      docstring(body, 1, describe(e, op, a));
      if (!a.restricted) {
        imports.add('sqlalchemy', 'true');
        body.line('return true()');
        return;
      }
      if (a.rules.length === 0) {
        imports.add('sqlalchemy', 'false');
        body.line('return false()');
        return;
      }
      const env = {
        ctx,
        imports,
        row: { entity: e.entity.name, mode: 'model' as const },
        userId: 'uid',
      };
      const clauses = a.rules.map((r: AllowRule) => compileExpr(env, r.expr));
      imports.add('app.runtime', 'rules as rt');
      stmt(
        body,
        1,
        clauses.length === 1
          ? call('return rt.truthy', clauses[0]!)
          : call('return rt.any_of', ...clauses),
      );
    });
  }
  body.blank(2);
  body.line(
    `def ${checksFn(e)}(uid: uuid.UUID | None) -> list[tuple[str, str, ColumnElement[Any]]]:`,
  );
  body.indent(() => {
    docstring(body, 1, `The \`check\` rules of ${e.entity.name}: (field, message, condition).`);
    if (e.entity.checks.length === 0) {
      body.line('return []');
      return;
    }
    const env = {
      ctx,
      imports,
      row: { entity: e.entity.name, mode: 'model' as const },
      userId: 'uid',
    };
    const items: Doc[] = e.entity.checks.map((c) => {
      const field = c.field ? (e.byName.get(c.field)?.apiName ?? c.field) : e.entity.name;
      return tuple([pyStr(field), pyStr(c.message), compileExpr(env, c.expr)]);
    });
    stmt(body, 1, { ...list(items), open: 'return [' });
  });
  const text = body.toString().replace(/\n+$/, '');
  return { text, imports, importsKey: imports.key(), runtimeNames: runtimeNames(text) };
}

function describe(e: EntityInfo, op: string, a: Access): string {
  const what = `${op} on ${e.entity.name}`;
  if (!a.restricted) return `${what}: no rules, ${a.needsUser ? 'any signed-in user' : 'anyone'}.`;
  if (a.rules.length === 0) return `${what}: no rule allows it.`;
  return `${what}: ${a.rules.map((r) => exprText(r.expr)).join(' or ')}.`;
}
