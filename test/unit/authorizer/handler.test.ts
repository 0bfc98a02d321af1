import { InternalServiceError, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { SecretsManagerCredentialSource } from '../../../lambda/adapters/secrets-manager-credentials';
import {
  type AuthorizerDeps,
  createHandler,
  defaultDeps,
  handler as lambdaHandler,
  UNAUTHORIZED_MESSAGE,
} from '../../../lambda/authorizer/handler';
import {
  basicAuthorizationHeader,
  createBasicAuthenticator,
  MAX_AUTHORIZATION_HEADER_LENGTH,
} from '../../../lambda/core/basic-auth';
import { CachedCredentialSource } from '../../../lambda/core/credential-cache';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import type { Logger } from '../../../lambda/ports';
import requestFixture from '../../fixtures/events/authorizer-request.json';
import { type HookguardMetrics, noMetrics } from '../../../lambda/core/metrics';
import { CredentialSecretFake, credentialJson } from '../support/credential-secret-fake';

const secretsManager = mockClient(SecretsManagerClient);

const T0 = Date.parse('2026-11-01T12:00:00Z');
const HOUR = 3_600_000;
const API_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod';
const CURRENT = { username: 'hookguard', password: 'CurrentPassword1234567890abcdefghijklmn' };
const PREVIOUS = { username: 'hookguard', password: 'PreviousPassword1234567890abcdefghijklm' };
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** The fixture event for `provider`, carrying `authorization` (or no Authorization header when undefined). */
function requestEvent(authorization: string | undefined, provider: ProviderId = 'postmark') {
  const event = structuredClone(requestFixture) as unknown as APIGatewayRequestAuthorizerEvent;
  const path = `/webhooks/${provider}`;
  event.path = path;
  event.resource = path;
  event.methodArn = `${API_ARN}/POST${path}`;
  const headers = event.headers as Record<string, string | undefined>;
  const multi = event.multiValueHeaders as Record<string, string[] | undefined>;
  if (authorization === undefined) {
    delete headers.Authorization;
    delete multi.Authorization;
  } else {
    headers.Authorization = authorization;
    multi.Authorization = [authorization];
  }
  return event;
}

/** The Lambda's wiring (real adapters over the mocked client) with a fake clock and a recording logger. */
function setup(options: { nowMs?: number; gracePeriodSeconds?: number } = {}) {
  let now = options.nowMs ?? T0;
  const clock = {
    now: () => new Date(now),
    advanceSeconds(seconds: number) {
      now += seconds * 1000;
    },
  };
  const secret = new CredentialSecretFake(clock.now).install(secretsManager);
  secret
    .addVersion(
      'v-prev',
      credentialJson(PREVIOUS.username, PREVIOUS.password),
      ['AWSCURRENT'],
      new Date(T0 - 40 * HOUR),
    )
    .addVersion('v-cur', credentialJson(CURRENT.username, CURRENT.password), ['AWSCURRENT'], new Date(T0 - HOUR));
  secret.lastRotatedDate = new Date(T0 - HOUR);
  const logs: string[] = [];
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const source = new SecretsManagerCredentialSource({
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    secretId: secret.arn,
    gracePeriodSeconds: options.gracePeriodSeconds ?? 24 * 3600,
    now: clock.now,
    logger,
  });
  const credentials = new CachedCredentialSource({
    source,
    ttlSeconds: 60,
    refreshMinIntervalSeconds: 10,
    now: clock.now,
  });
  const decisions: Array<[string, string]> = [];
  const metrics: HookguardMetrics = {
    ...noMetrics,
    authorizerDecision: (provider, stage) => void decisions.push([provider, stage]),
  };
  const deps: AuthorizerDeps = { authenticator: createBasicAuthenticator({ credentials }), logger, metrics };
  return { clock, secret, logs, decisions, handler: createHandler(deps) };
}

afterEach(() => {
  secretsManager.reset();
});

describe('authorizer handler', () => {
  it('records each decision by provider and credential stage: current, previous, and unknown for refusals', async () => {
    // Prepare
    const { handler, decisions, secret } = setup();
    secret.addVersion('v-new', credentialJson(CURRENT.username, 'RotatedPassword1234567890abcdefghijklmn'), [
      'AWSPENDING',
    ]);
    // Act
    await handler(requestEvent(basicAuthorizationHeader(CURRENT), 'mailgun'));
    await handler(requestEvent(basicAuthorizationHeader(PREVIOUS), 'sendgrid'));
    await expect(handler(requestEvent(basicAuthorizationHeader({ ...CURRENT, password: 'wrong' })))).rejects.toThrow(
      UNAUTHORIZED_MESSAGE,
    );
    const unknownRoute = { ...requestEvent(basicAuthorizationHeader(CURRENT)), path: '/nowhere', resource: '/nowhere' };
    await expect(handler(unknownRoute)).rejects.toThrow(UNAUTHORIZED_MESSAGE);
    // Assess
    expect(decisions).toEqual([
      ['mailgun', 'current'],
      ['sendgrid', 'previous'],
      ['postmark', 'unknown'],
      ['unknown', 'unknown'],
    ]);
  });

  it('allows the whole API for the current credential, with only labels in the context', async () => {
    // Prepare
    const { handler, logs } = setup();

    // Act
    const policy = await handler(requestEvent(basicAuthorizationHeader(CURRENT)));

    // Assess
    expect(policy).toEqual({
      principalId: 'hookguard-webhook-sender',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${API_ARN}/*/*`] }],
      },
      context: { credentialVersion: 'v-cur', credentialStage: 'AWSCURRENT' },
    });
    const everything = JSON.stringify(policy) + logs.join('\n');
    expect(everything).not.toContain(CURRENT.password);
    expect(everything).not.toContain(b64(`${CURRENT.username}:${CURRENT.password}`));
  });

  it('allows the previous credential inside the grace period and refuses it after', async () => {
    // Prepare: rotated 1 h before T0, grace 24 h; the cache TTL is 60 s.
    const { handler, clock } = setup({ gracePeriodSeconds: 24 * 3600 });
    const event = requestEvent(basicAuthorizationHeader(PREVIOUS));

    // Act / Assess
    await expect(handler(event)).resolves.toMatchObject({ context: { credentialStage: 'AWSPREVIOUS' } });
    clock.advanceSeconds(23 * 3600 - 1);
    await expect(handler(event)).resolves.toMatchObject({ context: { credentialVersion: 'v-prev' } });
    clock.advanceSeconds(1);
    await expect(handler(event)).rejects.toThrow(UNAUTHORIZED_MESSAGE);
  });

  it('allows a pending credential during a rotation, as soon as it exists', async () => {
    const { handler, secret } = setup();
    await handler(requestEvent(basicAuthorizationHeader(CURRENT)));
    const next = { username: 'hookguard', password: 'PendingPassword1234567890abcdefghijklmn' };
    secret.addVersion('v-next', credentialJson(next.username, next.password), ['AWSPENDING']);

    await expect(handler(requestEvent(basicAuthorizationHeader(next)))).resolves.toMatchObject({
      context: { credentialVersion: 'v-next', credentialStage: 'AWSPENDING' },
    });
  });

  it('answers Unauthorized for a wrong password and says why in the log, not the password', async () => {
    const { handler, logs } = setup();
    const wrong = { username: 'hookguard', password: 'WrongPassword' };

    await expect(handler(requestEvent(basicAuthorizationHeader(wrong)))).rejects.toThrow(
      new Error(UNAUTHORIZED_MESSAGE),
    );
    expect(logs.join('\n')).toContain('"reason":"unknown-credential"');
    expect(logs.join('\n')).not.toContain('WrongPassword');
  });

  it.each<[string, string | undefined, ProviderId]>([
    ['no Authorization header', undefined, 'postmark'],
    ['an empty header', '', 'postmark'],
    ['another scheme', 'Digest username="hookguard"', 'postmark'],
    ['no space after the scheme', `Basic${b64(`${CURRENT.username}:${CURRENT.password}`)}`, 'postmark'],
    ['bad base64', 'Basic ***', 'postmark'],
    ['base64 with trailing garbage', `${basicAuthorizationHeader(CURRENT)}garbage!`, 'postmark'],
    ['no colon', `Basic ${b64('hookguard')}`, 'postmark'],
    ['an empty user', `Basic ${b64(`:${CURRENT.password}`)}`, 'postmark'],
    [
      'invalid UTF-8',
      `Basic ${b64(Buffer.concat([Buffer.from('hookguard:'), Buffer.from([0xc3, 0x28])]))}`,
      'postmark',
    ],
    ['control characters', `Basic ${b64(`hookguard:${CURRENT.password}\r\n`)}`, 'postmark'],
    ['a huge header', `Basic ${'QUFB'.repeat(MAX_AUTHORIZATION_HEADER_LENGTH)}`, 'postmark'],
    ['the user name alone', `Basic ${b64(`${CURRENT.username}:`)}`, 'postmark'],
    ['Bearer on a non-Brevo path', `Bearer ${CURRENT.password}`, 'postmark'],
    ['Bearer with a wrong token on the Brevo path', 'Bearer WrongToken', 'brevo'],
    [
      'Basic with the user and password swapped',
      basicAuthorizationHeader({ username: CURRENT.password, password: 'x' }),
      'postmark',
    ],
  ])('answers Unauthorized (401), never a crash, for %s', async (_name, authorization, provider) => {
    const { handler } = setup();

    await expect(handler(requestEvent(authorization, provider))).rejects.toThrow(new Error(UNAUTHORIZED_MESSAGE));
  });

  it('allows a bearer token on the Brevo path for that route only', async () => {
    const { handler } = setup();

    const policy = await handler(requestEvent(`Bearer ${CURRENT.password}`, 'brevo'));

    expect(policy.policyDocument.Statement[0]?.Resource).toEqual([
      `${API_ARN}/POST/webhooks/brevo`,
      `${API_ARN}/POST/webhooks/*/brevo`,
    ]);
    expect(policy.context).toEqual({ credentialVersion: 'v-cur', credentialStage: 'AWSCURRENT' });
  });

  it('answers Unauthorized when the request carries two Authorization headers', async () => {
    const { handler } = setup();
    const event = requestEvent(basicAuthorizationHeader(CURRENT));
    (event.multiValueHeaders as Record<string, string[]>).Authorization = [
      basicAuthorizationHeader(CURRENT),
      basicAuthorizationHeader(PREVIOUS),
    ];

    await expect(handler(event)).rejects.toThrow(new Error(UNAUTHORIZED_MESSAGE));
  });

  it('reads the header whatever its case', async () => {
    const { handler } = setup();
    const event = requestEvent(undefined);
    event.headers = { authorization: basicAuthorizationHeader(CURRENT) };
    event.multiValueHeaders = { authorization: [basicAuthorizationHeader(CURRENT)] };

    await expect(handler(event)).resolves.toMatchObject({ context: { credentialVersion: 'v-cur' } });
  });

  it('answers Unauthorized for a route that names no provider', async () => {
    const { handler } = setup();
    const event = requestEvent(basicAuthorizationHeader(CURRENT));
    event.path = '/webhooks/unknown-provider';
    event.resource = '/webhooks/unknown-provider';

    await expect(handler(event)).rejects.toThrow(new Error(UNAUTHORIZED_MESSAGE));
  });

  it('fails closed with an uncacheable error (500, not 401) when Secrets Manager is down and nothing is cached', async () => {
    // Prepare
    const { handler, clock, secret, logs } = setup();
    const outage = new InternalServiceError({ message: 'unavailable', $metadata: {} });
    secretsManager.rejects(outage);

    // Act
    const error = await handler(requestEvent(basicAuthorizationHeader(CURRENT))).catch((caught: unknown) => caught);

    // Assess: not 'Unauthorized' (API Gateway would cache the refusal for the TTL), and the next requests work
    // once Secrets Manager is back.
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toBe(UNAUTHORIZED_MESSAGE);
    expect(logs.join('\n')).toContain('failing closed');
    secretsManager.reset();
    secret.install(secretsManager);
    clock.advanceSeconds(10);
    await expect(handler(requestEvent(basicAuthorizationHeader(CURRENT)))).resolves.toMatchObject({
      context: { credentialVersion: 'v-cur' },
    });
  });

  it('keeps allowing cached credentials while Secrets Manager is down', async () => {
    const { handler, clock } = setup();
    await handler(requestEvent(basicAuthorizationHeader(CURRENT)));
    secretsManager.reset();
    secretsManager.rejects(new InternalServiceError({ message: 'unavailable', $metadata: {} }));
    clock.advanceSeconds(600);

    await expect(handler(requestEvent(basicAuthorizationHeader(CURRENT)))).resolves.toMatchObject({
      context: { credentialVersion: 'v-cur' },
    });
    await expect(
      handler(requestEvent(basicAuthorizationHeader({ username: 'hookguard', password: 'nope' }))),
    ).rejects.toThrow(new Error(UNAUTHORIZED_MESSAGE));
  });

  it('fails closed (not 401) for an event without a valid method ARN', async () => {
    const { handler } = setup();
    const event = requestEvent(basicAuthorizationHeader(CURRENT));
    event.methodArn = 'not-an-arn';

    await expect(handler(event)).rejects.toThrow(/method ARN/);
  });

  describe('defaultDeps', () => {
    const env = {
      CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard-test-credentials-AbCdEf',
      GRACE_PERIOD_SECONDS: '259200',
      SECRET_CACHE_TTL_SECONDS: '60',
      REFRESH_MIN_INTERVAL_SECONDS: '10',
      HOOKGUARD_STAGE: 'dev',
      AWS_REGION: 'eu-west-1',
    };

    it('wires the Lambda from its environment', async () => {
      // Prepare
      const secret = new CredentialSecretFake(() => new Date()).install(secretsManager);
      secret.addVersion('v1', credentialJson(CURRENT.username, CURRENT.password), ['AWSCURRENT']);
      const handler = createHandler(() => defaultDeps(env));

      // Act / Assess
      await expect(handler(requestEvent(basicAuthorizationHeader(CURRENT)))).resolves.toMatchObject({
        context: { credentialVersion: 'v1' },
      });
    });

    it.each([
      ['CREDENTIALS_SECRET_ARN', undefined, /Missing required environment variable CREDENTIALS_SECRET_ARN/],
      ['GRACE_PERIOD_SECONDS', undefined, /Missing required environment variable GRACE_PERIOD_SECONDS/],
      ['SECRET_CACHE_TTL_SECONDS', '1.5', /SECRET_CACHE_TTL_SECONDS must be a whole number of seconds/],
      ['REFRESH_MIN_INTERVAL_SECONDS', '-1', /REFRESH_MIN_INTERVAL_SECONDS must be a whole number of seconds/],
      ['HOOKGUARD_STAGE', undefined, /Missing required environment variable HOOKGUARD_STAGE/],
    ])('refuses to start when %s is %s', (name, value, message) => {
      expect(() => defaultDeps({ ...env, [name]: value })).toThrow(message);
    });

    it('lets the module load without any environment (dependencies are built on the first call)', () => {
      expect(typeof lambdaHandler).toBe('function');
    });
  });
});
