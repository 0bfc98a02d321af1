/**
 * Figure: authorizer decisions per second with warm caches (the authorizer handler with the real authenticator and
 * credential cache; the Secrets Manager source replaced by an in-memory one that the cache has already loaded).
 */
import { createHandler } from '../../lambda/authorizer/handler';
import { basicAuthorizationHeader, createBasicAuthenticator } from '../../lambda/core/basic-auth';
import { CachedCredentialSource } from '../../lambda/core/credential-cache';
import { type AcceptedCredential, silentLogger } from '../../lambda/ports';
import { StaticCredentials } from '../lib/fakes';
import type { Figure, FigureOutput } from '../lib/figure';
import { compareOps, type MeasureOptions } from '../lib/measure';
import { type FigureRow, makeRow } from '../lib/report';
import { describeShares, profile } from '../lib/profile';
import { formatNumber } from '../lib/stats';

const OPTIONS: MeasureOptions = { warmupMs: 700, runs: 7, runMs: 500 };
const TARGET = 200_000;
const PROFILE_MS = 1500;

/** The current Basic credential of the benchmark (a realistic 40-character alphanumeric password). */
export const CURRENT: AcceptedCredential = {
  version: 'v-current',
  stage: 'AWSCURRENT',
  username: 'hookguard',
  password: 'Q7fR2xLm9TzWc4VbN8pK3sHd6YgJ1aEu5oXiZ0Bq',
};
const PREVIOUS: AcceptedCredential = {
  version: 'v-previous',
  stage: 'AWSPREVIOUS',
  username: 'hookguard',
  password: 'M3nB8vC1xZ6lK9jH4gF7dS2aP5oI0uY8tR3eW6qQ',
};

/** A REQUEST authorizer event as API Gateway sends it for a POST to a provider's webhook route. */
function authorizerEvent(authorization: string) {
  return {
    type: 'REQUEST' as const,
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/webhooks/mailgun',
    resource: '/webhooks/{provider}',
    path: '/webhooks/mailgun',
    httpMethod: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json', 'User-Agent': 'mailgun/treq-16.12.0' },
    multiValueHeaders: { Authorization: [authorization] },
    pathParameters: { provider: 'mailgun' },
  };
}

/**
 * The authorizer handler over a credential cache already loaded with `accepted` (a warm container), with an event
 * carrying the current credential; checks that the decision is Allow before anything is timed.
 */
export async function warmDecider(accepted: readonly AcceptedCredential[]) {
  const credentials = new CachedCredentialSource({
    source: new StaticCredentials(accepted),
    ttlSeconds: 60,
    refreshMinIntervalSeconds: 10,
  });
  const authenticator = createBasicAuthenticator({ credentials });
  const handler = createHandler({ authenticator, logger: silentLogger });
  const event = authorizerEvent(basicAuthorizationHeader(CURRENT));
  // Warm the credential cache (the one Secrets Manager round of a cold container) and check the decision is Allow.
  const policy = await handler(event as never);
  if (policy.policyDocument.Statement[0]?.Effect !== 'Allow') throw new Error('the authorizer did not allow');
  return { handler, authenticator, event, header: basicAuthorizationHeader(CURRENT) };
}

export const authorizerFigure: Figure = {
  id: 'authorizer',
  title: 'Authorizer decisions with warm caches',
  async run({ root, log }): Promise<FigureOutput> {
    const single = await warmDecider([CURRENT]);
    const rotating = await warmDecider([CURRENT, PREVIOUS]);
    log('measuring ...');
    const result = await compareOps(
      [
        { name: 'decision, 1 credential', async: true, call: () => single.handler(single.event as never) },
        { name: 'decision, 2 credentials', async: true, call: () => rotating.handler(rotating.event as never) },
        {
          name: 'authenticate only, 1 credential',
          async: true,
          call: () => single.authenticator.authenticate(single.header, 'mailgun'),
        },
      ],
      OPTIONS,
    );
    log('profiling the single-credential decision ...');
    const profiled = await profile(async () => {
      const until = Date.now() + PROFILE_MS;
      while (Date.now() < until) await single.handler(single.event as never);
    }, root);
    const one = result['decision, 1 credential'];
    const two = result['decision, 2 credentials'];
    const authOnly = result['authenticate only, 1 credential'];
    if (!one || !two || !authOnly) throw new Error('missing measurement');
    const rows: FigureRow[] = [
      makeRow({
        figure: 'Authorizer decision, warm caches, current credential only',
        value: one.opsPerSecond,
        unit: 'decisions/s',
        target: { comparison: '>=', threshold: TARGET, on: 'value', text: '>= 200,000 decisions/s' },
        note: `median of ${one.runs}`,
      }),
      makeRow({
        figure: 'Authorizer decision, warm caches, current + previous (rotation grace period)',
        value: two.opsPerSecond,
        unit: 'decisions/s',
        target: { comparison: '>=', threshold: TARGET, on: 'value', text: '>= 200,000 decisions/s' },
        note: `median of ${two.runs}`,
      }),
    ];
    return {
      rows,
      notes: [
        'Timed: the authorizer Lambda handler (`createHandler` of `lambda/authorizer/handler.ts`) on a REQUEST ' +
          'authorizer event for `POST /webhooks/mailgun` with a valid Basic header: route and header extraction, ' +
          '`createBasicAuthenticator().authenticate` (strict header parsing, constant-time comparison against every ' +
          'accepted credential) over `CachedCredentialSource`, and the Allow policy. One call at a time, awaited.',
        'Warm caches: the credential cache was loaded once before timing (the one Secrets Manager round a cold ' +
          'container makes; its TTL is far longer than a run), as in a warm container. The Secrets Manager adapter ' +
          "is replaced by an in-memory source; the handler's logger is silent (in Lambda each decision also writes " +
          'one JSON log line).',
        'Two rows: most of the time only AWSCURRENT is accepted; for the grace period after a rotation (72 h by ' +
          'default) AWSPREVIOUS too, and every credential is compared on every request.',
        `Authenticate alone (no event handling, no policy): ${formatNumber(authOnly.opsPerSecond)} ops/s.`,
        'API Gateway caches the decision per Authorization header for the authorizer TTL (300 s by default), so in ' +
          'AWS the function runs about once per credential per TTL, not per request.',
        `Runs: ${one.runs} interleaved timed runs of ${OPTIONS.runMs} ms after ${OPTIONS.warmupMs} ms of warm-up.`,
        `Where the time goes (V8 sampling profile of ${PROFILE_MS / 1000} s of single-credential decisions, self ` +
          `time): ${describeShares(profiled.topFunctions)}. By area: ${describeShares(profiled.categories)}.`,
      ],
      details: { measurements: result, profile: profiled },
    };
  },
};
