/**
 * Counting what the local runtime published (its `events.jsonl`, one EventBridge envelope per line) against what
 * a load client saw acknowledged: the lost and duplicated events of the load-test figure.
 */

/** What the event log holds for a run. */
export interface EventLogCount {
  /** Lines (published events) of the provider. */
  readonly found: number;
  /** Distinct event ids among them. */
  readonly unique: number;
  /** Acknowledged events missing from the log. */
  readonly lost: number;
  /** found - unique: events published more than once. */
  readonly duplicates: number;
  /** Events in the log that the client never saw acknowledged (none expected: every request is awaited). */
  readonly unacknowledged: number;
}

/** Counts `provider`'s events in an events.jsonl (EventBridge envelopes) against the acknowledged ids. */
export function countEventLog(lines: readonly string[], provider: string, acked: ReadonlySet<string>): EventLogCount {
  const seen = new Map<string, number>();
  let found = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const detail = (JSON.parse(line) as { detail?: { provider?: string; eventId?: string } }).detail;
    if (detail?.provider !== provider || typeof detail.eventId !== 'string') continue;
    found++;
    seen.set(detail.eventId, (seen.get(detail.eventId) ?? 0) + 1);
  }
  let lost = 0;
  for (const id of acked) if (!seen.has(id)) lost++;
  let unacknowledged = 0;
  for (const id of seen.keys()) if (!acked.has(id)) unacknowledged++;
  return { found, unique: seen.size, lost, duplicates: found - seen.size, unacknowledged };
}
