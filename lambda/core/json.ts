/**
 * JSON from requests, with Hookguard's two input rules applied once, here:
 *
 * - **UTF-8 only.** JSON exchanged between systems must be UTF-8 (RFC 8259 section 8.1), and form bodies carry
 *   UTF-8 too. A body that is not valid UTF-8 is refused with 400 `invalid_payload` instead of being decoded
 *   lossily (U+FFFD) and published altered. The pipeline applies {@link requireUtf8} to every body before any
 *   provider parses it.
 * - **At most {@link MAX_JSON_DEPTH} levels of nesting.** Serialising, hashing (derived event ids) and sizing an
 *   event all walk it recursively; a few thousand `[` (about 10 KB of body) would overflow the stack there, which
 *   is a 500 and makes the provider retry a poison request for days. Real provider payloads nest fewer than 10
 *   levels, so anything deeper is refused with a 400 that names the limit, checked right after parsing by one
 *   iterative scan (never recursion). Publishing such an event with `raw` trimmed was the alternative; it was not
 *   chosen because the deep part can sit in fields Hookguard maps (metadata) as well as in `raw`, and a payload no
 *   provider sends is better refused outright than half published.
 */
import { isUtf8 } from 'node:buffer';
import { PayloadError } from '../errors';

/** Deepest nesting of arrays and objects accepted in a JSON value (the outermost container is level 1). */
export const MAX_JSON_DEPTH = 64;

/** The message of a body refused by {@link requireUtf8}. */
export const NOT_UTF8_MESSAGE = 'Body is not valid UTF-8 (JSON and form bodies must be UTF-8, RFC 8259)';

/** The message of a value refused for its nesting. */
export const TOO_DEEP_MESSAGE = `JSON nests deeper than ${MAX_JSON_DEPTH} levels, Hookguard's limit`;

/** A JSON value nests deeper than {@link MAX_JSON_DEPTH}: a 400 `invalid_payload` that names the limit. */
export class NestingLimitError extends PayloadError {}

/**
 * Refuses bytes that are not valid UTF-8.
 *
 * @throws PayloadError (400 `invalid_payload`)
 */
export function requireUtf8(body: Uint8Array): void {
  if (!isUtf8(body)) throw new PayloadError(NOT_UTF8_MESSAGE);
}

/**
 * The deepest nesting of `[`/`{` in JSON text, counted outside strings by one linear scan. Stops counting (and
 * returns) as soon as `stopAbove` is exceeded.
 */
export function jsonNestingDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c /* \ */) index += 1;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) {
      depth -= 1;
    }
  }
  return deepest;
}

/**
 * Parses JSON text from a request: a `PayloadError` naming the problem (never quoting the text) when it is not
 * JSON or nests deeper than {@link MAX_JSON_DEPTH}.
 *
 * @param what how the message names the text, e.g. `Body` or `Field mandrill_events`
 */
export function parseJsonText(text: string, what = 'Body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PayloadError(`${what} is not valid JSON`);
  }
  if (typeof value === 'object' && value !== null && jsonNestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new NestingLimitError(what === 'Body' ? TOO_DEEP_MESSAGE : `${what}: ${TOO_DEEP_MESSAGE}`);
  }
  return value;
}

/**
 * Parses a JSON body: UTF-8 ({@link requireUtf8}), then {@link parseJsonText}.
 *
 * @throws PayloadError
 */
export function parseJsonBytes(body: Uint8Array): unknown {
  requireUtf8(body);
  return parseJsonText(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
}

/**
 * The nesting depth of an already built value, measured iteratively (an explicit stack, no recursion), stopping as
 * soon as `stopAbove` is exceeded (so even a cyclic value ends). Used where a value did not come from
 * {@link parseJsonText}.
 */
export function valueNestingDepth(value: unknown, stopAbove: number): number {
  let deepest = 0;
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof current !== 'object' || current === null) continue;
    const level = depth + 1;
    if (level > deepest) {
      deepest = level;
      if (deepest > stopAbove) return deepest;
    }
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: level });
    }
  }
  return deepest;
}
