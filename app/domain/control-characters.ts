/**
 * Control characters have no place in a form field or a search (and Postgres refuses NUL): they
 * are dropped rather than reported, since nobody types them on purpose. Line breaks and tabs
 * stay. A module of its own, without zod, because the public pages' browser code reaches it.
 */
export function withoutControlCharacters<T>(value: T): T {
  if (typeof value === "string") {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "") as T;
  }
  if (Array.isArray(value)) return value.map(withoutControlCharacters) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withoutControlCharacters(entry)])) as T;
  }
  return value;
}
