import { createHmac } from 'node:crypto';
import { PayloadError, SignatureError } from '../../../lambda/errors';
import { mailgunProvider } from '../../../lambda/providers/mailgun';
import type { VerifyContext, WebhookRequest } from '../../../lambda/providers/types';
import accepted from '../../fixtures/providers/mailgun/accepted.json';
import clicked from '../../fixtures/providers/mailgun/clicked.json';
import complained from '../../fixtures/providers/mailgun/complained.json';
import delivered from '../../fixtures/providers/mailgun/delivered.json';
import legacyBouncedFields from '../../fixtures/providers/mailgun/legacy-bounced-form-fields.json';
import opened from '../../fixtures/providers/mailgun/opened.json';
import permanentFail from '../../fixtures/providers/mailgun/permanent-fail.json';
import rejected from '../../fixtures/providers/mailgun/rejected.json';
import stored from '../../fixtures/providers/mailgun/stored.json';
import temporaryFail from '../../fixtures/providers/mailgun/temporary-fail.json';
import unsubscribed from '../../fixtures/providers/mailgun/unsubscribed.json';
import vectors from '../../fixtures/vectors/mailgun.json';
import { mailgunSimulator } from '../../../src/simulate/mailgun';

/** The key the fixtures were signed with (made up for Hookguard's tests). */
const FIXTURE_KEY = 'hookguard-fixture-webhook-signing-key';
const OTHER_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const NOW = new Date('2026-11-22T12:00:00.000Z');
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

function webhookRequest(
  body: string | Buffer,
  contentType = JSON_TYPE,
  headers: Record<string, string> = {},
): WebhookRequest {
  return {
    provider: 'mailgun',
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    receivedAt: NOW,
  };
}

function jsonRequest(payload: unknown): WebhookRequest {
  return webhookRequest(JSON.stringify(payload));
}

function formRequest(fields: readonly (readonly string[])[]): WebhookRequest {
  const form = new URLSearchParams();
  for (const [name, value] of fields) form.append(name ?? '', value ?? '');
  return webhookRequest(form.toString(), `${FORM_TYPE}; charset=utf-8`);
}

function verifyContext(signingKeys: readonly string[]): VerifyContext {
  return {
    settings: { auth: 'both', timestampToleranceSeconds: 86_400, maxBodyBytes: 1_000_000 },
    signingKeys,
    signedUrls: [],
    now: NOW,
    certificates: { certificate: () => Promise.reject(new Error('Mailgun never fetches certificates')) },
  };
}

async function verify(request: WebhookRequest, keys: readonly string[]) {
  const check = mailgunProvider.verify;
  if (check === undefined) throw new Error('Mailgun must verify signatures');
  return check(request, verifyContext(keys));
}

function normalise(request: WebhookRequest) {
  return mailgunProvider.parse(request).events.flatMap((event) => mailgunProvider.normalise(event, request));
}

function hexMac(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', key)
    .update(timestamp + token)
    .digest('hex');
}

function signedPayload(key: string, timestamp: string, token: string, extra: Record<string, unknown> = {}) {
  return {
    signature: { timestamp, token, signature: hexMac(key, timestamp, token), ...extra },
    'event-data': delivered['event-data'],
  };
}

describe('mailgunProvider', () => {
  describe('verify: official Mailgun SDK vectors', () => {
    it.each(
      vectors.map(
        (vector) =>
          [`${vector.expected_valid ? 'accepts' : 'rejects'} ${vector.source.split(' ').at(-1)}`, vector] as const,
      ),
    )('%s', async (_name, vector) => {
      const outcome = verify(jsonRequest(vector.body), [vector.secret_or_public_key]);

      if (vector.expected_valid) {
        await expect(outcome).resolves.toEqual({ signedAt: new Date(Number(vector.timestamp) * 1000) });
      } else {
        await expect(outcome).rejects.toBeInstanceOf(SignatureError);
      }
    });
  });

  describe('verify: every way a signature can fail', () => {
    const timestamp = String(NOW.getTime() / 1000);
    const token = 'b9f3e2d1c0a9876543210fedcba9876543210fedcba9876543';
    const good = signedPayload(FIXTURE_KEY, timestamp, token);
    const withSignature = (fields: Record<string, unknown>) =>
      jsonRequest({ ...good, signature: { ...good.signature, ...fields } });

    it.each([
      ['a different key', jsonRequest(good), [OTHER_KEY], 'signature does not match any configured key'],
      [
        'a changed token',
        withSignature({ token: `${token.slice(0, -1)}4` }),
        [FIXTURE_KEY],
        'signature does not match any configured key',
      ],
      [
        'a changed timestamp',
        withSignature({ timestamp: String(Number(timestamp) + 1) }),
        [FIXTURE_KEY],
        'signature does not match any configured key',
      ],
      [
        'a signature that is not hex',
        withSignature({ signature: `z${good.signature.signature.slice(1)}` }),
        [FIXTURE_KEY],
        'signature is not 64 hex digits',
      ],
      [
        'a truncated signature',
        withSignature({ signature: good.signature.signature.slice(0, 62) }),
        [FIXTURE_KEY],
        'signature is not 64 hex digits',
      ],
      [
        'a signature with trailing garbage',
        withSignature({ signature: `${good.signature.signature}00` }),
        [FIXTURE_KEY],
        'signature is not 64 hex digits',
      ],
      [
        'a signature given as base64',
        withSignature({ signature: Buffer.from(good.signature.signature, 'hex').toString('base64') }),
        [FIXTURE_KEY],
        'signature is not 64 hex digits',
      ],
      ['an empty signature', withSignature({ signature: '' }), [FIXTURE_KEY], 'signature is not 64 hex digits'],
      ['a missing token', withSignature({ token: undefined }), [FIXTURE_KEY], 'missing signature token'],
      [
        'a timestamp that is not Unix seconds',
        withSignature({ timestamp: 'yesterday' }),
        [FIXTURE_KEY],
        'signature timestamp is not Unix seconds',
      ],
      [
        'a missing signature block',
        jsonRequest({ 'event-data': good['event-data'] }),
        [FIXTURE_KEY],
        'missing signature block',
      ],
      [
        'a body that is not JSON',
        webhookRequest('signature=1'),
        [FIXTURE_KEY],
        'body is not JSON, so it carries no signature block',
      ],
      ['an empty configured key', jsonRequest(good), [''], 'signature does not match any configured key'],
      [
        'a parent-signature made with an unknown key',
        withSignature({ signature: '0'.repeat(64), 'parent-signature': hexMac(OTHER_KEY, timestamp, token) }),
        [FIXTURE_KEY],
        'signature does not match any configured key',
      ],
    ] as const)('rejects %s', async (_case, request, keys, reason) => {
      const outcome = verify(request, keys);

      await expect(outcome).rejects.toBeInstanceOf(SignatureError);
      await expect(outcome).rejects.toMatchObject({ reason, message: SignatureError.PUBLIC_MESSAGE });
    });

    it.each([
      ['the only key matches', jsonRequest(good), [FIXTURE_KEY]],
      ['the second of two keys matches (rotation)', jsonRequest(good), [OTHER_KEY, FIXTURE_KEY]],
      ['the hex is upper-case', withSignature({ signature: good.signature.signature.toUpperCase() }), [FIXTURE_KEY]],
      ['the timestamp is a JSON number', withSignature({ timestamp: Number(timestamp) }), [FIXTURE_KEY]],
      [
        'the parent account key matches parent-signature',
        withSignature({
          signature: hexMac(OTHER_KEY, timestamp, token),
          'parent-signature': hexMac(FIXTURE_KEY, timestamp, token),
        }),
        [FIXTURE_KEY],
      ],
      [
        'the subaccount key matches signature next to a parent-signature',
        withSignature({ 'parent-signature': hexMac(OTHER_KEY, timestamp, token) }),
        [FIXTURE_KEY],
      ],
      [
        'a malformed parent-signature sits next to a good signature',
        withSignature({ 'parent-signature': 'not hex' }),
        [FIXTURE_KEY],
      ],
    ] as const)('accepts the signature when %s', async (_case, request, keys) => {
      await expect(verify(request, keys)).resolves.toEqual({ signedAt: NOW });
    });

    it.each([
      ['stale', new Date(NOW.getTime() - 9 * 3_600_000)],
      ['future', new Date(NOW.getTime() + 3_600_000)],
    ])('returns a %s signed timestamp as signedAt for the pipeline to judge', async (_case, signedAt) => {
      const request = jsonRequest(signedPayload(FIXTURE_KEY, String(signedAt.getTime() / 1000), token));

      await expect(verify(request, [FIXTURE_KEY])).resolves.toEqual({ signedAt });
    });

    it('verifies every fixture, which Mailgun signs the same way for each event type', async () => {
      const fixtures = [
        accepted,
        clicked,
        complained,
        delivered,
        opened,
        permanentFail,
        rejected,
        stored,
        temporaryFail,
        unsubscribed,
      ];

      const results = await Promise.all(fixtures.map((fixture) => verify(jsonRequest(fixture), [FIXTURE_KEY])));

      expect(results.map(({ signedAt }) => signedAt?.getTime())).toEqual(
        fixtures.map((fixture) => Number(fixture.signature.timestamp) * 1000),
      );
    });
  });

  describe('verify: legacy form posts', () => {
    it('verifies the timestamp, token and signature form fields', async () => {
      await expect(verify(formRequest(legacyBouncedFields), [FIXTURE_KEY])).resolves.toEqual({
        signedAt: new Date(1403645220 * 1000),
      });
    });

    it("uses Mailgun's own (last) values when a user variable reuses a signature field name", async () => {
      const colliding = [['token', 'user-variable-token'], ['signature', 'user value'], ...legacyBouncedFields];

      await expect(verify(formRequest(colliding), [FIXTURE_KEY])).resolves.toEqual({
        signedAt: new Date(1403645220 * 1000),
      });
    });

    it.each([
      ['a different key', legacyBouncedFields, [OTHER_KEY]],
      ['no signature field', legacyBouncedFields.filter(([name]) => name !== 'signature'), [FIXTURE_KEY]],
      [
        'a changed token',
        legacyBouncedFields.map(([name, value]) => [name, name === 'token' ? `${value}x` : value]),
        [FIXTURE_KEY],
      ],
    ])('rejects a form post with %s', async (_case, fields, keys) => {
      await expect(verify(formRequest(fields as string[][]), keys)).rejects.toBeInstanceOf(SignatureError);
    });
  });

  describe('normalise', () => {
    it.each([
      ['accepted', accepted, { eventType: 'queued', rejectReason: null, recipient: 'alice@example.com' }],
      ['delivered', delivered, { eventType: 'delivered', mtaResponse: 'OK', timestamp: '2018-03-19T15:11:02.908Z' }],
      [
        'failed (permanent)',
        permanentFail,
        { eventType: 'bounced', rejectReason: 'bounced', description: 'Not delivering to previously bounced address' },
      ],
      [
        'failed (temporary)',
        temporaryFail,
        { eventType: 'deferred', rejectReason: 'bounced', mtaResponse: expect.stringContaining('4.2.2 The email account') },
      ],
      ['opened', opened, { eventType: 'opened', userAgent: expect.stringContaining('Chrome/51.0'), clickUrl: null }],
      ['clicked', clicked, { eventType: 'clicked', clickUrl: 'http://mailgun.net' }],
      ['unsubscribed', unsubscribed, { eventType: 'unsubscribed', rejectReason: null }],
      ['complained', complained, { eventType: 'complained', rejectReason: 'spam' }],
      [
        'rejected',
        rejected,
        {
          eventType: 'rejected',
          rejectReason: 'other',
          recipient: 'joe@example.com',
          description: expect.stringContaining('Sandbox subdomains'),
        },
      ],
      [
        'stored',
        stored,
        { eventType: 'inbound', recipient: 'support@example.com', messageId: 'CAEv0cvZ4u8yVw@mail.example.net' },
      ],
    ])('maps %s', (_name, fixture, expected) => {
      const [draft, ...rest] = normalise(jsonRequest(fixture));

      expect(rest).toHaveLength(0);
      expect(draft).toMatchObject({ eventId: fixture.signature.token, raw: fixture['event-data'], ...expected });
    });

    it('fills every field of a delivered event', () => {
      expect(normalise(jsonRequest(delivered))).toEqual([
        {
          eventType: 'delivered',
          eventId: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
          messageId: '20130503182626.18666.16540@sandbox0123456789abcdef.mailgun.org',
          recipient: 'alice@example.com',
          timestamp: '2018-03-19T15:11:02.908Z',
          rejectReason: null,
          description: null,
          mtaResponse: 'OK',
          tags: ['my_tag_1', 'my_tag_2'],
          metadata: { my_var_1: 'Mailgun Variable #1', 'my-var-2': 'awesome' },
          clickUrl: null,
          userAgent: null,
          raw: delivered['event-data'],
        },
      ]);
    });

    it.each([
      ['bounce', 'bounced'],
      ['suppress-bounce', 'bounced'],
      ['suppress-unsubscribe', 'unsubscribed'],
      ['suppress-complaint', 'spam'],
      ['old', 'timed_out'],
      ['espblock', 'blocked'],
      ['generic', 'other'],
      ['something-new', 'other'],
    ])('maps a permanent failure with reason %s to reject reason %s', (reason, rejectReason) => {
      const payload = { ...permanentFail, 'event-data': { ...permanentFail['event-data'], reason } };

      expect(normalise(jsonRequest(payload))[0]).toMatchObject({ eventType: 'bounced', rejectReason });
    });

    it('maps an event name Mailgun may add later to unknown', () => {
      const payload = { ...delivered, 'event-data': { ...delivered['event-data'], event: 'list_member_uploaded' } };

      expect(normalise(jsonRequest(payload))[0]).toMatchObject({
        eventType: 'unknown',
        eventId: delivered.signature.token,
      });
    });

    it('keeps the signature block out of the published raw event', () => {
      expect(JSON.stringify(normalise(jsonRequest(delivered))[0]?.raw)).not.toContain(delivered.signature.signature);
    });

    it('maps a legacy bounced form post', () => {
      const [draft] = normalise(formRequest(legacyBouncedFields));

      expect(draft).toEqual({
        eventType: 'bounced',
        eventId: '7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6',
        messageId: '<20130503182626.18666.16540@sandbox0123456789abcdef.mailgun.org>',
        recipient: 'alice@example.com',
        timestamp: '2014-06-24T21:27:00.000Z',
        rejectReason: 'bounced',
        description: null,
        mtaResponse: '5.1.1 The email account that you tried to reach does not exist.',
        tags: ['my_tag_1', 'my_tag_2'],
        metadata: { my_var_1: 'Mailgun Variable #1' },
        clickUrl: null,
        userAgent: null,
        raw: expect.not.objectContaining({ signature: expect.anything() }),
      });
    });

    it.each([
      ['dropped', [['code', '605']], 'rejected', 'bounced'],
      ['dropped', [['code', '607']], 'rejected', 'spam'],
      ['dropped', [['code', '499']], 'rejected', 'timed_out'],
      ['dropped', [['reason', 'old']], 'rejected', 'timed_out'],
      ['dropped', [['reason', 'hardfail']], 'rejected', 'other'],
      ['bounced', [['code', '5.1.1']], 'bounced', 'bounced'],
      [
        'opened',
        [
          ['campaign-id', 'c1'],
          ['tenant', 'acme'],
        ],
        'opened',
        null,
      ],
      ['clicked', [['url', 'https://example.com/x']], 'clicked', null],
      ['complained', [], 'complained', 'spam'],
      ['unsubscribed', [], 'unsubscribed', null],
      ['delivered', [], 'delivered', null],
    ])('maps a legacy %s post with %j', (event, extra, eventType, rejectReason) => {
      const fields = [
        ['event', event],
        ['recipient', 'bob@example.com'],
        ...extra,
        ['timestamp', '1403645220'],
        ['token', 'tok'],
      ];

      expect(normalise(formRequest(fields))[0]).toMatchObject({ eventType, rejectReason, eventId: 'tok' });
    });

    it('keeps a legacy form field named __proto__ as plain data', () => {
      const [draft] = normalise(
        formRequest([
          ['event', 'opened'],
          ['__proto__', 'x'],
          ['token', 't'],
        ]),
      );

      expect(Object.hasOwn(draft?.metadata ?? {}, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(draft?.metadata)).toBe(Object.prototype);
    });

    it('takes user variables of a legacy post without message headers from the unknown fields', () => {
      const fields = [
        ['event', 'opened'],
        ['recipient', 'bob@example.com'],
        ['tenant', 'acme'],
        ['user-agent', 'UA'],
        ['token', 't'],
      ];

      expect(normalise(formRequest(fields))[0]).toMatchObject({ metadata: { tenant: 'acme' }, userAgent: 'UA' });
    });
  });

  describe('event ids', () => {
    it('gives a retried webhook (same token) the same id and another webhook a different one', () => {
      const retry = structuredClone(delivered);
      const other = { ...delivered, signature: { ...delivered.signature, token: 'c'.repeat(50) } };

      const ids = [delivered, retry, other].map((payload) => normalise(jsonRequest(payload))[0]?.eventId);

      expect(ids[0]).toBe(ids[1]);
      expect(ids[0]).not.toBe(ids[2]);
    });

    it('derives a stable id from event-data when no token was posted (Basic-only setups)', () => {
      const unsigned = { 'event-data': delivered['event-data'] };
      const otherEvent = { 'event-data': opened['event-data'] };

      const ids = [unsigned, structuredClone(unsigned), otherEvent].map(
        (payload) => normalise(jsonRequest(payload))[0]?.eventId,
      );

      expect(ids[0]).toMatch(/^hg-[0-9a-f]{40}$/);
      expect(ids[0]).toBe(ids[1]);
      expect(ids[0]).not.toBe(ids[2]);
    });
  });

  describe('malformed payloads', () => {
    it.each([
      ['a body that is not JSON', webhookRequest('{"signature":'), 'Body is not valid JSON'],
      ['a JSON array', jsonRequest([delivered]), 'Expected a JSON object with signature and event-data'],
      ['an object without event-data', jsonRequest({ signature: delivered.signature }), 'Missing field event-data'],
      [
        'event-data that is not an object',
        jsonRequest({ ...delivered, 'event-data': 'delivered' }),
        'Missing field event-data',
      ],
      ['a form post without an event field', formRequest([['recipient', 'a@example.com']]), 'Missing form field event'],
    ])('refuses %s in parse', (_case, request, message) => {
      expect(() => mailgunProvider.parse(request)).toThrow(new PayloadError(message));
    });

    it.each([
      [
        'event-data without an event name',
        { ...delivered, 'event-data': { ...delivered['event-data'], event: undefined } },
        'Missing field event-data.event',
      ],
      ['an event that is not an object', 'delivered', 'Expected a JSON object with signature and event-data'],
    ])('refuses %s in normalise', (_case, event, message) => {
      expect(() => mailgunProvider.normalise(event, webhookRequest('{}'))).toThrow(new PayloadError(message));
    });

    it('refuses legacy message headers that are not JSON', () => {
      const fields = [
        ['event', 'bounced'],
        ['message-headers', '[["To",'],
        ['token', 't'],
      ];

      expect(() => normalise(formRequest(fields))).toThrow(
        new PayloadError('Form field message-headers (or its X-Mailgun-Variables) is not valid JSON'),
      );
    });
  });

  describe('simulate', () => {
    const expectedTypes: Record<string, string> = {
      accepted: 'queued',
      delivered: 'delivered',
      permanent_fail: 'bounced',
      temporary_fail: 'deferred',
      opened: 'opened',
      clicked: 'clicked',
      unsubscribed: 'unsubscribed',
      complained: 'complained',
      rejected: 'rejected',
    };

    it('simulates every webhook type Mailgun lets you configure, plus rejections', () => {
      expect([...mailgunSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(mailgunSimulator.events.map((name) => [name]))('round-trips %s', async (eventName) => {
      // Prepare
      const simulated = mailgunSimulator.simulate({ eventName, signingKey: FIXTURE_KEY, now: NOW, uniqueId: 'u-1' });
      const request = webhookRequest(simulated.body, JSON_TYPE, simulated.headers);

      // Act
      const verified = await verify(request, [OTHER_KEY, FIXTURE_KEY]);
      const drafts = normalise(request);

      // Assess
      expect(simulated.headers['content-type']).toBe(JSON_TYPE);
      expect(verified).toEqual({ signedAt: NOW });
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ eventType: expectedTypes[eventName], timestamp: NOW.toISOString() });
      expect(drafts[0]?.eventId).toHaveLength(50);
    });

    it('makes a new token per unique id, and an unsigned request without a key', async () => {
      const first = mailgunSimulator.simulate({ eventName: 'delivered', now: NOW, uniqueId: 'a' });
      const second = mailgunSimulator.simulate({ eventName: 'delivered', now: NOW, uniqueId: 'b' });
      const [firstId, secondId] = [first, second].map(
        (simulated) => normalise(webhookRequest(simulated.body))[0]?.eventId,
      );

      expect(firstId).not.toBe(secondId);
      await expect(verify(webhookRequest(first.body), [FIXTURE_KEY])).rejects.toBeInstanceOf(SignatureError);
    });
  });
});
