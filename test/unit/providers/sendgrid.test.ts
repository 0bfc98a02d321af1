import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { PayloadError, SignatureError } from '../../../lambda/errors';
import { sendgridProvider } from '../../../lambda/providers/sendgrid';
import type { VerifyContext, WebhookRequest } from '../../../lambda/providers/types';
import fixtureEvents from '../../fixtures/providers/sendgrid/events.json';
import vectors from '../../fixtures/vectors/sendgrid-ecdsa.json';
import { sendgridSimulator } from '../../../src/simulate/sendgrid';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const NOW_SECONDS = String(Math.floor(NOW.getTime() / 1000));

function webhookRequest(body: string | Buffer, headers: Record<string, string> = {}): WebhookRequest {
  const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    provider: 'sendgrid',
    method: 'POST',
    headers: { 'content-type': 'application/json', ...lowerCased },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    receivedAt: NOW,
  };
}

function verifyContext(signingKeys: readonly string[], now: Date = NOW): VerifyContext {
  return {
    settings: { auth: 'both', timestampToleranceSeconds: 600, maxBodyBytes: 5_000_000 },
    signingKeys,
    signedUrls: [],
    now,
    certificates: {
      certificate: () => Promise.reject(new Error('SendGrid never fetches certificates')),
    },
  };
}

function verify(request: WebhookRequest, keys: readonly string[]) {
  const check = sendgridProvider.verify;
  if (check === undefined) throw new Error('SendGrid must verify signatures');
  return check(request, verifyContext(keys));
}

function signedRequest(body: string, privateKeyPem: string, timestamp = NOW_SECONDS): WebhookRequest {
  const signature = sign('sha256', Buffer.from(timestamp + body, 'utf8'), { key: privateKeyPem, dsaEncoding: 'der' });
  return webhookRequest(body, {
    'X-Twilio-Email-Event-Webhook-Signature': signature.toString('base64'),
    'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
  });
}

function normaliseBody(body: unknown) {
  const request = webhookRequest(JSON.stringify(body));
  return sendgridProvider.parse(request).events.flatMap((event) => sendgridProvider.normalise(event, request));
}

const generatePair = (): { verificationKey: string; simulationKey: string } => {
  const generate = sendgridSimulator.generateKeyPair;
  if (generate === undefined) throw new Error('SendGrid must generate key pairs');
  return generate();
};

const pair = generatePair();
const otherPair = generatePair();
const BODY = `${JSON.stringify([fixtureEvents[2]])}\r\n`;

describe('sendgridProvider', () => {
  describe('verify: official SendGrid SDK vectors', () => {
    const named = vectors.map(
      (vector) =>
        [
          `${vector.expected_valid ? 'accepts' : 'rejects'} the vector "${vector.note.split(/[.(]/)[0]?.trim()}"`,
          vector,
        ] as const,
    );

    it.each(named)('%s', async (_name, vector) => {
      // Prepare
      const request = webhookRequest(vector.body, vector.headers);

      // Act
      const outcome = (async () => verify(request, [vector.secret_or_public_key]))();

      // Assess
      if (vector.expected_valid) {
        await expect(outcome).resolves.toEqual({ signedAt: new Date(Number(vector.timestamp) * 1000) });
      } else {
        await expect(outcome).rejects.toBeInstanceOf(SignatureError);
      }
    });

    it('rejects the vector signature with garbage appended, which lenient base64 decoding would accept', async () => {
      const garbage = vectors.find((vector) =>
        vector.headers['X-Twilio-Email-Event-Webhook-Signature'].endsWith('failure'),
      );
      if (garbage === undefined) throw new Error('vector missing');
      const request = webhookRequest(garbage.body, garbage.headers);

      await expect((async () => verify(request, [garbage.secret_or_public_key]))()).rejects.toMatchObject({
        reason: 'signature header is not canonical base64',
      });
    });
  });

  describe('verify: every way a signature can fail', () => {
    const valid = signedRequest(BODY, pair.simulationKey);
    const signature = valid.headers['x-twilio-email-event-webhook-signature'] ?? '';
    const withHeaders = (headers: Record<string, string | undefined>): WebhookRequest => {
      const merged: Record<string, string> = {};
      for (const [name, value] of Object.entries({ ...valid.headers, ...headers })) {
        if (value !== undefined) merged[name] = value;
      }
      return { ...valid, headers: merged };
    };

    it.each([
      ['a different key', valid, [otherPair.verificationKey], 'signature does not match any configured key'],
      [
        'a tampered body',
        { ...valid, body: Buffer.from(BODY.replace('250 OK', '250 0K')) },
        [pair.verificationKey],
        'signature does not match any configured key',
      ],
      [
        'a body with a byte appended',
        { ...valid, body: Buffer.concat([valid.body, Buffer.from(' ')]) },
        [pair.verificationKey],
        'signature does not match any configured key',
      ],
      [
        'a changed timestamp header',
        withHeaders({ 'x-twilio-email-event-webhook-timestamp': String(Number(NOW_SECONDS) + 1) }),
        [pair.verificationKey],
        'signature does not match any configured key',
      ],
      [
        'a signature that is not base64',
        withHeaders({ 'x-twilio-email-event-webhook-signature': `*${signature.slice(1)}` }),
        [pair.verificationKey],
        'signature header is not canonical base64',
      ],
      // Whether this is still canonical base64 depends on the signature's padding; either way it must fail.
      [
        'base64 with trailing garbage',
        withHeaders({ 'x-twilio-email-event-webhook-signature': `${signature}AAAA` }),
        [pair.verificationKey],
        expect.any(String),
      ],
      [
        'base64 with trailing text',
        withHeaders({ 'x-twilio-email-event-webhook-signature': `${signature}x` }),
        [pair.verificationKey],
        'signature header is not canonical base64',
      ],
      [
        'base64 of bytes that are not DER',
        withHeaders({ 'x-twilio-email-event-webhook-signature': Buffer.alloc(70, 7).toString('base64') }),
        [pair.verificationKey],
        'signature does not match any configured key',
      ],
      [
        'a missing signature header',
        withHeaders({ 'x-twilio-email-event-webhook-signature': undefined }),
        [pair.verificationKey],
        'missing X-Twilio-Email-Event-Webhook-Signature header',
      ],
      [
        'a missing timestamp header',
        withHeaders({ 'x-twilio-email-event-webhook-timestamp': undefined }),
        [pair.verificationKey],
        'missing X-Twilio-Email-Event-Webhook-Timestamp header',
      ],
      [
        'a timestamp in milliseconds with a fraction',
        withHeaders({ 'x-twilio-email-event-webhook-timestamp': `${NOW_SECONDS}.5` }),
        [pair.verificationKey],
        'timestamp header is not Unix seconds',
      ],
      [
        'a configured key that is not base64',
        valid,
        ['not a key!'],
        'no configured SendGrid key is a P-256 public key (base64 SPKI)',
      ],
      [
        'a configured RSA key',
        valid,
        [
          generateKeyPairSync('rsa', { modulusLength: 2048 })
            .publicKey.export({ format: 'der', type: 'spki' })
            .toString('base64'),
        ],
        'no configured SendGrid key is a P-256 public key (base64 SPKI)',
      ],
      [
        'a configured P-384 key',
        valid,
        [
          generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
            .publicKey.export({ format: 'der', type: 'spki' })
            .toString('base64'),
        ],
        'no configured SendGrid key is a P-256 public key (base64 SPKI)',
      ],
    ] as const)('rejects %s', async (_case, request, keys, reason) => {
      const outcome = (async () => verify(request, keys))();

      await expect(outcome).rejects.toBeInstanceOf(SignatureError);
      await expect(outcome).rejects.toMatchObject({ reason, message: SignatureError.PUBLIC_MESSAGE });
    });

    it.each([
      ['the first of two keys matches', [pair.verificationKey, otherPair.verificationKey]],
      ['the second of two keys matches (rotation)', [otherPair.verificationKey, pair.verificationKey]],
      ['an unusable key sits next to the right one', ['garbage', pair.verificationKey]],
      [
        'the key is pasted as a PEM',
        [createPublicKey(pair.simulationKey).export({ format: 'pem', type: 'spki' }).toString()],
      ],
    ])('accepts the signature when %s', async (_case, keys) => {
      await expect((async () => verify(valid, keys))()).resolves.toEqual({ signedAt: NOW });
    });

    it.each([
      ['stale', new Date(NOW.getTime() - 86_400_000)],
      ['future', new Date(NOW.getTime() + 3_600_000)],
    ])('returns a %s signed timestamp as signedAt for the pipeline to judge', async (_case, signedAt) => {
      const request = signedRequest(BODY, pair.simulationKey, String(signedAt.getTime() / 1000));

      await expect((async () => verify(request, [pair.verificationKey]))()).resolves.toEqual({ signedAt });
    });
  });

  describe('normalise', () => {
    const drafts = normaliseBody(fixtureEvents);
    const byEventId = new Map(drafts.map((draft) => [draft.eventId, draft]));

    it.each([
      [
        'processed',
        'rbtnWrG1DVDGGGFHFyun0A==',
        {
          eventType: 'queued',
          rejectReason: null,
          timestamp: '2017-12-15T00:59:29.000Z',
          metadata: { order_id: 'ord-1234' },
        },
      ],
      [
        'dropped',
        'zmzJhfJgAfUSOW80yEbPyw==',
        { eventType: 'rejected', rejectReason: 'bounced', description: 'Bounced Address', mtaResponse: null },
      ],
      ['delivered', 'rWVYmVk90MjZJ9iohOBa3w==', { eventType: 'delivered', rejectReason: null, mtaResponse: '250 OK' }],
      [
        'deferred',
        't7LEShmowp86DTdUW8M-GQ==',
        { eventType: 'deferred', rejectReason: null, mtaResponse: '400 try again later' },
      ],
      [
        'bounce',
        '6g4ZI7SA-xmRDv57GoPIPw==',
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          description: 'Invalid Address',
          mtaResponse: '500 unknown recipient',
        },
      ],
      [
        'bounce (blocked)',
        '9nRvuB0zK4O7MyyZNsjX3A==',
        { eventType: 'bounced', rejectReason: 'blocked', description: 'Reputation' },
      ],
      [
        'open',
        'FOTFFO0ecsBE-zxFXfs6WA==',
        {
          eventType: 'opened',
          userAgent: 'Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)',
          messageId: '14c5d75ce93.dfd.64b469',
        },
      ],
      [
        'click',
        'kCAi1KttyQdEKHhdC-nuEA==',
        { eventType: 'clicked', clickUrl: 'http://www.sendgrid.com/', metadata: {} },
      ],
      ['spamreport', '37nvH5QBz858KGVYCM4uOA==', { eventType: 'complained', rejectReason: 'spam' }],
      ['unsubscribe', 'zz_BjPgU_5pS-J8vlfB1sg==', { eventType: 'unsubscribed', rejectReason: null }],
      ['group_unsubscribe', 'ahSCB7xYcXFb-hEaawsPRw==', { eventType: 'unsubscribed' }],
      ['group_resubscribe', 'w_u0vJhLT-OFfprar5N93g==', { eventType: 'subscribed' }],
      [
        'account_status_change',
        'MjY1MzUzMTgtYjM2MS00ZmM3LWJhZDYtYjU0M2Q1ZjE0ZWJj',
        { eventType: 'unknown', recipient: null, messageId: null, tags: [] },
      ],
    ])('maps %s', (_name, eventId, expected) => {
      const draft = byEventId.get(eventId);

      expect(draft).toMatchObject({ eventId, ...expected });
    });

    it('keeps the fields every delivery event shares', () => {
      expect(byEventId.get('rWVYmVk90MjZJ9iohOBa3w==')).toEqual({
        eventType: 'delivered',
        eventId: 'rWVYmVk90MjZJ9iohOBa3w==',
        messageId: '14c5d75ce93.dfd.64b469',
        recipient: 'example@test.com',
        timestamp: '2017-12-15T00:59:31.000Z',
        rejectReason: null,
        description: null,
        mtaResponse: '250 OK',
        tags: ['cat facts'],
        metadata: {},
        clickUrl: null,
        userAgent: null,
        raw: fixtureEvents[2],
      });
    });

    it.each([
      ['dropped', { reason: 'Bounced Address' }, 'bounced'],
      ['dropped', { reason: 'Unsubscribed Address' }, 'unsubscribed'],
      ['dropped', { reason: 'Invalid' }, 'invalid'],
      ['dropped', { reason: 'Spam Reporting Address' }, 'spam'],
      ['dropped', { reason: 'Invalid SMTPAPI header' }, 'other'],
      ['dropped', { reason: 'Spam Content (if Spam Checker app is enabled)' }, 'other'],
      ['dropped', { reason: 'Recipient List over Package Quota' }, 'other'],
      ['dropped', { type: 'expired', reason: 'Expired' }, 'timed_out'],
      ['dropped', { type: 'blocked', reason: 'Whatever' }, 'blocked'],
      ['dropped', {}, 'other'],
      ['bounce', { type: 'bounce', reason: '550 no such user' }, 'bounced'],
      ['bounce', { type: 'blocked', reason: '554 blocked' }, 'blocked'],
      ['bounce', { type: 'expired', reason: 'deferred for 72 hours' }, 'timed_out'],
      ['bounce', { reason: '550 no such user' }, 'bounced'],
    ])('maps %s with %j to reject reason %s', (event, fields, rejectReason) => {
      const [draft] = normaliseBody([{ event, email: 'a@example.com', timestamp: 1, sg_event_id: 'x', ...fields }]);

      expect(draft?.rejectReason).toBe(rejectReason);
    });

    it('maps an event name SendGrid may add later to unknown', () => {
      const [draft] = normaliseBody([{ event: 'machine_readable_future', email: 'a@example.com', sg_event_id: 'y' }]);

      expect(draft).toMatchObject({ eventType: 'unknown', eventId: 'y', recipient: 'a@example.com' });
    });

    it('keeps a custom arg named __proto__ as plain data', () => {
      const request = webhookRequest('[{"event":"delivered","sg_event_id":"p","__proto__":{"polluted":true}}]');

      const [draft] = sendgridProvider.normalise(sendgridProvider.parse(request).events[0], request);

      expect(Object.hasOwn(draft?.metadata ?? {}, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(draft?.metadata)).toBe(Object.prototype);
    });

    it('accepts a category given as a list and keeps custom args as metadata', () => {
      const [draft] = normaliseBody([
        { event: 'delivered', sg_event_id: 'z', category: ['a', 'b'], tenant: 'acme', attempt_id: 7 },
      ]);

      expect(draft).toMatchObject({ tags: ['a', 'b'], metadata: { tenant: 'acme', attempt_id: 7 } });
    });
  });

  describe('messageId: the X-Message-Id of the send API, the same on every event of a message', () => {
    it('gives every event of the fixture message the same id, smtp-id or not', () => {
      const ids = new Set(
        normaliseBody(fixtureEvents).filter((draft) => draft.eventType !== 'unknown').map((draft) => draft.messageId),
      );
      expect([...ids]).toEqual(['14c5d75ce93.dfd.64b469']);
    });

    it.each([
      ['a delivery (sg_message_id with .filter)', { 'smtp-id': '<wrfRRvF7Q0GgwUo2CvDmEA@ismtpd0006p1sjc2.sendgrid.net>', sg_message_id: 'wrfRRvF7Q0GgwUo2CvDmEA.filter0425p1mdw1.13037.57168B4A1D.0' }, 'wrfRRvF7Q0GgwUo2CvDmEA'],
      ['an open (no smtp-id)', { sg_message_id: 'wrfRRvF7Q0GgwUo2CvDmEA.filter0425p1mdw1.13037.57168B4A1D.0' }, 'wrfRRvF7Q0GgwUo2CvDmEA'],
      ['a processed event (bare X-Message-Id)', { sg_message_id: 'wrfRRvF7Q0GgwUo2CvDmEA' }, 'wrfRRvF7Q0GgwUo2CvDmEA'],
      ['a recvd suffix', { sg_message_id: 'u9Gvi3mzT6iC2poAb58_qQ.recvd-5f7c8d9-abcde-1-5F7C8D9E-1.0' }, 'u9Gvi3mzT6iC2poAb58_qQ'],
      ['a drop with only the filter part', { 'smtp-id': '<wrfRRvF7Q0GgwUo2CvDmEA@ismtpd0006p1sjc2.sendgrid.net>', sg_message_id: 'filter0093p1las1.9128.5717FB8127.0' }, 'wrfRRvF7Q0GgwUo2CvDmEA'],
      ['the sender\'s own Message-ID in smtp-id', { 'smtp-id': '<152712433591.85282.8340115595767222398@example.com>', sg_message_id: 'wrfRRvF7Q0GgwUo2CvDmEA.filter0425p1mdw1' }, 'wrfRRvF7Q0GgwUo2CvDmEA'],
      ['neither id', { 'smtp-id': '<152712433591.85282@example.com>' }, null],
    ])('reads %s', (_label, fields, expected) => {
      const event = { event: 'delivered', email: 'a@example.com', timestamp: 1, sg_event_id: 'e', ...fields };
      expect(sendgridProvider.normalise(event, webhookRequest(Buffer.from('[]'), {}))[0]?.messageId).toBe(expected);
    });

    it('simulated open and delivered of one message share the messageId; only delivered carries smtp-id', () => {
      const [delivered, open] = ['delivered', 'open'].map((eventName) => {
        const simulated = sendgridSimulator.simulate({ eventName, now: NOW, uniqueId: 'one-message' });
        const request = webhookRequest(simulated.body, simulated.headers);
        const [event] = sendgridProvider.parse(request).events as Record<string, unknown>[];
        return { event, draft: sendgridProvider.normalise(event, request)[0] };
      });
      expect(delivered?.event).toHaveProperty('smtp-id');
      expect(open?.event).not.toHaveProperty('smtp-id');
      expect(open?.draft?.messageId).toBe(delivered?.draft?.messageId);
      expect(open?.draft?.messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    });
  });

  describe('event ids', () => {
    it('gives the same id to the same event twice in a batch and different ids to different events', () => {
      const [first, second, third] = normaliseBody([fixtureEvents[0], fixtureEvents[0], fixtureEvents[1]]);

      expect(first?.eventId).toBe(second?.eventId);
      expect(first?.eventId).not.toBe(third?.eventId);
    });

    it('derives a stable id from the content when sg_event_id is missing', () => {
      const event = { event: 'open', email: 'a@example.com', timestamp: 1700000000 };
      const [first, again, other] = normaliseBody([event, { ...event }, { ...event, timestamp: 1700000001 }]);

      expect(first?.eventId).toMatch(/^hg-[0-9a-f]{40}$/);
      expect(again?.eventId).toBe(first?.eventId);
      expect(other?.eventId).not.toBe(first?.eventId);
    });

    it('normalises a batch of a thousand events, one draft each, in order', () => {
      const batch = Array.from({ length: 1000 }, (_, index) => ({
        ...fixtureEvents[index % 12],
        sg_event_id: `id-${index}`,
      }));

      const drafts = normaliseBody(batch);

      expect(drafts).toHaveLength(1000);
      expect(drafts[999]?.eventId).toBe('id-999');
    });
  });

  describe('malformed payloads', () => {
    it.each([
      ['a body that is not JSON', 'not json', 'Body is not valid JSON'],
      ['a JSON object instead of an array', '{"event":"delivered"}', 'Expected a JSON array of events'],
    ])('refuses %s in parse', (_case, body, message) => {
      expect(() => sendgridProvider.parse(webhookRequest(body))).toThrow(new PayloadError(message));
    });

    it.each([
      ['an entry that is not an object', ['delivered'], 'Each event must be a JSON object'],
      ['an entry that is null', [null], 'Each event must be a JSON object'],
      ['an entry without an event name', [{ email: 'a@example.com', sg_event_id: 'x' }], 'Missing field event'],
    ])('refuses %s in normalise', (_case, body, message) => {
      expect(() => normaliseBody(body)).toThrow(new PayloadError(message));
    });
  });

  describe('generateKeyPair', () => {
    it('shows the public key as the dashboard does: base64 of a P-256 SPKI DER', () => {
      const key = createPublicKey({ key: Buffer.from(pair.verificationKey, 'base64'), format: 'der', type: 'spki' });

      expect(pair.verificationKey).toMatch(/^MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE[A-Za-z0-9+/]+=*$/);
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      processed: 'queued',
      dropped: 'rejected',
      delivered: 'delivered',
      deferred: 'deferred',
      bounce: 'bounced',
      open: 'opened',
      click: 'clicked',
      spamreport: 'complained',
      unsubscribe: 'unsubscribed',
      group_unsubscribe: 'unsubscribed',
      group_resubscribe: 'subscribed',
      account_status_change: 'unknown',
    };

    it('simulates every documented event type', () => {
      expect([...sendgridSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(sendgridSimulator.events.map((name) => [name]))('round-trips %s', async (eventName) => {
      // Prepare
      const simulated = sendgridSimulator.simulate({
        eventName,
        signingKey: pair.simulationKey,
        now: NOW,
        uniqueId: 'u-1',
      });
      const request = webhookRequest(simulated.body, simulated.headers);

      // Act
      const verified = await verify(request, [otherPair.verificationKey, pair.verificationKey]);
      const { events } = sendgridProvider.parse(request);
      const drafts = events.flatMap((event) => sendgridProvider.normalise(event, request));

      // Assess
      expect(simulated.headers['content-type']).toBe('application/json');
      expect(verified).toEqual({ signedAt: NOW });
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ eventType: expectedTypes[eventName], timestamp: NOW.toISOString() });
    });

    it('makes different ids for different unique ids and the same ids for the same one', () => {
      const ids = ['a', 'a', 'b'].map((uniqueId) => {
        const simulated = sendgridSimulator.simulate({ eventName: 'open', now: NOW, uniqueId });
        const request = webhookRequest(simulated.body, simulated.headers);
        return sendgridProvider.normalise(sendgridProvider.parse(request).events[0], request)[0]?.eventId;
      });

      expect(ids[0]).toBe(ids[1]);
      expect(ids[0]).not.toBe(ids[2]);
    });

    it('sends no signature headers without a signing key, so verification fails closed', async () => {
      const simulated = sendgridSimulator.simulate({ eventName: 'delivered', now: NOW, uniqueId: 'u-2' });

      expect(simulated.headers).not.toHaveProperty('x-twilio-email-event-webhook-signature');
      await expect(
        (async () => verify(webhookRequest(simulated.body, simulated.headers), [pair.verificationKey]))(),
      ).rejects.toBeInstanceOf(SignatureError);
    });

    it('refuses an event name it does not know', () => {
      expect(() => sendgridSimulator.simulate({ eventName: 'teleported', now: NOW, uniqueId: 'u' })).toThrow(
        'cannot simulate event "teleported"',
      );
    });
  });
});
