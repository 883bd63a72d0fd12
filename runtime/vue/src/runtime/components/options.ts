/** One choice of a select: the value sent to the API and the text shown. */
export interface Option {
  value: string;
  label: string;
}

/** Options from API rows: the id as value, the first non-empty label field as text. */
export function optionsFrom<T extends { id: string }>(rows: T[], labelFields: string[]): Option[] {
  return rows.map((row) => {
    const record = row as unknown as Record<string, unknown>;
    const text = labelFields
      .map((field) => record[field])
      .find((value) => value != null && value !== '');
    return { value: row.id, label: text == null ? row.id : String(text) };
  });
}
