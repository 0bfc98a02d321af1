import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  parseSigningKeysSecret,
  SecretsManagerSigningKeys,
} from '../../../lambda/adapters/secrets-manager-signing-keys';
import { ConfigurationError, DependencyError } from '../../../lambda/errors';
import { CapturingLogger, FakeClock } from '../../fixtures/verifier/fakes';

const secretsManager = mockClient(SecretsManagerClient);
const SECRET = JSON.stringify({ sendgrid: ['MFkwEwYHKoZIzj0CAQ-key'], mailgun: ['key-old', 'key-new'] });

function source(ttlSeconds = 60) {
  const clock = new FakeClock();
  const logger = new CapturingLogger();
  const keys = new SecretsManagerSigningKeys({
    client: new SecretsManagerClient({ region: 'us-east-1' }),
    secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:signing-keys',
    cacheTtlSeconds: ttlSeconds,
    now: clock.now,
    logger,
  });
  return { keys, clock, logger };
}

const outage = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

describe('SecretsManagerSigningKeys', () => {
  afterEach(() => {
    secretsManager.reset();
  });

  it('returns each provider keys, and none for a provider without any', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    const { keys } = source();
    await expect(keys.keysFor('mailgun')).resolves.toEqual(['key-old', 'key-new']);
    await expect(keys.keysFor('resend')).resolves.toEqual([]);
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:signing-keys',
    });
  });

  it('reads the secret once per TTL', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    const { keys, clock } = source(60);
    await keys.keysFor('sendgrid');
    clock.advance(59);
    await keys.keysFor('mailgun');
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    clock.advance(1);
    await keys.keysFor('mailgun');
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('shares one read between concurrent callers (single flight)', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    const { keys } = source();
    await Promise.all([keys.keysFor('sendgrid'), keys.keysFor('mailgun'), keys.keysFor('resend')]);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('fails closed with a DependencyError when Secrets Manager is unreachable and nothing is cached', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(outage());
    const error = await source()
      .keys.keysFor('sendgrid')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).cause).toMatchObject({ name: 'ThrottlingException' });
  });

  it('keeps serving the cached keys through an outage, retrying after a pause, and warns', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: SECRET }).rejects(outage());
    const { keys, clock, logger } = source(60);
    await keys.keysFor('sendgrid');
    clock.advance(61);

    // Act
    const duringOutage = await keys.keysFor('sendgrid');
    clock.advance(10);
    await keys.keysFor('sendgrid');
    clock.advance(25);
    await keys.keysFor('sendgrid');

    // Assess
    expect(duringOutage).toEqual(['MFkwEwYHKoZIzj0CAQ-key']);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
    expect(logger.entries.filter((entry) => entry.level === 'warn')).toHaveLength(2);
    expect(logger.text()).not.toContain('MFkwEwYHKoZIzj0CAQ-key');
  });

  it('keeps the good keys when a malformed value is written, and fails closed without them', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: SECRET }).resolves({ SecretString: '{' });
    const warm = source(60);
    await warm.keys.keysFor('sendgrid');
    warm.clock.advance(61);
    await expect(warm.keys.keysFor('sendgrid')).resolves.toEqual(['MFkwEwYHKoZIzj0CAQ-key']);
    await expect(source().keys.keysFor('sendgrid')).rejects.toThrow(ConfigurationError);
  });

  it('treats a secret without a string value as malformed', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    await expect(source().keys.keysFor('sendgrid')).rejects.toThrow(
      new ConfigurationError('The signing keys secret has no string value'),
    );
  });
});

describe('parseSigningKeysSecret', () => {
  it.each([
    ['text that is not JSON', 'sk_live_secret', 'The signing keys secret is not valid JSON'],
    ['an array', '["sk_live_secret"]', 'must be a JSON object of provider id to a list of keys'],
    ['an unknown provider id', '{"sendmail":["sk_live_secret"]}', 'sendmail: not a provider id'],
    ['a key that is not a list', '{"sendgrid":"sk_live_secret"}', 'sendgrid: expected a list of non-empty strings'],
    ['an empty key', '{"mailgun":["sk_live_secret",""]}', 'mailgun: expected a list of non-empty strings'],
  ])('reports %s without quoting any value', (_case, text, message) => {
    const error = (() => {
      try {
        parseSigningKeysSecret(text);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('sk_live_secret');
  });

  it('accepts an empty object (no provider has keys yet)', () => {
    expect(parseSigningKeysSecret('{}')).toEqual({});
  });
});
