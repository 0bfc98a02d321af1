/**
 * The typed errors of the request path. Each carries the HTTP status it maps to and a stable machine code;
 * {@link toHttpResponse} in `core/http.ts` is the one place that turns them into responses.
 *
 * `expose` says whether the message may be shown to the caller: 4xx messages are written for the caller and
 * never contain a body, a signature or a secret; 5xx messages are for logs only.
 */
export abstract class HookguardError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
  get expose(): boolean {
    return this.statusCode < 500;
  }
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The payload can never succeed (malformed, wrong shape). The message says what is wrong without echoing it. */
export class PayloadError extends HookguardError {
  readonly statusCode = 400;
  readonly code = 'invalid_payload';
}

/**
 * The signature, its timestamp or its key did not check out. The caller always sees the same generic message,
 * whatever the reason; `reason` is for the logs and never contains key material or signature values.
 */
export class SignatureError extends HookguardError {
  readonly statusCode = 401;
  readonly code = 'invalid_signature';
  static readonly PUBLIC_MESSAGE = 'Signature verification failed';
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(SignatureError.PUBLIC_MESSAGE, options);
  }
}

/**
 * The signed timestamp lies outside the provider's tolerance. A {@link SignatureError} to the caller (same status,
 * code and generic message: no oracle); typed so that metrics can tell a replay of an old request (`past`) from a
 * clock running ahead (`future`).
 */
export class TimestampOutsideWindowError extends SignatureError {
  constructor(
    readonly direction: 'past' | 'future',
    reason: string,
  ) {
    super(reason);
  }
}

/** Basic (or bearer) credentials missing or not accepted. Raised by the local runtime; API Gateway does this in AWS. */
export class UnauthorizedError extends HookguardError {
  readonly statusCode = 401;
  readonly code = 'unauthorized';
  constructor() {
    super('Unauthorized');
  }
}

/** Credentials valid in form but not allowed for this resource (explicit deny). */
export class ForbiddenError extends HookguardError {
  readonly statusCode = 403;
  readonly code = 'forbidden';
  constructor() {
    super('Forbidden');
  }
}

/** No such route. */
export class RouteNotFoundError extends HookguardError {
  readonly statusCode = 404;
  readonly code = 'not_found';
  constructor() {
    super('Not found');
  }
}

/** The route exists but not for this method. */
export class MethodNotAllowedError extends HookguardError {
  readonly statusCode = 405;
  readonly code = 'method_not_allowed';
  constructor(readonly allowed: readonly string[]) {
    super('Method not allowed');
  }
}

/** `Retry-After` of an "in progress" answer, seconds (longer than the verifier's 25 s timeout). */
export const IN_PROGRESS_RETRY_AFTER_SECONDS = 30;

/**
 * Another invocation holds the claim on at least one event of the request; the provider must retry later. 503 with
 * `Retry-After`, not 409: Amazon SNS and several providers never retry a 4xx (see docs/provider-retries.md), and
 * the message says nothing sensitive, so it is shown although the status is a 5xx.
 */
export class AlreadyInProgressError extends HookguardError {
  readonly statusCode = 503;
  readonly code = 'in_progress';
  /** Seconds the caller should wait: the other invocation finishes within the verifier's 25 s timeout. */
  readonly retryAfterSeconds = IN_PROGRESS_RETRY_AFTER_SECONDS;
  override get expose(): boolean {
    return true;
  }
}

/** The body exceeds the provider's size limit. */
export class PayloadTooLargeError extends HookguardError {
  readonly statusCode = 413;
  readonly code = 'payload_too_large';
}

/** The content type is not one the provider sends. */
export class UnsupportedMediaTypeError extends HookguardError {
  readonly statusCode = 415;
  readonly code = 'unsupported_media_type';
}

/** A dependency (DynamoDB, EventBridge, Secrets Manager, a certificate fetch) failed; the provider's retry recovers. */
export class DependencyError extends HookguardError {
  readonly statusCode = 503;
  readonly code = 'dependency_unavailable';
}

/** Hookguard itself is misconfigured (for example no signing key for a provider that must be verified). */
export class ConfigurationError extends HookguardError {
  readonly statusCode = 500;
  readonly code = 'misconfigured';
}
