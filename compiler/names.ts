// Name conversions shared by the analysis passes and every backend, so all
// targets agree on tables, columns and paths. Pluralization uses `pluralize`.
import indefinite from 'indefinite';
import pluralize from 'pluralize';

/** Split camelCase / PascalCase / snake_case / kebab-case into lower-case words. */
export function words(name: string): string[] {
  return cachedWords(name).slice();
}

// Every pass and backend converts the same few thousand names again and
// again; the split (four regexes) is cached by name. The cached arrays are
// never handed out (callers get copies). Cleared when large, for long watch runs.
const wordsCache = new Map<string, readonly string[]>();
function cachedWords(name: string): readonly string[] {
  let ws = wordsCache.get(name);
  if (ws === undefined) {
    ws = name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .split(/[^A-Za-z0-9]+/)
      .filter((w) => w.length > 0)
      .map((w) => w.toLowerCase());
    if (wordsCache.size >= 50_000) wordsCache.clear();
    wordsCache.set(name, ws);
  }
  return ws;
}

export const snake = (name: string): string => cachedWords(name).join('_');
export const kebab = (name: string): string => cachedWords(name).join('-');
export const camel = (name: string): string =>
  cachedWords(name)
    .map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
export const pascal = (name: string): string =>
  cachedWords(name)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** Pluralize the last word only: `OrderLine` -> `order_lines`, `Person` -> `people`. */
export function pluralWords(name: string): string[] {
  return cachedPluralWords(name).slice();
}

// pluralize walks a long rule list per call; the front end and every backend
// ask for the same names, so the result is cached like `words`.
const pluralCache = new Map<string, readonly string[]>();
function cachedPluralWords(name: string): readonly string[] {
  let ws = pluralCache.get(name);
  if (ws === undefined) {
    const out = cachedWords(name).slice();
    if (out.length > 0) out[out.length - 1] = pluralize.plural(out[out.length - 1]!);
    ws = out;
    if (pluralCache.size >= 50_000) pluralCache.clear();
    pluralCache.set(name, ws);
  }
  return ws;
}

export const pluralSnake = (name: string): string => cachedPluralWords(name).join('_');
export const pluralKebab = (name: string): string => cachedPluralWords(name).join('-');

/** Human label: `displayName` -> `Display name`. */
export function humanize(name: string): string {
  const text = cachedWords(name).join(' ');
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

/** The noun with its indefinite article: "an order", "a user", "an hour" (package `indefinite`). */
export function withArticle(noun: string): string {
  return indefinite(noun);
}
