/**
 * The local event bus: an {@link EventBusPort} that behaves like EventBridge's PutEvents for the pipeline (at most
 * 10 entries, per-entry failures reported, never thrown) and then does what the stack's rules do: every event is
 * appended, as the full EventBridge envelope, to the events file, and each route whose pattern matches delivers it
 * to its local target.
 */
import { randomUUID } from 'node:crypto';
import { entrySizeOf, MAX_ENTRY_BYTES } from '../../lambda/core/dedupe-publish';
import type { BusEntry, EventBusPort, Logger, PutEventsResult } from '../../lambda/ports';
import { silentLogger } from '../../lambda/ports';
import type { EventMatcher } from './event-pattern';
import type { JsonLinesFile } from './json-lines-file';

/** PutEvents takes at most 10 entries per call. */
export const MAX_ENTRIES_PER_PUT = 10;

/** An event as EventBridge delivers it to rule targets (and as the events file stores it). */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 UTC to the second, as EventBridge writes it. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** Where a route delivers matching events. */
export interface RouteDestination {
  /** For start-up output, e.g. `file .hookguard/routes/suppression.jsonl`. */
  readonly description: string;
  /** Delivers one event; rejections are logged by the bus, never passed to the publisher. */
  deliver(envelope: EventEnvelope): Promise<void>;
  /** Finishes pending deliveries and releases resources. */
  close(): Promise<void>;
}

/** One route: the compiled pattern of an EventBridge rule and its local target. */
export interface LocalRoute {
  readonly name: string;
  readonly matches: EventMatcher;
  readonly destination: RouteDestination;
}

/** Options of {@link LocalEventBus}. */
export interface LocalEventBusOptions {
  /** Every accepted event's envelope is appended here before the put is acknowledged. */
  readonly eventsFile: JsonLinesFile;
  readonly routes: readonly LocalRoute[];
  /** Envelope `account` (the stage's account, or twelve zeros). */
  readonly account: string;
  /** Envelope `region`. */
  readonly region: string;
  /** Told about each published envelope and the routes it matched (the runtime's console output). */
  readonly onPublished?: (envelope: EventEnvelope, routes: readonly string[]) => void;
  readonly logger?: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default randomUUID */
  readonly newId?: () => string;
}

/** EventBridge's `time`: ISO 8601 without milliseconds. */
export function envelopeTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

type EntryCheck = { readonly detail: unknown } | { readonly errorCode: string; readonly errorMessage: string };

/** Checks one entry as PutEvents does: a source, a detail type, a detail that is a JSON object, within the limit. */
function checkEntry(entry: BusEntry): EntryCheck {
  if (entry.source === '' || entry.detailType === '') {
    return { errorCode: 'InvalidArgument', errorMessage: 'Source and DetailType are required' };
  }
  if (entrySizeOf(entry) > MAX_ENTRY_BYTES) {
    return { errorCode: 'ValidationException', errorMessage: `Entry exceeds ${MAX_ENTRY_BYTES} bytes` };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.detail);
  } catch {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is not valid JSON' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail must be a JSON object' };
  }
  return { detail };
}

/**
 * The local stand-in for the Hookguard event bus and its rules.
 *
 * Ordering and durability: the envelopes of one put are appended to the events file in entry order, in one write,
 * flushed before `putEvents` resolves; puts are serialised by the file. Route deliveries follow (file and console
 * targets before the put resolves, HTTP targets in the background with retries), and a failed delivery never
 * fails the put, exactly as an EventBridge target failure does not fail PutEvents.
 *
 * @example
 * const bus = new LocalEventBus({ eventsFile, routes, account: '000000000000', region: 'us-east-1' });
 * const { failed } = await bus.putEvents([{ source: 'hookguard', detailType: 'email.bounced', detail: '{}' }]);
 */
export class LocalEventBus implements EventBusPort {
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly options: LocalEventBusOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  /**
   * Publishes up to 10 entries. Invalid entries are reported in `failed` with EventBridge's error codes; the others
   * are on the bus (in the events file) when this resolves.
   *
   * @throws {RangeError} for an empty call or more than 10 entries (EventBridge refuses the whole call).
   * @throws the file system's error when the events file cannot be written (nothing of this call is published).
   */
  async putEvents(entries: readonly BusEntry[]): Promise<PutEventsResult> {
    if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_PUT) {
      throw new RangeError(`PutEvents takes 1 to ${MAX_ENTRIES_PER_PUT} entries, got ${entries.length}`);
    }
    const failed: Array<PutEventsResult['failed'][number]> = [];
    const envelopes: EventEnvelope[] = [];
    entries.forEach((entry, index) => {
      const checked = checkEntry(entry);
      if ('errorCode' in checked) {
        failed.push({ index, errorCode: checked.errorCode, errorMessage: checked.errorMessage });
        return;
      }
      envelopes.push({
        version: '0',
        id: this.newId(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: this.options.account,
        time: envelopeTime(entry.time ?? this.now()),
        region: this.options.region,
        resources: [],
        detail: checked.detail,
      });
    });
    await this.options.eventsFile.append(envelopes);
    for (const envelope of envelopes) await this.route(envelope);
    return { failed };
  }

  /** Waits for pending deliveries, then closes every route target and the events file. */
  async close(): Promise<void> {
    await Promise.allSettled(this.options.routes.map((route) => route.destination.close()));
    await this.options.eventsFile.close();
  }

  private async route(envelope: EventEnvelope): Promise<void> {
    const matched = this.options.routes.filter((route) => route.matches(envelope));
    this.options.onPublished?.(
      envelope,
      matched.map((route) => route.name),
    );
    await Promise.all(
      matched.map((route) =>
        route.destination.deliver(envelope).catch((error: unknown) => {
          this.logger.error('Route delivery failed', {
            route: route.name,
            eventId: envelope.id,
            error: error instanceof Error ? error.message : String(error),
          });
        }),
      ),
    );
  }
}
