// Whole-program behaviour of compile(): every error of a run at once (also
// after a syntax error), warnings keep the program, a large model analyses
// completely.
import { describe, expect, it } from 'vitest';
import { syntheticModel } from '../../bench/models.js';
import { ProgramSchema } from '../../compiler/ir/schema.js';
import { APP, compileText } from './helpers.js';

describe('compile()', () => {
  it('reports every error of the run, also after a syntax error', () => {
    const result = compileText(
      APP +
        'entity A {\n  x strin\n}\nentity B {\n  y int = = 1\n}\nrules C {\n  check true "m"\n}\n',
    );
    const codes = result.diagnostics.map((d) => d.code);
    expect(codes).toContain('BC2004'); // unknown type in A
    expect(codes).toContain('BC2006'); // rules for an unknown entity
    expect(codes.some((c) => c.startsWith('BC1'))).toBe(true); // the syntax error in B
    expect(result.program).toBeUndefined();
    const lines = result.diagnostics.map((d) => d.span!.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('keeps the program when there are only warnings', () => {
    const result = compileText(
      APP + 'enum S { a b lost }\nentity A { s S = a }\nflow F for A.s {\n  a -> b as go\n}\n',
    );
    expect(result.diagnostics.map((d) => d.severity)).toEqual(['warning']);
    expect(ProgramSchema.safeParse(result.program).success).toBe(true);
  });

  it('analyses a 500-entity model completely', () => {
    const result = compileText(syntheticModel({ entities: 500 }));
    // no error and no warning, like the example programs
    expect(result.diagnostics).toEqual([]);
    const program = result.program!;
    expect(program.entities).toHaveLength(501);
    expect(program.flows).toHaveLength(500);
    expect(new Set(program.indexes.map((i) => i.name)).size).toBe(program.indexes.length);
    expect(new Set(program.views.map((v) => v.component)).size).toBe(program.views.length);
    expect(ProgramSchema.safeParse(program).success).toBe(true);
  });
});
