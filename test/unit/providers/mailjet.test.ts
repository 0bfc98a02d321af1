import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventDraft } from '../../../lambda/core/event';
import { PayloadError } from '../../../lambda/errors';
import { mailjetProvider } from '../../../lambda/providers/mailjet';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { mailjetSimulator } from '../../../src/simulate/mailjet';

const NOW = new Date('2026-11-20T12:00:00.000Z');
/** Raw text on purpose: `MessageID` values are 64-bit integers a JSON number cannot hold, as in Mailjet's bodies. */
const GROUPED_TEXT = readFileSync(join(__dirname, '../../fixtures/providers/mailjet/grouped.json'), 'utf8');

function request(body: string | Buffer): WebhookRequest {
  return {
    provider: 'mailjet',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    receivedAt: NOW,
  };
}

function normaliseBody(body: string | Buffer): EventDraft[] {
  const req = request(body);
  return mailjetProvider.parse(req).events.flatMap((event) => [...mailjetProvider.normalise(event, req)]);
}

/** One event of the grouped fixture as Mailjet sends it when "group events" is off: the bare object's text. */
function singleEventText(index: number): string {
  const drafts = normaliseBody(GROUPED_TEXT);
  const raw = drafts[index]?.raw as Record<string, unknown> | undefined;
  if (!raw) throw new Error(`No Mailjet fixture event ${index}`);
  return JSON.stringify(raw).replace(/"MessageID":"(\d+)"/, '"MessageID":$1');
}

describe('mailjetProvider', () => {
  it('is unsigned and takes JSON', () => {
    expect(mailjetProvider.verify).toBeUndefined();
    expect(mailjetProvider.defaultTimestampToleranceSeconds).toBeUndefined();
    expect(mailjetProvider.contentTypes).toEqual(['application/json']);
  });

  describe('normalise', () => {
    it.each<[number, string, Partial<EventDraft>]>([
      [
        0,
        'sent',
        {
          eventType: 'delivered',
          messageId: '19421777835146490',
          recipient: 'api@mailjet.com',
          timestamp: '2015-06-03T12:19:09.000Z',
          mtaResponse: 'sent (250 2.0.0 OK 1433333948 fa5si855896wjc.199 - gsmtp)',
          rejectReason: null,
          tags: [],
          metadata: { CustomID: 'helloworld' },
        },
      ],
      [
        1,
        'open',
        {
          eventType: 'opened',
          messageId: '19421777396190490',
          timestamp: '2015-05-31T20:18:39.000Z',
          userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0',
        },
      ],
      [
        2,
        'click',
        {
          eventType: 'clicked',
          clickUrl: 'https://mailjet.com',
          tags: ['spring-sale'],
          metadata: { order_id: 'A-1001', CustomID: 'helloworld' },
        },
      ],
      [
        3,
        'bounce (hard, user unknown)',
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          description: 'user unknown',
          messageId: '13792286917004336',
          recipient: 'bounce@mailjet.com',
          timestamp: '2015-05-05T07:49:55.000Z',
        },
      ],
      [
        4,
        'bounce (soft, greylisted: Mailjet retries)',
        {
          eventType: 'deferred',
          rejectReason: 'bounced',
          description: '450 4.2.0 Greylisted, try again later',
          messageId: '13792286917004337',
        },
      ],
      [5, 'blocked', { eventType: 'rejected', rejectReason: 'bounced', description: 'user unknown' }],
      [6, 'spam', { eventType: 'complained', rejectReason: 'spam', description: 'JMRPP' }],
      [7, 'unsub', { eventType: 'unsubscribed', rejectReason: null, messageId: '20547674933128000' }],
    ])('maps grouped event %i, %s', (index, _label, expected) => {
      const draft = normaliseBody(GROUPED_TEXT)[index];
      expect(draft).toMatchObject({ eventId: expect.stringMatching(/^hg-[0-9a-f]{40}$/), ...expected });
    });

    it('keeps every digit of a 64-bit MessageID that a JSON number would round', () => {
      const body = '{"event":"open","time":1433103519,"MessageID":13792286917004337,"email":"a@b.c"}';
      expect(String(JSON.parse(body).MessageID)).toBe('13792286917004336');
      const [draft] = normaliseBody(body);
      expect(draft?.messageId).toBe('13792286917004337');
      expect(draft?.raw).toMatchObject({ MessageID: '13792286917004337' });
    });

    it('leaves a MessageID that fits a JSON number untouched, and text inside strings alone', () => {
      const payload = '{"MessageID":19421777835146490123}';
      const body = JSON.stringify({
        event: 'open',
        time: 1433103519,
        MessageID: 4503599627370495,
        email: 'a@b.c',
        Payload: payload,
      });
      const [draft] = normaliseBody(body);
      expect(draft?.messageId).toBe('4503599627370495');
      expect(draft?.raw).toEqual(JSON.parse(body));
      expect(draft?.metadata).toEqual(JSON.parse(payload));
    });

    it('reads a single event (group events off) like the same event in a group', () => {
      const single = normaliseBody(singleEventText(2));
      expect(single).toHaveLength(1);
      expect(single[0]).toEqual(normaliseBody(GROUPED_TEXT)[2]);
    });

    it.each<[string, Record<string, unknown>, string | null]>([
      [
        'a system error Mailjet retries',
        { hard_bounce: false, error_related_to: 'system', error: 'connection issue' },
        'deferred',
      ],
      [
        'a soft bounce (a non-permanent recipient error)',
        { hard_bounce: false, error_related_to: 'recipient', error: 'quota exceeded' },
        'deferred',
      ],
      ['a permanent greylisting', { hard_bounce: true, error_related_to: 'domain', error: 'greylisted' }, 'bounced'],
    ])('classifies a bounce with %s', (_label, fields, type) => {
      const bounce = { event: 'bounce', time: 1430812195, MessageID: 1, email: 'bounce@mailjet.com', ...fields };
      expect(normaliseBody(JSON.stringify(bounce))[0]?.eventType).toBe(type);
    });

    it.each<[string, string, string]>([
      ['bounce', 'bounced', 'bounced'],
      ['blocked', 'rejected', 'blocked'],
    ])('gives a %s without an error code its default reason', (name, type, reason) => {
      const event = { event: name, time: 1430812195, MessageID: 1, email: 'bounce@mailjet.com', hard_bounce: true };
      expect(normaliseBody(JSON.stringify(event))[0]).toMatchObject({ eventType: type, rejectReason: reason });
    });

    it('keeps a Payload that is not a JSON object under its own name', () => {
      const click = { event: 'click', time: 1433334653, MessageID: 1, email: 'a@b.c', Payload: 'campaign-42' };
      expect(normaliseBody(JSON.stringify(click))[0]?.metadata).toEqual({ Payload: 'campaign-42' });
    });

    it('maps an event name Mailjet may add later to unknown', () => {
      expect(normaliseBody('{"event":"teleport","time":1433334653,"MessageID":1}')[0]?.eventType).toBe('unknown');
    });

    it('gives the same event twice the same id, and different events different ids', () => {
      const open = singleEventText(1);
      const drafts = normaliseBody(`[${open},${open},${singleEventText(2)}]`);
      expect(drafts[1]?.eventId).toBe(drafts[0]?.eventId);
      expect(drafts[2]?.eventId).not.toBe(drafts[0]?.eventId);
      const ids = normaliseBody(GROUPED_TEXT).map((draft) => draft.eventId);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('malformed payloads', () => {
    it.each<[string, string, string]>([
      ['a body that is not JSON', 'event=open', 'Body is not valid JSON'],
      ['a JSON number', '42', 'Expected a JSON event object or a JSON array of events'],
    ])('rejects %s with a specific PayloadError', (_label, body, message) => {
      expect(() => mailjetProvider.parse(request(body))).toThrow(new PayloadError(message));
    });

    it.each<[string, string, string]>([
      ['an event that is not an object', '["open"]', 'Expected each Mailjet event to be a JSON object'],
      ['an event without its name', '{"time":1433334653,"MessageID":1}', 'Missing field event'],
    ])('rejects %s with a specific PayloadError', (_label, body, message) => {
      expect(() => normaliseBody(body)).toThrow(new PayloadError(message));
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      sent: 'delivered',
      open: 'opened',
      click: 'clicked',
      bounce: 'bounced',
      blocked: 'rejected',
      spam: 'complained',
      unsub: 'unsubscribed',
    };

    it('offers one simulation per documented event type', () => {
      expect([...mailjetSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(Object.entries(expectedTypes))('builds a %s that parses and maps to %s', (name, type) => {
      const simulated = mailjetSimulator.simulate({ eventName: name, now: NOW, uniqueId: 'sim-1' });
      expect(simulated.headers['content-type']).toBe('application/json');
      const drafts = normaliseBody(simulated.body);
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ eventType: type, recipient: 'api@mailjet.com', timestamp: NOW.toISOString() });
      expect(drafts[0]?.messageId).toMatch(/^\d{17}$/);
      expect(simulated.body.toString()).toMatch(/"MessageID":\d{17},/);
    });

    it('makes two simulations with different unique ids two different messages and events', () => {
      const [first, second] = ['a', 'b'].map(
        (uniqueId) => normaliseBody(mailjetSimulator.simulate({ eventName: 'open', now: NOW, uniqueId }).body)[0],
      );
      expect(first?.messageId).not.toBe(second?.messageId);
      expect(first?.eventId).not.toBe(second?.eventId);
    });
  });
});
