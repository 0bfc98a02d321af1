import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyError } from '../../lambda/errors';
import type { Logger } from '../../lambda/ports';
import { LocalCredentialSource, LocalSecretsStore, LocalSigningKeySource } from '../../src/local/local-secrets';
import { writeSecretsFile } from '../../src/local/secrets-file';

function recordingLogger(): Logger & { warnings: Array<{ message: string; fields?: Record<string, unknown> }> } {
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  return {
    warnings,
    debug() {},
    info() {},
    warn(message, fields) {
      warnings.push({ message, ...(fields ? { fields } : {}) });
    },
    error() {},
  };
}

describe('local secrets adapters', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-local-secrets-'));
    path = join(dir, 'secrets.json');
    await writeSecretsFile(path, {
      basicAuth: { current: 'hookguard:newPassword', previous: ['hookguard:oldPassword', 'legacy:olderPassword'] },
      providers: { resend: { signingKeys: ['whsec_a', 'whsec_b'] } },
    });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('LocalCredentialSource', () => {
    it('maps current to AWSCURRENT and each previous credential to AWSPREVIOUS', async () => {
      // Prepare
      const source = new LocalCredentialSource(new LocalSecretsStore({ path }));

      // Act
      const accepted = await source.acceptedCredentials();

      // Assess
      expect(accepted).toEqual([
        { version: 'local-current', stage: 'AWSCURRENT', username: 'hookguard', password: 'newPassword' },
        { version: 'local-previous-1', stage: 'AWSPREVIOUS', username: 'hookguard', password: 'oldPassword' },
        { version: 'local-previous-2', stage: 'AWSPREVIOUS', username: 'legacy', password: 'olderPassword' },
      ]);
    });

    it('sees a rotation as soon as the file is replaced', async () => {
      // Prepare
      const source = new LocalCredentialSource(new LocalSecretsStore({ path }));
      await source.acceptedCredentials();

      // Act
      await writeSecretsFile(path, { basicAuth: { current: 'hookguard:rotated', previous: [] }, providers: {} });
      const accepted = await source.acceptedCredentials();

      // Assess
      expect(accepted.map((credential) => credential.password)).toEqual(['rotated']);
    });
  });

  describe('LocalSigningKeySource', () => {
    it('returns every key of a provider, and none for a provider without keys', async () => {
      // Prepare
      const keys = new LocalSigningKeySource(new LocalSecretsStore({ path }));

      // Act / Assess
      expect(await keys.keysFor('resend')).toEqual(['whsec_a', 'whsec_b']);
      expect(await keys.keysFor('sendgrid')).toEqual([]);
    });

    it('has no keys for Amazon SES, whose messages name their own certificate', async () => {
      // Prepare
      const keys = new LocalSigningKeySource(new LocalSecretsStore({ path }));

      // Act / Assess
      expect(await keys.keysFor('amazon-ses')).toEqual([]);
    });
  });

  describe('LocalSecretsStore', () => {
    it('keeps serving the last good values when the file turns malformed, and says so once', async () => {
      // Prepare
      const logger = recordingLogger();
      const store = new LocalSecretsStore({ path, logger });
      const keys = new LocalSigningKeySource(store);
      await keys.keysFor('resend');

      // Act
      await writeFile(path, '{"basicAuth": ');
      const first = await keys.keysFor('resend');
      const second = await keys.keysFor('resend');

      // Assess
      expect(first).toEqual(['whsec_a', 'whsec_b']);
      expect(second).toEqual(['whsec_a', 'whsec_b']);
      expect(logger.warnings).toEqual([
        {
          message: 'Secrets file changed but cannot be used; keeping the last good values',
          fields: { problem: expect.stringMatching(/is not valid JSON/) },
        },
      ]);
    });

    it('fails closed with a dependency error when it never read a good file', async () => {
      // Prepare
      await writeFile(path, 'not json');
      const keys = new LocalSigningKeySource(new LocalSecretsStore({ path }));

      // Act / Assess
      await expect(keys.keysFor('resend')).rejects.toThrow(DependencyError);
    });

    it('reports the precise problem on an explicit load', async () => {
      // Prepare
      await writeFile(path, '{"basicAuth": {"current": "no-colon"}}');

      // Act / Assess
      await expect(new LocalSecretsStore({ path }).load()).rejects.toThrow(/basicAuth\.current/);
    });
  });
});
