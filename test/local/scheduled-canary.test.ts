/**
 * The scheduled canary function end to end: its handler, with its real dependencies (`defaultDeps`: the smoke
 * command's request builder, the provider simulators, fetch), posts through the local runtime (the deployed request
 * path: Basic check, verifier, dedupe ledger, bus); Secrets Manager and SQS are aws-sdk-client-mock fakes, the SQS fake
 * handing out what the scheduled canary's rule (its real pattern) would deliver from the runtime's bus.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler, defaultDeps } from '../../lambda/canary/handler';
import { CANARY_EVENT_PATTERN, CANARY_SOURCE, SCHEDULED_CANARY_EVENT_PATTERN } from '../../lambda/core/canary';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { Logger } from '../../lambda/ports';
import { matchesEventPattern } from '../../src/local/event-pattern';
import { type LocalRuntime, startLocalRuntime } from '../../src/local/runtime';
import { readSecretsFile } from '../../src/local/secrets-file';
import { TEST_STAGE, writeTestConfig } from './test-config';

const CREDENTIALS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard/test/basic-credentials-AbCdEf';
const KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard/test/signing-keys-AbCdEf';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/scheduled-canary';

const secretsManager = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);

class CapturingLogger implements Logger {
  readonly entries: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  debug(message: string, fields?: Record<string, unknown>) {
    this.entries.push({ level: 'debug', message, ...(fields ? { fields } : {}) });
  }
  info(message: string, fields?: Record<string, unknown>) {
    this.entries.push({ level: 'info', message, ...(fields ? { fields } : {}) });
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.entries.push({ level: 'warn', message, ...(fields ? { fields } : {}) });
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.entries.push({ level: 'error', message, ...(fields ? { fields } : {}) });
  }
}

describe('the scheduled canary function against the local runtime', () => {
  let dir: string;
  let runtime: LocalRuntime;
  let signingKeys: Record<string, string[]>;
  const handedOut = new Set<string>();
  const deleted: string[] = [];
  /** Every route any published event was delivered to (canaries must reach none). */
  const routed: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-canary-'));
    const configPath = await writeTestConfig(dir);
    runtime = await startLocalRuntime({
      configPath,
      stage: TEST_STAGE,
      port: 0,
      dataDir: join(dir, 'data'),
      publishing: { sleep: async () => undefined },
      onEvent: (_envelope, routes) => routed.push(...routes),
    });
    const secrets = await readSecretsFile(runtime.paths.secrets);
    const [username, ...rest] = secrets.basicAuth.current.split(':');
    signingKeys = Object.fromEntries(
      Object.entries(secrets.providers).flatMap(([provider, entry]) => {
        const key = entry?.simulationKey ?? entry?.signingKeys[0];
        return key === undefined ? [] : [[provider, [key]]];
      }),
    );
    secretsManager.on(GetSecretValueCommand, { SecretId: CREDENTIALS_ARN, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: JSON.stringify({ username, password: rest.join(':') }),
    });
  });

  beforeEach(() => {
    sqs.reset();
    // The scheduled canary's rule: what its pattern matches on the runtime's bus, each message handed out once.
    sqs.on(ReceiveMessageCommand).callsFake(async () => {
      const text = await readFile(runtime.paths.eventsOut, 'utf8').catch(() => '');
      const matching = text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { id: string })
        .filter((envelope) => matchesEventPattern(SCHEDULED_CANARY_EVENT_PATTERN, envelope) && !handedOut.has(envelope.id));
      for (const envelope of matching) handedOut.add(envelope.id);
      return { Messages: matching.map((envelope) => ({ ReceiptHandle: `handle-${envelope.id}`, Body: JSON.stringify(envelope) })) };
    });
    sqs.on(DeleteMessageBatchCommand).callsFake(async (input: { Entries: Array<{ ReceiptHandle: string }> }) => {
      deleted.push(...input.Entries.map((entry) => entry.ReceiptHandle));
      return { Successful: [] };
    });
  });

  afterAll(async () => {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  function handlerFor(provider: ProviderId, keys: Record<string, string[]> = signingKeys, env: Record<string, string> = {}) {
    secretsManager.on(GetSecretValueCommand, { SecretId: KEYS_ARN, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: JSON.stringify(keys),
    });
    const deps = defaultDeps({
      HOOKGUARD_STAGE: TEST_STAGE,
      CANARY_BASE_URL: `${runtime.url}/`,
      CANARY_PROVIDER: provider,
      CANARY_PROVIDER_SETTINGS: JSON.stringify(runtime.settings.providers[provider]),
      CREDENTIALS_SECRET_ARN: CREDENTIALS_ARN,
      SIGNING_KEYS_SECRET_ARN: KEYS_ARN,
      CANARY_QUEUE_URL: QUEUE_URL,
      CANARY_WAIT_SECONDS: '5',
      ...env,
    });
    const lines: string[] = [];
    const logger = new CapturingLogger();
    return { handler: createHandler({ ...deps, logger, write: (line) => lines.push(line) }), lines, logger };
  }

  it.each<ProviderId>(['mailgun', 'postmark', 'mandrill', 'standard-webhooks'])(
    'posts a signed, marked %s canary through the request path, confirms it on its queue and writes the metrics',
    async (provider) => {
      // Act
      const { handler, lines, logger } = handlerFor(provider);
      const result = await handler();

      // Assess: delivered, one EMF line of the metric contract, one log line without anything secret
      expect(result).toMatchObject({ delivered: true, events: 1 });
      expect(lines).toHaveLength(1);
      const record = JSON.parse(lines[0] as string);
      expect(record).toMatchObject({ Stage: TEST_STAGE, CanaryDelivered: 1, CanaryLatency: expect.any(Number) });
      expect(record._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name)).toEqual([
        'CanaryDelivered',
        'CanaryLatency',
      ]);
      expect(logger.entries).toEqual([
        { level: 'info', message: 'Canary delivered', fields: expect.objectContaining({ provider, latencyMs: record.CanaryLatency }) },
      ]);
      expect(JSON.stringify(logger.entries)).not.toMatch(/Basic |password/i);
      expect(deleted.length).toBeGreaterThan(0);
    },
  );

  it('publishes only scheduled canary events, which the smoke rule also matches but its own rule tells apart', async () => {
    const text = await readFile(runtime.paths.eventsOut, 'utf8');
    const envelopes = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
    expect(envelopes.length).toBeGreaterThanOrEqual(4);
    for (const envelope of envelopes) {
      expect(envelope.source).toBe(CANARY_SOURCE);
      expect(envelope.detail.recipient).toBe('scheduled-canary@hookguard.invalid');
      expect(matchesEventPattern(CANARY_EVENT_PATTERN, envelope)).toBe(true);
    }
    // A smoke canary (its own recipient) is not the scheduled canary's.
    const smoke = { ...envelopes[0], detail: { ...envelopes[0].detail, recipient: 'canary@hookguard.invalid' } };
    expect(matchesEventPattern(SCHEDULED_CANARY_EVENT_PATTERN, smoke)).toBe(false);
    expect(routed).toEqual([]);
  });

  it('reports a missing signing key as a failed run: no metric, one error line naming the step', async () => {
    const { handler, lines, logger } = handlerFor('mailgun', {});
    const result = await handler();
    expect(result).toMatchObject({ delivered: false, step: 'request', reason: expect.stringMatching(/no key for mailgun/) });
    expect(lines).toEqual([]);
    expect(logger.entries).toEqual([
      { level: 'error', message: 'Canary not delivered', fields: expect.objectContaining({ step: 'request', provider: 'mailgun' }) },
    ]);
  });

  it('reports a refused request as a failed run with the status and error code', async () => {
    // A signing key the stage does not have: the verifier refuses the signature.
    const { handler, lines } = handlerFor('mailgun', { mailgun: ['0123456789abcdef0123456789abcdef'] });
    const result = await handler();
    expect(result).toMatchObject({ delivered: false, step: 'answer', status: 401, reason: 'the stage answered 401 invalid_signature' });
    expect(lines).toEqual([]);
  });

  describe('with a path token', () => {
    const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard/test/path-token-AbCdEf';
    const token = (value: string) =>
      secretsManager
        .on(GetSecretValueCommand, { SecretId: TOKEN_ARN, VersionStage: 'AWSCURRENT' })
        .resolves({ SecretString: JSON.stringify({ token: value }) });

    it("posts to the token's path (this tokenless stage answers 404 there, as the gateway does for a path it lacks)", async () => {
      token('Tk7pQ2rS9vW4xY6zA1bC3dE5fG8hJ0kL');
      const { handler, lines } = handlerFor('mailgun', signingKeys, { PATH_TOKEN_SECRET_ARN: TOKEN_ARN });
      const result = await handler();
      expect(result).toMatchObject({ delivered: false, step: 'answer', status: 404 });
      expect(lines).toEqual([]);
    });

    it('fails closed when the token secret holds no valid token: nothing is posted', async () => {
      token('short');
      const { handler, lines } = handlerFor('mailgun', signingKeys, { PATH_TOKEN_SECRET_ARN: TOKEN_ARN });
      const result = await handler();
      expect(result).toMatchObject({ delivered: false, step: 'request', reason: expect.stringMatching(/no valid token/) });
      expect(lines).toEqual([]);
    });
  });
});
