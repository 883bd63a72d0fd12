// SQL identifiers: quoting of PostgreSQL keywords and the 63-byte name limit.
import { createHash } from 'node:crypto';

/**
 * PostgreSQL 15 keywords that cannot be a bare column or table name
 * (`pg_get_keywords()` categories R and T; a test checks this list against
 * the live server), plus `system_user`, reserved from PostgreSQL 16 on.
 */
export const PG_RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast ' +
    'check collate collation column concurrently constraint create cross current_catalog ' +
    'current_date current_role current_schema current_time current_timestamp current_user ' +
    'default deferrable desc distinct do else end except false fetch for foreign freeze from ' +
    'full grant group having ilike in initially inner intersect into is isnull join lateral ' +
    'leading left like limit localtime localtimestamp natural not notnull null offset on only ' +
    'or order outer overlaps placing primary references returning right select session_user ' +
    'similar some symmetric system_user table tablesample then to trailing true union unique ' +
    'user using variadic verbose when where window with'
  ).split(' '),
);

/** Quote an identifier only when PostgreSQL needs it (keyword or unusual spelling). */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !PG_RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

export const MAX_IDENTIFIER_BYTES = 63;

/**
 * Keep a generated name within PostgreSQL's 63 bytes, deterministically: a
 * long name keeps its readable start and ends with a hash of the whole name,
 * so two long names that share a prefix stay distinct.
 */
export function limitName(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  let head = name.slice(0, MAX_IDENTIFIER_BYTES - hash.length - 1);
  while (Buffer.byteLength(head, 'utf8') > MAX_IDENTIFIER_BYTES - hash.length - 1)
    head = head.slice(0, -1);
  return `${head.replace(/_+$/, '')}_${hash}`;
}

/** A SQL string literal (standard_conforming_strings: only quotes are doubled). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
