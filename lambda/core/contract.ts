/**
 * The event contract, checked in one place: every event goes through {@link assertEventContract} right before its
 * bus entry is built (in `dedupeAndPublish`, before anything is claimed or published). Provider modules are
 * written against the contract, so a violation is a bug in Hookguard, never the sender's fault.
 *
 * What the request gets then: 500 `internal_error` ({@link ContractViolationError}), nothing of the request is
 * claimed or published, and the log names the provider, the event id and the violated fields (never their
 * values). Not a 400: the sender did nothing wrong, and the provider's retries keep the events until the fix is
 * deployed. Never a silent drop, and never a publish of a broken detail, which every consumer would trip over.
 */
import { HookguardError } from '../errors';
import { ISO_UTC_FORMAT } from './dates';
import { EVENT_TYPES, type NormalisedEvent, REJECT_REASONS, SCHEMA_VERSION } from './event';
import { isProviderId } from './provider-ids';

/** The documented keys of `detail`, in contract order. */
export const CONTRACT_KEYS = [
  'schemaVersion',
  'eventType',
  'provider',
  'eventId',
  'messageId',
  'recipient',
  'timestamp',
  'rejectReason',
  'description',
  'mtaResponse',
  'tags',
  'metadata',
  'clickUrl',
  'userAgent',
  'receivedAt',
  'raw',
] as const satisfies ReadonlyArray<keyof NormalisedEvent>;

/** An event about to be published broke the documented contract: a Hookguard bug, answered 500. */
export class ContractViolationError extends HookguardError {
  readonly statusCode = 500;
  readonly code = 'internal_error';
  constructor(
    /** The contract fields that are wrong (names only). */
    readonly fields: readonly string[],
  ) {
    super(`A normalised event violates the event contract (fields: ${fields.join(', ')})`);
  }
}

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const REJECT_REASON_SET: ReadonlySet<string> = new Set(REJECT_REASONS);

const isStringOrNull = (value: unknown) => value === null || typeof value === 'string';
/** A JSON object: not null, not an array, and a plain prototype (a replaced prototype hides keys from JSON). */
const isPlainObject = (value: unknown) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * The contract fields `event` gets wrong: missing or extra keys, wrong types, a type outside the vocabulary. Empty
 * when the event is a valid `detail`.
 */
export function contractViolations(event: unknown): string[] {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return ['detail'];
  const record = event as Record<string, unknown>;
  const problems: string[] = [];
  const has = (key: string) => Object.hasOwn(record, key) && record[key] !== undefined;
  for (const key of CONTRACT_KEYS) if (!has(key)) problems.push(key);
  const documented = new Set<string>(CONTRACT_KEYS);
  if (Object.keys(record).some((key) => !documented.has(key))) problems.push('(undocumented keys)');
  const check = (key: (typeof CONTRACT_KEYS)[number], ok: (value: unknown) => boolean) => {
    if (has(key) && !ok(record[key])) problems.push(key);
  };
  check('schemaVersion', (value) => value === SCHEMA_VERSION);
  check('eventType', (value) => typeof value === 'string' && EVENT_TYPE_SET.has(value));
  check('provider', isProviderId);
  check('eventId', (value) => typeof value === 'string' && value !== '');
  check('messageId', isStringOrNull);
  check('recipient', isStringOrNull);
  check('timestamp', (value) => value === null || (typeof value === 'string' && ISO_UTC_FORMAT.test(value)));
  check('rejectReason', (value) => value === null || (typeof value === 'string' && REJECT_REASON_SET.has(value)));
  check('description', isStringOrNull);
  check('mtaResponse', isStringOrNull);
  check('tags', (value) => Array.isArray(value) && value.every((tag) => typeof tag === 'string'));
  check('metadata', isPlainObject);
  check('clickUrl', isStringOrNull);
  check('userAgent', isStringOrNull);
  check('receivedAt', (value) => typeof value === 'string' && ISO_UTC_FORMAT.test(value));
  return problems;
}

/**
 * Throws when `event` is not a valid `detail`.
 *
 * @throws ContractViolationError naming the violated fields
 */
export function assertEventContract(event: NormalisedEvent): void {
  const problems = contractViolations(event);
  if (problems.length > 0) throw new ContractViolationError(problems);
}
