/**
 * Adversarial mutations of valid provider payloads (fast-check arbitraries): the classes of issue 11 section 1 -
 * deep nesting, numbers outside the Date range, `Object.prototype` names as event names and keys, unicode, nulls,
 * wrong types, duplicate keys, invalid UTF-8 - applied to a payload that is otherwise exactly what the provider sends.
 * A marker string rides in injected keys and values so tests can prove no answer or log quotes the request.
 */
import fc from 'fast-check';

/** Never allowed in a response body or a log message. */
export const HOSTILE_MARKER = 'HGMARK7q';

/** Names every plain object inherits. */
export const PROTOTYPE_NAMES = [
  'toString',
  'constructor',
  '__proto__',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'toLocaleString',
  '__defineGetter__',
] as const;

/** Numbers that pass `Number.isFinite` but not a Date, and their neighbours. */
export const HOSTILE_NUMBERS = [
  9007199254740991, -9007199254740991, 99999999999999, 8.64e15 + 1, 1e21, 1e308, -1, 0, -0, 0.5, 253402300800,
] as const;

const hostileString = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom('99999999999999', '9007199254740991', '-1', '', ' ', '+275760-09-13T00:00:00.000Z', '1e400'),
  fc.string({ unit: 'grapheme', maxLength: 12 }).map((text) => `${HOSTILE_MARKER}${text}`),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

const hostileKey = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), hostileString);

const hostileLeaf = fc.oneof(
  hostileString,
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);

/** A small JSON value built from hostile keys and leaves. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileLeaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc
      .array(fc.tuple(hostileKey, tie('value')), { maxLength: 3 })
      .map((entries) => {
        const object: Record<string, unknown> = {};
        for (const [key, value] of entries) {
          Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
        }
        return object;
      }),
  ),
})).value;

/** One structural or textual change to a payload. */
export type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'add-key'; readonly at: number; readonly key: string; readonly value: unknown }
  | { readonly kind: 'prototype-name'; readonly at: number; readonly name: string }
  | { readonly kind: 'deep'; readonly at: number; readonly levels: number }
  | { readonly kind: 'duplicate-key'; readonly at: number; readonly key: string; readonly value: unknown }
  | { readonly kind: 'invalid-utf8'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'number-literal'; readonly at: number; readonly literal: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('add-key' as const), at: fc.nat(), key: hostileKey, value: hostileValue }),
  fc.record({ kind: fc.constant('prototype-name' as const), at: fc.nat(), name: fc.constantFrom(...PROTOTYPE_NAMES) }),
  fc.record({ kind: fc.constant('prototype-name' as const), at: fc.nat(), name: fc.constantFrom(...PROTOTYPE_NAMES) }),
  fc.record({ kind: fc.constant('deep' as const), at: fc.nat(), levels: fc.constantFrom(65, 200, 5000, 20000) }),
  fc.record({ kind: fc.constant('duplicate-key' as const), at: fc.nat(), key: hostileKey, value: hostileValue }),
  fc.record({
    kind: fc.constant('invalid-utf8' as const),
    at: fc.nat(),
    bytes: fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
  }),
  fc.record({
    kind: fc.constant('number-literal' as const),
    at: fc.nat(),
    literal: fc.constantFrom('1e999', '-1e999', '9'.repeat(400), '9007199254740993', '99999999999999.5'),
  }),
);

interface Slot {
  readonly container: Record<string, unknown> | unknown[];
  readonly key: string | number;
}

/** Every (container, key) slot of a JSON value, breadth-first, without recursion. */
function slotsOf(root: unknown): Slot[] {
  const slots: Slot[] = [];
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const node = queue.shift();
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        slots.push({ container: node, key: index });
        queue.push(child);
      });
    } else if (typeof node === 'object' && node !== null) {
      for (const key of Object.keys(node)) {
        slots.push({ container: node as Record<string, unknown>, key });
        queue.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return slots;
}

function setSlot(slot: Slot, value: unknown): void {
  if (Array.isArray(slot.container)) slot.container[slot.key as number] = value;
  else Object.defineProperty(slot.container, slot.key, { value, enumerable: true, writable: true, configurable: true });
}

const DEEP_PLACEHOLDER = '__HG_DEEP_PLACEHOLDER__';
const NUMBER_PLACEHOLDER = '__HG_NUMBER_PLACEHOLDER__';

/** Positions of `{` outside strings in JSON text. */
function objectOpenings(text: string): number[] {
  const positions: number[] = [];
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{') positions.push(index);
  }
  return positions;
}

/**
 * Applies `mutations` to the JSON payload `payload` (not changed) and returns the new payload bytes. Structural
 * mutations pick their target slot by `at` modulo the number of slots; textual ones act on the serialised text.
 */
export function applyMutations(payload: unknown, mutations: readonly Mutation[]): Buffer {
  const root: unknown = structuredClone(payload);
  const deep: number[] = [];
  const literals: string[] = [];
  for (const change of mutations) {
    const slots = slotsOf(root);
    const slot = slots.length === 0 ? undefined : slots[change.at % slots.length];
    switch (change.kind) {
      case 'replace':
        if (slot) setSlot(slot, structuredClone(change.value));
        break;
      case 'add-key': {
        const objects = slots.map((entry) => entry.container).filter((container) => !Array.isArray(container));
        const target = objects.length === 0 ? root : objects[change.at % objects.length];
        if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
          setSlot({ container: target as Record<string, unknown>, key: change.key }, structuredClone(change.value));
        }
        break;
      }
      case 'prototype-name': {
        const strings = slots.filter((entry) => typeof (entry.container as Record<string, unknown>)[entry.key] === 'string');
        const target = strings.length === 0 ? slot : strings[change.at % strings.length];
        if (target) setSlot(target, change.name);
        break;
      }
      case 'deep':
        if (slot) {
          setSlot(slot, `${DEEP_PLACEHOLDER}${deep.length}`);
          deep.push(change.levels);
        }
        break;
      case 'number-literal':
        if (slot) {
          setSlot(slot, `${NUMBER_PLACEHOLDER}${literals.length}`);
          literals.push(change.literal);
        }
        break;
      default:
        break;
    }
  }
  let text = JSON.stringify(root) ?? 'null';
  deep.forEach((levels, index) => {
    text = text.replace(`"${DEEP_PLACEHOLDER}${index}"`, `${'['.repeat(levels)}${']'.repeat(levels)}`);
  });
  literals.forEach((literal, index) => {
    text = text.replace(`"${NUMBER_PLACEHOLDER}${index}"`, literal);
  });
  let bytes = Buffer.from(text, 'utf8');
  for (const change of mutations) {
    if (change.kind === 'duplicate-key') {
      const openings = objectOpenings(bytes.toString('utf8'));
      if (openings.length === 0) continue;
      const utf8Text = bytes.toString('utf8');
      const at = openings[change.at % openings.length] as number;
      const pair = `${JSON.stringify(change.key)}:${JSON.stringify(change.value) ?? 'null'},`;
      bytes = Buffer.from(`${utf8Text.slice(0, at + 1)}${pair}${utf8Text.slice(at + 1)}`, 'utf8');
    }
  }
  for (const change of mutations) {
    if (change.kind === 'invalid-utf8') {
      const at = change.at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
    }
  }
  return bytes;
}
