import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgeBus } from '../../../lambda/adapters/eventbridge-bus';
import { ApiGatewayAuthorizerCacheFlusher, SecretsManagerRotationStore } from '../../../lambda/adapters/rotation-aws';
import { SecretsManagerCredentialSource } from '../../../lambda/adapters/secrets-manager-credentials';
import { createCredentialRotation, RotationError, type RotationStep } from '../../../lambda/core/rotation';
import type { Logger } from '../../../lambda/ports';
import { createHandler, defaultDeps } from '../../../lambda/rotation/handler';
import { type HookguardMetrics, noMetrics } from '../../../lambda/core/metrics';
import { CredentialSecretFake, credentialJson } from '../support/credential-secret-fake';

const secretsManager = mockClient(SecretsManagerClient);
const eventBridge = mockClient(EventBridgeClient);
const apiGateway = mockClient(APIGatewayClient);

const NOW = new Date('2026-11-01T12:00:00.000Z');
const OLD_PASSWORD = 'OldPassword1234567890abcdefghijklmnopqrs';
const TOKEN = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
const REST_API_ID = 'a1b2c3d4e5';
const STAGE = 'prod';

function setup() {
  const secret = new CredentialSecretFake(() => NOW).install(secretsManager);
  secret.addVersion('v-old', credentialJson('hookguard', OLD_PASSWORD), ['AWSCURRENT']);
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
  apiGateway.on(FlushStageAuthorizersCacheCommand).resolves({});
  const logs: string[] = [];
  const record = (message: string, fields?: Record<string, unknown>) => {
    logs.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  const logger: Logger = { debug: record, info: record, warn: record, error: record };
  const rotation = createCredentialRotation({
    store: new SecretsManagerRotationStore(new SecretsManagerClient({ region: 'eu-west-1' })),
    flusher: new ApiGatewayAuthorizerCacheFlusher({
      client: new APIGatewayClient({ region: 'eu-west-1' }),
      restApiId: REST_API_ID,
      stageName: STAGE,
    }),
    bus: new EventBridgeBus({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'default' }),
    stageName: STAGE,
    now: () => NOW,
    logger,
  });
  const failures: number[] = [];
  const metrics: HookguardMetrics = { ...noMetrics, rotationFailed: () => void failures.push(1) };
  const handler = createHandler({ rotation, logger, metrics });
  const step = (Step: RotationStep, ClientRequestToken = TOKEN) =>
    handler({ Step, SecretId: secret.arn, ClientRequestToken });
  return { secret, logs, handler, step, failures };
}

afterEach(() => {
  secretsManager.reset();
  eventBridge.reset();
  apiGateway.reset();
});

describe('rotation handler', () => {
  it('runs the four steps in order, each safe to retry, moving the labels as the contract says', async () => {
    // Prepare: Secrets Manager starts a rotation (an empty AWSPENDING version under the token).
    const { secret, step, logs } = setup();
    secret.startRotation(TOKEN);

    // Act / Assess: createSecret, twice.
    await step('createSecret');
    const created = secret.valueOf(TOKEN);
    await step('createSecret');
    expect(secret.valueOf(TOKEN)).toBe(created);
    expect(secretsManager).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
    expect(secretsManager).toHaveReceivedCommandWith(PutSecretValueCommand, {
      SecretId: secret.arn,
      ClientRequestToken: TOKEN,
      VersionStages: ['AWSPENDING'],
    });
    const pending = JSON.parse(created ?? '{}') as { username: string; password: string };
    expect(pending.username).toBe('hookguard');
    expect(pending.password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(pending.password).not.toBe(OLD_PASSWORD);
    expect(secret.stagesOf(TOKEN)).toEqual(['AWSPENDING']);
    expect(secret.stagesOf('v-old')).toEqual(['AWSCURRENT']);

    // setSecret and testSecret, twice each: nothing written, labels unchanged.
    await step('setSecret');
    await step('setSecret');
    await step('testSecret');
    await step('testSecret');
    expect(secretsManager).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
    expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
    expect(secret.stagesOf(TOKEN)).toEqual(['AWSPENDING']);
    expect(apiGateway).not.toHaveReceivedCommand(FlushStageAuthorizersCacheCommand);
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);

    // finishSecret: AWSCURRENT moves, the old version becomes AWSPREVIOUS, the cache is flushed, the event published.
    await step('finishSecret');
    expect(secret.stagesOf(TOKEN)).toContain('AWSCURRENT');
    expect(secret.stagesOf('v-old')).toEqual(['AWSPREVIOUS']);
    expect(secretsManager).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      SecretId: secret.arn,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: 'v-old',
    });
    expect(apiGateway).toHaveReceivedCommandWith(FlushStageAuthorizersCacheCommand, {
      restApiId: REST_API_ID,
      stageName: STAGE,
    });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const entry = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({ Source: 'hookguard', DetailType: 'credentials.rotated', EventBusName: 'default' });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({
      secretArn: secret.arn,
      versionId: TOKEN,
      rotatedAt: NOW.toISOString(),
      stage: STAGE,
    });

    // A retried finishSecret moves nothing more but still flushes and publishes.
    await step('finishSecret');
    expect(secretsManager).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 1);
    expect(apiGateway).toHaveReceivedCommandTimes(FlushStageAuthorizersCacheCommand, 2);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);

    // No secret left the function: not in the event, the flush or the logs.
    const outbound = JSON.stringify([
      eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input),
      apiGateway.commandCalls(FlushStageAuthorizersCacheCommand).map((call) => call.args[0].input),
      logs,
    ]);
    expect(outbound).not.toContain(pending.password);
    expect(outbound).not.toContain(OLD_PASSWORD);
  });

  it('leaves the secret in the state the authorizer expects: new current, old previous in its grace period', async () => {
    const { secret, step } = setup();
    secret.startRotation(TOKEN);
    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await step(name);
    secret.lastRotatedDate = NOW;

    const accepted = await new SecretsManagerCredentialSource({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      secretId: secret.arn,
      gracePeriodSeconds: 3600,
      now: () => NOW,
    }).acceptedCredentials();

    expect(accepted.map((credential) => `${credential.stage}:${credential.version}`)).toEqual([
      `AWSCURRENT:${TOKEN}`,
      'AWSPREVIOUS:v-old',
    ]);
  });

  it.each(['createSecret', 'setSecret', 'testSecret'] as const)(
    'does nothing in %s once the version is already AWSCURRENT',
    async (name) => {
      const { secret, step } = setup();
      secret.addVersion(TOKEN, credentialJson('hookguard', 'x'), ['AWSCURRENT']);

      await step(name);

      expect(secretsManager).not.toHaveReceivedCommand(PutSecretValueCommand);
      expect(secretsManager).not.toHaveReceivedCommand(GetSecretValueCommand);
    },
  );

  it('fails finishSecret when EventBridge reports a failed entry, and a retry still publishes', async () => {
    // Prepare
    const { secret, step } = setup();
    secret.startRotation(TOKEN);
    await step('createSecret');
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-2' }] });

    // Act / Assess
    await expect(step('finishSecret')).rejects.toThrow(/credentials\.rotated.*InternalFailure/);
    expect(secret.stagesOf(TOKEN)).toContain('AWSCURRENT');
    await expect(step('finishSecret')).resolves.toBeUndefined();
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(apiGateway).toHaveReceivedCommandTimes(FlushStageAuthorizersCacheCommand, 2);
  });

  it('fails finishSecret when the flush fails (RotationFailed recorded), and a retry flushes and publishes', async () => {
    const { secret, step, failures } = setup();
    secret.startRotation(TOKEN);
    await step('createSecret');
    apiGateway.on(FlushStageAuthorizersCacheCommand).rejectsOnce(new Error('TooManyRequestsException')).resolves({});

    await expect(step('finishSecret')).rejects.toThrow('TooManyRequestsException');
    expect(failures).toHaveLength(1);
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    await step('finishSecret');
    expect(apiGateway).toHaveReceivedCommandTimes(FlushStageAuthorizersCacheCommand, 2);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('passes the rotation token on to PutSecretValue', async () => {
    const { secret, handler } = setup();
    secret.startRotation(TOKEN);

    await handler({ Step: 'createSecret', SecretId: secret.arn, ClientRequestToken: TOKEN, RotationToken: 'rt-1' });

    expect(secretsManager).toHaveReceivedCommandWith(PutSecretValueCommand, { RotationToken: 'rt-1' });
  });

  describe('contract checks', () => {
    it('refuses when rotation is not enabled on the secret', async () => {
      const { secret, step } = setup();
      secret.startRotation(TOKEN);
      secret.rotationEnabled = false;

      await expect(step('createSecret')).rejects.toThrow(/Rotation is not enabled/);
      expect(secretsManager).not.toHaveReceivedCommand(PutSecretValueCommand);
    });

    it('refuses a token that is not a version of the secret', async () => {
      const { step } = setup();

      await expect(step('createSecret', 'not-a-version')).rejects.toThrow(/not a version of the secret/);
      expect(secretsManager).not.toHaveReceivedCommand(PutSecretValueCommand);
    });

    it.each(['createSecret', 'testSecret', 'finishSecret'] as const)(
      'refuses %s for a version not labelled AWSPENDING',
      async (name) => {
        const { secret, step } = setup();
        secret.addVersion(TOKEN, credentialJson('hookguard', 'x'), ['AWSPREVIOUS']);

        await expect(step(name)).rejects.toThrow(/not labelled AWSPENDING/);
        expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
        expect(secretsManager).not.toHaveReceivedCommand(PutSecretValueCommand);
      },
    );

    it('refuses to create a version from a malformed AWSCURRENT value', async () => {
      const { secret, step } = setup();
      secret.addVersion('v-bad', 'hookguard:plain-text', ['AWSCURRENT']);
      secret.startRotation(TOKEN);

      await expect(step('createSecret')).rejects.toThrow(RotationError);
      expect(secretsManager).not.toHaveReceivedCommand(PutSecretValueCommand);
    });

    it.each([
      ['a weak password', credentialJson('hookguard', 'short1'), /weak password/],
      ['a non-alphanumeric password', credentialJson('hookguard', `${'a'.repeat(39)}!`), /weak password/],
      ['a value that is not a credential', '{"user":"hookguard"}', /not a \{"username","password"\} value/],
    ])('fails testSecret for %s, naming no value', async (_name, value, message) => {
      const { secret, step } = setup();
      secret.addVersion(TOKEN, value, ['AWSPENDING']);

      const error = await step('testSecret').catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(RotationError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('short1');
    });

    it('fails testSecret when the pending version has no value yet', async () => {
      const { secret, step } = setup();
      secret.startRotation(TOKEN);

      await expect(step('testSecret')).rejects.toThrow(/has no AWSPENDING value/);
    });
  });

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['an unknown step', { Step: 'rollbackSecret', SecretId: 'arn', ClientRequestToken: TOKEN }],
    ['no token', { Step: 'createSecret', SecretId: 'arn' }],
    ['an empty secret id', { Step: 'createSecret', SecretId: '', ClientRequestToken: TOKEN }],
    [
      'a non-string rotation token',
      { Step: 'createSecret', SecretId: 'arn', ClientRequestToken: TOKEN, RotationToken: 1 },
    ],
  ])('refuses %s as an event', async (_name, event) => {
    const { handler } = setup();

    await expect(handler(event)).rejects.toThrow(/Not a Secrets Manager rotation event/);
    expect(secretsManager).not.toHaveReceivedAnyCommand();
  });

  describe('defaultDeps', () => {
    it('wires the Lambda from REST_API_ID and STAGE_NAME and publishes on the default bus', async () => {
      const { secret } = setup();
      secret.startRotation(TOKEN);
      const handler = createHandler(() =>
        defaultDeps({ REST_API_ID: REST_API_ID, STAGE_NAME: 'dev', HOOKGUARD_STAGE: 'dev', AWS_REGION: 'eu-west-1' }),
      );

      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        await handler({ Step, SecretId: secret.arn, ClientRequestToken: TOKEN });
      }

      expect(apiGateway).toHaveReceivedCommandWith(FlushStageAuthorizersCacheCommand, {
        restApiId: REST_API_ID,
        stageName: 'dev',
      });
      expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
        Entries: [expect.objectContaining({ EventBusName: 'default', DetailType: 'credentials.rotated' })],
      });
    });

    it.each(['REST_API_ID', 'STAGE_NAME'])('refuses to start without %s', (name) => {
      const env: Record<string, string | undefined> = {
        REST_API_ID: REST_API_ID,
        STAGE_NAME: 'dev',
        HOOKGUARD_STAGE: 'dev',
      };
      delete env[name];

      expect(() => defaultDeps(env)).toThrow(`Missing required environment variable ${name}`);
    });
  });
});
