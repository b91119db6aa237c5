/** Deterministic JSON: sorted keys, Maps as sorted objects, Sets as sorted arrays (R-AUD-4). */

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const inOrder = (keys: ReadonlyArray<string>): boolean => {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
};

// The default sort of strings is by code unit, the same order as `compare`.
const sortedCopy = (keys: string[], get: (k: string) => unknown): Record<string, unknown> => {
  keys.sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = get(k);
  return out;
};

// Copies only what is out of order.
function sortKeys(this: unknown, _key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if (value instanceof Map) {
    const m = value as Map<unknown, unknown>;
    const byKey = new Map([...m].map(([k, v]) => [String(k), v]));
    return sortedCopy([...byKey.keys()], (k) => byKey.get(k));
  }
  if (value instanceof Set) return [...(value as Set<unknown>)].map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).sort();
  const keys = Object.keys(value);
  if (inOrder(keys)) return value;
  const o = value as Record<string, unknown>;
  return sortedCopy(keys, (k) => o[k]);
}

/** Serialises a value to JSON with every object's keys sorted, so equal values give equal bytes. */
export const canonicalJson = (value: unknown): string => JSON.stringify(value, sortKeys) ?? 'null';

/** Compares two strings by code unit, the order every sorted id list uses. */
export const byString = compare;
