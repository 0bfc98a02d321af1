/**
 * Prototype-safe dictionaries. Webhook payloads choose their own event names and keys, and names such as
 * `toString`, `constructor`, `__proto__`, `valueOf` or `hasOwnProperty` are inherited members of every plain
 * object: `TABLE[name]` would find a function instead of "no entry", and `record[key] = value` with `__proto__`
 * would replace the record's prototype instead of adding a key. Every lookup or write keyed by request data goes
 * through these helpers (or a `Map`).
 */

/**
 * The table's own entry for `key`, or undefined when the table has none (inherited members never count).
 *
 * @example
 * ownEntry({ bounce: 'bounced' }, 'toString'); // undefined
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string | null | undefined): T | undefined {
  if (key === null || key === undefined) return undefined;
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * Sets `record[key] = value` as an own, enumerable data property, whatever the key (`__proto__` included), so the
 * key shows up in `Object.keys` and `JSON.stringify` like any other.
 */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A shallow copy of `source`'s own enumerable string keys into a new plain object (or into `target`), every key an
 * own data property. Unlike `Object.assign`, a `__proto__` key is copied as a key, never applied as a prototype.
 */
export function copyOwn(
  source: Readonly<Record<string, unknown>>,
  target: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const key of Object.keys(source)) setOwn(target, key, source[key]);
  return target;
}
