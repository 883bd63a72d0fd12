// Vue template emission in the shape prettier prints it: a start tag on one
// line when it fits in 100 columns, else one attribute per line; elements
// with element children break them onto their own lines.
import { CodeWriter } from '../../emit/code-writer.js';

const WIDTH = 100;
const UNIT = '  ';

/** Escape text for an HTML text node. */
export const escapeText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Escape a static attribute value (double-quoted). */
export const escapeAttr = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** A JS string literal usable inside a double-quoted attribute (single quotes). */
export function jsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/"/g, '&quot;')}'`;
}

export class TemplateWriter {
  readonly out = new CodeWriter(UNIT);
  private depth = 0;

  constructor(private readonly baseDepth = 1) {}

  private get width(): number {
    return (this.baseDepth + this.depth) * UNIT.length;
  }

  line(text: string): this {
    this.out.line(text);
    return this;
  }

  indent(body: () => void): this {
    this.depth++;
    try {
      this.out.indent(body);
    } finally {
      this.depth--;
    }
    return this;
  }

  fits(text: string): boolean {
    return this.width + text.length <= WIDTH;
  }

  /** `<tag attrs>` or `<tag attrs />`, wrapped one attribute per line when too long. */
  open(tag: string, attrs: string[], selfClose = false): this {
    const close = selfClose ? ' />' : '>';
    const single = `<${tag}${attrs.map((a) => ` ${a}`).join('')}${close}`;
    if (attrs.length === 0 || this.fits(single)) return this.line(single);
    this.line(`<${tag}`);
    this.indent(() => {
      for (const attr of attrs) this.line(attr);
    });
    return this.line(selfClose ? '/>' : '>');
  }

  /** An element whose children are written by `body`, each on its own line. */
  element(tag: string, attrs: string[], body: () => void): this {
    this.open(tag, attrs);
    this.indent(body);
    return this.line(`</${tag}>`);
  }

  /** An element with text content only (interpolations allowed). */
  leaf(tag: string, attrs: string[], text: string): this {
    const start = `<${tag}${attrs.map((a) => ` ${a}`).join('')}>`;
    const single = `${start}${text}</${tag}>`;
    if (this.fits(single)) return this.line(single);
    if (this.fits(start)) {
      this.line(start);
      this.indent(() => this.line(text));
      return this.line(`</${tag}>`);
    }
    this.open(tag, attrs);
    this.indent(() => this.line(text));
    return this.line(`</${tag}>`);
  }

  /** A component or element with no content. */
  empty(tag: string, attrs: string[]): this {
    return this.open(tag, attrs, true);
  }

  toString(): string {
    return this.out.toString();
  }
}

/** Assemble a single-file component: script setup, then template. */
export function sfc(script: string, template: TemplateWriter): string {
  const markup = template
    .toString()
    .split('\n')
    .map((line) => (line === '' ? line : `${UNIT}${line}`))
    .join('\n');
  return `<script setup lang="ts">\n${script}</script>\n\n<template>\n${markup}</template>\n`;
}
