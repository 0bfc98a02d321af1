import { AlreadyInProgressError, HookguardError, MethodNotAllowedError, UnauthorizedError } from '../errors';

/** The realm of the Basic challenge. Amazon SNS only sends credentials after a 401 carrying it. */
export const BASIC_REALM = 'hookguard';
export const WWW_AUTHENTICATE = `Basic realm="${BASIC_REALM}"`;

/** A transport-neutral HTTP response: the Lambda handler and the local runtime both send exactly this. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Body of every error response: a stable code and a message that never echoes the request. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

/**
 * The error bodies API Gateway answers with before Hookguard's code runs (gateway responses). The stack configures
 * them from this table and the local runtime sends the same, so both answer identically.
 */
export const GATEWAY_ERROR_BODIES = {
  unauthorized: { statusCode: 401, body: { error: { code: 'unauthorized', message: 'Unauthorized' } } },
  forbidden: { statusCode: 403, body: { error: { code: 'forbidden', message: 'Forbidden' } } },
  wafFiltered: { statusCode: 403, body: { error: { code: 'forbidden', message: 'Request blocked' } } },
  notFound: { statusCode: 404, body: { error: { code: 'not_found', message: 'Not found' } } },
  methodNotAllowed: { statusCode: 405, body: { error: { code: 'method_not_allowed', message: 'Method not allowed' } } },
  payloadTooLarge: {
    statusCode: 413,
    body: { error: { code: 'payload_too_large', message: 'Request body too large' } },
  },
  // 503, not 429: Amazon SNS never retries a 4xx, so a 429 would lose the notification (docs/provider-retries.md).
  throttled: { statusCode: 503, body: { error: { code: 'throttled', message: 'Too many requests; retry later' } } },
  defaultServerError: {
    statusCode: 500,
    body: { error: { code: 'internal_error', message: 'Internal error' } },
  },
} as const satisfies Record<string, { statusCode: number; body: ErrorBody }>;

/**
 * `Retry-After` of the throttling answers (stage throttling, WAF rate rules), seconds. Advisory: most providers keep
 * their own schedule; it tells the ones that read it not to come back at once.
 */
export const THROTTLED_RETRY_AFTER_SECONDS = 60;

/** A JSON response with the given status. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The one mapping from errors to HTTP. Typed errors keep their status; 4xx show their message, 5xx a generic one;
 * anything untyped is a 500 that reveals nothing.
 */
export function toHttpResponse(error: unknown): HttpResponse {
  if (error instanceof HookguardError) {
    const message = error.expose ? error.message : 'Service temporarily unavailable';
    const headers: Record<string, string> = {};
    if (error instanceof UnauthorizedError) headers['www-authenticate'] = WWW_AUTHENTICATE;
    if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
    if (error instanceof AlreadyInProgressError) headers['retry-after'] = String(error.retryAfterSeconds);
    return jsonResponse(error.statusCode, { error: { code: error.code, message } } satisfies ErrorBody, headers);
  }
  return jsonResponse(500, GATEWAY_ERROR_BODIES.defaultServerError.body);
}
