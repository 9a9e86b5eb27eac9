/**
 * Public pages may be cached by a CDN for a few seconds and served stale while it refreshes,
 * so a spike of readers costs the database almost nothing. Browsers must not do the same:
 * a person who just confirmed has to see the new count at once, and Chrome honours
 * stale-while-revalidate in Cache-Control. So browsers get max-age=0 (always revalidate),
 * and the CDN-only directives go in CDN-Cache-Control (RFC 9213), which browsers ignore.
 */
export const publicPageCacheHeaders = {
  "Cache-Control": "public, max-age=0, s-maxage=10",
  "CDN-Cache-Control": "max-age=10, stale-while-revalidate=60",
} as const;

/** Pages that depend on a secret in the URL or on the visitor must never be stored anywhere. */
export const privatePageCacheControl = "private, no-store";

/**
 * The fields of a submitted form, or null when the body is not a form at all (wrong content
 * type, broken encoding): that is the client's mistake and gets a 400, not a 500.
 */
export async function readFormFields(request: Request): Promise<Map<string, string> | null> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return null;
  }
  const fields = new Map<string, string>();
  for (const [key, value] of form) if (typeof value === "string") fields.set(key, value);
  return fields;
}

/**
 * Repeated rows of a form, named `prefix.<index>.<column>` (e.g. phones.0.label), in index
 * order; missing cells are empty strings. At most `maxRows`, so a crafted form cannot make us
 * build a huge array.
 */
export function readIndexedRows<Column extends string>(fields: Map<string, string>, prefix: string, columns: readonly Column[], maxRows = 1000): Record<Column, string>[] {
  const indexes = new Set<number>();
  for (const key of fields.keys()) {
    const match = new RegExp(`^${prefix}\\.(\\d{1,4})\\.`).exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .slice(0, maxRows)
    .map((index) => Object.fromEntries(columns.map((column) => [column, fields.get(`${prefix}.${index}.${column}`) ?? ""])) as Record<Column, string>);
}
