// Relations pass (LANGUAGE.md "Relations"): pair every relation field with
// its other side and settle its kind, column, API name and join table.
//   to-one without `by`        many-to-one (one-to-one with `unique`), owns the FK
//   to-one `by f`              inverse of the unique to-one `f`: one-to-one, no column
//   list, other side to-one    one-to-many inverse, no column
//   list, other side list      many-to-many with a join table
//   list of its own entity     symmetric many-to-many (unless `by` says otherwise)
// Without `by`, a list pairs with the one field of the target that can point
// back; several candidates are an error asking for `by`, none is an error.
import type { JoinTable } from '../../ir/schema.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { camel, snake } from '../../names.js';
import pluralize from 'pluralize';
import { limitIdentifier } from '../3-optimize/indexes.js';
import type { AnalyzeContext, EntityInfo, FieldInfo } from './context.js';

type RelationType = Extract<FieldInfo['ir']['type'], { kind: 'relation' }>;
const rel = (f: FieldInfo): RelationType => f.ir.type as RelationType;

export function inferRelations(ctx: AnalyzeContext): void {
  // Fields of a target already paired through an explicit `by` (either side).
  const claimed = new Set<FieldInfo>();
  const joinTables: JoinTable[] = [];
  const tableNames = new Set([...ctx.entities.values()].map((e) => e.ir.table));

  // 1. to-one fields: owning FK, or the one-to-one inverse with `by`.
  for (const entity of ctx.entities.values()) {
    for (const field of entity.fields.values()) {
      if (!field.target || field.list) continue;
      const type = rel(field);
      if (field.by) {
        const other = byTarget(ctx, entity, field);
        if (!other) continue;
        if (other.list || other.target !== entity.ir.name || other.by) {
          ctx.report.report('BC2010', field.by.span, {
            by: field.by.name,
            target: field.target,
            entity: entity.ir.name,
          });
          continue;
        }
        if (!other.ir.unique) {
          ctx.report.report('BC2011', field.by.span, {
            entity: entity.ir.name,
            field: field.ir.name,
            target: field.target,
            by: field.by.name,
          });
        }
        Object.assign(type, { relation: 'one-to-one', owning: false, inverse: other.ir.name });
        delete type.onDelete;
        pair(other, field);
        claimed.add(other);
        continue;
      }
      type.relation = field.ir.unique ? 'one-to-one' : 'many-to-one';
      type.owning = true;
      field.ir.column = `${snake(field.ir.name)}_id`;
      field.ir.apiName = `${field.ir.name}Id`;
    }
  }
  // Lists with `by` claim their partner first, so lists without `by` see what is left.
  for (const entity of ctx.entities.values()) {
    for (const field of entity.fields.values()) {
      if (!field.target || !field.list || !field.by) continue;
      if (rel(field).inverse !== undefined) continue; // paired from the other side's `by`
      const other = byTarget(ctx, entity, field);
      if (!other) continue;
      if (other.target !== entity.ir.name || (other.by && other.by.name !== field.ir.name)) {
        ctx.report.report('BC2010', field.by.span, {
          by: field.by.name,
          target: field.target,
          entity: entity.ir.name,
        });
        continue;
      }
      claimed.add(other);
      pairList(ctx, entity, field, other, joinTables, tableNames);
    }
  }
  // 2. lists without `by`.
  for (const entity of ctx.entities.values()) {
    for (const field of entity.fields.values()) {
      if (!field.target || !field.list || field.by) continue;
      const target = ctx.entities.get(field.target);
      if (!target) continue;
      if (target === entity) {
        pairList(ctx, entity, field, field, joinTables, tableNames);
        continue;
      }
      if (rel(field).inverse !== undefined) continue; // paired from the other side
      const candidates = [...target.fields.values()].filter(
        (f) =>
          f.target === entity.ir.name &&
          !claimed.has(f) &&
          (f.list ? !f.by || f.by.name === field.ir.name : !f.by),
      );
      // A back-pointing field already taken by another list of this entity:
      // the two lists compete for it, which is ambiguity, not absence.
      const taken = [...target.fields.values()].filter(
        (f) => f.target === entity.ir.name && claimed.has(f) && !f.by,
      );
      if (candidates.length === 0 && taken.length > 0) {
        ctx.report.report('BC2008', field.ir.span, {
          entity: entity.ir.name,
          field: field.ir.name,
          reason: `\`${target.ir.name}.${taken[0]!.ir.name}\` already pairs with another list of ${entity.ir.name}`,
        });
        continue;
      }
      if (candidates.length === 0) {
        ctx.report.report('BC2009', field.ir.span, {
          entity: entity.ir.name,
          field: field.ir.name,
          target: target.ir.name,
        });
        continue;
      }
      if (candidates.length > 1) {
        ctx.report.report('BC2008', field.ir.span, {
          entity: entity.ir.name,
          field: field.ir.name,
          reason: `${target.ir.name} has several fields that can pair with it (${candidates.map((c) => c.ir.name).join(', ')})`,
        });
        continue;
      }
      const other = candidates[0]!;
      claimed.add(other);
      pairList(ctx, entity, field, other, joinTables, tableNames);
    }
  }
  ctx.program.joinTables.push(...joinTables);
  checkSqlNames(ctx);
}

const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

/** Tables and columns must be plain identifiers within PostgreSQL's 63 bytes. */
function checkSqlNames(ctx: AnalyzeContext): void {
  for (const entity of ctx.entities.values()) {
    const table = entity.ir.table;
    const option = entity.decl.options.find((o) => o.kind === 'table');
    const span = option?.kind === 'table' ? option.nameSpan : entity.decl.nameSpan;
    if (!SQL_NAME.test(table)) {
      ctx.report.report('BC2025', span, {
        what: 'table',
        name: table,
        reason: 'use lower-case letters, digits and `_`',
      });
    } else if (Buffer.byteLength(table) > 63) {
      ctx.report.report('BC2025', span, {
        what: 'table',
        name: table,
        reason: 'longer than 63 bytes; give the entity a shorter `table "name"`',
      });
    }
    for (const field of entity.fields.values()) {
      const column = field.ir.column;
      if (column !== undefined && Buffer.byteLength(column) > 63) {
        ctx.report.report('BC2025', field.ir.span, {
          what: 'column',
          name: column,
          reason: 'longer than 63 bytes; use a shorter field name',
        });
      }
    }
  }
}

/** The field named by `by`, or undefined after reporting. */
function byTarget(
  ctx: AnalyzeContext,
  entity: EntityInfo,
  field: FieldInfo,
): FieldInfo | undefined {
  const target = ctx.entities.get(field.target!);
  const by = field.by!;
  if (!target || by.name === '') return undefined;
  const other = target.fields.get(by.name);
  if (!other) {
    ctx.report.report('BC2007', by.span, {
      owner: target.ir.name,
      name: by.name,
      hint: didYouMean(
        by.name,
        [...target.fields.values()]
          .filter((f) => f.target === entity.ir.name)
          .map((f) => f.ir.name),
      ),
    });
    return undefined;
  }
  return other;
}

function pair(owningSide: FieldInfo, inverseSide: FieldInfo): void {
  rel(owningSide).inverse = inverseSide.ir.name;
  rel(inverseSide).inverse = owningSide.ir.name;
}

/** `field` (a list on `entity`) pairs with `other` (a to-one or a list on the target). */
function pairList(
  ctx: AnalyzeContext,
  entity: EntityInfo,
  field: FieldInfo,
  other: FieldInfo,
  joinTables: JoinTable[],
  tableNames: Set<string>,
): void {
  const type = rel(field);
  if (!other.list) {
    // one-to-many inverse of a to-one
    if (!rel(other).owning) {
      ctx.report.report('BC2010', (field.by ?? field.decl?.type ?? field.ir).span, {
        by: other.ir.name,
        target: field.target!,
        entity: entity.ir.name,
      });
      return;
    }
    Object.assign(type, { relation: 'one-to-many', owning: false });
    pair(other, field);
    return;
  }
  const symmetric = other === field;
  const target = ctx.entities.get(field.target!)!;
  const otherType = rel(other);
  for (const [f, t] of [
    [field, type],
    [other, otherType],
  ] as const) {
    Object.assign(t, { relation: 'many-to-many', owning: false });
    f.ir.apiName = `${camel(pluralize.singular(f.ir.name))}Ids`;
  }
  pair(field, other);
  // Join table: `<a>_<b>` of the singular snake names in alphabetical order,
  // else (taken, or one entity on both sides) `<singular>_<field>`.
  const a = snake(entity.ir.name);
  const b = snake(target.ir.name);
  let name = [a, b].sort().join('_');
  let columns: [string, string] = [`${a}_id`, `${b}_id`];
  if (symmetric || a === b || tableNames.has(name)) {
    name = `${a}_${snake(field.ir.name)}`;
    if (a === b) columns = [`${a}_id`, `${snake(pluralize.singular(field.ir.name))}_id`];
    if (columns[0] === columns[1]) columns = [`${a}_id`, `${snake(field.ir.name)}_id`];
  }
  let unique = limitIdentifier(name);
  for (let n = 2; tableNames.has(unique); n++) unique = limitIdentifier(`${name}_${n}`);
  tableNames.add(unique);
  const sides = [
    {
      entity: entity.ir.name,
      field: field.ir.name,
      column: columns[0],
      references: entity.ir.table,
    },
    {
      entity: target.ir.name,
      field: other.ir.name,
      column: columns[1],
      references: target.ir.table,
    },
  ].sort((x, y) => (x.column < y.column ? -1 : x.column > y.column ? 1 : 0));
  joinTables.push({ name: unique, sides: sides as JoinTable['sides'], symmetric });
  type.joinTable = unique;
  otherType.joinTable = unique;
}
