/**
 * The event bus port on Amazon EventBridge: one PutEvents call per `putEvents`.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PUT_EVENTS_MAX_ENTRIES } from '../core/dedupe-publish';
import { DependencyError } from '../errors';
import type { BusEntry, EventBusPort, PutEventsResult } from '../ports';

/** Options of {@link EventBridgeBus}. */
export interface EventBridgeBusOptions {
  readonly client: EventBridgeClient;
  /** Name or ARN of the bus. */
  readonly eventBusName: string;
}

/**
 * {@link EventBusPort} on EventBridge. PutEvents answers HTTP 200 even when some entries failed, with
 * `FailedEntryCount` and a per-entry `ErrorCode`; the SDK does not throw then, so each entry's result is mapped to
 * `failed`. An entry counts as delivered only when EventBridge returned an `EventId` for it and no error: a
 * response that does not account for an entry is never reported as success.
 *
 * @example
 * const bus = new EventBridgeBus({ client: new EventBridgeClient({}), eventBusName: 'hookguard-dev' });
 * const { failed } = await bus.putEvents([{ source: 'hookguard', detailType: 'email.delivered', detail: '{}' }]);
 */
export class EventBridgeBus implements EventBusPort {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;

  constructor(options: EventBridgeBusOptions) {
    if (options.eventBusName.trim() === '') throw new RangeError('eventBusName must not be empty');
    this.client = options.client;
    this.eventBusName = options.eventBusName;
  }

  /** Puts up to 10 entries in one call. Throws `DependencyError` when the call itself fails. */
  async putEvents(entries: readonly BusEntry[]): Promise<PutEventsResult> {
    if (entries.length === 0) return { failed: [] };
    if (entries.length > PUT_EVENTS_MAX_ENTRIES) {
      throw new RangeError(`PutEvents takes at most ${PUT_EVENTS_MAX_ENTRIES} entries, got ${entries.length}`);
    }
    let resultEntries: ReadonlyArray<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
    try {
      const output = await this.client.send(
        new PutEventsCommand({
          Entries: entries.map((entry) => ({
            EventBusName: this.eventBusName,
            Source: entry.source,
            DetailType: entry.detailType,
            Detail: entry.detail,
            ...(entry.time ? { Time: entry.time } : {}),
          })),
        }),
      );
      resultEntries = output.Entries ?? [];
    } catch (error) {
      throw new DependencyError('EventBridge PutEvents failed', { cause: error });
    }
    const failed: Array<PutEventsResult['failed'][number]> = [];
    entries.forEach((_, index) => {
      const result = resultEntries[index];
      if (result?.ErrorCode) {
        failed.push({
          index,
          errorCode: result.ErrorCode,
          ...(result.ErrorMessage ? { errorMessage: result.ErrorMessage } : {}),
        });
      } else if (!result?.EventId) {
        failed.push({
          index,
          errorCode: 'MissingResult',
          errorMessage: 'EventBridge returned no result for the entry',
        });
      }
    });
    return { failed };
  }
}
