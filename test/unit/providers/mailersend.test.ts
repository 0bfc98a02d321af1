import { createHmac } from 'node:crypto';
import { completeEvent } from '../../../lambda/core/event';
import { PayloadError } from '../../../lambda/errors';
import { mailersendProvider } from '../../../lambda/providers/mailersend';
import {
  fixtureBytes,
  NOW,
  normaliseBody as normaliseWith,
  type SignatureVector,
  signatureFailure,
  vectorsOf,
  verifyWith,
  webhookRequest,
} from './webhook-test-kit';
import { mailersendSimulator } from '../../../src/simulate/mailersend';

const vectors = vectorsOf('mailersend');
const fixture = (name: string) => fixtureBytes('mailersend', name);
const SECRET = 'PnzMUKGNoNUPwuHj4yythmoI7h6teiC2';

/** The signature MailerSend sends, computed independently of the module. */
const signatureOf = (secret: string, body: Buffer | string) => createHmac('sha256', secret).update(body).digest('hex');

const requestOf = (body: Buffer | string, headers: Record<string, string> = {}) =>
  webhookRequest('mailersend', body, headers);
const verify = (request: ReturnType<typeof requestOf>, keys: readonly string[]) =>
  verifyWith(mailersendProvider, request, keys);
const normaliseBody = (body: Buffer | string) => normaliseWith(mailersendProvider, body);

describe('mailersendProvider', () => {
  describe('verify', () => {
    it.each(vectors)('vector ($note): valid=$expected_valid', async (vector) => {
      const result = verify(requestOf(vector.body, vector.headers), [vector.secret_or_public_key]);
      if (vector.expected_valid) await expect(result).resolves.toEqual({});
      else await signatureFailure(result);
    });

    const vector = vectors[0] as SignatureVector;
    const good = vector.headers.Signature as string;
    it.each([
      ['a missing Signature header', {}, /Missing signature header/],
      ['an empty Signature header', { Signature: '' }, /Missing signature header/],
      ['a signature in uppercase hex', { Signature: good.toUpperCase() }, /not 64 lowercase hex digits/],
      ['a signature in base64', { Signature: Buffer.from(good, 'hex').toString('base64') }, /not 64 lowercase hex/],
      ['a valid signature followed by garbage', { Signature: `${good}\n` }, /not 64 lowercase hex digits/],
      ['a sha256= prefixed signature', { Signature: `sha256=${good}` }, /not 64 lowercase hex digits/],
      ['the signature of another secret', { Signature: signatureOf('wrong', vector.body) }, /matches none of the 1/],
    ])('rejects %s', async (_case, headers, reason) => {
      const failure = await signatureFailure(verify(requestOf(vector.body, headers), [SECRET]));
      expect(failure.reason).toMatch(reason);
      expect(failure.reason).not.toContain(good);
      expect(failure.reason).not.toContain(SECRET);
    });

    it('rejects the vector body once tampered with', async () => {
      const tampered = vector.body.replace('test@example.com', 'other@example.com');
      await signatureFailure(verify(requestOf(tampered, vector.headers), [SECRET]));
    });

    it('rejects the same JSON re-serialised (verification is over the raw bytes)', async () => {
      const reserialised = JSON.stringify(JSON.parse(vector.body));
      await signatureFailure(verify(requestOf(reserialised, vector.headers), [SECRET]));
    });

    it('accepts during a rotation when the second configured secret matches', async () => {
      await expect(verify(requestOf(vector.body, vector.headers), ['previous-secret', SECRET])).resolves.toEqual({});
    });

    it('signs no timestamp, so it returns no signedAt and has no default window', async () => {
      await expect(verify(requestOf(vector.body, vector.headers), [SECRET])).resolves.toEqual({});
      expect(mailersendProvider.defaultTimestampToleranceSeconds).toBeUndefined();
    });

    it('fails closed without any secret', async () => {
      const failure = await signatureFailure(verify(requestOf(vector.body, vector.headers), ['']));
      expect(failure.reason).toBe('no signing secret configured');
    });
  });

  describe('parse', () => {
    it.each([
      ['a body that is not JSON', 'type=activity.sent', 'Body is not valid JSON'],
      ['a JSON array', '[{"type":"activity.sent"}]', 'Expected a JSON object (one MailerSend event)'],
      ['JSON null', 'null', 'Expected a JSON object (one MailerSend event)'],
    ])('rejects %s', (_case, body, message) => {
      expect(() => mailersendProvider.parse(requestOf(body))).toThrow(new PayloadError(message));
    });
  });

  describe('normalise webhooks 2.0 (the default payload)', () => {
    const v2 = {
      messageId: '67f91abd69f79df391e9d78d',
      recipient: 'test@example.com',
      timestamp: '2026-01-01T12:00:00.000Z',
      tags: ['test-tag'],
      metadata: {},
    };
    it.each([
      ['v2-sent', 'sent', null, {}],
      ['v2-delivered', 'delivered', null, {}],
      [
        'v2-soft-bounced',
        'deferred',
        'bounced',
        { description: 'Unknown reason', mtaResponse: '550', eventId: '62f114f8165fe0d8db028802' },
      ],
      ['v2-hard-bounced', 'bounced', 'bounced', { description: 'Host or domain name not found', mtaResponse: '550' }],
      ['v2-deferred', 'deferred', null, {}],
      ['v2-opened', 'opened', null, { userAgent: expect.stringContaining('Macintosh') }],
      ['v2-opened-unique', 'opened', null, {}],
      ['v2-clicked', 'clicked', null, { clickUrl: 'https://example.com/link', userAgent: expect.any(String) }],
      ['v2-clicked-unique', 'clicked', null, { clickUrl: 'https://example.com/link' }],
      ['v2-unsubscribed', 'unsubscribed', null, { description: 'NO_LONGER_WANT' }],
      ['v2-spam-complaint', 'complained', 'spam', {}],
      ['v2-survey-opened', 'unknown', null, {}],
      ['v2-survey-submitted', 'unknown', null, {}],
    ])('maps %s to %s', (name, eventType, rejectReason, extra) => {
      const [draft, ...rest] = normaliseBody(fixture(name));
      if (draft === undefined) throw new Error('expected one event');
      expect(rest).toEqual([]);
      const { data } = JSON.parse(fixture(name).toString('utf8'));
      expect(completeEvent('mailersend', draft, NOW)).toMatchObject({
        ...v2,
        eventType,
        rejectReason,
        eventId: data.id,
        ...extra,
      });
    });

    it('reads the recipient from data.email when a 2.0 payload names it so', () => {
      const event = JSON.parse(fixture('v2-sent').toString('utf8'));
      const { recipient, ...data } = event.data;
      const [draft] = mailersendProvider.normalise({ ...event, data: { ...data, email: recipient } }, requestOf('{}'));
      expect(draft?.recipient).toBe('test@example.com');
    });
  });

  describe('normalise webhooks 1.0 (legacy payload)', () => {
    const v1 = { messageId: '63fd1c1d5f010335ed07066b', recipient: 'recipient@example.com' };
    it.each([
      [
        'v1-sent',
        {
          eventType: 'sent',
          eventId: '63fd1c1d31b9c750540fe85c',
          timestamp: '2023-02-27T21:09:49.506Z',
          tags: ['tag1', 'Tag 2'],
        },
      ],
      [
        'v1-hard-bounced',
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          eventId: '63fd251d5c00f8e52001fce6',
          description: 'Host or domain name not found',
          mtaResponse: null,
          tags: [],
        },
      ],
      [
        'v1-clicked',
        { eventType: 'clicked', clickUrl: 'https://example.com/test', timestamp: '2023-02-27T21:14:11.691Z' },
      ],
      ['v1-unsubscribed', { eventType: 'unsubscribed', description: 'I get too many emails' }],
      ['v1-spam-complaint', { eventType: 'complained', rejectReason: 'spam', eventId: '62f114f8165fe0d8db0288e5' }],
    ])('maps %s', (name, expected) => {
      const [draft] = normaliseBody(fixture(name));
      if (draft === undefined) throw new Error('expected one event');
      expect(completeEvent('mailersend', draft, NOW)).toMatchObject({ ...v1, ...expected });
      expect(draft.raw).toEqual(JSON.parse(fixture(name).toString('utf8')));
    });
  });

  describe('normalise account events', () => {
    it.each([
      ['inbound_forward.failed', 'inbound_failed'],
      ['inbound_message.rejected', 'inbound_failed'],
      ['sender_identity.verified', 'unknown'],
      ['maintenance.start', 'unknown'],
      ['maintenance.end', 'unknown'],
      ['email_single.verified', 'unknown'],
      ['email_list.verified', 'unknown'],
      ['bulk_email.completed', 'unknown'],
      ['recipient.on_hold_added', 'unknown'],
      ['recipient.on_hold_removed', 'unknown'],
      ['activity.some_future_activity', 'unknown'],
    ])('maps %s to %s with a content-derived id', (type, eventType) => {
      const event = { type, created_at: '2026-01-01T12:00:00.000000Z', data: { id: 'shared-resource-id' } };
      const [draft] = mailersendProvider.normalise(event, requestOf('{}'));
      expect(draft?.eventType).toBe(eventType);
      expect(draft?.timestamp).toBe('2026-01-01T12:00:00.000Z');
      if (type.startsWith('activity.')) expect(draft?.eventId).toBe('shared-resource-id');
      else expect(draft?.eventId).toMatch(/^hg-[0-9a-f]{40}$/);
    });

    it('gives maintenance.start and maintenance.end about the same window different ids', () => {
      const idOf = (type: string) =>
        mailersendProvider.normalise(
          { type, created_at: '2026-01-01T12:00:00Z', data: { id: 'm-1' } },
          requestOf('{}'),
        )[0]?.eventId;
      expect(idOf('maintenance.start')).not.toBe(idOf('maintenance.end'));
    });

    it('skips the webhook.test ping MailerSend sends when a webhook is saved', () => {
      expect(mailersendProvider.normalise({ type: 'webhook.test', message: 'ping' }, requestOf('{}'))).toEqual([]);
    });
  });

  describe('malformed events', () => {
    it.each([
      ['not an object', 'activity.sent', 'Expected the MailerSend event to be a JSON object'],
      ['without a type', { data: { id: 'x' } }, 'Missing field type'],
      [
        'an activity without data',
        { type: 'activity.sent', created_at: '2026-01-01T00:00:00Z' },
        'Missing field data (expected an object)',
      ],
    ])('rejects an event %s', (_case, event, message) => {
      expect(() => mailersendProvider.normalise(event, requestOf('{}'))).toThrow(new PayloadError(message));
    });
  });

  describe('event ids', () => {
    it('gives a redelivered event the same id and different activities different ids', () => {
      const first = normaliseBody(fixture('v2-opened'))[0]?.eventId;
      expect(normaliseBody(fixture('v2-opened'))[0]?.eventId).toBe(first);
      expect(normaliseBody(fixture('v2-clicked'))[0]?.eventId).not.toBe(first);
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      'activity.sent': 'sent',
      'activity.delivered': 'delivered',
      'activity.soft_bounced': 'deferred',
      'activity.hard_bounced': 'bounced',
      'activity.deferred': 'deferred',
      'activity.opened': 'opened',
      'activity.opened_unique': 'opened',
      'activity.clicked': 'clicked',
      'activity.clicked_unique': 'clicked',
      'activity.unsubscribed': 'unsubscribed',
      'activity.spam_complaint': 'complained',
      'activity.survey_opened': 'unknown',
      'activity.survey_submitted': 'unknown',
    };

    it('simulates every documented activity', () => {
      expect([...mailersendSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(mailersendSimulator.events.map((name) => [name]))(
      '%s: signed as MailerSend signs, verifies, parses and normalises',
      async (eventName) => {
        const simulated = mailersendSimulator.simulate({ eventName, signingKey: SECRET, now: NOW, uniqueId: 'u-1' });
        expect(simulated.headers['content-type']).toBe('application/json');
        expect(simulated.headers.signature).toBe(signatureOf(SECRET, simulated.body));
        await expect(verify(requestOf(simulated.body, simulated.headers), [SECRET])).resolves.toEqual({});
        const drafts = normaliseBody(simulated.body);
        expect(drafts.map((draft) => draft.eventType)).toEqual([expectedTypes[eventName]]);
        expect(drafts[0]?.timestamp).toBe(NOW.toISOString());
        expect(drafts[0]?.recipient).toBe('recipient@example.com');
      },
    );

    it('escapes "/" as MailerSend does, inside the signed bytes', () => {
      const simulated = mailersendSimulator.simulate({
        eventName: 'activity.clicked',
        signingKey: SECRET,
        now: NOW,
        uniqueId: 'u',
      });
      expect(simulated.body.toString('utf8')).toContain('https:\\/\\/example.com\\/welcome');
      expect(normaliseBody(simulated.body)[0]?.clickUrl).toBe('https://example.com/welcome');
    });

    it('uses the unique id for the activity id', () => {
      const idOf = (uniqueId: string) =>
        normaliseBody(mailersendSimulator.simulate({ eventName: 'activity.sent', now: NOW, uniqueId }).body)[0]?.eventId;
      expect(idOf('a')).toMatch(/^[0-9a-f]{24}$/);
      expect(idOf('a')).toBe(idOf('a'));
      expect(idOf('a')).not.toBe(idOf('b'));
    });

    it('refuses an event it cannot simulate', () => {
      expect(() => mailersendSimulator.simulate({ eventName: 'sent', now: NOW, uniqueId: 'u' })).toThrow(
        'cannot simulate event "sent"',
      );
    });
  });
});
