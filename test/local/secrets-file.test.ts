import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSecretsFile,
  formatCredential,
  parseCredential,
  parseLocalSecrets,
  randomAlphanumeric,
  readSecretsFile,
  SecretsFileError,
  writeSecretsFile,
} from '../../src/local/secrets-file';

const VALID = {
  basicAuth: { current: 'hookguard:currentSecret1', previous: ['hookguard:oldSecret2'] },
  providers: { sendgrid: { signingKeys: ['MFkwPUBLIC'], simulationKey: '-----BEGIN PRIVATE KEY-----' } },
};

describe('parseLocalSecrets', () => {
  it('accepts the documented schema', () => {
    expect(parseLocalSecrets(VALID, 'secrets.json')).toEqual(VALID);
  });

  it('defaults absent previous credentials and providers to empty', () => {
    expect(parseLocalSecrets({ basicAuth: { current: 'u:p' } }, 'secrets.json')).toEqual({
      basicAuth: { current: 'u:p', previous: [] },
      providers: {},
    });
  });

  it.each([
    ['a document that is not an object', [], /must hold a JSON object/],
    ['a missing basicAuth', { providers: {} }, /basicAuth: must be an object/],
    [
      'a current credential without a colon',
      { basicAuth: { current: 'nocolon' } },
      /basicAuth\.current: must be "user:password"/,
    ],
    ['a current credential with an empty password', { basicAuth: { current: 'user:' } }, /basicAuth\.current/],
    ['a current credential with an empty user', { basicAuth: { current: ':pass' } }, /basicAuth\.current/],
    [
      'a previous list that is not a list',
      { basicAuth: { current: 'u:p', previous: 'u:q' } },
      /basicAuth\.previous: must be a list/,
    ],
    [
      'a malformed previous credential',
      { basicAuth: { current: 'u:p', previous: ['u:q', 'x'] } },
      /basicAuth\.previous\[1\]/,
    ],
    [
      'an unknown provider',
      { basicAuth: { current: 'u:p' }, providers: { sendgird: { signingKeys: ['k'] } } },
      /providers\.sendgird: unknown provider/,
    ],
    [
      'signing keys that are not strings',
      { basicAuth: { current: 'u:p' }, providers: { resend: { signingKeys: [1] } } },
      /providers\.resend\.signingKeys/,
    ],
    [
      'an empty signing key',
      { basicAuth: { current: 'u:p' }, providers: { resend: { signingKeys: [' '] } } },
      /providers\.resend\.signingKeys/,
    ],
    ['an unknown field (a typo)', { basicAuth: { current: 'u:p' }, provider: {} }, /provider: unknown field/],
  ])('rejects %s with a message naming the field', (_name, value, message) => {
    expect(() => parseLocalSecrets(value, 'secrets.json')).toThrow(SecretsFileError);
    expect(() => parseLocalSecrets(value, 'secrets.json')).toThrow(message);
  });

  it('lists every problem at once and never quotes a value', () => {
    // Prepare
    const value = { basicAuth: { current: 'topsecret-no-colon', previous: ['also-secret'] }, providers: { x: {} } };

    // Act
    let error: unknown;
    try {
      parseLocalSecrets(value, 'secrets.json');
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(SecretsFileError);
    expect((error as SecretsFileError).problems).toHaveLength(3);
    expect((error as Error).message).not.toContain('topsecret-no-colon');
    expect((error as Error).message).not.toContain('also-secret');
  });
});

describe('parseCredential', () => {
  it.each([
    ['user:pass', { username: 'user', password: 'pass' }],
    ['user:pa:ss', { username: 'user', password: 'pa:ss' }],
    ['nocolon', null],
    [':pass', null],
    ['user:', null],
    ['us\u0001er:pass', null],
  ])('reads %j', (text, expected) => {
    expect(parseCredential(text)).toEqual(expected);
  });

  it('round-trips with formatCredential', () => {
    expect(formatCredential({ username: 'hookguard', password: 'abc' })).toBe('hookguard:abc');
  });
});

describe('randomAlphanumeric', () => {
  it('draws only letters and digits, with the requested length', () => {
    const value = randomAlphanumeric(400);
    expect(value).toMatch(/^[A-Za-z0-9]{400}$/);
  });

  it('is different every time', () => {
    expect(randomAlphanumeric(40)).not.toBe(randomAlphanumeric(40));
  });
});

describe('secrets file I/O', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-secrets-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file with mode 0600 and its directory with mode 0700', async () => {
    // Prepare
    const path = join(dir, 'data', 'secrets.json');

    // Act
    const created = await createSecretsFile(path, parseLocalSecrets(VALID, path));

    // Assess
    expect(created).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
    expect(await readSecretsFile(path)).toEqual(VALID);
  });

  it('never overwrites an existing file on create', async () => {
    // Prepare
    const path = join(dir, 'secrets.json');
    await writeFile(path, '{"keep":"me"}');

    // Act
    const created = await createSecretsFile(path, parseLocalSecrets(VALID, path));

    // Assess
    expect(created).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('{"keep":"me"}');
  });

  it('replaces the file atomically, keeping mode 0600 and leaving no temporary file', async () => {
    // Prepare
    const path = join(dir, 'secrets.json');
    await writeFile(path, '{}', { mode: 0o644 });

    // Act
    await writeSecretsFile(path, parseLocalSecrets(VALID, path));

    // Assess
    expect(await readSecretsFile(path)).toEqual(VALID);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['secrets.json']);
  });

  it.each([
    ['a missing file', undefined, /does not exist/],
    ['a file that is not JSON', '{"basicAuth": {"current": "user:secret-value"', /is not valid JSON/],
    ['a malformed document', '{"basicAuth": {}}', /basicAuth\.current/],
  ])('refuses %s with a clear message that quotes nothing', async (_name, content, message) => {
    // Prepare
    const path = join(dir, 'secrets.json');
    if (content !== undefined) await writeFile(path, content);

    // Act / Assess
    const failure = readSecretsFile(path);
    await expect(failure).rejects.toThrow(SecretsFileError);
    await expect(readSecretsFile(path)).rejects.toThrow(message);
    await expect(readSecretsFile(path)).rejects.not.toThrow(/secret-value/);
  });
});
