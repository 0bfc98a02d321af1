import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { readSecretRotationInfo } from '../../../lambda/adapters/secret-rotation-info';
import { createHandler, defaultDeps } from '../../../lambda/watch/handler';

const secretsManager = mockClient(SecretsManagerClient);
const HOUR = 3_600_000;
const ROTATED = new Date('2026-11-01T12:00:00Z');
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard/prod/basic-credentials-AbCdEf';

beforeEach(() => {
  secretsManager.reset();
  secretsManager.on(DescribeSecretCommand).resolves({
    RotationEnabled: true,
    LastRotatedDate: ROTATED,
    CreatedDate: new Date('2026-01-01T00:00:00Z'),
    NextRotationDate: new Date(ROTATED.getTime() + 30 * 24 * HOUR),
  });
  secretsManager
    .on(ListSecretVersionIdsCommand)
    .resolvesOnce({ Versions: [{ VersionId: 'v2', VersionStages: ['AWSCURRENT'], CreatedDate: ROTATED }], NextToken: 'page-2' })
    .resolves({ Versions: [{ VersionId: 'v1', VersionStages: ['AWSPREVIOUS'] }, { VersionId: 'v0', VersionStages: [] }] });
});

describe('readSecretRotationInfo', () => {
  it('reads dates and staged versions over every page, never a value', async () => {
    const info = await readSecretRotationInfo(new SecretsManagerClient({ region: 'eu-west-1' }), ARN);
    expect(info).toEqual({
      rotationEnabled: true,
      lastRotatedDate: ROTATED,
      createdDate: new Date('2026-01-01T00:00:00Z'),
      nextRotationDate: new Date(ROTATED.getTime() + 30 * 24 * HOUR),
      versions: [
        { versionId: 'v2', stages: ['AWSCURRENT'], createdDate: ROTATED },
        { versionId: 'v1', stages: ['AWSPREVIOUS'] },
      ],
    });
    expect(secretsManager.commandCalls(ListSecretVersionIdsCommand).map((call) => call.args[0].input.NextToken)).toEqual([
      undefined,
      'page-2',
    ]);
    expect(secretsManager.calls().map((call) => call.args[0].constructor.name).sort()).toEqual([
      'DescribeSecretCommand',
      'ListSecretVersionIdsCommand',
      'ListSecretVersionIdsCommand',
    ]);
  });
});

describe('watch handler', () => {
  it('writes one EMF line with the rotation state of the stage', async () => {
    const lines: string[] = [];
    const client = new SecretsManagerClient({ region: 'eu-west-1' });
    const handler = createHandler({
      readInfo: () => readSecretRotationInfo(client, ARN),
      policy: { rotationDays: 30, gracePeriodHours: 72 },
      stage: 'prod',
      write: (line) => lines.push(line),
      now: () => new Date(ROTATED.getTime() + 60 * HOUR),
    });
    await expect(handler()).resolves.toEqual({ previousAccepted: true, overdue: false });
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string);
    expect(record).toMatchObject({ Stage: 'prod', CredentialAgeHours: 60, PreviousCredentialHoursLeft: 12 });
    expect(record._aws.CloudWatchMetrics[0].Namespace).toBe('Hookguard');
  });

  it('fails when Secrets Manager fails (the invocation error is what the dashboard shows)', async () => {
    secretsManager.on(DescribeSecretCommand).rejects(new Error('AccessDeniedException'));
    const handler = createHandler({
      readInfo: () => readSecretRotationInfo(new SecretsManagerClient({ region: 'eu-west-1' }), ARN),
      policy: { rotationDays: 30, gracePeriodHours: 72 },
      stage: 'prod',
      write: () => undefined,
      now: () => new Date(),
    });
    await expect(handler()).rejects.toThrow('AccessDeniedException');
  });

  it('refuses an incomplete environment with a message naming the variables', () => {
    expect(() => defaultDeps({ HOOKGUARD_STAGE: 'prod' })).toThrow(/CREDENTIALS_SECRET_ARN and HOOKGUARD_STAGE/);
    expect(() =>
      defaultDeps({ HOOKGUARD_STAGE: 'prod', CREDENTIALS_SECRET_ARN: ARN, ROTATION_DAYS: '0', GRACE_PERIOD_HOURS: '72' }),
    ).toThrow(/ROTATION_DAYS/);
    expect(
      defaultDeps({ HOOKGUARD_STAGE: 'prod', CREDENTIALS_SECRET_ARN: ARN, ROTATION_DAYS: '30', GRACE_PERIOD_HOURS: '0' }).policy,
    ).toEqual({ rotationDays: 30, gracePeriodHours: 0 });
  });
});
