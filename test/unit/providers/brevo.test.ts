import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventDraft } from '../../../lambda/core/event';
import { PayloadError } from '../../../lambda/errors';
import { brevoProvider } from '../../../lambda/providers/brevo';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { brevoSimulator } from '../../../src/simulate/brevo';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const EVENTS = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/providers/brevo/events.json'), 'utf8'),
) as Record<string, Record<string, unknown>>;

function fixture(name: string): Record<string, unknown> {
  const event = EVENTS[name];
  if (!event) throw new Error(`No Brevo fixture ${name}`);
  return structuredClone(event);
}

function request(body: unknown): WebhookRequest {
  return {
    provider: 'brevo',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    receivedAt: NOW,
  };
}

function normaliseBody(body: unknown): EventDraft[] {
  const req = request(body);
  return brevoProvider.parse(req).events.flatMap((event) => [...brevoProvider.normalise(event, req)]);
}

describe('brevoProvider', () => {
  it('is unsigned and takes JSON', () => {
    expect(brevoProvider.verify).toBeUndefined();
    expect(brevoProvider.defaultTimestampToleranceSeconds).toBeUndefined();
    expect(brevoProvider.contentTypes).toEqual(['application/json']);
  });

  describe('normalise', () => {
    const common = {
      messageId: '<202010091234.12345678901@smtp-relay.mailin.fr>',
      recipient: 'example@domain.com',
      timestamp: '2020-11-09T14:54:14.212Z',
      tags: ['transac_messages'],
      metadata: { order_id: 'A-1001' },
    };
    it.each<[string, Partial<EventDraft>]>([
      ['request', { ...common, eventType: 'queued', rejectReason: null }],
      ['delivered', { ...common, eventType: 'delivered' }],
      [
        'hard_bounce',
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          mtaResponse: '550 5.1.1 <example@domain.com>: Recipient address rejected: User unknown',
          description: null,
        },
      ],
      ['soft_bounce', { eventType: 'deferred', rejectReason: 'bounced', mtaResponse: '452 4.2.2 Mailbox full' }],
      ['invalid_email', { eventType: 'bounced', rejectReason: 'invalid', description: 'invalid email address' }],
      [
        'blocked',
        { eventType: 'rejected', rejectReason: 'blocked', description: 'blocked : due to a previous hard bounce' },
      ],
      [
        'spam',
        { eventType: 'complained', rejectReason: 'spam', metadata: { 'X-Mailin-custom': 'plain-custom-value' } },
      ],
      ['deferred', { eventType: 'deferred', mtaResponse: '421 4.7.0 Try again later, closing connection.' }],
      ['opened', { eventType: 'opened', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' }],
      ['unique_opened', { eventType: 'opened' }],
      ['proxy_open', { eventType: 'opened', userAgent: 'Mozilla/5.0 (via ggpht.com GoogleImageProxy)' }],
      ['unique_proxy_open', { eventType: 'opened' }],
      ['click', { eventType: 'clicked', clickUrl: 'https://www.brevo.com/pricing' }],
      ['unsubscribed', { eventType: 'unsubscribed', rejectReason: null }],
      [
        'error',
        {
          eventType: 'failed',
          description: 'Sending has been rejected because the sender you used is not valid',
          mtaResponse: null,
        },
      ],
      [
        'list_addition',
        {
          eventType: 'subscribed',
          recipient: 'example@domain.com',
          messageId: null,
          timestamp: '2020-11-09T14:54:14.000Z',
          tags: [],
          metadata: {},
        },
      ],
      ['delivered_single_tag', { eventType: 'delivered', tags: ['welcome-template'] }],
    ])('maps %s', (name, expected) => {
      const drafts = normaliseBody(fixture(name));
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({
        eventId: expect.stringMatching(/^hg-[0-9a-f]{40}$/),
        raw: fixture(name),
        ...expected,
      });
    });

    it.each([
      ['complaint', 'complained'],
      ['unsubscribe', 'unsubscribed'],
    ])('accepts the older spelling %s as %s', (name, type) => {
      const [draft] = normaliseBody({ ...fixture('spam'), event: name });
      expect(draft?.eventType).toBe(type);
    });

    it.each<[string, Record<string, unknown>, string | null]>([
      ['ts_epoch in milliseconds', { ts_epoch: 1604933654212 }, '2020-11-09T14:54:14.212Z'],
      ['ts_epoch in seconds, as in Brevo’s own sample', { ts_epoch: 1604933654 }, '2020-11-09T14:54:14.000Z'],
      ['only ts_event', { ts_epoch: undefined, ts_event: 1604933600 }, '2020-11-09T14:53:20.000Z'],
      ['no usable time', { ts_epoch: undefined, ts_event: undefined, ts: undefined }, null],
    ])('reads the timestamp from %s', (_label, overrides, expected) => {
      const [draft] = normaliseBody({ ...fixture('delivered'), ...overrides });
      expect(draft?.timestamp).toBe(expected);
    });

    it('maps an event name Brevo may add later to unknown', () => {
      expect(normaliseBody({ ...fixture('delivered'), event: 'contact_updated' })[0]?.eventType).toBe('unknown');
    });

    it('accepts a batched webhook (JSON array) and keeps the order', () => {
      const drafts = normaliseBody([fixture('request'), fixture('delivered'), fixture('opened')]);
      expect(drafts.map((draft) => draft.eventType)).toEqual(['queued', 'delivered', 'opened']);
    });

    it('gives the same event twice the same id, and different events different ids', () => {
      const [first, again, opened, reopened] = normaliseBody([
        fixture('opened'),
        fixture('opened'),
        fixture('unique_opened'),
        { ...fixture('opened'), ts_epoch: 1604933999000 },
      ]);
      expect(again?.eventId).toBe(first?.eventId);
      expect(new Set([first?.eventId, opened?.eventId, reopened?.eventId]).size).toBe(3);
    });
  });

  describe('malformed payloads', () => {
    it.each<[string, string, string]>([
      ['a body that is not JSON', 'event=delivered', 'Body is not valid JSON'],
      ['a JSON string', '"delivered"', 'Expected a JSON event object or a JSON array of events'],
    ])('rejects %s with a specific PayloadError', (_label, body, message) => {
      expect(() => brevoProvider.parse(request(body))).toThrow(new PayloadError(message));
    });

    it.each<[string, unknown, string]>([
      ['an event that is not an object', ['delivered'], 'Expected each Brevo event to be a JSON object'],
      ['an event without its name', { email: 'example@domain.com', ts_epoch: 1604933654212 }, 'Missing field event'],
    ])('rejects %s with a specific PayloadError', (_label, body, message) => {
      expect(() => normaliseBody(body)).toThrow(new PayloadError(message));
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      request: 'queued',
      delivered: 'delivered',
      hard_bounce: 'bounced',
      soft_bounce: 'deferred',
      invalid_email: 'bounced',
      blocked: 'rejected',
      spam: 'complained',
      deferred: 'deferred',
      opened: 'opened',
      unique_opened: 'opened',
      proxy_open: 'opened',
      unique_proxy_open: 'opened',
      click: 'clicked',
      unsubscribed: 'unsubscribed',
      error: 'failed',
      list_addition: 'subscribed',
    };

    it('offers one simulation per documented event type', () => {
      expect([...brevoSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(Object.entries(expectedTypes))('builds a %s that parses and maps to %s', (name, type) => {
      const simulated = brevoSimulator.simulate({ eventName: name, now: NOW, uniqueId: 'sim-1' });
      expect(simulated.headers['content-type']).toBe('application/json');
      const req: WebhookRequest = { ...request('{}'), headers: simulated.headers, body: simulated.body };
      const drafts = brevoProvider.parse(req).events.flatMap((event) => [...brevoProvider.normalise(event, req)]);
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({
        eventType: type,
        messageId: '<sim-1@smtp-relay.mailin.fr>',
        recipient: 'example@domain.com',
        // proxy opens follow Brevo's sample: `tag` an array, the time in `s_epoch`.
        timestamp: NOW.toISOString(),
        tags: ['transac_messages'],
      });
    });

    it('makes two simulations with different unique ids two different events', () => {
      const [first, second] = ['a', 'b'].map((uniqueId) => {
        const simulated = brevoSimulator.simulate({ eventName: 'delivered', now: NOW, uniqueId });
        return normaliseBody(simulated.body.toString())[0]?.eventId;
      });
      expect(first).not.toBe(second);
    });
  });
});
