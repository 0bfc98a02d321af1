/**
 * Canary events: requests that `hookguard smoke` (and the scheduled canary built on it) send through the real
 * path, provider signature and dedupe included, and that must never reach the user's consumers.
 *
 * The mark: a request header {@link CANARY_HEADER} whose value is an HMAC-SHA256 of the exact body bytes, keyed by a
 * key derived from an accepted Basic credential ({@link canaryTag}). The verifier publishes a marked request's events
 * with Source {@link CANARY_SOURCE} instead of `hookguard`, and every configured route and the archive match
 * `source: ["hookguard"]` only, so canaries reach nothing but the stack's canary queue.
 *
 * Why a real provider event can never be marked by accident: no provider sends a header of that name, and a value
 * that checks out needs the stage's Basic password and covers this very body, so neither a stray header nor a
 * replayed tag on another body counts. A wrong or absent tag leaves the request an ordinary one (never refused for
 * it): the worst a forged tag can do is divert an event its sender already authenticated away from the routes.
 * Pure: node:crypto only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** EventBridge Source of canary events (real events use `hookguard`). */
export const CANARY_SOURCE = 'hookguard.canary';

/** Request header (lower case) that marks a canary request. */
export const CANARY_HEADER = 'x-hookguard-canary';

/** Domain separation: the canary key is never the password itself. */
const CANARY_KEY_CONTEXT = 'hookguard canary v1';

/** The canary key of a Basic password: HMAC-SHA256(password, "hookguard canary v1"). */
function canaryKey(password: string): Buffer {
  return createHmac('sha256', password).update(CANARY_KEY_CONTEXT).digest();
}

/**
 * The value of {@link CANARY_HEADER} for a body: base64url HMAC-SHA256 of the exact body bytes under the canary key
 * of `password` (the stage's current Basic password).
 *
 * @example
 * headers[CANARY_HEADER] = canaryTag(credential.password, body);
 */
export function canaryTag(password: string, body: Uint8Array): string {
  return createHmac('sha256', canaryKey(password)).update(body).digest('base64url');
}

/**
 * Whether a request is a canary: its {@link CANARY_HEADER} is the tag of its body under one of the accepted
 * passwords. Compared in constant time; a malformed or absent header is simply not a canary.
 */
export function isCanaryRequest(
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
  passwords: readonly string[],
): boolean {
  const presented = headers[CANARY_HEADER];
  if (presented === undefined || !/^[A-Za-z0-9_-]{43}$/.test(presented)) return false;
  const given = Buffer.from(presented, 'base64url');
  let match = false;
  for (const password of passwords) {
    const expected = createHmac('sha256', canaryKey(password)).update(body).digest();
    // Every password is checked, so the time taken does not say which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
  }
  return match;
}

/** The EventBridge pattern of the stack's canary destination: canary events only. */
export const CANARY_EVENT_PATTERN = { source: [CANARY_SOURCE] } as const;

/**
 * Recipient of the scheduled canary's events (`lambda/core/scheduled-canary.ts`); `hookguard smoke` uses
 * `canary@hookguard.invalid`. `.invalid` is reserved (RFC 2606): no real message is ever addressed to it. It tells the
 * scheduled canary's events apart from smoke runs' on the bus, so each reader has a queue of its own.
 */
export const SCHEDULED_CANARY_RECIPIENT = 'scheduled-canary@hookguard.invalid';

/** The EventBridge pattern of the scheduled canary's queue: canary events addressed to its recipient only. */
export const SCHEDULED_CANARY_EVENT_PATTERN = {
  source: [CANARY_SOURCE],
  detail: { recipient: [SCHEDULED_CANARY_RECIPIENT] },
} as const;

/** What identifies a published event (its dedupe key's parts). */
export interface CanaryEventIdentity {
  readonly provider: string;
  readonly eventId: string;
  readonly recipient: string | null;
}

/** The identity of a canary event on the bus, as the dedupe key has it: `<provider>#<eventId>#<recipient>`. */
export function canaryEventKey(event: CanaryEventIdentity): string {
  return `${event.provider}#${event.eventId}#${event.recipient ?? '-'}`;
}
