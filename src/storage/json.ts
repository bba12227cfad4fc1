/**
 * JSON columns are text on SQLite and jsonb on PostgreSQL; the pg driver returns jsonb already
 * parsed. Read every JSON column through `parseJson` so callers never see the difference.
 */
export function parseJson<T = unknown>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      return fallback;
    }
  }
  return value as T;
}

/** Serialises a value for a JSON column (both engines accept a JSON string). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}
