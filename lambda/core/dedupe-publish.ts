/**
 * Dedupe and publish: the step that makes delivery to the bus exactly-once from the provider's point of view.
 *
 * Each event's key is claimed in the ledger before it is published (one conditional write), marked completed after
 * EventBridge accepted it, and released when it could not be published, so the provider's retry can publish it.
 * The one window this cannot close: if marking an event completed fails after a successful publish, its claim is
 * left to lapse (releasing it would let a retry publish it twice at once); a provider retry arriving after the lease
 * lapsed publishes it again. Likewise a PutEvents call that times out after EventBridge stored the entries is
 * retried and may store them twice. Consumers that must never see a duplicate dedupe on `detail.eventId`.
 */
import { createHash } from 'node:crypto';
import { PayloadError } from '../errors';
import type { BusEntry, ClaimOutcome, DedupeLedger, EventBusPort, Logger } from '../ports';
import { assertEventContract } from './contract';
import { dateFromText } from './dates';
import { detailTypeOf, EVENT_SOURCE, type NormalisedEvent } from './event';

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/**
 * Largest entry published, bytes. EventBridge's limit is 1 MB (computed over Source, DetailType, Detail, Time and
 * Resources); 1,000,000 stays under it whichever way "MB" is counted.
 */
export const MAX_ENTRY_BYTES = 1_000_000;

/** Keys longer than this (DynamoDB allows 2,048 bytes) are hashed, so a huge recipient can never block a request. */
export const MAX_KEY_BYTES = 1024;

/** Retry, backoff and concurrency knobs of {@link dedupeAndPublish}. */
export interface PublishingOptions {
  /** PutEvents attempts per chunk, the first included. Only entries that failed are sent again. */
  readonly maxAttempts: number;
  /** Backoff before the second attempt, milliseconds; doubles per attempt, with full jitter. */
  readonly baseDelayMs: number;
  /** Upper bound of one backoff delay, milliseconds. */
  readonly maxDelayMs: number;
  /** Ledger calls in flight at once. */
  readonly ledgerConcurrency: number;
  /** PutEvents calls (chunks of 10) in flight at once. */
  readonly publishConcurrency: number;
  /** Waits between attempts; injectable so tests do not wait. */
  readonly sleep: (milliseconds: number) => Promise<void>;
  /** Uniform random number in [0, 1) for the jitter. */
  readonly random: () => number;
}

/**
 * Defaults sized for a 25-second Lambda: at most 4 attempts with 100 ms, 200 ms, 400 ms (jittered) between them,
 * so a chunk gives up well within a second of backoff and the provider's own retry takes over.
 */
export const DEFAULT_PUBLISHING_OPTIONS: PublishingOptions = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  ledgerConcurrency: 10,
  publishConcurrency: 5,
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  random: Math.random,
};

/** What happened to one event of the request. */
export type EventDisposition =
  /** Claimed and accepted by the bus in this request. */
  | 'published'
  /** Already published by an earlier request, or repeated inside this one. */
  | 'duplicate'
  /** Another invocation holds the claim; the provider must retry. */
  | 'in-progress'
  /** Not published (bus or ledger failure); its claim was released so the provider's retry publishes it. */
  | 'failed';

/** One event and its fate. */
export interface EventOutcome {
  /** The event as published (with `raw` dropped if it did not fit an entry). */
  readonly event: NormalisedEvent;
  readonly key: string;
  readonly disposition: EventDisposition;
}

/** Result of {@link dedupeAndPublish}: one outcome per input event, in input order, and the counts. */
export interface DedupePublishResult {
  readonly outcomes: readonly EventOutcome[];
  readonly received: number;
  readonly published: number;
  readonly duplicates: number;
  readonly inProgress: number;
  readonly failed: number;
  /** PutEvents entries sent again after the bus rejected them or the call failed (each re-send counts once). */
  readonly entriesRetried: number;
  /** PutEvents entries the bus never accepted, after the last attempt (their claims were released). */
  readonly entriesFailed: number;
}

/** Everything {@link dedupeAndPublish} needs. */
export interface DedupePublishDeps {
  readonly ledger: DedupeLedger;
  readonly bus: EventBusPort;
  readonly logger: Logger;
  readonly now: () => Date;
  /** How long a completed key is remembered, seconds. */
  readonly dedupeWindowSeconds: number;
  /** How long a claim holds before another invocation may take it over, seconds. */
  readonly claimLeaseSeconds: number;
  readonly options?: Partial<PublishingOptions>;
  /**
   * EventBridge Source of the entries.
   * @default EVENT_SOURCE (`hookguard`); canary requests publish with `hookguard.canary` (`core/canary.ts`)
   */
  readonly source?: string;
}

/**
 * The dedupe key of an event: `<provider>#<eventId>#<recipient or '-'>`. One provider event can fan out to several
 * recipients that share its id, and each of them is its own normalised event. Over {@link MAX_KEY_BYTES} the part
 * after the provider is replaced by its SHA-256, which is as unique and still stable across retries.
 */
export function dedupeKeyOf(event: Pick<NormalisedEvent, 'provider' | 'eventId' | 'recipient'>): string {
  const key = `${event.provider}#${event.eventId}#${event.recipient ?? '-'}`;
  if (Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES) return key;
  return `${event.provider}#sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** Size EventBridge counts for an entry: Source, DetailType, Detail, and 14 bytes for Time. */
export function entrySizeOf(entry: BusEntry): number {
  return (
    Buffer.byteLength(entry.source, 'utf8') +
    Buffer.byteLength(entry.detailType, 'utf8') +
    Buffer.byteLength(entry.detail, 'utf8') +
    (entry.time ? 14 : 0)
  );
}

/**
 * The bus entry of an event: Source `hookguard`, DetailType `email.<type>`, the event as Detail and, as Time, the
 * event's own timestamp when it has a valid one, else when Hookguard received it.
 */
export function toBusEntry(event: NormalisedEvent, source: string = EVENT_SOURCE): BusEntry {
  // Through the guarded date helper: never an Invalid Date, whatever the timestamp says.
  const time = dateFromText(event.timestamp) ?? dateFromText(event.receivedAt);
  return {
    source,
    detailType: detailTypeOf(event.eventType),
    detail: JSON.stringify(event),
    ...(time === null ? {} : { time }),
  };
}

/**
 * Makes an event fit one bus entry. An event over the limit is published without the provider's original object
 * (`raw: null`, `metadata.rawTruncated: true`) rather than not at all: consumers keep every normalised field, and
 * the provider's payload can be fetched from the provider by `messageId`. Still too large without `raw` (a
 * pathological description or metadata), the metadata is dropped too (`metadata: { rawTruncated, metadataTruncated }`).
 *
 * @throws PayloadError when even that does not fit: such an event can never be published.
 */
export function fitToEntry(
  event: NormalisedEvent,
  source: string = EVENT_SOURCE,
): { readonly event: NormalisedEvent; readonly entry: BusEntry } {
  const candidates: NormalisedEvent[] = [
    event,
    { ...event, raw: null, metadata: { ...event.metadata, rawTruncated: true } },
    { ...event, raw: null, metadata: { rawTruncated: true, metadataTruncated: true } },
  ];
  for (const candidate of candidates) {
    const entry = toBusEntry(candidate, source);
    if (entrySizeOf(entry) <= MAX_ENTRY_BYTES) return { event: candidate, entry };
  }
  // The message names Hookguard's limit only: the event id is the sender's text (and may be what made it large).
  throw new PayloadError(
    `An event is too large to publish even without its original payload and metadata (the ${MAX_ENTRY_BYTES}-byte entry limit)`,
  );
}

/** Full-jitter exponential backoff before attempt `attempt + 1`. */
export function backoffDelayMs(
  attempt: number,
  options: Pick<PublishingOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
) {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(options.random() * ceiling);
}

/** Runs `worker` over `items` with at most `limit` calls in flight. */
async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await worker(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
}

/** Log fields of an error that never carry payload content: the name and, for SDK-style errors, the message. */
function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorType: typeof error };
  const cause = error.cause instanceof Error ? { causeName: error.cause.name, causeMessage: error.cause.message } : {};
  return { errorName: error.name, errorMessage: error.message, ...cause };
}

interface Pending {
  readonly key: string;
  readonly event: NormalisedEvent;
  readonly entry: BusEntry;
  claim?: ClaimOutcome;
  delivered: boolean;
}

/**
 * Puts one chunk (at most 10 entries), re-sending only the entries that failed, with backoff between attempts.
 * Marks `delivered` on the entries the bus accepted.
 */
async function putChunk(
  bus: EventBusPort,
  chunk: readonly Pending[],
  options: PublishingOptions,
  logger: Logger,
  counts: { retried: number; failed: number },
) {
  let pending = chunk.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) counts.retried += pending.length;
    let failed: number[];
    try {
      const result = await bus.putEvents(pending.map((index) => (chunk[index] as Pending).entry));
      const failedPositions = new Set(
        result.failed.map((entry) => entry.index).filter((index) => Number.isInteger(index) && index >= 0),
      );
      failed = pending.filter((_, position) => failedPositions.has(position));
      if (result.failed.length > 0) {
        logger.warn('EventBridge rejected some entries', {
          attempt,
          sent: pending.length,
          rejected: failed.length,
          errorCodes: [...new Set(result.failed.map((entry) => entry.errorCode))],
        });
      }
    } catch (error) {
      failed = pending;
      logger.warn('EventBridge PutEvents call failed', { attempt, sent: pending.length, ...errorFields(error) });
    }
    for (const index of pending) {
      if (!failed.includes(index)) (chunk[index] as Pending).delivered = true;
    }
    pending = failed;
    if (pending.length > 0 && attempt >= options.maxAttempts) counts.failed += pending.length;
    if (pending.length === 0 || attempt >= options.maxAttempts) break;
    await options.sleep(backoffDelayMs(attempt, options));
  }
}

/**
 * Dedupes `events` against the ledger and publishes the new ones to the bus, exactly once from the provider's point
 * of view: duplicates within the request collapse onto the first occurrence; keys already completed are duplicates;
 * keys another invocation holds are `in-progress`; events that could not be published have their claims released.
 * A ledger failure while claiming releases every claim this call took and publishes nothing, so a provider retry
 * starts from a clean state.
 *
 * Never throws for a dependency failure: the outcome says which events failed. Throws, before any ledger call,
 * `PayloadError` when an event cannot fit a bus entry and `ContractViolationError` (a Hookguard bug, 500) when an
 * event breaks the documented contract (`contract.ts`).
 *
 * @example
 * const result = await dedupeAndPublish(events, { ledger, bus, logger, now, dedupeWindowSeconds, claimLeaseSeconds });
 * if (result.failed > 0) answer503();
 */
export async function dedupeAndPublish(
  events: readonly NormalisedEvent[],
  deps: DedupePublishDeps,
): Promise<DedupePublishResult> {
  const options: PublishingOptions = { ...DEFAULT_PUBLISHING_OPTIONS, ...deps.options };
  const { ledger, logger } = deps;

  // Fit every event first: an event that can never be published must fail the request before anything is claimed.
  const byKey = new Map<string, Pending>();
  const order: Array<{ pending: Pending; repeat: boolean }> = [];
  for (const original of events) {
    const key = dedupeKeyOf(original);
    const existing = byKey.get(key);
    if (existing) {
      order.push({ pending: existing, repeat: true });
      continue;
    }
    const { event, entry } = fitToEntry(original, deps.source);
    // The one contract check before the bus: a violation fails the whole request before anything is claimed.
    assertEventContract(event);
    if (event !== original) logger.warn('Event too large for one bus entry: published without raw', logFields(event));
    const pending: Pending = { key, event, entry, delivered: false };
    byKey.set(key, pending);
    order.push({ pending, repeat: false });
  }
  const unique = [...byKey.values()];

  const entryCounts = { retried: 0, failed: 0 };
  let ledgerFailure: unknown;
  await forEachConcurrently(unique, options.ledgerConcurrency, async (pending) => {
    if (ledgerFailure !== undefined) return;
    try {
      pending.claim = await ledger.claim(pending.key, deps.now(), deps.claimLeaseSeconds);
    } catch (error) {
      ledgerFailure ??= error;
    }
  });

  const claimed = unique.filter((pending) => pending.claim?.status === 'claimed');
  if (ledgerFailure !== undefined) {
    logger.error('Dedupe ledger failed while claiming events: nothing published, claims released', {
      claimed: claimed.length,
      events: unique.length,
      ...errorFields(ledgerFailure),
    });
  } else {
    const chunks: Pending[][] = [];
    for (let start = 0; start < claimed.length; start += PUT_EVENTS_MAX_ENTRIES) {
      chunks.push(claimed.slice(start, start + PUT_EVENTS_MAX_ENTRIES));
    }
    await forEachConcurrently(chunks, options.publishConcurrency, (chunk) =>
      putChunk(deps.bus, chunk, options, logger, entryCounts),
    );
  }

  await forEachConcurrently(claimed, options.ledgerConcurrency, async (pending) => {
    const claimToken = pending.claim?.status === 'claimed' ? pending.claim.claimToken : undefined;
    if (pending.delivered) {
      try {
        await ledger.complete(pending.key, deps.now(), deps.dedupeWindowSeconds, claimToken);
      } catch (error) {
        // Not released on purpose: the event is on the bus, and a released key would let a retry publish it again.
        logger.error('Published event could not be marked completed; it stays claimed until its lease lapses', {
          ...logFields(pending.event),
          ...errorFields(error),
        });
      }
      return;
    }
    try {
      await ledger.release(pending.key, claimToken);
    } catch (error) {
      logger.error('Claim of an unpublished event could not be released; retries wait for its lease to lapse', {
        ...logFields(pending.event),
        ...errorFields(error),
      });
    }
  });

  const outcomes = order.map(({ pending, repeat }): EventOutcome => {
    const disposition: EventDisposition = repeat
      ? 'duplicate'
      : pending.delivered
        ? 'published'
        : pending.claim?.status === 'duplicate'
          ? 'duplicate'
          : pending.claim?.status === 'in-progress'
            ? 'in-progress'
            : 'failed';
    return { event: pending.event, key: pending.key, disposition };
  });
  const count = (disposition: EventDisposition) =>
    outcomes.filter((outcome) => outcome.disposition === disposition).length;
  return {
    outcomes,
    received: outcomes.length,
    published: count('published'),
    duplicates: count('duplicate'),
    inProgress: count('in-progress'),
    failed: count('failed'),
    entriesRetried: entryCounts.retried,
    entriesFailed: entryCounts.failed,
  };
}

/** Log fields naming an event without personal data (no recipient) and without its payload. */
function logFields(event: NormalisedEvent): Record<string, unknown> {
  return { provider: event.provider, eventId: event.eventId, eventType: event.eventType };
}
