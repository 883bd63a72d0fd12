// A CodeWriter that lays out each Python line the way ruff format would
// (see formatLine), so long calls come out split with magic trailing commas.
import { CodeWriter } from '../../emit/code-writer.js';
import { formatLine } from './python.js';

export class PyWriter extends CodeWriter {
  private level = 0;

  override indent(body: () => void): this {
    this.level++;
    try {
      return super.indent(body);
    } finally {
      this.level--;
    }
  }

  override line(text = ''): this {
    if (text === '') return super.line();
    for (const l of formatLine(text, this.level * 4)) super.line(l);
    return this;
  }
}
