import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ProviderModule } from '../../lambda/providers/types';
import { ensureSecretsFile } from '../../src/local/secrets-bootstrap';
import { readSecretsFile, writeSecretsFile } from '../../src/local/secrets-file';
import { generateProviderSecrets, needsSigningKey } from '../../src/local/signing-keys';

/** A minimal provider module: only what key generation looks at. */
function fakeModule(
  id: ProviderId,
  options: { signed?: boolean; usesSigningKeys?: boolean } = {},
): ProviderModule {
  return {
    id,
    displayName: id,
    contentTypes: ['application/json'],
    ...(options.signed === false ? {} : { verify: () => ({}) }),
    ...(options.usesSigningKeys === undefined ? {} : { usesSigningKeys: options.usesSigningKeys }),
    parse: () => ({ events: [] }),
    normalise: () => [],
  };
}

describe('generateProviderSecrets', () => {
  it.each([
    ['resend', /^whsec_[A-Za-z0-9+/]{32}$/],
    ['standard-webhooks', /^whsec_[A-Za-z0-9+/]{32}$/],
    ['mailgun', /^[0-9a-f]{32}$/],
    ['mailtrap', /^[0-9a-f]{32}$/],
    ['mailersend', /^[A-Za-z0-9]{32}$/],
    ['mandrill', /^[A-Za-z0-9_-]{22}$/],
    ['unisender-go', /^[a-z0-9]{54}$/],
  ] as const)('makes a %s shared secret in the vendor format', (id, format) => {
    // Act
    const first = generateProviderSecrets(fakeModule(id));
    const second = generateProviderSecrets(fakeModule(id));

    // Assess
    expect(first?.signingKeys).toEqual([expect.stringMatching(format)]);
    expect(first?.simulationKey).toBeUndefined();
    expect(first?.signingKeys[0]).not.toBe(second?.signingKeys[0]);
  });

  it('uses the module key pair for asymmetric schemes: public key to verify, private key to simulate', () => {
    const keyPair = () => ({ verificationKey: 'public-sendgrid', simulationKey: 'private-sendgrid' });
    expect(generateProviderSecrets(fakeModule('sendgrid'), (id) => (id === 'sendgrid' ? keyPair : undefined))).toEqual({
      signingKeys: ['public-sendgrid'],
      simulationKey: 'private-sendgrid',
    });
  });

  it.each([
    ['an unsigned provider', fakeModule('postmark', { signed: false })],
    ['a scheme whose key comes with each message (Amazon SNS)', fakeModule('amazon-ses', { usesSigningKeys: false })],
  ])('makes nothing for %s', (_name, module) => {
    expect(generateProviderSecrets(module)).toBeUndefined();
    expect(needsSigningKey(module)).toBe(false);
  });
});

describe('ensureSecretsFile', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-bootstrap-'));
    path = join(dir, '.hookguard', 'secrets.json');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const modules = [
    fakeModule('resend'),
    fakeModule('sendgrid'),
    fakeModule('postmark', { signed: false }),
    fakeModule('amazon-ses'),
  ];

  it('creates a 0600 file with a random alphanumeric password and a key for each signed provider', async () => {
    // Act
    const result = await ensureSecretsFile(path, { username: 'ops', providers: modules });

    // Assess
    expect(result.created).toBe(true);
    expect(result.generatedKeysFor).toEqual(['resend', 'sendgrid']);
    const secrets = await readSecretsFile(path);
    expect(secrets).toEqual(result.secrets);
    expect(secrets.basicAuth).toEqual({ current: expect.stringMatching(/^ops:[A-Za-z0-9]{40}$/), previous: [] });
    expect(Object.keys(secrets.providers)).toEqual(['resend', 'sendgrid']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('leaves an existing file as it is', async () => {
    // Prepare
    await ensureSecretsFile(path, { username: 'ops', providers: modules });
    const before = await readFile(path, 'utf8');

    // Act
    const result = await ensureSecretsFile(path, { username: 'someone-else', providers: modules });

    // Assess
    expect(result).toEqual({
      secrets: JSON.parse(before),
      created: false,
      generatedKeysFor: [],
      generatedPathToken: false,
    });
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('adds a key for a newly enabled provider without touching the keys that exist', async () => {
    // Prepare
    await writeSecretsFile(path, {
      basicAuth: { current: 'ops:pw', previous: [] },
      providers: { resend: { signingKeys: ['whsec_mine'] }, sendgrid: { signingKeys: [] } },
    });

    // Act
    const result = await ensureSecretsFile(path, {
      username: 'ops',
      providers: [...modules, fakeModule('mailgun')],
    });

    // Assess
    expect(result.generatedKeysFor).toEqual(['mailgun']);
    const secrets = await readSecretsFile(path);
    expect(secrets.basicAuth.current).toBe('ops:pw');
    expect(secrets.providers.resend).toEqual({ signingKeys: ['whsec_mine'] });
    expect(secrets.providers.sendgrid).toEqual({ signingKeys: [] });
    expect(secrets.providers.mailgun?.signingKeys).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
  });

  it('refuses a malformed existing file instead of replacing it', async () => {
    // Prepare
    await ensureSecretsFile(path, { username: 'ops', providers: [] });
    await writeFile(path, '{ broken');

    // Act / Assess
    await expect(ensureSecretsFile(path, { username: 'ops', providers: modules })).rejects.toThrow(/not valid JSON/);
    expect(await readFile(path, 'utf8')).toBe('{ broken');
  });
});
