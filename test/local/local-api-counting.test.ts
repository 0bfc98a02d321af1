/**
 * The local runtime's one counting path: the local API records into the same HookguardMetrics the Lambdas use
 * (InMemoryMetrics), with the outcomes of lambda/core/metrics.ts, and GET /healthz reads nothing else.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthenticationResult, basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import { jsonResponse } from '../../lambda/core/http';
import type { WebhookOutcome, WebhookResult } from '../../lambda/core/pipeline';
import type { RuntimeSettings } from '../../lambda/core/settings';
import { SignatureError, TimestampOutsideWindowError } from '../../lambda/errors';
import { silentLogger } from '../../lambda/ports';
import { createLocalApiHandler } from '../../src/local/local-api';
import { answerHealthCheck, healthReport, InMemoryMetrics } from '../../src/local/local-metrics';

const settings: RuntimeSettings = {
  providers: {
    mailgun: { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: 64 },
    postmark: { auth: 'basic', timestampToleranceSeconds: 0, maxBodyBytes: 64 },
  },
  dedupeWindowSeconds: 3600,
  claimLeaseSeconds: 60,
};

const GOOD = basicAuthorizationHeader({ username: 'hookguard', password: 'right' });

function outcome(overrides: Partial<WebhookOutcome>): WebhookOutcome {
  return {
    provider: 'mailgun',
    statusCode: 200,
    urlCheck: false,
    subscriptionConfirmed: false,
    received: 1,
    published: 1,
    duplicates: 0,
    inProgress: 0,
    failed: 0,
    events: [],
    ...overrides,
  };
}

describe('the local runtime counts every request once, in InMemoryMetrics, and /healthz reads it', () => {
  let server: Server;
  let base: string;
  let now = new Date('2026-12-02T00:30:00Z');
  const metrics = new InMemoryMetrics(() => now);
  // What the fake pipeline answers next, by the body's text.
  const answers: Record<string, WebhookResult | 'throw'> = {
    accepted: { response: jsonResponse(200, {}), outcome: outcome({}) },
    duplicate: { response: jsonResponse(200, {}), outcome: outcome({ published: 0, duplicates: 1 }) },
    stale: {
      response: jsonResponse(401, {}),
      outcome: outcome({ statusCode: 401, published: 0, error: new TimestampOutsideWindowError('past', 'old') }),
    },
    forged: {
      response: jsonResponse(401, {}),
      outcome: outcome({ statusCode: 401, published: 0, error: new SignatureError('bad') }),
    },
    crash: 'throw',
  };

  beforeAll(async () => {
    const handler = createLocalApiHandler({
      settings,
      // A small gateway limit, so that a short body gets the 413.
      maxBodyBytes: 64,
      metrics,
      logger: silentLogger,
      now: () => now,
      authenticate: async (header): Promise<AuthenticationResult> =>
        header === GOOD
          ? { ok: true, credentialVersion: 'v1', credentialStage: 'AWSCURRENT', scope: 'api' }
          : { ok: false, reason: 'unknown-credential' },
      process: async (request) => {
        const answer = answers[request.body.toString()];
        if (answer === undefined || answer === 'throw') throw new Error('pipeline crashed');
        return { ...answer, outcome: { ...answer.outcome, provider: request.provider } };
      },
    });
    server = createServer((request, response) => {
      const report = () => healthReport(metrics, { stage: 'dev', providers: ['mailgun', 'postmark'], now });
      if (!answerHealthCheck(request, response, report)) void handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, body: string, authorization: string | null = GOOD) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body,
    });

  it('takes the outcomes from the metric contract table, including the answers the gateway gives alone', async () => {
    // Act
    expect((await post('/webhooks/mailgun', 'accepted')).status).toBe(200);
    now = new Date('2026-12-02T10:00:00Z');
    expect((await post('/webhooks/mailgun', 'accepted')).status).toBe(200);
    expect((await post('/webhooks/mailgun', 'duplicate')).status).toBe(200);
    expect((await post('/webhooks/mailgun', 'stale')).status).toBe(401);
    expect((await post('/webhooks/mailgun', 'forged')).status).toBe(401);
    expect((await post('/webhooks/mailgun', 'crash')).status).toBe(500);
    expect((await post('/webhooks/mailgun', 'x'.repeat(65))).status).toBe(413);
    expect((await fetch(`${base}/webhooks/mailgun`, { method: 'GET' })).status).toBe(405);
    expect((await post('/webhooks/postmark', 'accepted', 'Basic d3Jvbmc6d3Jvbmc=')).status).toBe(401);
    expect((await post('/nowhere', '{}')).status).toBe(404);
    expect((await post('/webhooks/sendgrid', '{}')).status).toBe(404);

    // Assess: the metrics themselves, as the Lambdas would have recorded them
    const snapshot = metrics.snapshot();
    expect(snapshot.total.requests.mailgun).toEqual({
      accepted: 2,
      duplicate: 1,
      stale_timestamp: 1,
      invalid_signature: 1,
      dependency_failure: 1,
      too_large: 1,
      method_not_allowed: 1,
    });
    expect(snapshot.total.authorizerDecisions).toEqual({ mailgun: { current: 6 }, postmark: { unknown: 1 } });
    expect(snapshot.total.eventsPublished).toEqual({ mailgun: 2 });

    // Assess: /healthz is a view of the same counters (the first accepted request left the 24-hour window later)
    const health = await (await fetch(`${base}/healthz`)).json();
    expect(health).toEqual({
      status: 'ok',
      stage: 'dev',
      startedAt: '2026-12-02T00:30:00.000Z',
      now: '2026-12-02T10:00:00.000Z',
      providers: {
        mailgun: {
          lastAcceptedAt: '2026-12-02T10:00:00.000Z',
          last24h: snapshot.last24Hours.requests.mailgun,
          refusedLast24h: 0,
        },
        postmark: { lastAcceptedAt: null, last24h: {}, refusedLast24h: 1 },
      },
      unroutedLast24h: { not_found: 2 },
    });

    now = new Date('2026-12-03T00:10:00Z');
    const later = healthReport(metrics, { stage: 'dev', providers: ['mailgun'], now });
    expect(later.providers.mailgun?.last24h).toMatchObject({ accepted: 1, duplicate: 1 });
    expect(later.providers.mailgun?.lastAcceptedAt).toBe('2026-12-02T10:00:00.000Z');
  });

  it('counts a request with several Authorization headers as a refusal, as the authorizer does', async () => {
    const before = metrics.snapshot().total.authorizerDecisions.postmark?.unknown ?? 0;
    const status = await new Promise<number>((resolve, reject) => {
      const headers: Record<string, string | string[]> = { 'content-type': 'application/json', authorization: [GOOD, GOOD] };
      const request = httpRequest(
        `${base}/webhooks/postmark`,
        { method: 'POST', headers },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end('{}');
    });
    expect(status).toBe(401);
    expect(metrics.snapshot().total.authorizerDecisions.postmark?.unknown).toBe(before + 1);
  });
});
