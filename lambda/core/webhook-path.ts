/**
 * Where a provider posts its webhooks: `/webhooks/<provider>`, or `/webhooks/<token>/<provider>` when the stage has
 * a path token (`pathToken` in the stage's configuration; docs/path-token.md). Every part of Hookguard that builds
 * or reads a webhook URL goes through this module: the deployed API's resources, the local runtime's router, the
 * authorizer and verifier path matchers, `hookguard urls`, `send`, `smoke`, `status`, the scheduled canary, Mandrill's
 * signed URL and the provider sync's desired URL. Pure: no I/O, no environment.
 *
 * The token is not a credential (Basic auth and the provider's signature still authenticate every request): it makes
 * the URL unguessable, so that scans of the well-known `/webhooks/<provider>` paths stop at the gateway with a 404
 * that invokes nothing. It is kept as secret as the URL that carries it.
 */
import { timingSafeEqual } from 'node:crypto';
import { isProviderId, type ProviderId } from './provider-ids';

/** Path prefix of every webhook route. */
export const WEBHOOKS_PREFIX = '/webhooks';

/** Length of a generated path token: 40 alphanumerics (about 238 bits), like the generated Basic password. */
export const PATH_TOKEN_LENGTH = 40;

/**
 * What a path token may be: 24 to 128 URL-safe characters (letters, digits, `-`, `_`), so it needs no escaping in a
 * URL, cannot be mistaken for a provider id (the longest is 17 characters) and an operator may set one of their own
 * (`openssl rand -hex 20`, a base64url string) when rotating it.
 */
export const PATH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{24,128}$/;

/** Whether `value` is a usable path token. */
export function isPathToken(value: unknown): value is string {
  return typeof value === 'string' && PATH_TOKEN_PATTERN.test(value);
}

/**
 * THE webhook path of a provider for a stage: `/webhooks/<provider>` without a path token, `/webhooks/<token>/<provider>`
 * with one. Every webhook URL Hookguard builds starts from this.
 *
 * @throws RangeError for a malformed token (never builds a URL that the gateway cannot route).
 * @example
 * webhookPath('sendgrid');             // '/webhooks/sendgrid'
 * webhookPath('sendgrid', stageToken); // '/webhooks/<token>/sendgrid'
 */
export function webhookPath(provider: ProviderId, pathToken?: string | null): string {
  if (pathToken === undefined || pathToken === null) return `${WEBHOOKS_PREFIX}/${provider}`;
  if (!isPathToken(pathToken)) {
    throw new RangeError('The path token must be 24 to 128 letters, digits, "-" or "_"');
  }
  return `${WEBHOOKS_PREFIX}/${pathToken}/${provider}`;
}

/**
 * A provider's webhook URL under a base URL (the API's `ApiUrl`, a custom domain, `http://127.0.0.1:3000`), without
 * credentials: {@link webhookPath} appended to the base's path.
 *
 * @example
 * webhookUrlOf('https://abc.execute-api.eu-west-1.amazonaws.com/prod/', 'postmark', token);
 * // 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/<token>/postmark'
 */
export function webhookUrlOf(baseUrl: string, provider: ProviderId, pathToken?: string | null): string {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return new URL(webhookPath(provider, pathToken).slice(1), base).toString();
}

/** A request path's webhook route: the provider segment and the token segment, when there is one. */
export interface WebhookPathMatch {
  /** The last segment; not yet checked against the provider ids. */
  readonly provider: string;
  /** The segment between `/webhooks/` and the provider, or null when the path has none. */
  readonly pathToken: string | null;
}

/**
 * `/webhooks/<provider>` or `/webhooks/<token>/<provider>`, after any stage or base path, with at most one trailing
 * slash: API Gateway REST routes `/x/` to the resource `/x` (aws/chalice#65; aws-powertools/powertools-lambda-python
 * #1552 and its PR #1609).
 */
const WEBHOOK_PATH = /\/webhooks\/(?:([^/]+)\/)?([^/]+)\/?$/;
/** The same, anchored at the start: the local runtime serves no stage or base path. */
const ROOTED_WEBHOOK_PATH = /^\/webhooks\/(?:([^/]+)\/)?([^/]+)\/?$/;

/**
 * Splits a request path (`event.path`, `event.resource`, a local request's pathname) into token and provider.
 * Null when it is no webhook path. Whether the token is the stage's is for the caller to check
 * ({@link pathTokenMatches}); the deployed API only has the stage's token as a resource, so a path that reached a
 * Lambda carries the right one.
 *
 * @param options.rooted - the path must start with `/webhooks/` (the local runtime); default: any prefix
 */
export function matchWebhookPath(path: string, options: { readonly rooted?: boolean } = {}): WebhookPathMatch | null {
  const match = (options.rooted ? ROOTED_WEBHOOK_PATH : WEBHOOK_PATH).exec(path);
  if (!match) return null;
  return { provider: match[2] as string, pathToken: match[1] ?? null };
}

/**
 * Whether a request's token segment is the stage's: both absent, or equal (compared in constant time, like a
 * credential, so response timing tells nothing about how much of a guess was right).
 */
export function pathTokenMatches(expected: string | null | undefined, received: string | null | undefined): boolean {
  const want = expected ?? null;
  const got = received ?? null;
  if (want === null || got === null) return want === got;
  const a = Buffer.from(want, 'utf8');
  const b = Buffer.from(got, 'utf8');
  // Equal lengths are compared in constant time; a different length is a different token (the length of a
  // generated token is public: PATH_TOKEN_LENGTH).
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The stage's route for a request path, or null when the gateway has no such resource: the path must name an
 * enabled-or-not provider id and carry exactly the stage's token (none when the stage has none). This is the rule
 * the deployed API implements with its resources and the local runtime with its router.
 *
 * @example
 * routeOfWebhookPath('/webhooks/sendgrid', token, { rooted: true }); // null when the stage has a token: 404
 */
export function routeOfWebhookPath(
  path: string,
  pathToken: string | null | undefined,
  options: { readonly rooted?: boolean } = {},
): ProviderId | null {
  const match = matchWebhookPath(path, options);
  if (match === null || !isProviderId(match.provider)) return null;
  return pathTokenMatches(pathToken, match.pathToken) ? match.provider : null;
}

/**
 * A configured webhook URL (Mandrill's `signedUrl`, written without credentials and, by choice, without the path
 * token) with the stage's token inserted before the provider segment: `https://h/webhooks/mandrill` becomes
 * `https://h/webhooks/<token>/mandrill`. String insertion, so the configured text is otherwise kept byte for byte (a
 * signature covers it). A URL that already carries a token segment, or no `/webhooks/<id>` path, is returned as is.
 */
export function withPathToken(url: string, pathToken: string | null | undefined): string {
  if (pathToken === undefined || pathToken === null) return url;
  if (!isPathToken(pathToken)) throw new RangeError('The path token must be 24 to 128 letters, digits, "-" or "_"');
  const split = /^([^?#]*)(.*)$/s.exec(url);
  const path = split?.[1] ?? url;
  const rest = split?.[2] ?? '';
  // Exactly one segment after `/webhooks/`: a URL with a token segment already has two and is left alone.
  const match = /^(.*\/webhooks\/)([^/]+\/?)$/s.exec(path);
  if (match === null) return url;
  const [, head = '', tail = ''] = match;
  return `${head}${pathToken}/${tail}${rest}`;
}

/**
 * The generation of a stage's path token from its `pathToken` setting: null when off, 1 for `true`.
 *
 * @example
 * pathTokenGeneration({ generation: 2 }); // 2
 */
export function pathTokenGeneration(choice: boolean | { readonly generation: number } | undefined): number | null {
  if (choice === undefined || choice === false) return null;
  return choice === true ? 1 : choice.generation;
}

/**
 * The JSON key of the token in the deployed path-token secret: `token` for generation 1, `token-<n>` after. A new
 * key is what makes Secrets Manager generate a new value and CloudFormation update every resource that refers to it.
 */
export function pathTokenSecretKey(generation: number): string {
  return generation === 1 ? 'token' : `token-${generation}`;
}

const SECRET_KEY = /^token(?:-([1-9][0-9]*))?$/;

/**
 * The token in the deployed path-token secret's value (`{"token": "..."}`, or `{"token-<n>": "..."}` after a
 * rotation: the highest generation present wins). Null when the value holds no valid token; never quotes the value.
 */
export function parsePathTokenSecret(secretString: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  let best: { generation: number; token: string } | null = null;
  for (const [key, token] of Object.entries(value)) {
    const match = SECRET_KEY.exec(key);
    if (match === null || !isPathToken(token)) continue;
    const generation = match[1] === undefined ? 1 : Number(match[1]);
    if (best === null || generation > best.generation) best = { generation, token };
  }
  return best?.token ?? null;
}
