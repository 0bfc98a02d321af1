import crypto from 'node:crypto';
import {
  type AuthFailureReason,
  basicAuthorizationHeader,
  createBasicAuthenticator,
  MAX_AUTHORIZATION_HEADER_LENGTH,
  parseAuthorizationHeader,
  parseBasicCredentialSecret,
  type RefreshableCredentialSource,
} from '../../../lambda/core/basic-auth';
import { DependencyError } from '../../../lambda/errors';
import type { AcceptedCredential } from '../../../lambda/ports';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** A source whose values a test sets directly; counts loads and refreshes. */
class FakeCredentials implements RefreshableCredentialSource {
  loads = 0;
  refreshes = 0;
  afterRefresh: readonly AcceptedCredential[] | null = null;
  refreshAllowed = true;
  constructor(public credentials: readonly AcceptedCredential[]) {}
  async acceptedCredentials() {
    this.loads += 1;
    return this.credentials;
  }
  async refreshForUnknown() {
    this.refreshes += 1;
    if (!this.refreshAllowed) return false;
    if (this.afterRefresh) this.credentials = this.afterRefresh;
    return true;
  }
}

const current: AcceptedCredential = {
  version: 'v-current',
  stage: 'AWSCURRENT',
  username: 'hookguard',
  password: 'Cur1',
};
const previous: AcceptedCredential = {
  version: 'v-prev',
  stage: 'AWSPREVIOUS',
  username: 'hookguard',
  password: 'Prev2',
};
const pending: AcceptedCredential = {
  version: 'v-pending',
  stage: 'AWSPENDING',
  username: 'hookguard',
  password: 'Pen3',
};

describe('parseAuthorizationHeader', () => {
  it.each([
    ['a plain Basic header', 'Basic dXNlcjpwYXNz', 'user', 'pass'],
    ['a lower-case scheme', 'basic dXNlcjpwYXNz', 'user', 'pass'],
    ['an upper-case scheme', 'BASIC dXNlcjpwYXNz', 'user', 'pass'],
    ['several spaces after the scheme (1*SP)', 'Basic   dXNlcjpwYXNz', 'user', 'pass'],
    ['surrounding optional whitespace', ' \tBasic dXNlcjpwYXNz\t ', 'user', 'pass'],
    ['colons in the password (split at the first one)', `Basic ${b64('user:pa:ss:')}`, 'user', 'pa:ss:'],
    ['UTF-8 user and password', `Basic ${b64('jöhn:pässwörd✓')}`, 'jöhn', 'pässwörd✓'],
    ['spaces inside the password', `Basic ${b64('user:two words')}`, 'user', 'two words'],
  ])('accepts %s', (_name, header, username, password) => {
    // Act
    const parsed = parseAuthorizationHeader(header);

    // Assess
    expect(parsed).toEqual({ ok: true, scheme: 'basic', username, password });
  });

  it.each([
    ['Bearer abc123', 'abc123'],
    ['bearer abc-._~+/123==', 'abc-._~+/123=='],
  ])('accepts the bearer token in %s', (header, token) => {
    expect(parseAuthorizationHeader(header)).toEqual({ ok: true, scheme: 'bearer', token });
  });

  it.each<[string, string | undefined | null, AuthFailureReason]>([
    ['absent', undefined, 'missing'],
    ['null', null, 'missing'],
    ['empty', '', 'missing'],
    ['only whitespace', '   ', 'missing'],
    ['another scheme (Digest)', 'Digest username="user"', 'unsupported-scheme'],
    ['another scheme with base64 (Negotiate)', 'Negotiate dXNlcjpwYXNz', 'unsupported-scheme'],
    ['no space after the scheme', 'BasicdXNlcjpwYXNz', 'unsupported-scheme'],
    ['a tab instead of a space', 'Basic\tdXNlcjpwYXNz', 'unsupported-scheme'],
    ['only the credentials', 'dXNlcjpwYXNz', 'unsupported-scheme'],
    ['the scheme alone', 'Basic', 'missing-credentials'],
    ['the scheme and a space', 'Basic ', 'missing-credentials'],
    ['not base64', 'Basic user:pass', 'invalid-base64'],
    ['base64 with trailing garbage', 'Basic dXNlcjpwYXNz!!', 'invalid-base64'],
    ['base64 with a trailing second token', 'Basic dXNlcjpwYXNz dXNlcjpwYXNz', 'invalid-base64'],
    ['base64 with a line break', 'Basic dXNlcjpw\nYXNz', 'invalid-base64'],
    ['unpadded base64', `Basic ${b64('user:pass1').replace(/=+$/, '')}`, 'invalid-base64'],
    ['over-padded base64', 'Basic dXNlcjpwYXNz==', 'invalid-base64'],
    ['base64url alphabet', `Basic ${b64('user:pass??>').replace(/\+/g, '-').replace(/\//g, '_')}`, 'invalid-base64'],
    ['non-ASCII characters', 'Basic dXNlcjpwYXNzé', 'invalid-base64'],
    ['invalid UTF-8', `Basic ${b64(Buffer.from([0x75, 0x3a, 0xff, 0xfe]))}`, 'invalid-utf8'],
    ['an overlong UTF-8 colon', `Basic ${b64(Buffer.from([0x75, 0xc0, 0xba, 0x70]))}`, 'invalid-utf8'],
    ['no colon', `Basic ${b64('userpass')}`, 'missing-colon'],
    ['an empty user name', `Basic ${b64(':pass')}`, 'empty-username'],
    ['an empty password', `Basic ${b64('user:')}`, 'empty-password'],
    ['a NUL in the user name', `Basic ${b64('us\u0000er:pass')}`, 'control-character'],
    ['a line feed in the password', `Basic ${b64('user:pa\nss')}`, 'control-character'],
    ['DEL in the password', `Basic ${b64('user:pass\u007f')}`, 'control-character'],
    ['a C1 control in the password', `Basic ${b64('user:pass\u0085')}`, 'control-character'],
    ['a huge header', `Basic ${'A'.repeat(MAX_AUTHORIZATION_HEADER_LENGTH)}`, 'too-long'],
    ['Bearer without a token', 'Bearer', 'missing-credentials'],
    ['Bearer with two tokens', 'Bearer abc def', 'invalid-token'],
    ['Bearer with characters outside token68', 'Bearer abc#def', 'invalid-token'],
  ])('refuses %s', (_name, header, reason) => {
    expect(parseAuthorizationHeader(header)).toEqual({ ok: false, reason });
  });

  it('accepts a header exactly at the size limit', () => {
    // Prepare: pad the password so the whole header is exactly the limit.
    const prefix = 'Basic ';
    let password = 'p';
    while ((prefix + b64(`u:${password}`)).length < MAX_AUTHORIZATION_HEADER_LENGTH - 3) password += 'p';
    const header = prefix + b64(`u:${password}`);

    // Act / Assess
    expect(header.length).toBeLessThanOrEqual(MAX_AUTHORIZATION_HEADER_LENGTH);
    expect(parseAuthorizationHeader(header)).toMatchObject({ ok: true, username: 'u' });
  });

  it('round-trips what basicAuthorizationHeader builds', () => {
    const header = basicAuthorizationHeader({ username: 'hookguard', password: 'S3cr3tP4ss' });
    expect(header).toBe(`Basic ${b64('hookguard:S3cr3tP4ss')}`);
    expect(parseAuthorizationHeader(header)).toEqual({
      ok: true,
      scheme: 'basic',
      username: 'hookguard',
      password: 'S3cr3tP4ss',
    });
  });
});

describe('parseBasicCredentialSecret', () => {
  it('reads a {"username","password"} value', () => {
    expect(parseBasicCredentialSecret('{"username":"hookguard","password":"abc123"}')).toEqual({
      username: 'hookguard',
      password: 'abc123',
    });
  });

  it.each([
    ['absent', undefined],
    ['not JSON', 'username=hookguard'],
    ['a JSON array', '["hookguard","abc"]'],
    ['a missing password', '{"username":"hookguard"}'],
    ['a numeric password', '{"username":"hookguard","password":123}'],
    ['an empty user name', '{"username":"","password":"abc"}'],
    ['an empty password', '{"username":"hookguard","password":""}'],
    ['a colon in the user name', '{"username":"hook:guard","password":"abc"}'],
    ['a control character', '{"username":"hookguard","password":"a\\u0000b"}'],
  ])('refuses %s', (_name, text) => {
    expect(parseBasicCredentialSecret(text)).toBeNull();
  });
});

describe('createBasicAuthenticator', () => {
  describe('Method: authenticate', () => {
    it('accepts the current credential for the whole API', async () => {
      // Prepare
      const credentials = new FakeCredentials([current, previous]);
      const authenticator = createBasicAuthenticator({ credentials });

      // Act
      const result = await authenticator.authenticate(basicAuthorizationHeader(current), 'postmark');

      // Assess
      expect(result).toEqual({ ok: true, credentialVersion: 'v-current', credentialStage: 'AWSCURRENT', scope: 'api' });
      expect(credentials.refreshes).toBe(0);
    });

    it.each([
      ['the previous credential', previous, 'v-prev', 'AWSPREVIOUS'],
      ['the pending credential', pending, 'v-pending', 'AWSPENDING'],
    ])('accepts %s and names its version', async (_name, credential, version, stage) => {
      const authenticator = createBasicAuthenticator({
        credentials: new FakeCredentials([current, pending, previous]),
      });
      await expect(authenticator.authenticate(basicAuthorizationHeader(credential), 'mailgun')).resolves.toEqual({
        ok: true,
        credentialVersion: version,
        credentialStage: stage,
        scope: 'api',
      });
    });

    it.each([
      ['a wrong password', { username: 'hookguard', password: 'Cur1x' }],
      ['a wrong user name', { username: 'hookguardx', password: 'Cur1' }],
      ['a user name differing only in case', { username: 'HOOKGUARD', password: 'Cur1' }],
      ['a prefix of the password', { username: 'hookguard', password: 'Cur' }],
    ])('refuses %s after one refresh and one re-check', async (_name, presented) => {
      // Prepare
      const credentials = new FakeCredentials([current, previous]);
      const authenticator = createBasicAuthenticator({ credentials });

      // Act
      const result = await authenticator.authenticate(basicAuthorizationHeader(presented), 'postmark');

      // Assess
      expect(result).toEqual({ ok: false, reason: 'unknown-credential' });
      expect(credentials.refreshes).toBe(1);
      expect(credentials.loads).toBe(2);
    });

    it('does not re-check when the refresh was refused by the rate limit', async () => {
      const credentials = new FakeCredentials([current]);
      credentials.refreshAllowed = false;
      const authenticator = createBasicAuthenticator({ credentials });

      const result = await authenticator.authenticate(
        basicAuthorizationHeader({ username: 'x', password: 'y' }),
        'brevo',
      );

      expect(result).toEqual({ ok: false, reason: 'unknown-credential' });
      expect(credentials.loads).toBe(1);
    });

    it('accepts a credential rotated a moment ago, found by the refresh', async () => {
      // Prepare: the cached values predate the rotation.
      const rotated: AcceptedCredential = {
        version: 'v-new',
        stage: 'AWSCURRENT',
        username: 'hookguard',
        password: 'New9',
      };
      const credentials = new FakeCredentials([current]);
      credentials.afterRefresh = [rotated, { ...current, stage: 'AWSPREVIOUS' }];
      const authenticator = createBasicAuthenticator({ credentials });

      // Act
      const result = await authenticator.authenticate(basicAuthorizationHeader(rotated), 'sendgrid');

      // Assess
      expect(result).toMatchObject({ ok: true, credentialVersion: 'v-new' });
      expect(credentials.refreshes).toBe(1);
    });

    it('compares against every accepted credential even when the first one matches', async () => {
      // Prepare: count constant-time comparisons.
      const compare = jest.spyOn(crypto, 'timingSafeEqual');
      const authenticator = createBasicAuthenticator({ credentials: new FakeCredentials([current, pending, previous]) });

      try {
        // Act: a cold decision (digests computed) and a warm one (digests reused).
        const cold = await authenticator.authenticate(basicAuthorizationHeader(current), 'postmark');
        const coldComparisons = compare.mock.calls.length;
        const warm = await authenticator.authenticate(basicAuthorizationHeader(current), 'postmark');

        // Assess
        expect(cold).toMatchObject({ ok: true, credentialVersion: 'v-current' });
        expect(warm).toMatchObject({ ok: true, credentialVersion: 'v-current' });
        expect(coldComparisons).toBe(3);
        expect(compare.mock.calls.length).toBe(6);
      } finally {
        compare.mockRestore();
      }
    });

    it.each([
      ['a password one character longer', (c: typeof current) => ({ ...c, password: `${c.password}x` })],
      ['a password one character shorter', (c: typeof current) => ({ ...c, password: c.password.slice(0, -1) })],
      ['the user name of another credential', (c: typeof current) => ({ ...c, username: `${c.username}2` })],
      ['user and password split elsewhere', (c: typeof current) => ({ username: `${c.username}${c.password.slice(0, 1)}`, password: c.password.slice(1) })],
    ])('refuses %s', async (_name, alter) => {
      const authenticator = createBasicAuthenticator({ credentials: new FakeCredentials([current]) });
      const altered = alter(current);
      await expect(
        authenticator.authenticate(basicAuthorizationHeader({ username: altered.username, password: altered.password }), 'postmark'),
      ).resolves.toEqual({ ok: false, reason: 'unknown-credential' });
    });

    it('lays out each accepted credential once per load, not on every decision', async () => {
      // Prepare: count reads of each stored password.
      const reads: string[] = [];
      const tracked = [current, previous].map((credential) => ({
        version: credential.version,
        stage: credential.stage,
        username: credential.username,
        get password() {
          reads.push(credential.version);
          return credential.password;
        },
      }));
      const authenticator = createBasicAuthenticator({ credentials: new FakeCredentials(tracked) });

      // Act
      for (let i = 0; i < 5; i += 1) await authenticator.authenticate(basicAuthorizationHeader(current), 'postmark');

      // Assess: two layouts (pair, password) per credential, once.
      expect(reads).toEqual(['v-current', 'v-current', 'v-prev', 'v-prev']);
    });

    it('accepts a bearer token equal to the password on the Brevo route, scoped to that provider', async () => {
      const credentials = new FakeCredentials([current, previous]);
      const authenticator = createBasicAuthenticator({ credentials });

      await expect(authenticator.authenticate(`Bearer ${previous.password}`, 'brevo')).resolves.toEqual({
        ok: true,
        credentialVersion: 'v-prev',
        credentialStage: 'AWSPREVIOUS',
        scope: 'provider',
      });
    });

    it('refuses a bearer token on a route of a provider that uses Basic, without loading credentials', async () => {
      const credentials = new FakeCredentials([current]);
      const authenticator = createBasicAuthenticator({ credentials });

      const result = await authenticator.authenticate(`Bearer ${current.password}`, 'postmark');

      expect(result).toEqual({ ok: false, reason: 'bearer-not-allowed' });
      expect(credentials.loads).toBe(0);
    });

    it('refuses an unknown bearer token on the Brevo route', async () => {
      const authenticator = createBasicAuthenticator({ credentials: new FakeCredentials([current]) });
      await expect(authenticator.authenticate('Bearer nope', 'brevo')).resolves.toEqual({
        ok: false,
        reason: 'unknown-credential',
      });
    });

    it('honours a custom list of bearer providers', async () => {
      const authenticator = createBasicAuthenticator({
        credentials: new FakeCredentials([current]),
        bearerProviders: ['sparkpost'],
      });
      await expect(authenticator.authenticate(`Bearer ${current.password}`, 'sparkpost')).resolves.toMatchObject({
        ok: true,
        scope: 'provider',
      });
      await expect(authenticator.authenticate(`Bearer ${current.password}`, 'brevo')).resolves.toEqual({
        ok: false,
        reason: 'bearer-not-allowed',
      });
    });

    it('refuses malformed headers without loading credentials (garbage cannot cost a Secrets Manager call)', async () => {
      const credentials = new FakeCredentials([current]);
      const authenticator = createBasicAuthenticator({ credentials });

      await expect(authenticator.authenticate('Basic %%%', 'postmark')).resolves.toEqual({
        ok: false,
        reason: 'invalid-base64',
      });
      expect(credentials.loads).toBe(0);
    });

    it('rejects with the source error when no credentials can be loaded', async () => {
      const failing: RefreshableCredentialSource = {
        acceptedCredentials: () => Promise.reject(new DependencyError('Secrets Manager unreachable')),
        refreshForUnknown: () => Promise.resolve(false),
      };
      const authenticator = createBasicAuthenticator({ credentials: failing });

      await expect(authenticator.authenticate(basicAuthorizationHeader(current), 'postmark')).rejects.toBeInstanceOf(
        DependencyError,
      );
    });
  });
});
