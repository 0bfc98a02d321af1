/**
 * The event as EventBridge delivers (and archives) it: the envelope around the `Detail` Hookguard puts, with the
 * fields and value shapes of EventBridge's event structure reference
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html): `version` "0", a UUID `id`,
 * `detail-type`, `source`, a 12-digit `account`, an ISO `time` without milliseconds, `region`, `resources` (empty:
 * Hookguard names none) and `detail` (the JSON object). The cost model prices the archive by these bytes.
 */
import type { BusEntry } from '../../lambda/ports';

/** The JSON text of `entry` as EventBridge would deliver it; `sequence` makes the event id distinct. */
export function archivedEventJson(entry: BusEntry, sequence = 0, region = 'us-east-1'): string {
  const time = (entry.time ?? new Date(Date.UTC(2026, 0, 1))).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return JSON.stringify({
    version: '0',
    id: `6a7e8feb-b491-4cf7-a9f1-${sequence.toString(16).padStart(12, '0')}`,
    'detail-type': entry.detailType,
    source: entry.source,
    account: '123456789012',
    time,
    region,
    resources: [],
    detail: JSON.parse(entry.detail) as unknown,
  });
}
