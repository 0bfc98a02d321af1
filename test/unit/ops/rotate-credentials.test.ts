import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SecretsManagerCredentialSource } from '../../../lambda/adapters/secrets-manager-credentials';
import { createHandler, defaultDeps } from '../../../lambda/rotation/handler';
import { CredentialRotationCommandError, rotateCredentials } from '../../../lib/ops/rotate-credentials';
import { CredentialSecretFake, credentialJson } from '../support/credential-secret-fake';

const secretsManager = mockClient(SecretsManagerClient);
const apiGateway = mockClient(APIGatewayClient);
const eventBridge = mockClient(EventBridgeClient);

const T0 = Date.parse('2026-11-01T12:00:00Z');
const OLD_PASSWORD = 'OldPassword1234567890abcdefghijklmnopqrs';

/**
 * A deployed secret whose rotation function (the real handler over the mocked clients) runs in the background:
 * the rotation completes while the command polls, after `pollsBeforeDone` DescribeSecret calls.
 */
function setup(options: { pollsBeforeDone?: number } = {}) {
  let now = T0;
  const clock = () => new Date(now);
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    now += ms;
  };
  const secret = new CredentialSecretFake(clock).install(secretsManager);
  secret.addVersion('v-old', credentialJson('hookguard', OLD_PASSWORD), ['AWSCURRENT'], new Date(T0 - 86_400_000));
  apiGateway.on(FlushStageAuthorizersCacheCommand).resolves({});
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  const rotationFunction = createHandler(() =>
    defaultDeps({ REST_API_ID: 'a1b2c3d4e5', STAGE_NAME: 'prod', AWS_REGION: 'eu-west-1' }),
  );

  let rotating: string | undefined;
  let polls = 0;
  let running = false;
  secret.onRotate = (versionId) => {
    rotating = versionId;
    polls = 0;
  };
  secret.onDescribe = async () => {
    if (running || rotating === undefined || options.pollsBeforeDone === undefined) return;
    polls += 1;
    if (polls < options.pollsBeforeDone) return;
    running = true;
    const versionId = rotating;
    rotating = undefined;
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await rotationFunction({ Step, SecretId: secret.arn, ClientRequestToken: versionId });
    }
    secret.lastRotatedDate = clock();
    running = false;
  };
  const progress: string[] = [];
  const base = {
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    apiGateway: new APIGatewayClient({ region: 'eu-west-1' }),
    secretId: secret.arn,
    restApiId: 'a1b2c3d4e5',
    stageName: 'prod',
    sleep,
    now: clock,
    onProgress: (line: string) => progress.push(line),
  };
  return { secret, sleeps, progress, base, clock };
}

afterEach(() => {
  secretsManager.reset();
  apiGateway.reset();
  eventBridge.reset();
});

describe('rotateCredentials', () => {
  it('rotates now, waits for the rotation to finish, keeps the previous credential and flushes', async () => {
    // Prepare
    const { secret, sleeps, base, progress } = setup({ pollsBeforeDone: 3 });

    // Act
    const report = await rotateCredentials(base);

    // Assess
    expect(secretsManager).toHaveReceivedCommandWith(RotateSecretCommand, {
      SecretId: secret.arn,
      RotateImmediately: true,
    });
    expect(report).toEqual({
      secretArn: secret.arn,
      versionId: expect.any(String),
      previousVersionId: 'v-old',
      revokedVersionId: null,
      flushes: 1,
    });
    expect(secret.stagesOf(report.versionId)).toContain('AWSCURRENT');
    expect(secret.stagesOf('v-old')).toEqual(['AWSPREVIOUS']);
    expect(sleeps).toEqual([5000, 5000]);
    expect(apiGateway).toHaveReceivedCommandWith(FlushStageAuthorizersCacheCommand, {
      restApiId: 'a1b2c3d4e5',
      stageName: 'prod',
    });
    const newPassword = (JSON.parse(secret.valueOf(report.versionId) ?? '{}') as { password: string }).password;
    expect(progress.join('\n')).not.toContain(newPassword);
  });

  it('with revokePrevious, removes AWSPREVIOUS before flushing, so the old credential stops working', async () => {
    // Prepare
    const { secret, base, clock } = setup({ pollsBeforeDone: 1 });

    // Act
    const report = await rotateCredentials({ ...base, revokePrevious: true });

    // Assess
    expect(report.revokedVersionId).toBe('v-old');
    expect(secret.stagesOf('v-old')).toEqual([]);
    expect(secretsManager).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      SecretId: secret.arn,
      VersionStage: 'AWSPREVIOUS',
      RemoveFromVersionId: 'v-old',
    });
    const revoke = secretsManager.commandCalls(UpdateSecretVersionStageCommand).at(-1);
    const lastFlush = apiGateway.commandCalls(FlushStageAuthorizersCacheCommand).at(-1);
    expect(revoke && lastFlush && revoke.calledBefore(lastFlush)).toBe(true);
    const accepted = await new SecretsManagerCredentialSource({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      secretId: secret.arn,
      gracePeriodSeconds: 72 * 3600,
      now: clock,
    }).acceptedCredentials();
    expect(accepted.map((credential) => credential.password)).not.toContain(OLD_PASSWORD);
    expect(accepted.map((credential) => credential.version)).toEqual([report.versionId]);
  });

  it('flushes a second time after settleSeconds, closing the window of warm containers’ caches', async () => {
    const { sleeps, base } = setup({ pollsBeforeDone: 1 });

    const report = await rotateCredentials({ ...base, revokePrevious: true, settleSeconds: 60 });

    // One flush by the rotation function's finishSecret, two by the command.
    expect(report.flushes).toBe(2);
    expect(apiGateway).toHaveReceivedCommandTimes(FlushStageAuthorizersCacheCommand, 3);
    expect(sleeps.at(-1)).toBe(60_000);
  });

  it('gives up after the timeout, with bounded polling, revoking and flushing nothing', async () => {
    // Prepare: the rotation never finishes.
    const { secret, sleeps, base } = setup();

    // Act
    const error = await rotateCredentials({
      ...base,
      revokePrevious: true,
      timeoutSeconds: 30,
      pollIntervalSeconds: 5,
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(CredentialRotationCommandError);
    expect((error as Error).message).toMatch(/did not finish within 30 s/);
    expect(sleeps).toEqual(Array(6).fill(5000));
    expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
    expect(apiGateway).not.toHaveReceivedCommand(FlushStageAuthorizersCacheCommand);
    expect(secret.stagesOf('v-old')).toEqual(['AWSCURRENT']);
  });

  it('refuses when rotation is not configured on the secret, before starting anything', async () => {
    const { secret, base } = setup({ pollsBeforeDone: 1 });
    secret.rotationEnabled = false;

    await expect(rotateCredentials(base)).rejects.toThrow(/Rotation is not configured/);
    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('refuses while another rotation holds AWSPENDING, saying which version to check', async () => {
    const { secret, base } = setup({ pollsBeforeDone: 1 });
    secret.startRotation('v-stuck');

    await expect(rotateCredentials(base)).rejects.toThrow(/version v-stuck is labelled AWSPENDING/);
    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('rotates again after a finished rotation left AWSPENDING on the current version', async () => {
    const { secret, base } = setup({ pollsBeforeDone: 1 });
    const first = await rotateCredentials(base);
    expect(secret.stagesOf(first.versionId)).toEqual(['AWSCURRENT', 'AWSPENDING']);

    const second = await rotateCredentials(base);

    expect(second.previousVersionId).toBe(first.versionId);
    expect(secret.stagesOf(second.versionId)).toContain('AWSCURRENT');
  });

  it.each([
    ['a negative settle time', { settleSeconds: -1 }, /settleSeconds/],
    ['a NaN timeout', { timeoutSeconds: Number.NaN }, /timeoutSeconds/],
  ])('refuses %s', async (_name, overrides, message) => {
    const { base } = setup();

    await expect(rotateCredentials({ ...base, ...overrides })).rejects.toThrow(message);
  });
});
