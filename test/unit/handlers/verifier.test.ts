import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DynamoDbLedger } from '../../../lambda/adapters/dynamodb-ledger';
import { EventBridgeBus } from '../../../lambda/adapters/eventbridge-bus';
import { SecretsManagerSigningKeys } from '../../../lambda/adapters/secrets-manager-signing-keys';
import { CachedCredentialSource } from '../../../lambda/core/credential-cache';
import { SignatureError } from '../../../lambda/errors';
import type { BusEntry, PutEventsResult } from '../../../lambda/ports';
import { createHandler, defaultDeps, depsFromEnvironment, type VerifierDeps } from '../../../lambda/verifier/handler';
import template from '../../fixtures/verifier/events/api-gateway-post.json';
import { PowertoolsLogger } from '../../../lambda/adapters/powertools-logger';
import { PowertoolsMetrics } from '../../../lambda/adapters/powertools-metrics';
import { captureOutput } from '../../support/capture-output';
import { BODY_MARKER, fakeWorld, manyEvents, NOW, SIGNED_KEY, signedRequest } from '../../fixtures/verifier/fakes';

const context = (overrides: Partial<Context> = {}) => ({ awsRequestId: 'req-123', ...overrides }) as Context;

/** A proxy event for a signed request to the fake signed provider (`/webhooks/resend`). */
function proxyEvent(options: { base64?: boolean; headerCase?: (name: string) => string; key?: string } = {}) {
  const request = signedRequest(manyEvents(2), { key: options.key });
  const event = structuredClone(template) as unknown as APIGatewayProxyEvent;
  const rename = options.headerCase ?? ((name: string) => name);
  delete event.headers['Content-Type'];
  delete event.multiValueHeaders['Content-Type'];
  for (const [name, value] of Object.entries(request.headers)) {
    event.headers[rename(name)] = value;
    event.multiValueHeaders[rename(name)] = [value];
  }
  event.isBase64Encoded = options.base64 ?? true;
  event.body = event.isBase64Encoded ? request.body.toString('base64') : request.body.toString('utf8');
  return event;
}

function setup() {
  const world = fakeWorld();
  const deps: VerifierDeps = world.deps;
  return { ...world, handler: createHandler(deps) };
}

const titleCase = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_all, dash, letter) => `${dash}${letter.toUpperCase()}`);

describe('verifier handler', () => {
  it.each([
    ['a base64-encoded body', { base64: true }],
    ['a plain body', { base64: false }],
    ['Title-Case header names', { headerCase: titleCase }],
    ['UPPER-CASE header names', { headerCase: (name: string) => name.toUpperCase() }],
  ])('verifies and publishes a request with %s', async (_case, options) => {
    // Prepare
    const { handler, bus } = setup();

    // Act
    const result = await handler(proxyEvent(options), context());

    // Assess
    expect(result).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ received: 2, published: 2, duplicates: 0 }),
      isBase64Encoded: false,
    });
    expect(bus.details().map((detail) => detail.eventId)).toEqual(['e1', 'e2']);
    expect(bus.details()[0]?.receivedAt).toBe(NOW.toISOString());
  });

  it('maps a bad signature to 401 with the generic message and logs with the request id', async () => {
    const { handler, logger } = setup();
    const result = await handler(proxyEvent({ key: 'wrong-key' }), context({ awsRequestId: 'req-401' }));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toEqual({
      error: { code: 'invalid_signature', message: SignatureError.PUBLIC_MESSAGE },
    });
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ requestId: 'req-401' }) }),
    );
    expect(`${result.body}${logger.text()}`).not.toContain(BODY_MARKER);
    expect(logger.text()).not.toContain(SIGNED_KEY);
  });

  it.each([
    ['an unknown provider path', 404, 'not_found', { path: '/webhooks/sendmail', resource: '/webhooks/sendmail' }],
    ['a GET', 405, 'method_not_allowed', { httpMethod: 'GET' }],
    ['a body marked base64 that is not', 400, 'invalid_payload', { body: '!!!not base64', isBase64Encoded: true }],
  ])('maps %s to %i %s', async (_case, status, code, overrides) => {
    const { handler, bus } = setup();
    const result = await handler({ ...proxyEvent(), ...overrides }, context());
    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body).error.code).toBe(code);
    expect(bus.calls).toEqual([]);
  });

  it('reads the provider from the path parameter when the route declares one', async () => {
    const { handler, bus } = setup();
    const event = { ...proxyEvent(), path: '/hooks/any', pathParameters: { provider: 'resend' } };
    await expect(handler(event, context())).resolves.toMatchObject({ statusCode: 200 });
    expect(bus.accepted).toHaveLength(2);
  });

  it('answers 500 with a body that reveals nothing when the dependencies cannot be built, and logs why', async () => {
    const output = captureOutput();
    try {
      const handler = createHandler(() => depsFromEnvironment({}));
      const result = await handler(proxyEvent(), context({ awsRequestId: 'req-500' }));
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body)).toEqual({
        error: { code: 'misconfigured', message: 'Service temporarily unavailable' },
      });
      expect(output.json()).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          requestId: 'req-500',
          message: 'Request failed',
          code: 'misconfigured',
        }),
      );
    } finally {
      output.restore();
    }
  });

  it('takes its dependencies from a function on first use, so importing the handler needs no environment', async () => {
    const world = fakeWorld();
    const build = jest.fn(() => world.deps);
    const handler = createHandler(build);
    expect(build).not.toHaveBeenCalled();
    await handler(proxyEvent(), context());
    await handler(proxyEvent(), context());
    expect(build).toHaveBeenCalled();
    expect(world.bus.accepted).toHaveLength(2);
  });

  it('answers 503 instead of timing out when the Lambda is about to run out of time', async () => {
    // Prepare: the bus never answers until the test lets it.
    const world = fakeWorld();
    let unblock: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (unblock = resolve));
    const slowBus = {
      async putEvents(_entries: readonly BusEntry[]): Promise<PutEventsResult> {
        await stalled;
        return { failed: [] };
      },
    };
    const handler = createHandler({ ...world.deps, bus: slowBus });

    // Act
    const result = await handler(proxyEvent(), context({ getRemainingTimeInMillis: () => 100 }));
    unblock();

    // Assess
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).error.code).toBe('dependency_unavailable');
  });
});

describe('depsFromEnvironment', () => {
  const settings = JSON.stringify({
    providers: { resend: { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: 1048576 } },
    dedupeWindowSeconds: 604800,
    claimLeaseSeconds: 60,
  });
  const env = {
    HOOKGUARD_SETTINGS: settings,
    DEDUPE_TABLE_NAME: 'hookguard-dedupe',
    EVENT_BUS_NAME: 'hookguard-dev',
    SIGNING_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing',
    CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:credentials',
    GRACE_PERIOD_SECONDS: '259200',
    SECRET_CACHE_TTL_SECONDS: '60',
    HOOKGUARD_STAGE: 'dev',
    AWS_REGION: 'eu-west-1',
  };

  it('wires the AWS adapters from the environment without calling AWS', () => {
    const deps = depsFromEnvironment(env);
    expect(deps.settings.providers.resend?.maxBodyBytes).toBe(1048576);
    expect(deps.ledger).toBeInstanceOf(DynamoDbLedger);
    expect(deps.bus).toBeInstanceOf(EventBridgeBus);
    expect(deps.signingKeys).toBeInstanceOf(SecretsManagerSigningKeys);
    expect(deps.credentials).toBeInstanceOf(CachedCredentialSource);
    expect(deps.metrics).toBeInstanceOf(PowertoolsMetrics);
    expect(deps.logger).toBeInstanceOf(PowertoolsLogger);
  });

  it('defaultDeps builds the dependencies once per container and retries a failed build', () => {
    const lazy = defaultDeps(env);
    expect(lazy()).toBe(lazy());
    const broken = defaultDeps({});
    expect(() => broken()).toThrow(/HOOKGUARD_SETTINGS is not set/);
    expect(() => broken()).toThrow(/HOOKGUARD_SETTINGS is not set/);
  });

  it('names every missing or invalid variable at once', () => {
    expect(() => depsFromEnvironment({ GRACE_PERIOD_SECONDS: 'three days' })).toThrow(
      'Verifier misconfigured: HOOKGUARD_SETTINGS is not set; DEDUPE_TABLE_NAME is not set; EVENT_BUS_NAME is not set; ' +
        'SIGNING_KEYS_SECRET_ARN is not set; CREDENTIALS_SECRET_ARN is not set; ' +
        'GRACE_PERIOD_SECONDS must be a non-negative integer (seconds); SECRET_CACHE_TTL_SECONDS is not set; ' +
        'HOOKGUARD_STAGE is not set',
    );
  });

  it('reports invalid runtime settings', () => {
    expect(() => depsFromEnvironment({ ...env, HOOKGUARD_SETTINGS: '{"providers":{}}' })).toThrow(
      /Invalid runtime settings/,
    );
  });
});
