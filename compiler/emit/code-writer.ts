// Emit code through a writer that owns indentation (Langium-style), never by
// gluing strings with hand-made spaces: Python and YAML punish that.
export class CodeWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  constructor(private readonly unit = '    ') {}

  /** Write one line at the current indentation; no argument writes a blank line. */
  line(text = ''): this {
    this.lines.push(text === '' ? '' : this.unit.repeat(this.depth) + text);
    return this;
  }

  /** Write several lines, each at the current indentation. */
  lines_(texts: Iterable<string>): this {
    for (const text of texts) this.line(text);
    return this;
  }

  /** Write `header`, then `body` one level deeper, then `footer` if given. */
  block(header: string | undefined, body: () => void, footer?: string): this {
    if (header !== undefined) this.line(header);
    this.indent(body);
    if (footer !== undefined) this.line(footer);
    return this;
  }

  indent(body: () => void): this {
    this.depth++;
    try {
      body();
    } finally {
      this.depth--;
    }
    return this;
  }

  /** Append pre-rendered multi-line text, re-indented to the current depth. */
  text(text: string): this {
    for (const l of text.replace(/\n$/, '').split('\n')) this.line(l);
    return this;
  }

  /** Ensure exactly `count` blank lines before the next line (no leading blanks). */
  blank(count = 1): this {
    let trailing = 0;
    for (let i = this.lines.length - 1; i >= 0 && this.lines[i] === ''; i--) trailing++;
    if (this.lines.length === 0) return this;
    for (; trailing < count; trailing++) this.lines.push('');
    return this;
  }

  toString(): string {
    const out = [...this.lines];
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out.join('\n') + '\n';
  }
}

/** Join items with a separator, dropping empty ones (joinToNode-style). */
export function joinNonEmpty(
  items: Iterable<string | undefined | false>,
  separator: string,
): string {
  const kept: string[] = [];
  for (const item of items) if (item) kept.push(item);
  return kept.join(separator);
}
