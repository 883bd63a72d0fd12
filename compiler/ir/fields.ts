// IR fields made outside the lowering of a declared field's own modifiers.
import type { Field, FieldType, Span } from './schema.js';

/**
 * A plain declared field: no column (a relation's comes from the relations
 * pass; a behavior input has none), not a key, unique, indexed, private or
 * readonly. Its keys are in the IR's one order, so the JSON of any field
 * made here is the same as a lowered one's. Built whole, never trimmed with
 * `delete` (that turns an object into a slow dictionary-mode one).
 */
export function plainField(
  name: string,
  type: FieldType,
  optional: boolean,
  label: string,
  span: Span,
): Field {
  return {
    name,
    apiName: name,
    type,
    optional,
    primaryKey: false,
    unique: false,
    indexed: false,
    onUpdateNow: false,
    private: false,
    readonly: false,
    label,
    ownerField: false,
    origin: 'declared',
    span,
  };
}
