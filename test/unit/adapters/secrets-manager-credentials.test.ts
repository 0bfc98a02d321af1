import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SecretsManagerCredentialSource } from '../../../lambda/adapters/secrets-manager-credentials';
import { ConfigurationError, DependencyError } from '../../../lambda/errors';
import type { Logger } from '../../../lambda/ports';
import { CredentialSecretFake, credentialJson } from '../support/credential-secret-fake';

const secretsManager = mockClient(SecretsManagerClient);

const HOUR = 3_600_000;
const ROTATED_AT = Date.parse('2026-11-01T12:00:00Z');
const GRACE_SECONDS = 24 * 3600;

function setup(options: { nowMs?: number; gracePeriodSeconds?: number; logger?: Logger } = {}) {
  let now = options.nowMs ?? ROTATED_AT + HOUR;
  const clock = {
    now: () => new Date(now),
    set(ms: number) {
      now = ms;
    },
  };
  const secret = new CredentialSecretFake(clock.now).install(secretsManager);
  const source = new SecretsManagerCredentialSource({
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    secretId: secret.arn,
    gracePeriodSeconds: options.gracePeriodSeconds ?? GRACE_SECONDS,
    now: clock.now,
    logger: options.logger,
  });
  return { clock, secret, source };
}

/** A secret right after a rotation: `new` is AWSCURRENT since ROTATED_AT, `old` AWSPREVIOUS. */
function rotatedSecret(secret: CredentialSecretFake) {
  secret
    .addVersion(
      'old',
      credentialJson('hookguard', 'OldPassword1'),
      ['AWSCURRENT'],
      new Date(ROTATED_AT - 30 * 24 * HOUR),
    )
    .addVersion('new', credentialJson('hookguard', 'NewPassword2'), ['AWSCURRENT'], new Date(ROTATED_AT - 5_000));
  secret.lastRotatedDate = new Date(ROTATED_AT);
}

afterEach(() => {
  secretsManager.reset();
});

describe('SecretsManagerCredentialSource', () => {
  describe('Method: acceptedCredentials', () => {
    it('returns the current credential, read by version id after one DescribeSecret', async () => {
      // Prepare
      const { secret, source } = setup();
      secret.addVersion('v1', credentialJson('hookguard', 'Password1'), ['AWSCURRENT']);

      // Act
      const accepted = await source.acceptedCredentials();

      // Assess
      expect(accepted).toEqual([{ version: 'v1', stage: 'AWSCURRENT', username: 'hookguard', password: 'Password1' }]);
      expect(secretsManager).toHaveReceivedCommandTimes(DescribeSecretCommand, 1);
      expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
      expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, {
        SecretId: secret.arn,
        VersionId: 'v1',
      });
    });

    it('also accepts AWSPENDING while a rotation is under way', async () => {
      const { secret, source } = setup();
      secret
        .addVersion('v1', credentialJson('hookguard', 'Password1'), ['AWSCURRENT'])
        .addVersion('v2', credentialJson('hookguard', 'Password2'), ['AWSPENDING']);

      await expect(source.acceptedCredentials()).resolves.toEqual([
        { version: 'v1', stage: 'AWSCURRENT', username: 'hookguard', password: 'Password1' },
        { version: 'v2', stage: 'AWSPENDING', username: 'hookguard', password: 'Password2' },
      ]);
    });

    it('skips an empty AWSPENDING version (a rotation that has not stored its value yet)', async () => {
      const warnings: unknown[] = [];
      const logger: Logger = { debug() {}, info() {}, warn: (...args) => warnings.push(args), error() {} };
      const { secret, source } = setup({ logger });
      secret.addVersion('v1', credentialJson('hookguard', 'Password1'), ['AWSCURRENT']).startRotation('v2');

      await expect(source.acceptedCredentials()).resolves.toEqual([
        { version: 'v1', stage: 'AWSCURRENT', username: 'hookguard', password: 'Password1' },
      ]);
      expect(warnings).toEqual([
        ['Skipping an unreadable credential version', { versionId: 'v2', stage: 'AWSPENDING' }],
      ]);
    });

    it('lists a version labelled both AWSCURRENT and AWSPENDING once, as current', async () => {
      const { secret, source } = setup();
      secret.addVersion('v1', credentialJson('hookguard', 'Password1'), ['AWSCURRENT', 'AWSPENDING']);

      await expect(source.acceptedCredentials()).resolves.toEqual([
        { version: 'v1', stage: 'AWSCURRENT', username: 'hookguard', password: 'Password1' },
      ]);
      expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    });

    it('accepts AWSPREVIOUS inside the grace period, with the grace end as its expiry', async () => {
      // Prepare: one hour after the rotation, grace 24 h.
      const { secret, source } = setup({ nowMs: ROTATED_AT + HOUR });
      rotatedSecret(secret);

      // Act
      const accepted = await source.acceptedCredentials();

      // Assess
      expect(accepted).toEqual([
        { version: 'new', stage: 'AWSCURRENT', username: 'hookguard', password: 'NewPassword2' },
        {
          version: 'old',
          stage: 'AWSPREVIOUS',
          username: 'hookguard',
          password: 'OldPassword1',
          expiresAt: new Date(ROTATED_AT + GRACE_SECONDS * 1000),
        },
      ]);
    });

    it.each([
      ['at the end of the grace period', 0],
      ['after the grace period', 1],
    ])('refuses AWSPREVIOUS %s without even reading it', async (_name, extraMs) => {
      const { secret, source } = setup({ nowMs: ROTATED_AT + GRACE_SECONDS * 1000 + extraMs });
      rotatedSecret(secret);

      const accepted = await source.acceptedCredentials();

      expect(accepted.map((credential) => credential.stage)).toEqual(['AWSCURRENT']);
      expect(secretsManager).not.toHaveReceivedCommandWith(GetSecretValueCommand, { VersionId: 'old' });
    });

    it('counts the grace from the current version creation when LastRotatedDate is unknown', async () => {
      // Prepare: no LastRotatedDate (rotation never ran); the current value was put 2 h ago.
      const nowMs = ROTATED_AT + 2 * HOUR;
      const { secret, source } = setup({ nowMs, gracePeriodSeconds: 3 * 3600 });
      secret
        .addVersion('old', credentialJson('hookguard', 'OldPassword1'), ['AWSCURRENT'], new Date(nowMs - 10 * HOUR))
        .addVersion('new', credentialJson('hookguard', 'NewPassword2'), ['AWSCURRENT'], new Date(nowMs - 2 * HOUR));

      // Act
      const accepted = (await source.acceptedCredentials()) as ReadonlyArray<{ stage: string; expiresAt?: Date }>;

      // Assess
      expect(accepted.map((credential) => credential.stage)).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
      expect(accepted[1]?.expiresAt).toEqual(new Date(nowMs + HOUR));
    });

    it('counts the grace from a manual put that is later than the last rotation', async () => {
      // Prepare: rotated 30 h ago (grace 24 h would be over), but an operator put a new value 1 h ago.
      const nowMs = ROTATED_AT + 30 * HOUR;
      const { secret, source } = setup({ nowMs });
      secret
        .addVersion('rotated', credentialJson('hookguard', 'Rotated1'), ['AWSCURRENT'], new Date(ROTATED_AT))
        .addVersion('manual', credentialJson('hookguard', 'Manual2'), ['AWSCURRENT'], new Date(nowMs - HOUR));
      secret.lastRotatedDate = new Date(ROTATED_AT);

      const accepted = await source.acceptedCredentials();

      expect(accepted.map((credential) => `${credential.stage}:${credential.version}`)).toEqual([
        'AWSCURRENT:manual',
        'AWSPREVIOUS:rotated',
      ]);
    });

    it('refuses AWSPREVIOUS at once with a grace period of 0', async () => {
      const { secret, source } = setup({ nowMs: ROTATED_AT + 1, gracePeriodSeconds: 0 });
      rotatedSecret(secret);

      const accepted = await source.acceptedCredentials();

      expect(accepted.map((credential) => credential.stage)).toEqual(['AWSCURRENT']);
    });

    it('skips a malformed AWSPREVIOUS value and logs no part of it', async () => {
      const logged: string[] = [];
      const logger: Logger = {
        debug() {},
        info() {},
        warn: (message, fields) => logged.push(message + JSON.stringify(fields)),
        error() {},
      };
      const { secret, source } = setup({ logger });
      secret
        .addVersion('old', '{"user":"hookguard","pass":"LeakyValue9"}', ['AWSCURRENT'])
        .addVersion('new', credentialJson('hookguard', 'NewPassword2'), ['AWSCURRENT']);
      secret.lastRotatedDate = new Date(ROTATED_AT);

      const accepted = await source.acceptedCredentials();

      expect(accepted.map((credential) => credential.version)).toEqual(['new']);
      expect(logged).toHaveLength(1);
      expect(logged.join()).not.toContain('LeakyValue9');
    });

    it.each([
      ['is not JSON', 'hookguard:Password1'],
      ['has no password', '{"username":"hookguard"}'],
    ])('fails with a ConfigurationError when AWSCURRENT %s, naming no value', async (_name, value) => {
      const { secret, source } = setup();
      secret.addVersion('v1', value, ['AWSCURRENT']);

      const error = await source.acceptedCredentials().catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).not.toContain('Password1');
    });

    it('fails with a ConfigurationError when no version is AWSCURRENT', async () => {
      const { secret, source } = setup();
      secret.addVersion('v1', credentialJson('hookguard', 'Password1'), ['AWSPENDING']);

      await expect(source.acceptedCredentials()).rejects.toBeInstanceOf(ConfigurationError);
    });

    it.each([
      ['DescribeSecret', DescribeSecretCommand],
      ['GetSecretValue', GetSecretValueCommand],
    ] as const)('turns a Secrets Manager failure in %s into a DependencyError', async (_name, command) => {
      const { secret, source } = setup();
      secret.addVersion('v1', credentialJson('hookguard', 'Password1'), ['AWSCURRENT']);
      secretsManager.on(command).rejects(new InternalServiceError({ message: 'service unavailable', $metadata: {} }));

      await expect(source.acceptedCredentials()).rejects.toBeInstanceOf(DependencyError);
    });

    it('loads afresh on every call (caching is the wrapper’s job)', async () => {
      const { secret, source } = setup();
      secret.addVersion('v1', credentialJson('hookguard', 'Password1'), ['AWSCURRENT']);

      await source.acceptedCredentials();
      secret.addVersion('v2', credentialJson('hookguard', 'Password2'), ['AWSCURRENT']);
      const second = await source.acceptedCredentials();

      expect(second[0]?.version).toBe('v2');
      expect(secretsManager).toHaveReceivedCommandTimes(DescribeSecretCommand, 2);
    });
  });

  it.each([
    ['a negative grace period', { gracePeriodSeconds: -1, secretId: 'arn' }, /gracePeriodSeconds \[-1\]/],
    ['an empty secret id', { gracePeriodSeconds: 60, secretId: '' }, /secretId/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => new SecretsManagerCredentialSource({ client: new SecretsManagerClient({}), ...options })).toThrow(
      message,
    );
  });
});
