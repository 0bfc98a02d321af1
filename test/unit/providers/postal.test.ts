import { completeEvent } from '../../../lambda/core/event';
import { PayloadError } from '../../../lambda/errors';
import { parsePostalKey, postalProvider } from '../../../lambda/providers/postal';
import {
  fixtureBytes,
  NOW,
  normaliseBody,
  type SignatureVector,
  signatureFailure,
  vectorsOf,
  verifyWith,
  webhookRequest,
} from './webhook-test-kit';
import { postalSimulator } from '../../../src/simulate/postal';

const vectors = vectorsOf('postal');
const fixture = (name: string) => fixtureBytes('postal', name);
const requestOf = (body: Buffer | string, headers: Record<string, string> = {}) =>
  webhookRequest('postal', body, headers);
const verify = (request: ReturnType<typeof requestOf>, keys: readonly string[]) =>
  verifyWith(postalProvider, request, keys);
const normaliseOne = (body: Buffer) => normaliseBody(postalProvider, body);

const VALID = vectors[0] as SignatureVector;
const KEY = VALID.secret_or_public_key;
const OTHER_KEY = (vectors.find((vector) => vector.note === 'wrong public key') as SignatureVector)
  .secret_or_public_key;
const SIGNATURE_256 = VALID.headers['X-Postal-Signature-256'] as string;
const SIGNATURE_SHA1 = VALID.headers['X-Postal-Signature'] as string;

describe('postalProvider', () => {
  describe('verify', () => {
    it.each(vectors)('$note: valid=$expected_valid', async (vector) => {
      const result = verify(requestOf(vector.body, vector.headers), [vector.secret_or_public_key]);
      if (vector.expected_valid) await expect(result).resolves.toEqual({});
      else await signatureFailure(result);
    });

    it.each([
      ['no signature header at all', {}, /Missing X-Postal-Signature-256 and X-Postal-Signature/],
      ['a SHA-256 signature that is not base64', { 'X-Postal-Signature-256': 'not base64!' }, /not canonical base64/],
      [
        'a valid SHA-256 signature followed by garbage Node would ignore',
        { 'X-Postal-Signature-256': `${SIGNATURE_256}!!` },
        /not canonical base64/,
      ],
      [
        'a valid SHA-256 signature with an extra byte appended',
        {
          'X-Postal-Signature-256': Buffer.concat([Buffer.from(SIGNATURE_256, 'base64'), Buffer.of(0)]).toString(
            'base64',
          ),
        },
        /verifies with none of the 1 configured key/,
      ],
      ['only an empty SHA-256 header', { 'X-Postal-Signature-256': '' }, /Missing/],
      ['a SHA-1 signature that is not base64', { 'X-Postal-Signature': '%%%' }, /X-Postal-Signature is not canonical/],
    ])('rejects %s', async (_case, headers, reason) => {
      const failure = await signatureFailure(verify(requestOf(VALID.body, headers), [KEY]));
      expect(failure.reason).toMatch(reason);
    });

    it('never puts the key or the signature in the failure reason', async () => {
      const failure = await signatureFailure(
        verify(requestOf(VALID.body, { 'X-Postal-Signature-256': SIGNATURE_256 }), [OTHER_KEY]),
      );
      expect(failure.reason).not.toContain(SIGNATURE_256.slice(0, 16));
      expect(failure.reason).not.toContain(OTHER_KEY.slice(40, 60));
    });

    it('accepts during a key rotation when the second configured key is the one Postal used', async () => {
      await expect(verify(requestOf(VALID.body, VALID.headers), [OTHER_KEY, KEY])).resolves.toEqual({});
    });

    it('skips an unusable configured key and still verifies with a good one', async () => {
      await expect(verify(requestOf(VALID.body, VALID.headers), ['not a key', KEY])).resolves.toEqual({});
    });

    it('accepts the key as published in DNS, split into whitespace-separated chunks', async () => {
      const chunked = `${KEY.slice(0, 200)} ${KEY.slice(200)}\n`;
      await expect(verify(requestOf(VALID.body, VALID.headers), [chunked])).resolves.toEqual({});
    });

    it('names the configured key that the KID header points at when the signature still fails', async () => {
      const tampered = VALID.body.replace('test@example.com', 'attacker@example.com');
      const failure = await signatureFailure(verify(requestOf(tampered, VALID.headers), [OTHER_KEY, KEY]));
      expect(failure.reason).toMatch(/its key id is configured key #2/);
    });

    it('returns no signedAt: the body timestamp (2016 here) is the event time, not a signed window', async () => {
      const result = await verify(requestOf(VALID.body, { 'X-Postal-Signature-256': SIGNATURE_256 }), [KEY]);
      expect(result.signedAt).toBeUndefined();
      expect(postalProvider.defaultTimestampToleranceSeconds).toBeUndefined();
    });

    it.each([
      ['no key at all', []],
      ['only text that is not a key', ['hello']],
      ['a private key instead of the public key', [postalSimulator.generateKeyPair?.().simulationKey ?? '']],
      ['a non-RSA public key', ['MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=']],
    ])('fails closed when configured with %s', async (_case, keys) => {
      const failure = await signatureFailure(verify(requestOf(VALID.body, VALID.headers), keys));
      expect(failure.reason).toMatch(/is an RSA public key/);
    });

    it('keeps SHA-1 only as the fallback of servers that send no SHA-256 signature', async () => {
      await expect(verify(requestOf(VALID.body, { 'X-Postal-Signature': SIGNATURE_SHA1 }), [KEY])).resolves.toEqual({});
      await signatureFailure(
        verify(
          requestOf(VALID.body, { 'X-Postal-Signature-256': SIGNATURE_SHA1, 'X-Postal-Signature': SIGNATURE_SHA1 }),
          [KEY],
        ),
      );
    });
  });

  describe('parsePostalKey', () => {
    it('computes the key id Postal sends in X-Postal-Signature-KID', () => {
      expect(parsePostalKey(KEY)?.kid).toBe(VALID.headers['X-Postal-Signature-KID']);
    });
  });

  describe('parse', () => {
    it.each([
      ['a body that is not JSON', '{"event":', 'Body is not valid JSON'],
      ['a JSON array', '[{"event":"MessageSent"}]', 'Expected a JSON object (one Postal webhook event)'],
      ['a JSON string', '"MessageSent"', 'Expected a JSON object (one Postal webhook event)'],
    ])('rejects %s', (_case, body, message) => {
      expect(() => postalProvider.parse(requestOf(body))).toThrow(new PayloadError(message));
    });

    it('yields the single webhook event', () => {
      expect(postalProvider.parse(requestOf(fixture('message-sent'))).events).toHaveLength(1);
    });
  });

  describe('normalise', () => {
    const message = {
      messageId: '12345',
      recipient: 'test@example.com',
      timestamp: '2016-10-31T20:19:37.130Z',
      tags: ['welcome'],
    };
    it.each([
      [
        'message-sent',
        {
          ...message,
          eventType: 'delivered',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b01',
          rejectReason: null,
          description: 'Message sent by SMTP to aspmx.l.google.com (2a00:1450:400c:c0b::1b) (from 2a00:67a0:a:15::2)',
          mtaResponse: '250 2.0.0 OK 1477944899 ly2si31746747wjb.95 - gsmtp',
        },
      ],
      [
        'message-delayed',
        {
          ...message,
          eventType: 'deferred',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b02',
          mtaResponse: '451 4.7.1 Greylisted, please try again later',
        },
      ],
      [
        'message-delivery-failed',
        {
          ...message,
          eventType: 'failed',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b03',
          rejectReason: null,
          mtaResponse: '550 5.1.1 The email account that you tried to reach does not exist',
        },
      ],
      [
        'message-held',
        {
          ...message,
          eventType: 'queued',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b04',
          description: 'Credential is configured to hold all messages authenticated by it.',
          mtaResponse: null,
        },
      ],
      [
        'message-bounced',
        { ...message, eventType: 'bounced', rejectReason: 'bounced', eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b05' },
      ],
      [
        'message-link-clicked',
        {
          ...message,
          eventType: 'clicked',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b06',
          clickUrl: 'https://atech.media',
          userAgent: expect.stringContaining('Chrome/54.0.2840.98'),
        },
      ],
      [
        'message-loaded',
        {
          ...message,
          eventType: 'opened',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b07',
          clickUrl: null,
          userAgent: expect.stringContaining('Macintosh'),
        },
      ],
      [
        'domain-dns-error',
        {
          eventType: 'unknown',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b08',
          messageId: null,
          recipient: null,
          description: expect.stringContaining('The DKIM record at example.com does not match'),
        },
      ],
      [
        'send-limit-approaching',
        {
          eventType: 'unknown',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b09',
          recipient: null,
          description: 'Send volume 900 of limit 1000',
        },
      ],
      [
        'send-limit-exceeded',
        {
          eventType: 'unknown',
          eventId: '0d2f3c6e-1f0a-4c51-8d0e-6a1f4c1e2b10',
          description: 'Send volume 1001 of limit 1000',
        },
      ],
    ])('maps %s', (name, expected) => {
      const drafts = normaliseOne(fixture(name));
      expect(drafts).toHaveLength(1);
      const [draft] = drafts;
      if (draft === undefined) throw new Error('expected one event');
      expect(completeEvent('postal', draft, NOW)).toMatchObject(expected);
      expect(draft.raw).toEqual(JSON.parse(fixture(name).toString('utf8')));
    });

    it('ignores events about mail Postal received (direction incoming)', () => {
      expect(normaliseOne(fixture('incoming-message-sent'))).toEqual([]);
    });

    it('maps by delivery status, so a status event always says what happened to the message', () => {
      const event = JSON.parse(fixture('message-sent').toString('utf8'));
      event.payload.status = 'SoftFail';
      expect(postalProvider.normalise(event, requestOf('{}'))[0]?.eventType).toBe('deferred');
    });

    it('maps an event name Postal may add later to unknown', () => {
      const event = { ...JSON.parse(fixture('message-sent').toString('utf8')), event: 'MessageArchived' };
      expect(postalProvider.normalise(event, requestOf('{}'))[0]?.eventType).toBe('unknown');
    });

    it.each([
      ['not an object', 'MessageSent', 'Expected the Postal event to be a JSON object'],
      ['without an event name', { payload: {}, uuid: 'x' }, 'Missing field event'],
      ['without a payload', { event: 'MessageSent', uuid: 'x' }, 'Missing field payload (expected an object)'],
    ])('rejects an event %s', (_case, event, message) => {
      expect(() => postalProvider.normalise(event, requestOf('{}'))).toThrow(new PayloadError(message));
    });

    it('gives the same event id to a redelivery and different ids to different events', () => {
      const first = normaliseOne(fixture('message-sent'))[0]?.eventId;
      const again = normaliseOne(fixture('message-sent'))[0]?.eventId;
      const other = normaliseOne(fixture('message-delayed'))[0]?.eventId;
      expect(again).toBe(first);
      expect(other).not.toBe(first);
    });

    it('derives a stable id when an event carries no uuid', () => {
      const { uuid: _uuid, ...withoutUuid } = JSON.parse(fixture('message-sent').toString('utf8'));
      const ids = [0, 1].map(() => postalProvider.normalise(structuredClone(withoutUuid), requestOf('{}'))[0]?.eventId);
      expect(ids[0]).toMatch(/^hg-[0-9a-f]{40}$/);
      expect(ids[1]).toBe(ids[0]);
    });
  });

  describe('simulate', () => {
    const pair = postalSimulator.generateKeyPair?.();
    if (pair === undefined) throw new Error('Postal must generate key pairs');
    const expectedTypes: Record<string, string> = {
      MessageSent: 'delivered',
      MessageDelayed: 'deferred',
      MessageDeliveryFailed: 'failed',
      MessageHeld: 'queued',
      MessageBounced: 'bounced',
      MessageLinkClicked: 'clicked',
      MessageLoaded: 'opened',
      DomainDNSError: 'unknown',
      SendLimitApproaching: 'unknown',
      SendLimitExceeded: 'unknown',
    };

    it('simulates every documented Postal event', () => {
      expect([...postalSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(postalSimulator.events.map((name) => [name]))(
      '%s: signed as Postal signs, verifies, parses and normalises',
      async (eventName) => {
        const simulated = postalSimulator.simulate({
          eventName,
          signingKey: pair.simulationKey,
          now: NOW,
          uniqueId: 'u-1',
        });
        expect(simulated.headers['content-type']).toBe('application/json');
        expect(simulated.headers['x-postal-signature-kid']).toBe(parsePostalKey(pair.verificationKey)?.kid);
        const request = requestOf(simulated.body, simulated.headers);
        await expect(verify(request, [pair.verificationKey])).resolves.toEqual({});
        // The SHA-1 signature alone verifies too, as an older receiver would check it.
        const sha1Only = { ...simulated.headers, 'x-postal-signature-256': '' };
        await expect(verify(requestOf(simulated.body, sha1Only), [pair.verificationKey])).resolves.toEqual({});
        const drafts = normaliseOne(simulated.body);
        expect(drafts.map((draft) => draft.eventType)).toEqual([expectedTypes[eventName]]);
        expect(drafts[0]?.timestamp).toBe(NOW.toISOString());
      },
    );

    it('makes different ids for different unique ids and the same ids for the same one', () => {
      const idOf = (uniqueId: string) =>
        normaliseOne(postalSimulator.simulate({ eventName: 'MessageSent', now: NOW, uniqueId }).body)[0]?.eventId;
      expect(idOf('a')).toBe(idOf('a'));
      expect(idOf('a')).not.toBe(idOf('b'));
    });

    it('builds an unsigned request when no key is given, which verify refuses', async () => {
      const simulated = postalSimulator.simulate({ eventName: 'MessageSent', now: NOW, uniqueId: 'u-2' });
      expect(simulated.headers['x-postal-signature-256']).toBeUndefined();
      await signatureFailure(verify(requestOf(simulated.body, simulated.headers), [pair.verificationKey]));
    });

    it('refuses an event name Postal does not have', () => {
      expect(() => postalSimulator.simulate({ eventName: 'MessageOpened', now: NOW, uniqueId: 'u' })).toThrow(
        'cannot simulate event "MessageOpened"',
      );
    });
  });
});
