import { PayloadError } from '../../../lambda/errors';
import { postmarkProvider } from '../../../lambda/providers/postmark';
import type { WebhookRequest } from '../../../lambda/providers/types';
import bounce from '../../fixtures/providers/postmark/bounce.json';
import click from '../../fixtures/providers/postmark/click.json';
import delivery from '../../fixtures/providers/postmark/delivery.json';
import inbound from '../../fixtures/providers/postmark/inbound.json';
import open from '../../fixtures/providers/postmark/open.json';
import spamComplaint from '../../fixtures/providers/postmark/spam-complaint.json';
import subscriptionChange from '../../fixtures/providers/postmark/subscription-change.json';
import { postmarkSimulator } from '../../../src/simulate/postmark';

const NOW = new Date('2026-11-22T12:00:00.000Z');

function webhookRequest(body: string | Buffer, headers: Record<string, string> = {}): WebhookRequest {
  return {
    provider: 'postmark',
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    receivedAt: NOW,
  };
}

function normalise(payload: unknown) {
  const request = webhookRequest(JSON.stringify(payload));
  return postmarkProvider.parse(request).events.flatMap((event) => postmarkProvider.normalise(event, request));
}

describe('postmarkProvider', () => {
  it('is unsigned: no verify and no timestamp window, Basic credentials and the IP allow-list authenticate it', () => {
    expect(postmarkProvider.verify).toBeUndefined();
    expect(postmarkProvider.defaultTimestampToleranceSeconds).toBeUndefined();
    expect(postmarkProvider.contentTypes).toEqual(['application/json']);
  });

  describe('normalise', () => {
    it.each([
      [
        'Delivery',
        delivery,
        {
          eventType: 'delivered',
          recipient: 'john@example.com',
          mtaResponse: 'Test delivery webhook details',
          tags: ['welcome-email'],
        },
      ],
      [
        'Bounce (HardBounce)',
        bounce,
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          eventId: '4323372036',
          recipient: 'john@example.com',
          mtaResponse: 'Test bounce details',
        },
      ],
      ['SpamComplaint', spamComplaint, { eventType: 'complained', rejectReason: 'spam', eventId: '42' }],
      [
        'Open',
        open,
        {
          eventType: 'opened',
          userAgent: expect.stringContaining('Chrome/35.0'),
          metadata: { example: 'value', example_2: 'value' },
        },
      ],
      ['Click', click, { eventType: 'clicked', clickUrl: 'https://example.com', recipient: 'john@example.com' }],
      [
        'SubscriptionChange',
        subscriptionChange,
        {
          // Postmark's suppression after the hard bounce it already reported: not an unsubscribe (docs/providers.md).
          eventType: 'unknown',
          rejectReason: 'bounced',
          timestamp: '2020-02-01T10:53:34.416Z',
          description: 'HardBounce (origin: Recipient)',
        },
      ],
      [
        'an inbound message',
        inbound,
        {
          eventType: 'inbound',
          recipient: 'yourhash+SampleHash@inbound.postmarkapp.com',
          timestamp: '2014-08-01T20:45:32.000Z',
          messageId: '73e6d360-66eb-11e1-8e72-a8904824019b',
        },
      ],
    ])('maps %s', (_name, fixture, expected) => {
      const drafts = normalise(fixture);

      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ raw: fixture, ...expected });
    });

    it('fills every field of a bounce', () => {
      expect(normalise(bounce)).toEqual([
        {
          eventType: 'bounced',
          eventId: '4323372036',
          messageId: '883953f4-6105-42a2-a16a-77a8eac79483',
          recipient: 'john@example.com',
          timestamp: '2019-11-05T16:33:54.907Z',
          rejectReason: 'bounced',
          description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
          mtaResponse: 'Test bounce details',
          tags: ['Test'],
          metadata: { a_key: 'a_value', b_key: 'b_value' },
          clickUrl: null,
          userAgent: null,
          raw: bounce,
        },
      ]);
    });

    it.each([
      ['HardBounce', 'bounced', 'bounced'],
      ['Transient', 'deferred', 'bounced'],
      ['Unsubscribe', 'unsubscribed', 'unsubscribed'],
      ['Subscribe', 'subscribed', null],
      ['AutoResponder', 'autoresponded', null],
      ['AddressChange', 'autoresponded', null],
      ['DnsError', 'deferred', 'bounced'],
      ['SpamNotification', 'complained', 'spam'],
      ['OpenRelayTest', 'deferred', null],
      ['Unknown', 'unknown', null],
      ['SoftBounce', 'deferred', 'bounced'],
      ['VirusNotification', 'bounced', 'other'],
      ['ChallengeVerification', 'autoresponded', null],
      ['BadEmailAddress', 'rejected', 'invalid'],
      ['SpamComplaint', 'complained', 'spam'],
      ['ManuallyDeactivated', 'rejected', 'blocked'],
      ['Unconfirmed', 'rejected', 'other'],
      ['Blocked', 'rejected', 'blocked'],
      ['SMTPApiError', 'failed', null],
      ['InboundError', 'inbound_failed', null],
      ['DMARCPolicy', 'rejected', 'blocked'],
      ['TemplateRenderingFailed', 'failed', null],
      ['SomethingPostmarkAddsLater', 'bounced', null],
    ])('maps a bounce of type %s to %s (reject reason %s)', (type, eventType, rejectReason) => {
      expect(normalise({ ...bounce, Type: type })[0]).toMatchObject({ eventType, rejectReason });
    });

    it('keeps an unrecognised Type on a SpamComplaint record a complaint', () => {
      expect(normalise({ ...spamComplaint, Type: 'SomethingNew' })[0]).toMatchObject({
        eventType: 'complained',
        rejectReason: 'spam',
      });
    });

    it.each([
      [{ SuppressSending: true, SuppressionReason: 'HardBounce' }, 'unknown', 'bounced'],
      [{ SuppressSending: true, SuppressionReason: 'SpamComplaint' }, 'unknown', 'spam'],
      [
        { SuppressSending: true, SuppressionReason: 'ManualSuppression', Origin: 'Customer' },
        'unsubscribed',
        'unsubscribed',
      ],
      [{ SuppressSending: false, SuppressionReason: null, Origin: 'Admin' }, 'subscribed', null],
    ])('maps a subscription change %j to %s', (fields, eventType, rejectReason) => {
      expect(normalise({ ...subscriptionChange, ...fields })[0]).toMatchObject({ eventType, rejectReason });
    });

    it('maps a RecordType Postmark may add later to unknown', () => {
      expect(normalise({ ...delivery, RecordType: 'SomethingNew' })[0]).toMatchObject({ eventType: 'unknown' });
    });
  });

  describe('event ids', () => {
    it("uses Postmark's ID for bounces and complaints", () => {
      expect(normalise(bounce)[0]?.eventId).toBe('4323372036');
      expect(normalise({ ...bounce, ID: 'string-id' })[0]?.eventId).toBe('string-id');
    });

    it.each([
      ['a Delivery', delivery, { ...delivery, DeliveredAt: '2019-11-05T16:34:00.0000000Z' }],
      ['an Open', open, { ...open, ReceivedAt: '2019-11-05T16:40:00.0000000Z', FirstOpen: false }],
      ['a Click', click, { ...click, OriginalLink: 'https://example.com/other' }],
      ['a SubscriptionChange', subscriptionChange, { ...subscriptionChange, SuppressSending: false }],
    ])('derives a stable id for %s: same on a retry, different for another event', (_case, event, otherEvent) => {
      const [first, retry, other] = [event, structuredClone(event), otherEvent].map(
        (payload) => normalise(payload)[0]?.eventId,
      );

      expect(first).toMatch(/^hg-[0-9a-f]{40}$/);
      expect(retry).toBe(first);
      expect(other).not.toBe(first);
    });
  });

  it('derives the id of a bounce whose ID is too large for a JSON number, rather than trusting rounded digits', () => {
    const body = JSON.stringify(bounce).replace('"ID":4323372036', '"ID":4323372036854775807');
    const request = webhookRequest(body);

    const [draft] = postmarkProvider.normalise(postmarkProvider.parse(request).events[0], request);

    expect(draft?.eventId).toMatch(/^hg-[0-9a-f]{40}$/);
  });

  describe('malformed payloads', () => {
    it.each([
      ['a body that is not JSON', 'RecordType=Delivery', 'Body is not valid JSON'],
      ['a JSON array', JSON.stringify([delivery]), 'Expected one JSON event object'],
      ['a JSON string', '"Delivery"', 'Expected one JSON event object'],
    ])('refuses %s in parse', (_case, body, message) => {
      expect(() => postmarkProvider.parse(webhookRequest(body))).toThrow(new PayloadError(message));
    });

    it.each([
      ['an event without RecordType', { MessageID: 'x', Recipient: 'a@example.com' }, 'Missing field RecordType'],
      ['an event that is not an object', 42, 'Expected one JSON event object'],
    ])('refuses %s in normalise', (_case, event, message) => {
      expect(() => postmarkProvider.normalise(event, webhookRequest('{}'))).toThrow(new PayloadError(message));
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      Delivery: 'delivered',
      Bounce: 'bounced',
      SpamComplaint: 'complained',
      Open: 'opened',
      Click: 'clicked',
      SubscriptionChange: 'unsubscribed',
      HardBounce: 'bounced',
      Transient: 'deferred',
      Unsubscribe: 'unsubscribed',
      Subscribe: 'subscribed',
      AutoResponder: 'autoresponded',
      AddressChange: 'autoresponded',
      DnsError: 'deferred',
      SpamNotification: 'complained',
      OpenRelayTest: 'deferred',
      Unknown: 'unknown',
      SoftBounce: 'deferred',
      VirusNotification: 'bounced',
      ChallengeVerification: 'autoresponded',
      BadEmailAddress: 'rejected',
      ManuallyDeactivated: 'rejected',
      Unconfirmed: 'rejected',
      Blocked: 'rejected',
      SMTPApiError: 'failed',
      InboundError: 'inbound_failed',
      DMARCPolicy: 'rejected',
      TemplateRenderingFailed: 'failed',
    };

    it('simulates every record type and every bounce type', () => {
      expect([...postmarkSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(postmarkSimulator.events.map((name) => [name]))('round-trips %s', (eventName) => {
      // Prepare
      const simulated = postmarkSimulator.simulate({ eventName, now: NOW, uniqueId: 'u-1' });
      const request = webhookRequest(simulated.body, simulated.headers);

      // Act
      const drafts = postmarkProvider
        .parse(request)
        .events.flatMap((event) => postmarkProvider.normalise(event, request));

      // Assess
      expect(simulated.headers['content-type']).toBe('application/json');
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ eventType: expectedTypes[eventName], timestamp: NOW.toISOString() });
    });

    it('makes two simulated events two events', () => {
      const ids = ['a', 'a', 'b'].map((uniqueId) => {
        const simulated = postmarkSimulator.simulate({ eventName: 'Delivery', now: NOW, uniqueId });
        return normalise(JSON.parse(simulated.body.toString('utf8')))[0]?.eventId;
      });

      expect(ids[0]).toBe(ids[1]);
      expect(ids[0]).not.toBe(ids[2]);
    });

    it('refuses an event name it does not know', () => {
      expect(() => postmarkSimulator.simulate({ eventName: 'Teleported', now: NOW, uniqueId: 'u' })).toThrow(
        'cannot simulate event "Teleported"',
      );
    });
  });
});
