// What every `field = value` list checks before the value (a create in a
// behavior, an emit's payload): the field exists (BC2007, with did-you-mean)
// and is set once (BC2005, pointing at the first assignment).
import type * as ast from '../../../grammar/ast.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { AnalyzeContext } from './context.js';

export interface AssignmentTarget<F> {
  /** the field named `name`, if any */
  field(name: string): F | undefined;
  /** every field name, for did-you-mean */
  names(): Iterable<string>;
  /** who has the fields, in BC2007 (`A`, `event Closed`) */
  owner: string;
  /** the list, in BC2005 (`create A`, `emit Closed`) */
  list: string;
}

/**
 * The field an assignment sets, or undefined after reporting why it cannot:
 * an unknown field, or one `seen` already set (the map is filled as it goes).
 */
export function assignedField<F>(
  ctx: AnalyzeContext,
  assignment: { field: { name: string; span: ast.Span } },
  target: AssignmentTarget<F>,
  seen: Map<string, ast.Span>,
): F | undefined {
  const { name, span } = assignment.field;
  const field = target.field(name);
  if (field === undefined) {
    ctx.report.report('BC2007', span, {
      owner: target.owner,
      name,
      hint: didYouMean(name, target.names()),
    });
    return undefined;
  }
  const first = seen.get(name);
  if (first) {
    ctx.report.report('BC2005', span, { kind: 'assignment', name, owner: target.list }, [first]);
    return undefined;
  }
  seen.set(name, span);
  return field;
}
