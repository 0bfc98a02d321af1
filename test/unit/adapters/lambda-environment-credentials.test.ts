import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  defaultProvider,
  fromLambdaEnvironment,
  MissingEnvironmentCredentialsError,
} from '../../../lambda/adapters/lambda-environment-credentials';

describe('Lambda environment credentials (the bundles\' stand-in for the SDK default chain)', () => {
  it('reads the role credentials Lambda puts in the environment, session token included', async () => {
    const provider = fromLambdaEnvironment({
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEKEYID',
      AWS_SECRET_ACCESS_KEY: 'example-secret-access-key',
      AWS_SESSION_TOKEN: 'example-session-token',
    });
    await expect(provider()).resolves.toEqual({
      accessKeyId: 'ASIAEXAMPLEKEYID',
      secretAccessKey: 'example-secret-access-key',
      sessionToken: 'example-session-token',
    });
  });

  it('carries an expiration when the environment states one', async () => {
    const provider = fromLambdaEnvironment({
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_CREDENTIAL_EXPIRATION: '2026-12-02T12:00:00Z',
    });
    const credentials = await provider();
    expect(credentials.expiration?.toISOString()).toBe('2026-12-02T12:00:00.000Z');
    expect(credentials).not.toHaveProperty('sessionToken');
  });

  it('reads the variables at every call, so refreshed credentials are picked up', async () => {
    const env: Record<string, string> = { AWS_ACCESS_KEY_ID: 'first', AWS_SECRET_ACCESS_KEY: 's1' };
    const provider = fromLambdaEnvironment(env);
    await provider();
    env.AWS_ACCESS_KEY_ID = 'second';
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'second' });
  });

  it('fails closed naming the missing variables, never the values it has', async () => {
    const provider = fromLambdaEnvironment({ AWS_SECRET_ACCESS_KEY: 'do-not-print-me' });
    const failure = provider();
    await expect(failure).rejects.toBeInstanceOf(MissingEnvironmentCredentialsError);
    await expect(failure).rejects.toThrow(/AWS_ACCESS_KEY_ID not set/);
    const error = (await failure.catch((caught: unknown) => caught)) as Error & { tryNextLink: boolean };
    expect(error.message).not.toContain('do-not-print-me');
    expect(error.tryNextLink).toBe(false);
    await expect(fromLambdaEnvironment({})()).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('is what an SDK client resolves its credentials with when the bundle aliases the default chain to it', async () => {
    // The shape the clients' runtime config calls: defaultProvider(init) -> provider.
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMPROCESS';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    try {
      await expect(defaultProvider({ profile: 'ignored' })()).resolves.toMatchObject({ accessKeyId: 'AKIAFROMPROCESS' });
    } finally {
      process.env = saved;
    }
  });

  it('plugs into a real SDK client where the default chain would (the export the alias replaces)', async () => {
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMCLIENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';
    try {
      const client = new SecretsManagerClient({ region: 'us-east-1', credentialDefaultProvider: defaultProvider });
      await expect(client.config.credentials()).resolves.toMatchObject({
        accessKeyId: 'AKIAFROMCLIENT',
        sessionToken: 'token',
      });
      client.destroy();
    } finally {
      process.env = saved;
    }
  });
});
