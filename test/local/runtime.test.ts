/**
 * The local runtime over real HTTP: started in-process on a free port with a temporary data directory, driven by
 * the CLI's `send` and by hand-made requests.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import { PROVIDER_IDS, type ProviderId } from '../../lambda/core/provider-ids';
import { PROVIDERS } from '../../lambda/providers';
import { runCli } from '../../src/cli/main';
import { buildSimulatedRequest, simulatedEventTypes } from '../../src/cli/simulated-requests';
import { type SimulatedRequest, simulatorOf } from '../../src/simulate';
import type { RequestReport } from '../../src/local/local-api';
import type { EventEnvelope } from '../../src/local/local-event-bus';
import { type LocalRuntime, startLocalRuntime } from '../../src/local/runtime';
import { type LocalSecrets, parseCredential, readSecretsFile } from '../../src/local/secrets-file';
import { TEST_STAGE, writeTestConfig } from './test-config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('local runtime', () => {
  let dir: string;
  let configPath: string;
  let runtime: LocalRuntime;
  const reports: RequestReport[] = [];

  const start = () =>
    startLocalRuntime({
      configPath,
      stage: TEST_STAGE,
      port: 0,
      dataDir: join(dir, 'data'),
      onRequest: (report) => reports.push(report),
      // Publishing retries wait for nothing in tests.
      publishing: { sleep: async () => undefined },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-runtime-'));
    configPath = await writeTestConfig(dir);
    runtime = await start();
  });

  afterAll(async () => {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      [
        ...args,
        '--config',
        configPath,
        '--stage',
        TEST_STAGE,
        '--data-dir',
        join(dir, 'data'),
        '--port',
        String(runtime.port),
      ],
      { out: (line) => out.push(line), err: (line) => err.push(line), env: {} },
    );
    return { code, out, err };
  }

  async function jsonLines<T>(path: string): Promise<T[]> {
    const text = await readFile(path, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T);
  }

  const events = () => jsonLines<EventEnvelope>(runtime.paths.eventsOut);
  const secrets = (): Promise<LocalSecrets> => readSecretsFile(runtime.paths.secrets);

  async function currentCredential() {
    const credential = parseCredential((await secrets()).basicAuth.current);
    if (credential === null) throw new Error('no current credential');
    return credential;
  }

  /** A simulated request for one event, signed with the local keys, as `send` builds it. */
  async function simulated(provider: ProviderId, eventName: string, uniqueId?: string): Promise<SimulatedRequest> {
    const module = PROVIDERS.get(provider);
    if (!module) throw new Error(`no module ${provider}`);
    const entry = (await secrets()).providers[provider];
    const signingKey = entry?.simulationKey ?? entry?.signingKeys[0];
    return buildSimulatedRequest(
      simulatorOf(provider),
      eventName,
      runtime.settings.providers[provider],
      { ...(signingKey ? { signingKey } : {}), credential: await currentCredential() },
      new Date(),
      uniqueId,
    );
  }

  async function post(
    provider: ProviderId,
    request: SimulatedRequest,
    authorization?: string | null,
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    const headers: Record<string, string> = { ...request.headers };
    const auth = authorization === undefined ? basicAuthorizationHeader(await currentCredential()) : authorization;
    if (auth !== null) headers.authorization = auth;
    const response = await fetch(`${runtime.url}/webhooks/${provider}`, {
      method: 'POST',
      headers,
      body: request.body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
  }

  describe('send --recipient, --metadata, --count, --batch', () => {
    type Detail = { eventType: string; recipient: string | null; metadata: Record<string, unknown>; eventId: string };
    const details = async (before: number) =>
      (await events()).slice(before).map((envelope) => envelope.detail as Detail);

    it.each([
      ['sendgrid', 'bounce'],
      ['mailgun', 'delivered'],
      ['postmark', 'Delivery'],
      ['mandrill', 'send'],
      ['sparkpost', 'delivery'],
      ['amazon-ses', 'Delivery'],
    ])('%s %s: the published event names the recipient and carries the metadata', async (provider, eventName) => {
      // Prepare
      const before = (await events()).length;

      // Act
      const result = await cli(
        'send',
        provider,
        eventName,
        '--recipient',
        'ops+test@example.org',
        '--metadata',
        'tenant=acme',
        '--metadata',
        'plan=pro=gold',
      );

      // Assess
      expect(result.err).toEqual([]);
      expect(result.code).toBe(0);
      const published = await details(before);
      expect(published).toHaveLength(1);
      expect(published[0]).toMatchObject({
        recipient: 'ops+test@example.org',
        metadata: { tenant: 'acme', plan: 'pro=gold' },
      });
    });

    it('--count sends that many requests, --batch that many events in each, every one a new event', async () => {
      // Prepare
      const before = (await events()).length;

      // Act
      const result = await cli('send', 'sendgrid', 'delivered', '--count', '2', '--batch', '3');

      // Assess
      expect(result.code).toBe(0);
      expect(result.out).toHaveLength(3);
      expect(result.out[2]).toBe('2 requests, 2 accepted, 0 refused');
      const published = await details(before);
      expect(published).toHaveLength(6);
      expect(new Set(published.map((detail) => detail.eventId)).size).toBe(6);
      expect(published.every((detail) => detail.eventType === 'delivered')).toBe(true);
    });

    it.each([
      [['postmark', 'Delivery', '--batch', '2'], /postmark posts one event per request/],
      [['postal', 'MessageSent', '--metadata', 'a=b'], /postal events carry no sender metadata/],
      [['sendgrid', 'open', '--metadata', 'novalue'], /--metadata must be key=value/],
      [['sendgrid', 'open', '--count', '0'], /--count must be an integer from 1 to 1000/],
      [['sendgrid', 'open', '--batch', '5000'], /--batch must be an integer from 1 to 1000/],
      [['sendgrid', 'open', '--recipient', 'not an address'], /--recipient must be an email address/],
    ])('refuses %j with a one-line error and sends nothing', async (args, message) => {
      // Prepare
      const before = (await events()).length;

      // Act
      const result = await cli('send', ...args);

      // Assess
      expect(result.code).toBe(1);
      expect(result.err.join('\n')).toMatch(message);
      expect((await events()).length).toBe(before);
    });
  });

  describe('send --all round trip', () => {
    it.each(PROVIDER_IDS.map((id) => [id]))(
      '%s: every simulated event reaches events.jsonl, normalised, as an EventBridge envelope',
      async (provider) => {
        // Prepare
        const module = PROVIDERS.get(provider);
        if (!module) throw new Error(`no module ${provider}`);
        const simulator = simulatorOf(provider);
        const expectedTypes = simulator.events.flatMap((name) =>
          simulatedEventTypes(module, simulator, name, runtime.settings.providers[provider], new Date()),
        );
        const before = (await events()).length;

        // Act
        const result = await cli('send', provider, '--all');

        // Assess
        expect(result.err).toEqual([]);
        expect(result.code).toBe(0);
        expect(result.out).toHaveLength(simulator.events.length + 1);
        const published = (await events()).slice(before);
        expect(published.map((envelope) => (envelope.detail as { eventType: string }).eventType)).toEqual(
          expectedTypes,
        );
        for (const envelope of published) {
          const detail = envelope.detail as Record<string, unknown>;
          expect(envelope).toEqual({
            version: '0',
            id: expect.stringMatching(UUID),
            'detail-type': `email.${detail.eventType}`,
            source: 'hookguard',
            account: '000000000000',
            time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
            region: 'us-east-1',
            resources: [],
            detail: expect.objectContaining({ schemaVersion: 1, provider, eventId: expect.any(String) }),
          });
        }
      },
    );
  });

  describe('dedupe', () => {
    it('answers a second identical post as a duplicate and publishes nothing', async () => {
      // Prepare
      const request = await simulated('sendgrid', 'delivered');
      const before = (await events()).length;

      // Act
      const first = await post('sendgrid', request);
      const second = await post('sendgrid', request);

      // Assess
      expect(first).toMatchObject({ status: 200, body: { received: 1, published: 1, duplicates: 0 } });
      expect(second).toMatchObject({ status: 200, body: { received: 1, published: 0, duplicates: 1 } });
      expect((await events()).length).toBe(before + 1);
    });

    it('counts requests by outcome, events published and authorizer decisions, as the Lambdas record them', async () => {
      // Prepare
      const request = await simulated('sparkpost', 'delivery');
      const before = runtime.metrics.snapshot().total;

      // Act
      await post('sparkpost', request);
      await post('sparkpost', request);
      await post('sparkpost', request, null);

      // Assess
      const after = runtime.metrics.snapshot();
      const count = (table: Record<string, Record<string, number | undefined> | undefined>, a: string, b: string) =>
        table[a]?.[b] ?? 0;
      expect(count(after.total.requests, 'sparkpost', 'accepted')).toBe(count(before.requests, 'sparkpost', 'accepted') + 1);
      expect(count(after.total.requests, 'sparkpost', 'duplicate')).toBe(count(before.requests, 'sparkpost', 'duplicate') + 1);
      expect(after.total.eventsPublished.sparkpost).toBe((before.eventsPublished.sparkpost ?? 0) + 1);
      expect(count(after.total.authorizerDecisions, 'sparkpost', 'current')).toBe(
        count(before.authorizerDecisions, 'sparkpost', 'current') + 2,
      );
      expect(count(after.total.authorizerDecisions, 'sparkpost', 'unknown')).toBe(
        count(before.authorizerDecisions, 'sparkpost', 'unknown') + 1,
      );
      expect(after.lastAccepted.sparkpost).toBeDefined();
    });
  });

  describe('authentication', () => {
    it.each([
      ['missing', null],
      ['wrong', basicAuthorizationHeader({ username: 'hookguard', password: 'wrong-password' })],
      ['malformed', 'Basic not-base64!'],
      ['bearer on a Basic-only provider', 'Bearer sometoken'],
    ])('refuses %s credentials with 401 and the Basic challenge', async (_name, authorization) => {
      // Prepare
      const request = await simulated('postmark', 'Delivery');

      // Act
      const response = await post('postmark', request, authorization);

      // Assess
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="hookguard"');
      expect(response.body).toEqual({ error: { code: 'unauthorized', message: 'Unauthorized' } });
    });

    it('accepts the password as a bearer token for Brevo', async () => {
      // Prepare
      const request = await simulated('brevo', 'delivered');

      // Act
      const response = await post('brevo', request, `Bearer ${(await currentCredential()).password}`);

      // Assess
      expect(response.status).toBe(200);
    });

    it('skips Basic auth for a provider whose auth mode is signature', async () => {
      // Prepare
      const request = await simulated('resend', 'email.delivered');

      // Act
      const response = await post('resend', request, null);

      // Assess
      expect(response).toMatchObject({ status: 200, body: { published: 1 } });
    });

    it('refuses a bad signature with 401 and publishes nothing', async () => {
      // Prepare
      const request = await simulated('mailersend', 'activity.delivered');
      const tampered = { ...request, body: Buffer.from(request.body.toString('utf8').replace('delivered', 'opened')) };
      const before = (await events()).length;

      // Act
      const response = await post('mailersend', tampered);

      // Assess
      expect(response).toEqual({
        status: 401,
        headers: expect.anything(),
        body: { error: { code: 'invalid_signature', message: 'Signature verification failed' } },
      });
      expect((await events()).length).toBe(before);
    });
  });

  describe('routes', () => {
    it('delivers to a route only the events its pattern matches', async () => {
      // Prepare
      const suppressionFile = join(runtime.paths.dataDir, 'routes', 'suppression.jsonl');
      const engagementFile = join(dir, 'custom-routes', 'engagement.jsonl');
      const suppressionBefore = (await jsonLines(suppressionFile)).length;
      const engagementBefore = (await jsonLines(engagementFile)).length;

      // Act
      for (const [provider, eventName] of [
        ['sendgrid', 'bounce'],
        ['sendgrid', 'delivered'],
        ['sendgrid', 'open'],
        ['sendgrid', 'spamreport'],
        ['mailgun', 'opened'],
        ['postmark', 'Click'],
      ] as const) {
        expect((await post(provider, await simulated(provider, eventName))).status).toBe(200);
      }

      // Assess
      const suppression = (await jsonLines<EventEnvelope>(suppressionFile)).slice(suppressionBefore);
      const engagement = (await jsonLines<EventEnvelope>(engagementFile)).slice(engagementBefore);
      expect(suppression.map((envelope) => envelope['detail-type'])).toEqual(['email.bounced', 'email.complained']);
      expect(engagement.map((envelope) => envelope.detail)).toEqual([
        expect.objectContaining({ provider: 'sendgrid', eventType: 'opened' }),
      ]);
    });
  });

  describe('API Gateway behaviour', () => {
    it.each([
      ['an unknown path', 'POST', '/nowhere'],
      ['a provider that is not a provider', 'POST', '/webhooks/nobody'],
      ['a path below a webhook', 'POST', '/webhooks/sendgrid/extra'],
    ])('answers %s with 404 and the gateway body', async (_name, method, path) => {
      // Act
      const response = await fetch(`${runtime.url}${path}`, { method });

      // Assess
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'Not found' } });
    });

    it.each([
      ['GET', '/webhooks/sendgrid', 'POST'],
      ['PUT', '/webhooks/postmark', 'POST'],
      ['GET', '/webhooks/mandrill', 'POST, HEAD'],
    ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
      // Act
      const response = await fetch(`${runtime.url}${path}`, { method });

      // Assess
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(await response.json()).toEqual({ error: { code: 'method_not_allowed', message: 'Method not allowed' } });
    });

    it.each([
      ['HEAD', '/webhooks/mandrill'],
      ['GET', '/webhooks/unisender-go'],
    ])("answers the vendor's URL check %s %s with 200 and no auth", async (method, path) => {
      // Act
      const response = await fetch(`${runtime.url}${path}`, { method });

      // Assess
      expect(response.status).toBe(200);
    });

    it("refuses a body over API Gateway's 10 MB with 413", async () => {
      // Act: announce 10 MB + 1 byte and send nothing; the answer comes before any body is read.
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${runtime.url}/webhooks/sendgrid`, {
          method: 'POST',
          headers: { 'content-length': String(10 * 1024 * 1024 + 1), 'content-type': 'application/json' },
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.flushHeaders();
      });

      // Assess
      expect(status).toBe(413);
    });
  });

  describe('request reports', () => {
    it('reports each request with the pipeline outcome of each event', async () => {
      // Prepare
      reports.length = 0;
      const request = await simulated('sendgrid', 'bounce');

      // Act
      await post('sendgrid', request);
      await post('sendgrid', request);

      // Assess
      expect(reports).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: '/webhooks/sendgrid',
          statusCode: 200,
          provider: 'sendgrid',
          outcome: expect.objectContaining({
            events: [expect.objectContaining({ eventType: 'bounced', disposition: 'published' })],
          }),
        }),
        expect.objectContaining({
          outcome: expect.objectContaining({
            events: [expect.objectContaining({ eventType: 'bounced', disposition: 'duplicate' })],
          }),
        }),
      ]);
    });
  });

  describe('rotation while running', () => {
    it('accepts the new credential at once and the previous one until it is revoked', async () => {
      // Prepare
      const original = await currentCredential();

      // Act
      expect((await cli('rotate')).code).toBe(0);
      const rotated = await currentCredential();
      const withOriginal = await post(
        'postmark',
        await simulated('postmark', 'Delivery'),
        basicAuthorizationHeader(original),
      );
      const withRotated = await post('postmark', await simulated('postmark', 'Delivery'));
      expect((await cli('rotate', '--revoke-previous')).code).toBe(0);
      const withRevoked = await post(
        'postmark',
        await simulated('postmark', 'Delivery'),
        basicAuthorizationHeader(rotated),
      );
      const withLatest = await post('postmark', await simulated('postmark', 'Delivery'));

      // Assess
      expect(rotated.password).not.toBe(original.password);
      expect(withOriginal.status).toBe(200);
      expect(withRotated.status).toBe(200);
      expect(withRevoked.status).toBe(401);
      expect(withLatest.status).toBe(200);
    });
  });

  describe('restart', () => {
    it('keeps the dedupe state in the data directory', async () => {
      // Prepare
      const request = await simulated('mailgun', 'delivered');
      expect(await post('mailgun', request)).toMatchObject({ status: 200, body: { published: 1 } });
      const before = (await events()).length;

      // Act
      await runtime.close();
      runtime = await start();
      const again = await post('mailgun', request);

      // Assess
      expect(again).toMatchObject({ status: 200, body: { published: 0, duplicates: 1 } });
      expect((await events()).length).toBe(before);
    });
  });
});
