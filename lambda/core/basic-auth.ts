/**
 * HTTP Basic (RFC 7617) and bearer (RFC 6750) credential checks, shared by the Lambda authorizer and the local
 * runtime. Pure: the only I/O happens behind the injected {@link RefreshableCredentialSource}.
 */
import { isUtf8 } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import type { AcceptedCredential, CredentialSource, CredentialStage } from '../ports';
import { decodeBase64Strict, isRecord } from '../providers/shared';
import type { ProviderId } from './provider-ids';
import type { BasicCredentialSecret } from './secret-formats';

/**
 * Longest Authorization header accepted, characters. A Basic header for a sane user name and a 40-character
 * password is under 100 characters; the limit keeps attacker-sized input away from decoding and hashing.
 */
export const MAX_AUTHORIZATION_HEADER_LENGTH = 1024;

/** Providers that authenticate with `Authorization: Bearer <password>` instead of Basic credentials. */
export const BEARER_PROVIDERS: readonly ProviderId[] = ['brevo'];

/** Why an Authorization header was refused. Safe to log: never contains any part of the header. */
export type AuthFailureReason =
  | 'missing'
  | 'too-long'
  | 'unsupported-scheme'
  | 'missing-credentials'
  | 'invalid-base64'
  | 'invalid-utf8'
  | 'missing-colon'
  | 'empty-username'
  | 'empty-password'
  | 'control-character'
  | 'invalid-token'
  | 'bearer-not-allowed'
  | 'unknown-credential';

/** A syntactically valid Authorization header. */
export type ParsedAuthorization =
  | { readonly ok: true; readonly scheme: 'basic'; readonly username: string; readonly password: string }
  | { readonly ok: true; readonly scheme: 'bearer'; readonly token: string };

/** A refused Authorization header. */
export interface AuthFailure {
  readonly ok: false;
  readonly reason: AuthFailureReason;
}

// RFC 9110 token (the auth-scheme), then 1*SP, then the rest. `s` so that a line break cannot end the match early.
const CREDENTIALS_SYNTAX = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/s;
// RFC 9110 token68, the syntax of a bearer token.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
// Unicode Cc = C0 controls, DEL and C1 controls: RFC 7617 forbids control characters in the user-id and password.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Same test as {@link CONTROL_CHARACTER}, without a Unicode regex on the hot path: C0, DEL and C1 controls. */
function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** Whether the value starts or ends with optional whitespace (space or tab). */
function hasSurroundingWhitespace(value: string): boolean {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09;
}
// Optional whitespace around a field value is not part of it (RFC 9110 section 5.5).
const SURROUNDING_OWS = /^[ \t]+|[ \t]+$/g;


function failure(reason: AuthFailureReason): AuthFailure {
  return { ok: false, reason };
}

/**
 * Parses an Authorization header value strictly.
 *
 * Basic (RFC 7617): the scheme is case-insensitive and followed by one or more spaces (the RFC 7235 grammar is
 * `1*SP`), then canonical padded base64 (no trailing garbage), which must decode to valid UTF-8 `user-id:password`
 * split at the FIRST colon (so passwords may contain colons). Empty user-ids and passwords and control characters
 * are refused. Bearer (RFC 6750): a token68. Every other scheme is refused.
 *
 * @example
 * parseAuthorizationHeader('Basic dXNlcjpwYXNz'); // { ok: true, scheme: 'basic', username: 'user', password: 'pass' }
 */
export function parseAuthorizationHeader(value: string | undefined | null): ParsedAuthorization | AuthFailure {
  if (value === undefined || value === null) return failure('missing');
  if (value.length > MAX_AUTHORIZATION_HEADER_LENGTH) return failure('too-long');
  const trimmed = hasSurroundingWhitespace(value) ? value.replace(SURROUNDING_OWS, '') : value;
  if (trimmed === '') return failure('missing');
  const match = CREDENTIALS_SYNTAX.exec(trimmed);
  if (!match) return failure('unsupported-scheme');
  const scheme = (match[1] ?? '').toLowerCase();
  const credentials = match[2] ?? '';
  if (scheme !== 'basic' && scheme !== 'bearer') return failure('unsupported-scheme');
  if (credentials === '') return failure('missing-credentials');
  if (scheme === 'bearer') {
    return TOKEN68.test(credentials) ? { ok: true, scheme: 'bearer', token: credentials } : failure('invalid-token');
  }
  const bytes = decodeBase64Strict(credentials);
  if (bytes === null) return failure('invalid-base64');
  if (!isUtf8(bytes)) return failure('invalid-utf8');
  const decoded = bytes.toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return failure('missing-colon');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (username === '') return failure('empty-username');
  if (password === '') return failure('empty-password');
  if (hasControlCharacter(decoded)) return failure('control-character');
  return { ok: true, scheme: 'basic', username, password };
}

/**
 * Builds the Basic Authorization header value for a credential (UTF-8, as RFC 7617 recommends).
 *
 * @example
 * basicAuthorizationHeader({ username: 'user', password: 'pass' }); // 'Basic dXNlcjpwYXNz'
 */
export function basicAuthorizationHeader(credential: BasicCredentialSecret): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
}

/**
 * Reads one version of the Basic credential secret (`{"username","password"}`), or null when the text is not a
 * usable credential (not JSON, missing or empty fields, a colon in the user name, control characters). Never
 * throws and never echoes the text, so callers can log the failure safely.
 */
export function parseBasicCredentialSecret(text: string | undefined): BasicCredentialSecret | null {
  if (text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  const { username, password } = value;
  if (typeof username !== 'string' || typeof password !== 'string') return null;
  if (username === '' || password === '' || username.includes(':')) return null;
  if (CONTROL_CHARACTER.test(username) || CONTROL_CHARACTER.test(password)) return null;
  return { username, password };
}

/**
 * A {@link CredentialSource} that can be asked to reload because a caller presented a credential it does not know
 * (typically: one rotated a moment ago). Implementations rate-limit these reloads.
 */
export interface RefreshableCredentialSource extends CredentialSource {
  /**
   * Reloads the credentials if the rate limit allows (or joins a reload already in flight). Resolves true when
   * fresh values are now in place, false when the reload was refused by the rate limit or failed. Never throws.
   */
  refreshForUnknown(): Promise<boolean>;
}

/** The outcome of {@link BasicAuthenticator.authenticate}. */
export type AuthenticationResult =
  | {
      readonly ok: true;
      /** The matching credential's version label: safe to log and to pass on, never the secret. */
      readonly credentialVersion: string;
      /** The matching credential's stage, so operators can see who still uses AWSPREVIOUS before revoking it. */
      readonly credentialStage: CredentialStage;
      /**
       * What the credential may reach: `api` (Basic) the whole API, `provider` (a bearer token) only the provider's
       * own webhook route, because the same token must not open other providers' routes through a cached policy.
       */
      readonly scope: 'api' | 'provider';
    }
  | AuthFailure;

/** Checks Authorization headers against the accepted credentials. */
export interface BasicAuthenticator {
  /**
   * Authenticates one request to `provider`'s webhook route. Resolves `{ ok: false }` for anything missing,
   * malformed or unknown; rejects (with the source's `DependencyError`) only when no credentials can be loaded at
   * all, so the caller can fail closed without treating the request as unauthenticated.
   */
  authenticate(authorizationHeader: string | undefined, provider: ProviderId): Promise<AuthenticationResult>;
}

/** Options of {@link createBasicAuthenticator}. */
export interface BasicAuthenticatorOptions {
  /** The accepted credentials, normally a `CachedCredentialSource`. */
  readonly credentials: RefreshableCredentialSource;
  /**
   * Providers allowed to authenticate with `Bearer <password>`.
   * @default BEARER_PROVIDERS (`['brevo']`)
   */
  readonly bearerProviders?: readonly ProviderId[];
}

/**
 * Width of the buffers secrets are compared in. A presented credential comes from a header of at most
 * {@link MAX_AUTHORIZATION_HEADER_LENGTH} characters, so it decodes to fewer bytes than this.
 */
const COMPARISON_WIDTH = 1024;
const LENGTH_PREFIX = 4;

/**
 * A secret laid out for constant-time comparison: its UTF-8 length, then its bytes, zero-padded to a fixed width.
 * Every comparison then covers the same number of bytes whatever the secret's length, and values that differ only
 * by trailing zero bytes still differ (the length prefix). Null when the secret cannot fit (it could never be
 * presented in a header anyway).
 */
function comparable(secret: string): Buffer | null {
  return fitsComparison(secret) ? layOut(secret, Buffer.alloc(COMPARISON_WIDTH)) : null;
}

/** Whether a secret fits the comparison width. */
function fitsComparison(secret: string): boolean {
  return Buffer.byteLength(secret, 'utf8') <= COMPARISON_WIDTH - LENGTH_PREFIX;
}

/** Writes `secret` (which must fit) into `target` as length prefix, bytes and zero padding; returns `target`. */
function layOut(secret: string, target: Buffer): Buffer {
  const length = target.write(secret, LENGTH_PREFIX, 'utf8');
  target.fill(0, LENGTH_PREFIX + length);
  target.writeUInt32BE(length, 0);
  return target;
}

/** An accepted credential laid out for comparison, once per credential object the source hands out. */
interface ComparableCredential {
  /** `username` LF `password`: what a Basic header must match. */
  readonly pair: Buffer | null;
  /** The password alone: what a bearer token must match. */
  readonly password: Buffer | null;
}

/**
 * Creates the authenticator used by the Lambda authorizer and the local runtime.
 *
 * Every presented secret is compared with EVERY accepted credential, in constant time and without stopping at the
 * first match, so response time does not reveal which credential (or how much of one) matched. Both sides are laid
 * out in fixed-width, length-prefixed buffers, so every comparison covers the same bytes and nothing about the
 * stored values' lengths leaks either. An unknown credential triggers the source's rate-limited reload and one
 * re-check, so a credential rotated a moment ago works at once.
 *
 * @example
 * const authenticator = createBasicAuthenticator({ credentials: cachedSource });
 * const result = await authenticator.authenticate(request.headers.authorization, 'postmark');
 * if (!result.ok) throw new UnauthorizedError();
 */
export function createBasicAuthenticator(options: BasicAuthenticatorOptions): BasicAuthenticator {
  const bearerProviders = new Set(options.bearerProviders ?? BEARER_PROVIDERS);
  // The credential source hands out the same objects until it reloads, so each accepted credential is laid out once
  // per load instead of on every decision. LF cannot occur in either part (control characters are refused), so
  // `username LF password` identifies the pair unambiguously.
  const comparableOf = new WeakMap<AcceptedCredential, ComparableCredential>();
  const acceptedComparable = (credential: AcceptedCredential): ComparableCredential => {
    let laidOut = comparableOf.get(credential);
    if (laidOut === undefined) {
      laidOut = {
        pair: comparable(`${credential.username}\n${credential.password}`),
        password: comparable(credential.password),
      };
      comparableOf.set(credential, laidOut);
    }
    return laidOut;
  };
  // Compared against when an accepted credential cannot be laid out, so the work per credential stays the same.
  const neverMatches = Buffer.alloc(COMPARISON_WIDTH, 0xff);

  // The presented secret is laid out here, synchronously, right before the comparisons: one buffer per authenticator
  // instead of an allocation per decision.
  const scratch = Buffer.alloc(COMPARISON_WIDTH);

  function findMatch(
    scheme: 'basic' | 'bearer',
    secret: string,
    accepted: readonly AcceptedCredential[],
  ): AcceptedCredential | null {
    const presented = layOut(secret, scratch);
    let found: AcceptedCredential | null = null;
    for (const credential of accepted) {
      // Every credential is compared and the loop never breaks: the work is the same whatever matches.
      const laidOut = acceptedComparable(credential);
      const expected = (scheme === 'basic' ? laidOut.pair : laidOut.password) ?? neverMatches;
      if (timingSafeEqual(presented, expected) && found === null && expected !== neverMatches) found = credential;
    }
    return found;
  }

  return {
    async authenticate(authorizationHeader, provider) {
      const parsed = parseAuthorizationHeader(authorizationHeader);
      if (!parsed.ok) return parsed;
      if (parsed.scheme === 'bearer' && !bearerProviders.has(provider)) return failure('bearer-not-allowed');
      const secret = parsed.scheme === 'basic' ? `${parsed.username}\n${parsed.password}` : parsed.token;
      if (!fitsComparison(secret)) return failure('too-long');
      const scope = parsed.scheme === 'basic' ? 'api' : 'provider';

      let match = findMatch(parsed.scheme, secret, await options.credentials.acceptedCredentials());
      if (match === null && (await options.credentials.refreshForUnknown())) {
        match = findMatch(parsed.scheme, secret, await options.credentials.acceptedCredentials());
      }
      if (match === null) return failure('unknown-credential');
      return { ok: true, credentialVersion: match.version, credentialStage: match.stage, scope };
    },
  };
}
