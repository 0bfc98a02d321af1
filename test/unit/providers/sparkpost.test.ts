import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventDraft } from '../../../lambda/core/event';
import { PayloadError } from '../../../lambda/errors';
import { sparkpostProvider } from '../../../lambda/providers/sparkpost';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { sparkpostSimulator } from '../../../src/simulate/sparkpost';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const BATCH_TEXT = readFileSync(join(__dirname, '../../fixtures/providers/sparkpost/batch.json'), 'utf8');

function batch(): Array<Record<string, unknown>> {
  return JSON.parse(BATCH_TEXT) as Array<Record<string, unknown>>;
}

function entry(index: number): Record<string, unknown> {
  const found = batch()[index];
  if (!found) throw new Error(`No SparkPost fixture entry ${index}`);
  return found;
}

function request(body: string | Buffer): WebhookRequest {
  return {
    provider: 'sparkpost',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-messagesystems-batch-id': 'b-1' },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    receivedAt: NOW,
  };
}

function normaliseBatch(req: WebhookRequest): EventDraft[] {
  return sparkpostProvider.parse(req).events.flatMap((event) => [...sparkpostProvider.normalise(event, req)]);
}

function normaliseEntry(index: number): readonly EventDraft[] {
  return sparkpostProvider.normalise(entry(index), request('[]'));
}

describe('sparkpostProvider', () => {
  it('is unsigned and takes JSON batches', () => {
    expect(sparkpostProvider.verify).toBeUndefined();
    expect(sparkpostProvider.defaultTimestampToleranceSeconds).toBeUndefined();
    expect(sparkpostProvider.contentTypes).toEqual(['application/json']);
  });

  describe('normalise', () => {
    const message = {
      messageId: '65832150921904138',
      recipient: 'Recipient@Example.com',
      timestamp: '2016-04-18T14:25:07.000Z',
      tags: ['male', 'US'],
      metadata: { customKey: 'customValue' },
    };
    const relay = { messageId: null, recipient: 'recipient@relay.example.com', tags: [], metadata: {} };
    const account = { messageId: null, recipient: null, timestamp: '2016-04-18T14:25:07.000Z' };
    const userAgent =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/63.0.3239.132 Safari/537.36';

    it.each<[number, string, Partial<EventDraft>]>([
      [1, 'injection', { ...message, eventType: 'queued', eventId: '92356927693813801', rejectReason: null }],
      [2, 'delivery', { ...message, eventType: 'delivered', eventId: '92356927693813802' }],
      [
        3,
        'bounce (class 10, invalid recipient)',
        {
          ...message,
          eventType: 'bounced',
          rejectReason: 'invalid',
          description: '000 Example Remote MTA Bounce Message',
          mtaResponse: 'MAIL REFUSED - IP (17.99.99.99) is in black list',
        },
      ],
      [4, 'out_of_band (class 51, spam block)', { eventType: 'bounced', rejectReason: 'spam' }],
      [5, 'delay (class 24, timeout)', { eventType: 'deferred', rejectReason: 'timed_out' }],
      [6, 'policy_rejection', { eventType: 'rejected', rejectReason: 'blocked' }],
      [7, 'spam_complaint', { eventType: 'complained', rejectReason: 'spam' }],
      [8, 'sms_status', { eventType: 'unknown' }],
      [9, 'open', { eventType: 'opened', userAgent, clickUrl: null }],
      [10, 'initial_open', { eventType: 'unknown' }],
      [11, 'amp_open', { eventType: 'opened' }],
      [12, 'amp_initial_open', { eventType: 'unknown' }],
      [13, 'click', { eventType: 'clicked', clickUrl: 'https://example.com/deals', userAgent }],
      [14, 'amp_click', { eventType: 'clicked', clickUrl: 'https://example.com/amp' }],
      [15, 'generation_failure', { eventType: 'failed', description: 'Message generation rejected' }],
      [16, 'generation_rejection', { eventType: 'rejected', rejectReason: 'blocked' }],
      [17, 'list_unsubscribe', { eventType: 'unsubscribed', rejectReason: null }],
      [18, 'link_unsubscribe', { eventType: 'unsubscribed' }],
      [19, 'relay_injection', { ...relay, eventType: 'inbound', eventId: '92356927693813819' }],
      [20, 'relay_rejection', { ...relay, eventType: 'inbound_failed', mtaResponse: '552 5.3.4 message too large' }],
      [21, 'relay_delivery', { ...relay, eventType: 'unknown' }],
      [22, 'relay_tempfail', { ...relay, eventType: 'unknown' }],
      [23, 'relay_permfail', { ...relay, eventType: 'inbound_failed' }],
      [24, 'ab_test_completed', { ...account, eventType: 'unknown', eventId: '0e5cf1fc-cb36-4c39-b695-3651b6ea6563' }],
      [25, 'ab_test_cancelled', { ...account, eventType: 'unknown' }],
      [26, 'ingest success', { ...account, eventType: 'unknown' }],
      [27, 'ingest error', { ...account, eventType: 'unknown', description: 'validation' }],
      [28, 'bounce class 60 (auto-reply)', { eventType: 'autoresponded', rejectReason: 'other' }],
      [29, 'bounce class 90 (unsubscribe)', { eventType: 'unsubscribed', rejectReason: 'unsubscribed' }],
    ])('maps entry %i, %s', (index, _label, expected) => {
      const drafts = normaliseEntry(index);
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ ...expected, raw: entry(index) });
    });

    it('skips the empty {"msys":{}} ping', () => {
      expect(normaliseEntry(0)).toEqual([]);
    });

    it('normalises a whole documented batch, one draft per non-ping entry, ids taken from event_id', () => {
      const drafts = normaliseBatch(request(BATCH_TEXT));
      expect(drafts).toHaveLength(batch().length - 1);
      const expectedIds = batch()
        .slice(1)
        .map((item) => Object.values(item.msys as Record<string, { event_id: string }>)[0]?.event_id);
      expect(drafts.map((draft) => draft.eventId)).toEqual(expectedIds);
    });

    it('gives the same entry twice in a batch the same id, and different entries different ids', () => {
      const [first, again, other] = normaliseBatch(request(JSON.stringify([entry(3), entry(3), entry(13)])));
      expect(again?.eventId).toBe(first?.eventId);
      expect(other?.eventId).not.toBe(first?.eventId);
    });

    it('derives a stable id for an entry without event_id', () => {
      const withoutId = entry(2);
      delete (withoutId.msys as { message_event: Record<string, unknown> }).message_event.event_id;
      const [first, again] = normaliseBatch(request(JSON.stringify([withoutId, withoutId])));
      expect(first?.eventId).toMatch(/^hg-[0-9a-f]{40}$/);
      expect(again?.eventId).toBe(first?.eventId);
    });

    it('maps an event type SparkPost may add later to unknown', () => {
      const future = { msys: { message_event: { type: 'teleport', event_id: '1', timestamp: '1460989507' } } };
      expect(sparkpostProvider.normalise(future, request('[]'))[0]?.eventType).toBe('unknown');
    });
  });

  describe('malformed payloads', () => {
    it.each<[string, string, string]>([
      ['a body that is not JSON', 'msys=1', 'Body is not valid JSON'],
      ['a single object instead of a batch', '{"msys":{}}', 'Expected a JSON array of events'],
    ])('rejects %s with a specific PayloadError', (_label, body, message) => {
      expect(() => sparkpostProvider.parse(request(body))).toThrow(new PayloadError(message));
    });

    it.each<[string, unknown, string]>([
      ['an entry that is not an object', 'delivery', 'Expected each SparkPost event to be a JSON object'],
      ['an entry without msys', { message_event: {} }, 'Missing field msys'],
      [
        'an entry with two event classes',
        { msys: { message_event: { type: 'delivery' }, track_event: { type: 'open' } } },
        'Field msys must hold exactly one event class',
      ],
      [
        'an event class that is not an object',
        { msys: { message_event: 'delivery' } },
        'Field msys.message_event is not an object',
      ],
      ['an event without a type', { msys: { track_event: { event_id: '1' } } }, 'Missing field msys.track_event.type'],
      // Keys the sender chose are never quoted back (issue 11 section 2).
      [
        'an undocumented event class that is not an object',
        { msys: { 'MARKER<script>': 'delivery' } },
        'Field msys.<event class> is not an object',
      ],
      [
        'an undocumented event class without a type',
        { msys: { 'MARKER<script>': { event_id: '1' } } },
        'Missing field msys.<event class>.type',
      ],
    ])('rejects %s with a specific PayloadError', (_label, event, message) => {
      expect(() => sparkpostProvider.normalise(event, request('[]'))).toThrow(new PayloadError(message));
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      injection: 'queued',
      delivery: 'delivered',
      bounce: 'bounced',
      out_of_band: 'bounced',
      delay: 'deferred',
      policy_rejection: 'rejected',
      spam_complaint: 'complained',
      sms_status: 'unknown',
      open: 'opened',
      amp_open: 'opened',
      initial_open: 'unknown',
      amp_initial_open: 'unknown',
      click: 'clicked',
      amp_click: 'clicked',
      generation_failure: 'failed',
      generation_rejection: 'rejected',
      list_unsubscribe: 'unsubscribed',
      link_unsubscribe: 'unsubscribed',
      relay_injection: 'inbound',
      relay_rejection: 'inbound_failed',
      relay_permfail: 'inbound_failed',
      relay_tempfail: 'unknown',
      relay_delivery: 'unknown',
      ab_test_completed: 'unknown',
      ab_test_cancelled: 'unknown',
      success: 'unknown',
      error: 'unknown',
    };

    it('offers one simulation per documented event type', () => {
      expect([...sparkpostSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(Object.entries(expectedTypes))('builds a %s batch that parses and maps to %s', (name, type) => {
      const simulated = sparkpostSimulator.simulate({ eventName: name, now: NOW, uniqueId: 'sim-1' });
      expect(simulated.headers['content-type']).toBe('application/json');
      const drafts = normaliseBatch(request(simulated.body));
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ eventType: type, eventId: expect.stringMatching(/^[0-9]{17}$/), timestamp: NOW.toISOString() });
    });

    it('refuses an event name it cannot build', () => {
      expect(() => sparkpostSimulator.simulate({ eventName: 'nope', now: NOW, uniqueId: 'x' })).toThrow(
        'cannot simulate event "nope"',
      );
    });
  });
});
