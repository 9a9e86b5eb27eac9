import { parse } from "csv-parse/sync";

/**
 * CSV read back with csv-parse (a parser the app's own CSV, written by Postgres, never passes
 * through), strictly: a quote inside an unquoted field, text after a closing quote, an
 * unterminated quote or rows of different lengths are errors rather than guesses. A byte order
 * mark stays in the first cell, so tests can see whether there was one.
 */
export function parseCsv(text: string): string[][] {
  return parse(text, { bom: false, relax_quotes: false, relax_column_count: false, skip_empty_lines: false }) as string[][];
}
