import { createWebhookProcessor, mediaTypeOf, signedUrlsFor } from '../../../lambda/core/pipeline';
import { ConfigurationError, DependencyError, PayloadError, SignatureError } from '../../../lambda/errors';
import { hmac } from '../../../lambda/providers/shared';
import type { ProviderModule, WebhookRequest } from '../../../lambda/providers/types';
import {
  BODY_MARKER,
  batchProvider,
  batchRequest,
  buggyProvider,
  credential,
  FakeCredentials,
  type FakeEvent,
  fakeSettings,
  fakeWorld,
  fanOutRequest,
  jsonRequest,
  MANDRILL_URL,
  manyEvents,
  NOW,
  OLD_SIGNED_KEY,
  SIGNED_KEY,
  signedHeaders,
  signedProvider,
  signedRequest,
  urlSignedRequest,
} from '../../fixtures/verifier/fakes';

const body = (response: { body: string }) => JSON.parse(response.body);

/** Asserts a response and the logs carry none of the request's secrets or body. */
function expectNothingEchoed(
  world: ReturnType<typeof fakeWorld>,
  request: WebhookRequest,
  response: { body: string; headers: Readonly<Record<string, string>> },
) {
  const sensitive = [BODY_MARKER, SIGNED_KEY, OLD_SIGNED_KEY, 'Secret123'];
  const signature = request.headers['x-fake-signature'] ?? request.headers['x-mandrill-signature'];
  if (signature) sensitive.push(signature);
  const said = `${response.body}${JSON.stringify(response.headers)}${world.logger.text()}`;
  for (const value of sensitive) expect(said).not.toContain(value);
}

describe('createWebhookProcessor', () => {
  describe('routing and method', () => {
    it('answers 404 for a provider that is not enabled, touching nothing', async () => {
      // Prepare
      const world = fakeWorld({ settings: fakeSettings({ resend: undefined }) });
      const process = createWebhookProcessor(world.deps);

      // Act
      const { response, outcome } = await process(signedRequest(manyEvents(1)));

      // Assess
      expect(response.statusCode).toBe(404);
      expect(body(response)).toEqual({ error: { code: 'not_found', message: 'Not found' } });
      expect(outcome.errorCode).toBe('not_found');
      expect(world.signingKeys.calls).toEqual([]);
      expect(world.bus.calls).toEqual([]);
    });

    it('answers 500 when an enabled provider has no registered module (misconfiguration)', async () => {
      const world = fakeWorld({ providers: new Map() });
      const { response } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(1)));
      expect(response.statusCode).toBe(500);
      expect(body(response).error.code).toBe('misconfigured');
      expect(body(response).error.message).toBe('Service temporarily unavailable');
    });

    it.each([
      ['PUT', 'resend', 'POST'],
      ['GET', 'resend', 'POST'],
      ['GET', 'mandrill', 'POST, HEAD'],
      ['DELETE', 'postmark', 'POST'],
    ] as const)('answers 405 to %s on %s with Allow: %s', async (method, provider, allow) => {
      const world = fakeWorld();
      const request = { ...jsonRequest(provider, '{}'), method };
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe(allow);
      expect(body(response).error.code).toBe('method_not_allowed');
    });

    it('answers the Mandrill HEAD URL check with 200 and an empty object, doing nothing else', async () => {
      const world = fakeWorld();
      const request = { ...urlSignedRequest([], MANDRILL_URL, 'wrong-key'), method: 'HEAD' };
      const { response, outcome } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(200);
      expect(body(response)).toEqual({});
      expect(outcome.urlCheck).toBe(true);
      expect(world.signingKeys.calls).toEqual([]);
      expect(world.credentials.calls).toBe(0);
      expect(world.bus.calls).toEqual([]);
    });
  });

  describe('size and content type', () => {
    it('answers 413 for a body over the provider limit, before checking the signature', async () => {
      const world = fakeWorld({
        settings: fakeSettings({ resend: { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: 100 } }),
      });
      const request = signedRequest(manyEvents(5));
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(413);
      expect(body(response).error).toEqual({
        code: 'payload_too_large',
        message: 'Request body exceeds the 100-byte limit',
      });
      expect(world.signingKeys.calls).toEqual([]);
    });

    it('accepts a body exactly at the limit', async () => {
      const request = signedRequest(manyEvents(1));
      const world = fakeWorld({
        settings: fakeSettings({
          resend: { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: request.body.length },
        }),
      });
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(200);
    });

    it.each([
      ['text/plain', 'Unsupported Content-Type; Fake Signed sends application/json'],
      ['application/jsonp', 'Unsupported Content-Type; Fake Signed sends application/json'],
      [undefined, 'Missing Content-Type; Fake Signed sends application/json'],
    ])('answers 415 for content type %s', async (contentType, message) => {
      const world = fakeWorld();
      const signed = signedRequest(manyEvents(1));
      const headers = { ...signed.headers };
      if (contentType === undefined) delete headers['content-type'];
      else headers['content-type'] = contentType;
      const { response } = await createWebhookProcessor(world.deps)({ ...signed, headers });
      expect(response.statusCode).toBe(415);
      expect(body(response).error).toEqual({ code: 'unsupported_media_type', message });
    });

    it.each(['application/json; charset=utf-8', 'Application/JSON', ' application/json ;charset=UTF-8'])(
      'accepts content type %j (parameters and case ignored)',
      async (contentType) => {
        const world = fakeWorld();
        const signed = signedRequest(manyEvents(1));
        const { response } = await createWebhookProcessor(world.deps)({
          ...signed,
          headers: { ...signed.headers, 'content-type': contentType },
        });
        expect(response.statusCode).toBe(200);
      },
    );

    it.each([
      ['text/plain; charset=UTF-8', 'text/plain'],
      ['APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded'],
      [undefined, ''],
      ['', ''],
    ])('mediaTypeOf(%j) is %j', (header, expected) => {
      expect(mediaTypeOf(header)).toBe(expected);
    });
  });

  describe('signature and timestamp window', () => {
    const tamper = (request: WebhookRequest): WebhookRequest => ({
      ...request,
      body: Buffer.from(request.body.toString().replace('"e1"', '"e9"')),
    });

    it.each([
      ['a wrong key', () => signedRequest(manyEvents(1), { key: 'not-the-key' }), 'no signing key matched'],
      ['a tampered body', () => tamper(signedRequest(manyEvents(1))), 'no signing key matched'],
      [
        'a stale timestamp',
        () => signedRequest(manyEvents(1), { signedAt: new Date(NOW.getTime() - 301_000) }),
        'signed timestamp is 301 s in the past, outside the 300 s tolerance',
      ],
      [
        'a future timestamp',
        () => signedRequest(manyEvents(1), { signedAt: new Date(NOW.getTime() + 301_000) }),
        'signed timestamp is 301 s in the future, outside the 300 s tolerance',
      ],
      [
        'a missing signature',
        () => signedRequest(manyEvents(1), { headers: { 'x-fake-signature': '' } }),
        'missing signature headers',
      ],
    ])('answers 401 with the one generic message for %s, logging the reason', async (_case, build, reason) => {
      // Prepare
      const world = fakeWorld();
      const request = build();

      // Act
      const { response, outcome } = await createWebhookProcessor(world.deps)(request);

      // Assess
      expect(response.statusCode).toBe(401);
      expect(body(response)).toEqual({
        error: { code: 'invalid_signature', message: SignatureError.PUBLIC_MESSAGE },
      });
      expect(outcome.errorCode).toBe('invalid_signature');
      expect(world.logger.entries).toContainEqual(
        expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ reason }) }),
      );
      expect(world.bus.calls).toEqual([]);
      expect(world.ledger.items.size).toBe(0);
      expectNothingEchoed(world, request, response);
    });

    it('accepts timestamps exactly at the edge of the window, past and future', async () => {
      const world = fakeWorld();
      const process = createWebhookProcessor(world.deps);
      const past = await process(signedRequest(manyEvents(1, 'p'), { signedAt: new Date(NOW.getTime() - 300_000) }));
      const future = await process(signedRequest(manyEvents(1, 'f'), { signedAt: new Date(NOW.getTime() + 300_000) }));
      expect([past.response.statusCode, future.response.statusCode]).toEqual([200, 200]);
    });

    it('skips the window when the tolerance is 0 (replays)', async () => {
      const world = fakeWorld({
        settings: fakeSettings({ resend: { auth: 'both', timestampToleranceSeconds: 0, maxBodyBytes: 65536 } }),
      });
      const request = signedRequest(manyEvents(1), { signedAt: new Date('2020-01-01T00:00:00Z') });
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(200);
    });

    it('rejects a signed timestamp that is not a valid time', async () => {
      const world = fakeWorld();
      const request = signedRequest(manyEvents(1));
      const bad = { ...request, headers: { ...request.headers } };
      // Re-sign with a non-numeric timestamp: the fake's signedAt becomes an invalid Date.
      bad.headers['x-fake-timestamp'] = 'soon';
      bad.headers['x-fake-signature'] = hmac('sha256', SIGNED_KEY, 'soon', '.', request.body).toString('hex');
      const { response } = await createWebhookProcessor(world.deps)(bad);
      expect(response.statusCode).toBe(401);
      expect(world.logger.text()).toContain('signed timestamp is not a valid time');
    });

    it('accepts a signature made with any of the accepted keys (rotation)', async () => {
      const world = fakeWorld();
      world.signingKeys.keys.resend = [OLD_SIGNED_KEY, SIGNED_KEY];
      const { response } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(1)));
      expect(response.statusCode).toBe(200);
    });

    it('fails closed with 401 when no signing key is configured, telling the operator which provider', async () => {
      const world = fakeWorld();
      world.signingKeys.keys.resend = [];
      const request = signedRequest(manyEvents(1));
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(401);
      expect(body(response).error.message).toBe(SignatureError.PUBLIC_MESSAGE);
      const operatorMessage = world.logger.entries.find((entry) => entry.level === 'error');
      expect(operatorMessage?.message).toMatch(/No signing key is configured for provider resend/);
      expectNothingEchoed(world, request, response);
    });

    it('does not require configured keys for a scheme whose key comes with each message (Amazon SNS)', async () => {
      const keyless: ProviderModule = {
        ...signedProvider,
        usesSigningKeys: false,
        // The key travels with the request here, as an SNS certificate URL does.
        verify: (request, context) => signedProvider.verify?.(request, { ...context, signingKeys: [SIGNED_KEY] }) ?? {},
      };
      const world = fakeWorld({ providers: new Map([['resend', keyless]]) });
      world.signingKeys.keys.resend = [];
      const { response } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(1)));
      expect(response.statusCode).toBe(200);
      expect(world.signingKeys.calls).toEqual([]);
    });

    it('does not check signatures of a provider configured for Basic only', async () => {
      const world = fakeWorld({
        settings: fakeSettings({ resend: { auth: 'basic', timestampToleranceSeconds: 300, maxBodyBytes: 65536 } }),
      });
      const { response } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(1), { key: 'wrong' }));
      expect(response.statusCode).toBe(200);
      expect(world.signingKeys.calls).toEqual([]);
    });

    it.each(['signature', 'both'] as const)(
      'fails closed (500) when auth is %s but the module signs nothing',
      async (auth) => {
        const world = fakeWorld({
          settings: fakeSettings({ postmark: { auth, timestampToleranceSeconds: 0, maxBodyBytes: 65536 } }),
        });
        const { response } = await createWebhookProcessor(world.deps)(batchRequest([{ id: 'a', type: 'sent' }]));
        expect(response.statusCode).toBe(500);
        expect(body(response).error.code).toBe('misconfigured');
        expect(world.bus.calls).toEqual([]);
      },
    );

    it('answers 503 when the signing keys cannot be loaded', async () => {
      const world = fakeWorld();
      world.signingKeys.failure = new Error('socket hang up');
      const { response } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(1)));
      expect(response.statusCode).toBe(503);
      expect(body(response).error).toEqual({
        code: 'dependency_unavailable',
        message: 'Service temporarily unavailable',
      });
    });

    it('answers 500 when a malformed signing keys secret is reported', async () => {
      const world = fakeWorld();
      world.signingKeys.failure = new ConfigurationError('The signing keys secret is not valid JSON');
      const { response } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(1)));
      expect(response.statusCode).toBe(500);
      expect(body(response).error.code).toBe('misconfigured');
    });

    it.each(['verify', 'parse', 'normalise'] as const)(
      'answers 500 when a module throws an untyped error in %s, logging no message that could quote the body',
      async (stage) => {
        const world = fakeWorld({
          providers: new Map([['mailgun', buggyProvider(stage)]]),
        });
        const request = jsonRequest('mailgun', `{"secret":"${BODY_MARKER}"}`);
        const { response } = await createWebhookProcessor(world.deps)(request);
        expect(response.statusCode).toBe(500);
        expect(body(response)).toEqual({ error: { code: 'internal_error', message: 'Internal error' } });
        expect(world.logger.entries).toContainEqual(
          expect.objectContaining({
            level: 'error',
            fields: expect.objectContaining({ errorName: 'ProviderModuleError', provider: 'mailgun' }),
          }),
        );
        expectNothingEchoed(world, request, response);
      },
    );
  });

  describe('typed errors from verify', () => {
    it.each([
      [
        'a ConfigurationError (the module found a misconfiguration)',
        new ConfigurationError('needs signedUrl'),
        'misconfigured',
      ],
    ])('answers 500 for %s', async (_case, error, code) => {
      const throwing: ProviderModule = {
        ...signedProvider,
        verify: () => {
          throw error;
        },
      };
      const world = fakeWorld({ providers: new Map([['resend', throwing]]) });
      const { response } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(1)));
      expect(response.statusCode).toBe(500);
      expect(body(response).error.code).toBe(code);
      expect(world.bus.calls).toEqual([]);
    });
  });

  it('answers 400 for a PayloadError from verify (a body the scheme must read to verify, e.g. too deeply nested)', async () => {
    const throwing: ProviderModule = {
      ...signedProvider,
      verify: () => {
        throw new PayloadError('bad body');
      },
    };
    const world = fakeWorld({ providers: new Map([['resend', throwing]]) });
    const { response } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(1)));
    expect(response.statusCode).toBe(400);
    expect(body(response).error.code).toBe('invalid_payload');
    expect(world.bus.calls).toEqual([]);
  });

  describe('certificates and subscription confirmation', () => {
    const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem';
    const notification = (extra: Record<string, unknown> = {}) => ({
      Type: 'Notification',
      MessageId: 'msg-1',
      Timestamp: NOW.toISOString(),
      recipients: ['a@example.com'],
      certUrl: CERT_URL,
      ...extra,
    });

    it.each([
      ['a missing certificate (the message was not signed by SNS)', 401, new SignatureError('not found (HTTP 404)')],
      ['an unreachable certificate host', 503, new DependencyError('Could not fetch the signing certificate')],
    ])('maps %s to %i', async (_case, status, error) => {
      const world = fakeWorld();
      world.certificates.byUrl[CERT_URL] = error;
      const { response } = await createWebhookProcessor(world.deps)(fanOutRequest(notification()));
      expect(response.statusCode).toBe(status);
      expect(world.bus.calls).toEqual([]);
    });

    it('confirms an SNS subscription by GETting its URL after the signature check, publishing nothing', async () => {
      const world = fakeWorld();
      const url = 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=secret-token';
      const request = fanOutRequest({ Type: 'SubscriptionConfirmation', SubscribeURL: url });
      const { response, outcome } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(200);
      expect(body(response)).toEqual({ received: 0, published: 0, duplicates: 0 });
      expect(outcome.subscriptionConfirmed).toBe(true);
      expect(world.https.urls).toEqual([url]);
      expect(world.bus.calls).toEqual([]);
      expect(world.logger.text()).not.toContain('secret-token');
    });

    it('does not confirm a subscription whose signature is wrong', async () => {
      const world = fakeWorld();
      const request = fanOutRequest({ Type: 'SubscriptionConfirmation', SubscribeURL: 'https://x.test/' }, 'bad');
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(401);
      expect(world.https.urls).toEqual([]);
    });

    it('answers 503 when the confirmation GET fails', async () => {
      const world = fakeWorld();
      world.https.failure = new Error('ECONNRESET');
      const request = fanOutRequest({ Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.test/confirm' });
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(503);
    });

    it('fans one provider event out to one bus event per recipient, all sharing the event id', async () => {
      const world = fakeWorld();
      world.certificates.byUrl[CERT_URL] = '-----BEGIN CERTIFICATE-----';
      const process = createWebhookProcessor(world.deps);
      const request = fanOutRequest(notification({ recipients: ['a@example.com', 'b@example.com', 'c@example.com'] }));

      const first = await process(request);
      const retry = await process(request);

      expect(body(first.response)).toEqual({ received: 3, published: 3, duplicates: 0 });
      expect(body(retry.response)).toEqual({ received: 3, published: 0, duplicates: 3 });
      expect(world.bus.details().map((detail) => [detail.eventId, detail.recipient])).toEqual([
        ['msg-1', 'a@example.com'],
        ['msg-1', 'b@example.com'],
        ['msg-1', 'c@example.com'],
      ]);
    });
  });

  describe('Mandrill signed URLs', () => {
    it('offers the configured URL with each accepted credential as userinfo, plus the bare URL', async () => {
      const credentials = new FakeCredentials([
        credential('hookguard', 'NewPass1'),
        credential('hookguard', 'OldPass0', 'AWSPREVIOUS'),
      ]);
      await expect(signedUrlsFor(credentials, MANDRILL_URL)).resolves.toEqual([
        'https://hookguard:NewPass1@hooks.example.com/webhooks/mandrill',
        'https://hookguard:OldPass0@hooks.example.com/webhooks/mandrill',
        MANDRILL_URL,
      ]);
    });

    it('keeps the configured URL byte for byte (query, trailing slash, case) and encodes userinfo', async () => {
      const credentials = new FakeCredentials([credential('ops@corp', 'p:ss')]);
      await expect(
        signedUrlsFor(credentials, 'https://Hooks.Example.com:443/webhooks/mandrill/?a=1&b'),
      ).resolves.toEqual([
        'https://ops%40corp:p%3Ass@Hooks.Example.com:443/webhooks/mandrill/?a=1&b',
        'https://Hooks.Example.com:443/webhooks/mandrill/?a=1&b',
      ]);
    });

    it.each([
      ['the current credential', 'https://hookguard:Secret123@hooks.example.com/webhooks/mandrill'],
      ['no credential', MANDRILL_URL],
    ])('verifies a webhook signed over the URL with %s', async (_case, signedUrl) => {
      const world = fakeWorld();
      const request = urlSignedRequest([{ _id: 'm1', email: 'x@example.com' }], signedUrl);
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(200);
      expectNothingEchoed(world, request, response);
    });

    it('reloads the credentials once when the URL was signed with a credential rotated a moment ago', async () => {
      const world = fakeWorld();
      world.credentials.afterRefresh = [credential('hookguard', 'Rotated9'), credential('hookguard', 'Secret123')];
      const request = urlSignedRequest(
        [{ _id: 'm1', email: 'x@example.com' }],
        'https://hookguard:Rotated9@hooks.example.com/webhooks/mandrill',
      );
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(200);
      expect(world.credentials.refreshes).toBe(1);
    });

    it('answers 401 when the URL matches no accepted credential even after a reload', async () => {
      const world = fakeWorld();
      const request = urlSignedRequest(
        [{ _id: 'm1' }],
        'https://hookguard:Unknown1@hooks.example.com/webhooks/mandrill',
      );
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(401);
      expect(world.credentials.refreshes).toBe(1);
    });

    it('answers 503 when the credentials cannot be loaded', async () => {
      const world = fakeWorld();
      world.credentials.failure = new Error('throttled');
      const { response } = await createWebhookProcessor(world.deps)(urlSignedRequest([{ _id: 'm1' }], MANDRILL_URL));
      expect(response.statusCode).toBe(503);
    });
  });

  describe('parse and normalise', () => {
    it.each([
      ['a body that is not JSON', () => signedBody('{"events": [', 'Body is not valid JSON')],
      ['a body of the wrong shape', () => signedBody('{"items": []}', 'Expected {"events": [...]}')],
      [
        'a malformed event in a batch (numbered)',
        () => signedBody(JSON.stringify({ events: [{ id: 'ok' }, { type: 'sent' }] }), 'Event 2: Missing field id'),
      ],
      [
        'a malformed single event',
        () => signedBody(JSON.stringify({ events: [{ type: 'sent' }] }), 'Missing field id'),
      ],
    ])('answers 400 with a specific message for %s', async (_case, build) => {
      const world = fakeWorld();
      const { request, message } = build();
      const { response } = await createWebhookProcessor(world.deps)(request);
      expect(response.statusCode).toBe(400);
      expect(body(response)).toEqual({ error: { code: 'invalid_payload', message } });
      expect(world.bus.calls).toEqual([]);
      expect(world.ledger.items.size).toBe(0);
    });

    it('answers 200 with zero counts for a request without events (pings only)', async () => {
      const world = fakeWorld();
      const { response } = await createWebhookProcessor(world.deps)(batchRequest([{ type: 'ping' }, { type: 'ping' }]));
      expect(response.statusCode).toBe(200);
      expect(body(response)).toEqual({ received: 0, published: 0, duplicates: 0 });
      expect(world.bus.calls).toEqual([]);
    });

    it('answers 500 when a module returns a draft without an event id (it would corrupt the dedupe key)', async () => {
      const broken: ProviderModule = {
        ...batchProvider,
        normalise: () => [{ eventType: 'sent', eventId: '', raw: {} }],
      };
      const world = fakeWorld({ providers: new Map([['postmark', broken]]) });
      const { response } = await createWebhookProcessor(world.deps)(batchRequest([{ type: 'sent' }]));
      expect(response.statusCode).toBe(500);
      expect(world.bus.calls).toEqual([]);
    });
  });

  describe('dedupe and publish', () => {
    it('publishes a batch of N as N entries in chunks of 10 and answers with the counts', async () => {
      // Prepare
      const world = fakeWorld();
      const request = signedRequest(manyEvents(25));

      // Act
      const { response, outcome } = await createWebhookProcessor(world.deps)(request);

      // Assess
      expect(response.statusCode).toBe(200);
      expect(body(response)).toEqual({ received: 25, published: 25, duplicates: 0 });
      expect(world.bus.calls.map((call) => call.length)).toEqual([10, 10, 5]);
      expect([...world.bus.deliveries().values()]).toEqual(Array(25).fill(1));
      expect(outcome).toMatchObject({ received: 25, published: 25, duplicates: 0, inProgress: 0, failed: 0 });
      expect(outcome.events[0]).toEqual({
        provider: 'resend',
        eventType: 'delivered',
        eventId: 'e1',
        recipient: 'user1@example.com',
        disposition: 'published',
      });
      expectNothingEchoed(world, request, response);
    });

    it('publishes entries with source hookguard, detail type email.<type>, the event as detail and its time', async () => {
      const world = fakeWorld();
      await createWebhookProcessor(world.deps)(
        signedRequest([
          { id: 'a', type: 'bounced', to: 'a@example.com', at: '2026-11-20T11:00:00.000Z' },
          { id: 'b', type: 'made-up', to: 'b@example.com' },
        ]),
      );
      const [first, second] = world.bus.accepted;
      expect(first?.source).toBe('hookguard');
      expect(first?.detailType).toBe('email.bounced');
      expect(first?.time).toEqual(new Date('2026-11-20T11:00:00.000Z'));
      expect(JSON.parse(first?.detail ?? '')).toEqual({
        schemaVersion: 1,
        eventType: 'bounced',
        provider: 'resend',
        eventId: 'a',
        messageId: null,
        recipient: 'a@example.com',
        timestamp: '2026-11-20T11:00:00.000Z',
        rejectReason: null,
        description: null,
        mtaResponse: null,
        tags: [],
        metadata: {},
        clickUrl: null,
        userAgent: null,
        receivedAt: NOW.toISOString(),
        raw: { id: 'a', type: 'bounced', to: 'a@example.com', at: '2026-11-20T11:00:00.000Z' },
      });
      expect(second?.detailType).toBe('email.unknown');
      expect(second?.time).toEqual(NOW);
    });

    it('collapses duplicates inside one request and counts them as duplicates', async () => {
      const world = fakeWorld();
      const [a, b] = manyEvents(2) as [FakeEvent, FakeEvent];
      const { response, outcome } = await createWebhookProcessor(world.deps)(signedRequest([a, b, a, a]));
      expect(body(response)).toEqual({ received: 4, published: 2, duplicates: 2 });
      expect(outcome.events.map((event) => event.disposition)).toEqual([
        'published',
        'published',
        'duplicate',
        'duplicate',
      ]);
      expect(world.bus.accepted).toHaveLength(2);
    });

    it('answers a provider retry of a published request as duplicates and publishes nothing', async () => {
      const world = fakeWorld();
      const process = createWebhookProcessor(world.deps);
      const request = signedRequest(manyEvents(3));
      await process(request);
      const retry = await process(request);
      expect(retry.response.statusCode).toBe(200);
      expect(body(retry.response)).toEqual({ received: 3, published: 0, duplicates: 3 });
      expect(world.bus.accepted).toHaveLength(3);
    });

    it('publishes the rest and answers 503 in_progress with Retry-After when another invocation holds some events', async () => {
      // Prepare: another invocation claimed e2 a moment ago.
      const world = fakeWorld();
      await world.ledger.claim('resend#e2#user2@example.com', NOW, 60);

      // Act
      const { response, outcome } = await createWebhookProcessor(world.deps)(signedRequest(manyEvents(3)));

      // Assess
      // 503, not 409: Amazon SNS never retries a 4xx (README, provider retry table).
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('30');
      expect(body(response)).toEqual({
        error: {
          code: 'in_progress',
          message: '1 of 3 events are being processed by another request; retry later',
        },
      });
      expect(world.bus.details().map((detail) => detail.eventId)).toEqual(['e1', 'e3']);
      expect(outcome).toMatchObject({ published: 2, inProgress: 1 });
    });

    it('answers 503 and releases the claims when the bus keeps failing, so the retry publishes them', async () => {
      const world = fakeWorld();
      const process = createWebhookProcessor(world.deps);
      world.bus.outage = true;

      const failed = await process(signedRequest(manyEvents(12)));
      world.bus.outage = false;
      const retried = await process(signedRequest(manyEvents(12)));

      expect(failed.response.statusCode).toBe(503);
      expect(body(failed.response).error.code).toBe('dependency_unavailable');
      expect(failed.outcome).toMatchObject({ received: 12, published: 0, failed: 12 });
      expect(retried.response.statusCode).toBe(200);
      expect([...world.bus.deliveries().values()]).toEqual(Array(12).fill(1));
    });

    it('publishes an event too large for one entry without its raw payload', async () => {
      const world = fakeWorld({
        settings: fakeSettings({ resend: { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: 3_000_000 } }),
      });
      const huge = { id: 'big', type: 'delivered', to: 'a@example.com', note: 'x'.repeat(1_100_000) };
      const { response } = await createWebhookProcessor(world.deps)(signedRequest([huge]));
      expect(response.statusCode).toBe(200);
      const [detail] = world.bus.details();
      expect(detail?.raw).toBeNull();
      expect(detail?.metadata).toEqual({ rawTruncated: true });
      expect(detail?.eventId).toBe('big');
    });
  });
});

function signedBody(text: string, message: string): { request: WebhookRequest; message: string } {
  const bytes = Buffer.from(text);
  return {
    request: { provider: 'resend', method: 'POST', headers: signedHeaders(bytes), body: bytes, receivedAt: NOW },
    message,
  };
}
