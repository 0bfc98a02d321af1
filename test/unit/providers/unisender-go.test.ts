import { createHash } from 'node:crypto';
import { completeEvent } from '../../../lambda/core/event';
import { PayloadError } from '../../../lambda/errors';
import { unisenderGoProvider } from '../../../lambda/providers/unisender-go';
import {
  fixtureBytes,
  NOW,
  normaliseBody as normaliseWith,
  signatureFailure,
  vectorsOf,
  verifyWith,
  webhookRequest,
} from './webhook-test-kit';
import { unisenderGoSimulator } from '../../../src/simulate/unisender-go';

const vectors = vectorsOf('unisender-go');
const fixtureText = (name: string): string => fixtureBytes('unisender-go', name).toString('utf8');
const API_KEY = '6mjstx9gwi7qj8eni6m77hfiiw6aifmss154y4ze';

/**
 * Signs JSON text the way Unisender Go documents it (MD5 of the body with the API key in `auth`), independently of
 * the module: `text` holds `"auth": ""` exactly once, whatever its formatting.
 */
function signed(text: string, apiKey: string): string {
  const template = text.replace(/"auth":\s*""/, '"auth":"__SIGNATURE__"');
  const digest = createHash('md5').update(template.replace('__SIGNATURE__', apiKey)).digest('hex');
  return template.replace('__SIGNATURE__', digest);
}

/** A fixture as Unisender Go serialises it (compact, "/" escaped as "\/"), signed. */
function signedCompact(name: string, apiKey = API_KEY): string {
  return signed(JSON.stringify(JSON.parse(fixtureText(name))).replace(/\//g, '\\/'), apiKey);
}

const requestOf = (body: Buffer | string) => webhookRequest('unisender-go', body);
const verify = (body: Buffer | string, keys: readonly string[]) =>
  verifyWith(unisenderGoProvider, requestOf(body), keys);
const normaliseBody = (body: Buffer | string) => normaliseWith(unisenderGoProvider, body);

describe('unisenderGoProvider', () => {
  describe('verify', () => {
    it.each(vectors)('real signed payload ($note): valid=$expected_valid', async (vector) => {
      const result = verify(vector.body, [vector.secret_or_public_key]);
      if (vector.expected_valid) await expect(result).resolves.toEqual({});
      else await signatureFailure(result);
    });

    it('does not depend on how the JSON is formatted, only on the bytes received', async () => {
      await expect(verify(signed(fixtureText('batch-all-statuses'), API_KEY), [API_KEY])).resolves.toEqual({});
      await expect(verify(signedCompact('batch-all-statuses'), [API_KEY])).resolves.toEqual({});
      await expect(verify(signedCompact('single-sent'), [API_KEY])).resolves.toEqual({});
    });

    const good = signedCompact('batch-all-statuses');
    const auth = JSON.parse(good).auth as string;
    it.each([
      ['a body that is not JSON', 'auth=abc', /not valid UTF-8 JSON/],
      ['a JSON array', `[${good}]`, /not a JSON object/],
      ['a body without auth', good.replace(`"auth":"${auth}",`, ''), /Missing auth field/],
      ['auth that is not a string', good.replace(`"${auth}"`, '12345'), /Missing auth field/],
      ['auth in uppercase hex', good.replace(auth, auth.toUpperCase()), /not 32 lowercase hex digits/],
      ['auth that is too short', good.replace(auth, auth.slice(0, 30)), /not 32 lowercase hex digits/],
      ['an empty auth', good.replace(auth, ''), /not 32 lowercase hex digits/],
      ['a tampered body', good.replace('bounce@example.com', 'other@example.com'), /matches none of the 1/],
      [
        'the same JSON re-serialised without "\\/" escaping',
        good.replace(/\\\//g, '/'),
        /matches none of the 1 configured API key/,
      ],
      ['MD5 length-extension style trailing bytes', `${good}\u0080\u0000\u0000`, /not valid UTF-8 JSON/],
      ['bytes that are not UTF-8', Buffer.concat([Buffer.from(good), Buffer.from([0xff])]), /not valid UTF-8 JSON/],
    ])('rejects %s', async (_case, body, reason) => {
      const failure = await signatureFailure(verify(body, [API_KEY]));
      expect(failure.reason).toMatch(reason);
      expect(failure.reason).not.toContain(API_KEY);
    });

    it('refuses a correctly hashed body whose strings are not valid UTF-8', async () => {
      const template =
        '{"auth":"__SIGNATURE__","event_name":"transactional_email_status","status":"sent","email":"a@#.com"}';
      const withInvalidByte = (auth: string) => {
        const [before, after] = template.replace('__SIGNATURE__', auth).split('#') as [string, string];
        return Buffer.concat([Buffer.from(before), Buffer.of(0xff), Buffer.from(after)]);
      };
      const digest = createHash('md5').update(withInvalidByte(API_KEY)).digest('hex');
      const failure = await signatureFailure(verify(withInvalidByte(digest), [API_KEY]));
      expect(failure.reason).toMatch(/not valid UTF-8 JSON/);
    });

    it('refuses a body where the auth value appears twice, so the key swap stays unambiguous', async () => {
      const twice = good.replace('"campaign":"welcome"', `"campaign":"${auth}"`);
      const failure = await signatureFailure(verify(twice, [API_KEY]));
      expect(failure.reason).toMatch(/does not appear exactly once/);
    });

    it('rejects the signature made with another API key', async () => {
      await signatureFailure(verify(signedCompact('batch-all-statuses', 'another-api-key'), [API_KEY]));
    });

    it('accepts during a rotation when the second API key matches', async () => {
      await expect(verify(good, ['previous-api-key', API_KEY])).resolves.toEqual({});
    });

    it('matches an API key containing "/" the way Unisender Go serialises it', async () => {
      const key = 'key/with/slashes';
      await expect(
        verify(signed(fixtureText('single-sent').replace(/\//g, '\\/'), key.replace(/\//g, '\\/')), [key]),
      ).resolves.toEqual({});
    });

    it('signs no timestamp, so it returns no signedAt and has no default window', async () => {
      await expect(verify(good, [API_KEY])).resolves.toEqual({});
      expect(unisenderGoProvider.defaultTimestampToleranceSeconds).toBeUndefined();
    });

    it('fails closed without any API key', async () => {
      const failure = await signatureFailure(verify(good, []));
      expect(failure.reason).toBe('no API key configured');
    });
  });

  describe('parse', () => {
    it.each([
      ['a body that is not JSON', '{"events_by_user":', 'Body is not valid UTF-8 JSON'],
      ['a JSON array', '[]', 'Body is not a JSON object'],
      ['neither shape', '{"auth":"x","events":[]}', 'Expected events_by_user (batch) or event_name (single event)'],
      ['events_by_user that is not an array', '{"events_by_user":{}}', 'Field events_by_user is not an array'],
      [
        'a user entry without events',
        '{"events_by_user":[{"user_id":1}]}',
        'Missing field events_by_user[].events (expected an array)',
      ],
    ])('rejects %s', (_case, body, message) => {
      expect(() => unisenderGoProvider.parse(requestOf(body))).toThrow(new PayloadError(message));
    });

    it('yields every event of a batch', () => {
      expect(unisenderGoProvider.parse(requestOf(fixtureText('batch-all-statuses'))).events).toHaveLength(10);
    });

    it('yields a single-event body as one event, without its auth signature', () => {
      const { events } = unisenderGoProvider.parse(requestOf(signedCompact('single-sent')));
      expect(events).toHaveLength(1);
      expect(events[0]).not.toHaveProperty('auth');
      expect(events[0]).toMatchObject({ event_name: 'transactional_email_status', status: 'sent' });
    });
  });

  describe('normalise', () => {
    const drafts = normaliseBody(fixtureText('batch-all-statuses'));
    const byStatus = (status: string) => {
      const draft = drafts.find(
        (candidate) => (candidate.raw as { event_data: { status?: string } }).event_data.status === status,
      );
      if (draft === undefined) throw new Error(`fixture has no ${status} event`);
      return completeEvent('unisender-go', draft, NOW);
    };
    const message = { messageId: '1smi9f-00057m-86zr', metadata: { campaign: 'welcome', user_id: '4242' }, tags: [] };
    it.each([
      ['sent', { eventType: 'sent', recipient: 'recipient@example.com', timestamp: '2024-09-06T23:14:19.000Z' }],
      ['delivered', { eventType: 'delivered', timestamp: '2024-09-06T23:14:24.000Z', rejectReason: null }],
      ['opened', { eventType: 'opened', userAgent: expect.stringContaining('Windows NT 10.0') }],
      ['clicked', { eventType: 'clicked', clickUrl: 'https://example.com/welcome' }],
      ['unsubscribed', { eventType: 'unsubscribed', description: "From unsubscribe page 'comment' field" }],
      ['subscribed', { eventType: 'subscribed' }],
      ['spam', { eventType: 'complained', rejectReason: 'spam' }],
      [
        'soft_bounced',
        {
          eventType: 'deferred',
          rejectReason: 'bounced',
          recipient: 'full@example.com',
          description: 'err_mailbox_full',
          mtaResponse: "554 5.2.2 Mailbox full 'full@example.com'.",
        },
      ],
      [
        'hard_bounced',
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          recipient: 'bounce@example.com',
          description: 'err_user_unknown',
          timestamp: '2024-09-06T23:22:40.000Z',
        },
      ],
    ])('maps status %s', (status, expected) => {
      expect(byStatus(status)).toMatchObject({ ...message, ...expected, eventId: expect.stringMatching(/^hg-/) });
    });

    it('maps a transactional_spam_block to unknown, describing the block', () => {
      const draft = drafts.find(
        (candidate) => (candidate.raw as { event_name: string }).event_name === 'transactional_spam_block',
      );
      if (draft === undefined) throw new Error('fixture has no spam block');
      expect(completeEvent('unisender-go', draft, NOW)).toMatchObject({
        eventType: 'unknown',
        messageId: null,
        recipient: null,
        timestamp: '2024-09-06T23:30:00.000Z',
        description: 'Spam block: block_type=one_smtp, domain=example.net, domain_status=blocked, SMTP_blocks_count=8',
      });
    });

    it.each([
      ['err_blacklisted', 'blocked'],
      ['err_spam_rejected', 'spam'],
      ['err_unsubscribed', 'unsubscribed'],
      ['err_delivery_failed', 'other'],
      ['err_will_retry', null],
      ['err_something_new', 'other'],
    ])('reads the reject reason of delivery status %s as %s', (deliveryStatus, reason) => {
      const event = {
        event_name: 'transactional_email_status',
        event_data: {
          email: 'a@example.com',
          status: 'hard_bounced',
          delivery_info: { delivery_status: deliveryStatus },
        },
      };
      expect(unisenderGoProvider.normalise(event, requestOf('{}'))[0]?.rejectReason).toBe(reason);
    });

    it('maps the single-event shape like the batch shape', () => {
      const [sent] = normaliseBody(signedCompact('single-sent'));
      expect(sent).toMatchObject({
        eventType: 'sent',
        messageId: '1smi9f-00057m-86zr',
        recipient: 'recipient@example.com',
        timestamp: '2024-09-06T23:14:19.000Z',
        metadata: { anymail_id: '00001111-2222-3333-4444-555566667777', cohort: 'group a121' },
      });
      const [bounce] = normaliseBody(signedCompact('single-hard-bounced'));
      expect(bounce).toMatchObject({ eventType: 'bounced', rejectReason: 'bounced', recipient: 'bounce@example.com' });
    });

    it('maps a status or an event name Unisender Go may add later to unknown', () => {
      const status = {
        event_name: 'transactional_email_status',
        event_data: { status: 'archived', email: 'a@example.com' },
      };
      expect(unisenderGoProvider.normalise(status, requestOf('{}'))[0]?.eventType).toBe('unknown');
      const name = { event_name: 'transactional_domain_verified', event_data: {} };
      expect(unisenderGoProvider.normalise(name, requestOf('{}'))[0]?.eventType).toBe('unknown');
    });

    it.each([
      ['not an object', 'sent', 'Expected each Unisender Go event to be a JSON object'],
      ['without event_name', { event_data: { status: 'sent' } }, 'Missing field event_name'],
      [
        'with event_data that is not an object',
        { event_name: 'transactional_email_status', event_data: 'x' },
        'Missing field event_data (expected an object)',
      ],
    ])('rejects an event %s', (_case, event, message) => {
      expect(() => unisenderGoProvider.normalise(event, requestOf('{}'))).toThrow(new PayloadError(message));
    });

    it('derives ids that survive a redelivery (auth and the ID header change, the events do not)', () => {
      const first = normaliseBody(signedCompact('batch-all-statuses')).map((draft) => draft.eventId);
      const retry = normaliseBody(signedCompact('batch-all-statuses', 'a-project-key')).map((draft) => draft.eventId);
      expect(retry).toEqual(first);
      expect(new Set(first).size).toBe(first.length);
    });

    it('gives a duplicated event in one batch the same id', () => {
      const batch = JSON.parse(fixtureText('batch-all-statuses'));
      const events = batch.events_by_user[0].events;
      events.push(structuredClone(events[0]));
      const ids = normaliseBody(JSON.stringify(batch)).map((draft) => draft.eventId);
      expect(ids[ids.length - 1]).toBe(ids[0]);
      expect(ids[1]).not.toBe(ids[0]);
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      sent: 'sent',
      delivered: 'delivered',
      opened: 'opened',
      clicked: 'clicked',
      unsubscribed: 'unsubscribed',
      subscribed: 'subscribed',
      spam: 'complained',
      soft_bounced: 'deferred',
      hard_bounced: 'bounced',
      transactional_spam_block: 'unknown',
    };

    it('simulates every documented status and the spam block event', () => {
      expect([...unisenderGoSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(unisenderGoSimulator.events.map((name) => [name]))(
      '%s: signed as Unisender Go signs, verifies, parses and normalises',
      async (eventName) => {
        const simulated = unisenderGoSimulator.simulate({ eventName, signingKey: API_KEY, now: NOW, uniqueId: 'u-1' });
        expect(simulated.headers['content-type']).toBe('application/json');
        // Re-signing the received text independently gives the same auth.
        const text = simulated.body.toString('utf8');
        const auth = JSON.parse(text).auth as string;
        expect(signed(text.replace(`"auth":"${auth}"`, '"auth":""'), API_KEY)).toBe(text);
        await expect(verify(simulated.body, [API_KEY])).resolves.toEqual({});
        const drafts = normaliseBody(simulated.body);
        expect(drafts.map((draft) => draft.eventType)).toEqual([expectedTypes[eventName]]);
        expect(drafts[0]?.timestamp).toBe(NOW.toISOString());
      },
    );

    it('uses the unique id, so two simulations are two events', () => {
      const idOf = (uniqueId: string) =>
        normaliseBody(unisenderGoSimulator.simulate({ eventName: 'delivered', now: NOW, uniqueId }).body)[0]?.eventId;
      expect(idOf('a')).toBe(idOf('a'));
      expect(idOf('a')).not.toBe(idOf('b'));
    });

    it('builds a body without auth when no key is given, which verify refuses', async () => {
      const simulated = unisenderGoSimulator.simulate({ eventName: 'sent', now: NOW, uniqueId: 'u' });
      expect(JSON.parse(simulated.body.toString('utf8'))).not.toHaveProperty('auth');
      await signatureFailure(verify(simulated.body, [API_KEY]));
    });

    it('refuses an event it does not know', () => {
      expect(() => unisenderGoSimulator.simulate({ eventName: 'bounced', now: NOW, uniqueId: 'u' })).toThrow(
        'cannot simulate event "bounced"',
      );
    });
  });
});
