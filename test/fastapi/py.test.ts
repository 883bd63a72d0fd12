// The Python emission helpers: literals and wrapping as ruff format writes
// them (the integration suite proves it on whole apps with `ruff format --check`).
import { describe, expect, it } from 'vitest';
import { CodeWriter } from '../../compiler/emit/code-writer.js';
import {
  call,
  Imports,
  pyStr,
  render,
  safeIdent,
  stmt,
} from '../../compiler/backends/fastapi/py.js';

describe('pyStr', () => {
  it('prefers double quotes unless that needs more escapes', () => {
    expect(pyStr('plain')).toBe('"plain"');
    expect(pyStr('say "hi"')).toBe('\'say "hi"\'');
    expect(pyStr(`it's "x"`)).toBe('"it\'s \\"x\\""');
    expect(pyStr('a\\d\n\u0000')).toBe('"a\\\\d\\n\\x00"');
  });
});

describe('render', () => {
  it('keeps a group flat when it fits and explodes it with trailing commas when not', () => {
    expect(render(call('f', 'a', 'b'), 0)).toEqual(['f(a, b)']);
    const long = call('function_name', 'x'.repeat(50), 'y'.repeat(50));
    expect(render(long, 0)).toEqual([
      'function_name(',
      `    ${'x'.repeat(50)},`,
      `    ${'y'.repeat(50)},`,
      ')',
    ]);
  });

  it('indents nested groups relative to their statement', () => {
    const w = new CodeWriter();
    w.indent(() => stmt(w, 1, call('outer', call('inner', 'z'.repeat(60), 'w'.repeat(30)))));
    expect(w.toString()).toBe(
      [
        '    outer(',
        '        inner(',
        `            ${'z'.repeat(60)},`,
        `            ${'w'.repeat(30)},`,
        '        ),',
        '    )',
        '',
      ].join('\n'),
    );
  });
});

describe('imports', () => {
  it('writes isort sections, straight imports first, aliases on their own lines', () => {
    const imports = new Imports();
    imports.add('app.runtime', 'rules as rt', 'errors', 'crud');
    imports.add('sqlalchemy', 'select', 'Uuid', 'JSON');
    imports.add('__future__', 'annotations');
    imports.module('uuid');
    imports.add('typing', 'Any');
    const w = new CodeWriter();
    imports.write(w);
    expect(w.toString()).toBe(
      [
        'from __future__ import annotations',
        '',
        'import uuid',
        'from typing import Any',
        '',
        'from sqlalchemy import JSON, Uuid, select',
        '',
        'from app.runtime import crud, errors',
        'from app.runtime import rules as rt',
        '',
      ].join('\n'),
    );
  });
});

describe('safeIdent', () => {
  it('escapes keywords and names reserved by SQLAlchemy or Pydantic', () => {
    expect(safeIdent('from')).toBe('from_');
    expect(safeIdent('metadata')).toBe('metadata_');
    expect(safeIdent('model_config')).toBe('model_config_');
    expect(safeIdent('status')).toBe('status');
  });
});
