// YAML through the `yaml` package, never by gluing strings. Output follows
// YAML 1.1 quoting so that Kubernetes (go-yaml v2, YAML 1.1) and Compose read
// every scalar as we meant it: `"yes"`, `"on"`, `"1"` stay strings.
import { Scalar, stringify } from 'yaml';

const OPTIONS = {
  version: '1.1',
  lineWidth: 0,
  indent: 2,
  indentSeq: true,
  aliasDuplicateObjects: false,
} as const;

/** A string that is always written in double quotes (ports like "8080:8080"). */
export function quoted(value: string): Scalar {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

/** One YAML document, with `# ...` header lines when given. */
export function toYaml(value: unknown, header: string[] = []): string {
  return header.map((line) => `# ${line}\n`).join('') + stringify(value, OPTIONS);
}

/** Several documents in one file, separated by `---`. */
export function toYamlDocuments(values: unknown[], header: string[] = []): string {
  return (
    header.map((line) => `# ${line}\n`).join('') +
    values.map((value) => stringify(value, OPTIONS)).join('---\n')
  );
}
