/**
 * The verifier pipeline, transport-neutral: the Lambda handler and the local runtime both feed it a
 * {@link WebhookRequest} and send back the {@link HttpResponse} it returns.
 *
 * request -> route/method -> size/content type -> signature -> timestamp window -> parse -> (SNS confirmation)
 * -> normalise -> dedupe + publish -> response. Every outcome, errors included, is an `HttpResponse` built by the
 * one mapping `toHttpResponse`; nothing a caller sent (body, signature, credentials) is ever echoed or logged.
 */
import {
  AlreadyInProgressError,
  ConfigurationError,
  DependencyError,
  HookguardError,
  MethodNotAllowedError,
  PayloadError,
  PayloadTooLargeError,
  RouteNotFoundError,
  SignatureError,
  TimestampOutsideWindowError,
  UnsupportedMediaTypeError,
} from '../errors';
import type { CredentialSource, DedupeLedger, EventBusPort, HttpsGetter, Logger, SigningKeySource } from '../ports';
import type { CertificateSource, ProviderModule, VerifyResult, WebhookRequest } from '../providers/types';
import type { RefreshableCredentialSource } from './basic-auth';
import { CANARY_HEADER, CANARY_SOURCE, isCanaryRequest } from './canary';
import { dedupeAndPublish, type EventDisposition, type PublishingOptions } from './dedupe-publish';
import { completeEvent, type EventType, isEventType, type NormalisedEvent } from './event';
import { type HttpResponse, jsonResponse, toHttpResponse } from './http';
import { type ProviderId, URL_CHECK_METHODS } from './provider-ids';
import { requireUtf8 } from './json';
import type { ProviderSettings, RuntimeSettings } from './settings';
import { withPathToken } from './webhook-path';

/** Everything the pipeline depends on: ports, settings and a clock. */
export interface WebhookProcessorDeps {
  /** Provider modules by id (the registry `PROVIDERS`, or fakes in tests). */
  readonly providers: ReadonlyMap<ProviderId, ProviderModule>;
  readonly settings: RuntimeSettings;
  readonly ledger: DedupeLedger;
  readonly bus: EventBusPort;
  readonly signingKeys: SigningKeySource;
  /** Accepted Basic credentials; read only to rebuild the URLs Mandrill signs. */
  readonly credentials: CredentialSource;
  readonly certificates: CertificateSource;
  /** Used to GET Amazon SNS SubscribeURLs. */
  readonly https: HttpsGetter;
  /** Default logger; a per-request logger can be passed to the processor. */
  readonly logger: Logger;
  readonly now: () => Date;
  /** Retry/backoff/concurrency knobs of publishing (and an injectable `sleep`). */
  readonly publishing?: Partial<PublishingOptions>;
}

/** One event of a request, as the local runtime prints it. */
export interface EventReport {
  readonly provider: ProviderId;
  readonly eventType: EventType;
  readonly eventId: string;
  readonly recipient: string | null;
  readonly disposition: EventDisposition;
}

/** What happened to one request: the counts and each event. */
export interface WebhookOutcome {
  readonly provider: ProviderId;
  readonly statusCode: number;
  /** The error code of a non-2xx answer (`invalid_signature`, `in_progress`...). */
  readonly errorCode?: string;
  /** The request was a provider's URL check (HEAD/GET) answered without processing. */
  readonly urlCheck: boolean;
  /** An Amazon SNS subscription was confirmed. */
  readonly subscriptionConfirmed: boolean;
  readonly received: number;
  readonly published: number;
  readonly duplicates: number;
  readonly inProgress: number;
  readonly failed: number;
  readonly events: readonly EventReport[];
  /** PutEvents entries re-sent after a rejection or a failed call (absent: none). */
  readonly putEventsEntriesRetried?: number;
  /** PutEvents entries still unpublished after the last attempt (absent: none). */
  readonly putEventsEntriesFailed?: number;
  /** The error a non-2xx answer came from, for the caller's metrics (`requestOutcomeOf`); never sent back. */
  readonly error?: unknown;
}

/** The answer to send and what happened. */
export interface WebhookResult {
  readonly response: HttpResponse;
  readonly outcome: WebhookOutcome;
}

/** Processes one request. Never throws: every failure is an HTTP answer. */
export type WebhookProcessor = (request: WebhookRequest, logger?: Logger) => Promise<WebhookResult>;

/** Body of a successful answer. Only counts: the request is never echoed. */
export interface SuccessBody {
  readonly received: number;
  readonly published: number;
  readonly duplicates: number;
}

/** A provider module misbehaved (threw something other than its documented errors): a bug, answered 500. */
export class ProviderModuleError extends Error {
  constructor(
    readonly provider: ProviderId,
    readonly stage: 'verify' | 'parse' | 'normalise',
    options?: ErrorOptions,
  ) {
    super(`Provider module ${provider} failed unexpectedly in ${stage}`, options);
    this.name = 'ProviderModuleError';
  }
}

type MutableOutcome = { -readonly [K in keyof WebhookOutcome]: WebhookOutcome[K] };

/**
 * Builds the pipeline.
 *
 * @example
 * const process = createWebhookProcessor({ providers: PROVIDERS, settings, ledger, bus, signingKeys, credentials,
 *   certificates, https, logger, now: () => new Date() });
 * const { response, outcome } = await process(request);
 */
export function createWebhookProcessor(deps: WebhookProcessorDeps): WebhookProcessor {
  return async function processWebhook(request, logger = deps.logger) {
    const outcome: MutableOutcome = {
      provider: request.provider,
      statusCode: 200,
      urlCheck: false,
      subscriptionConfirmed: false,
      received: 0,
      published: 0,
      duplicates: 0,
      inProgress: 0,
      failed: 0,
      events: [],
    };
    let response: HttpResponse;
    try {
      response = await handle(deps, request, outcome, logger);
    } catch (error) {
      logFailure(logger, request.provider, error);
      response = toHttpResponse(error);
      outcome.error = error;
      if (error instanceof HookguardError) outcome.errorCode = error.code;
      else outcome.errorCode = 'internal_error';
    }
    outcome.statusCode = response.statusCode;
    // Debug only: in AWS an accepted request is one line of the API access log (its metrics are summed in the
    // container, lambda/adapters/powertools-metrics.ts); rejections log a warning above.
    logger.debug('Webhook request handled', {
      provider: request.provider,
      method: request.method,
      status: response.statusCode,
      bodyBytes: request.body.length,
      received: outcome.received,
      published: outcome.published,
      duplicates: outcome.duplicates,
      inProgress: outcome.inProgress,
      failed: outcome.failed,
      ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
    });
    return { response, outcome };
  };
}

async function handle(
  deps: WebhookProcessorDeps,
  request: WebhookRequest,
  outcome: MutableOutcome,
  logger: Logger,
): Promise<HttpResponse> {
  const provider = request.provider;
  const settings = deps.settings.providers[provider];
  if (!settings) throw new RouteNotFoundError();
  const module = deps.providers.get(provider);
  if (!module) throw new ConfigurationError(`Provider ${provider} is enabled but no provider module is registered`);

  const method = request.method.toUpperCase();
  const urlCheckMethod = URL_CHECK_METHODS[provider];
  if (urlCheckMethod !== undefined && method === urlCheckMethod) {
    outcome.urlCheck = true;
    return jsonResponse(200, {});
  }
  if (method !== 'POST') throw new MethodNotAllowedError(urlCheckMethod ? ['POST', urlCheckMethod] : ['POST']);

  checkBody(request, settings, module);

  const now = deps.now();
  if (settings.auth !== 'basic') {
    const verified = await verifySignature(deps, request, settings, module, now, logger);
    checkTimestampWindow(verified, settings, now);
  }

  const parsed = callModule(provider, 'parse', () => module.parse(request));
  if (parsed.subscriptionConfirmUrl !== undefined) {
    await confirmSubscription(deps.https, parsed.subscriptionConfirmUrl, provider, logger);
    outcome.subscriptionConfirmed = true;
    return jsonResponse(200, { received: 0, published: 0, duplicates: 0 } satisfies SuccessBody);
  }

  const events = normaliseAll(module, request, settings, parsed.events);
  const canary = await isCanary(deps, request);
  const result = await dedupeAndPublish(events, {
    ...(canary ? { source: CANARY_SOURCE } : {}),
    ledger: deps.ledger,
    bus: deps.bus,
    logger,
    now: deps.now,
    dedupeWindowSeconds: deps.settings.dedupeWindowSeconds,
    claimLeaseSeconds: deps.settings.claimLeaseSeconds,
    ...(deps.publishing ? { options: deps.publishing } : {}),
  });
  outcome.received = result.received;
  outcome.published = result.published;
  outcome.duplicates = result.duplicates;
  outcome.inProgress = result.inProgress;
  outcome.failed = result.failed;
  outcome.putEventsEntriesRetried = result.entriesRetried;
  outcome.putEventsEntriesFailed = result.entriesFailed;
  outcome.events = result.outcomes.map(({ event, disposition }) => ({
    provider: event.provider,
    eventType: event.eventType,
    eventId: event.eventId,
    recipient: event.recipient,
    disposition,
  }));

  if (result.failed > 0) {
    throw new DependencyError(
      `${result.failed} of ${result.received} events could not be published; their claims were released for the retry`,
    );
  }
  if (result.inProgress > 0) {
    throw new AlreadyInProgressError(
      `${result.inProgress} of ${result.received} events are being processed by another request; retry later`,
    );
  }
  return jsonResponse(200, {
    received: result.received,
    published: result.published,
    duplicates: result.duplicates,
  } satisfies SuccessBody);
}

/**
 * Whether the request is a canary (`core/canary.ts`): only looked at when the header is present, so ordinary
 * requests never read the credentials for it.
 */
async function isCanary(deps: WebhookProcessorDeps, request: WebhookRequest): Promise<boolean> {
  if (request.headers[CANARY_HEADER] === undefined) return false;
  let passwords: string[];
  try {
    passwords = (await deps.credentials.acceptedCredentials()).map((credential) => credential.password);
  } catch (error) {
    throw new DependencyError('Could not read the accepted credentials to check a canary mark', { cause: error });
  }
  return isCanaryRequest(request.headers, request.body, passwords);
}

/** Media type of a Content-Type header without parameters, lower-cased; '' when absent. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

function checkBody(request: WebhookRequest, settings: ProviderSettings, module: ProviderModule): void {
  if (request.body.length > settings.maxBodyBytes) {
    throw new PayloadTooLargeError(`Request body exceeds the ${settings.maxBodyBytes}-byte limit`);
  }
  const mediaType = mediaTypeOf(request.headers['content-type']);
  const accepted = module.contentTypes.map((type) => type.toLowerCase());
  if (!accepted.includes(mediaType)) {
    throw new UnsupportedMediaTypeError(
      `${mediaType === '' ? 'Missing Content-Type' : 'Unsupported Content-Type'}; ${module.displayName} sends ${accepted.join(' or ')}`,
    );
  }
  // One rule for every provider, in this one place: a body must be UTF-8 (every provider posts JSON or a form;
  // RFC 8259 section 8.1). Checked before the signature, since some schemes (Amazon SNS) read the body to verify
  // it; decoding invalid bytes lossily would publish text the sender never wrote. Reveals nothing about keys.
  requireUtf8(request.body);
}

async function verifySignature(
  deps: WebhookProcessorDeps,
  request: WebhookRequest,
  settings: ProviderSettings,
  module: ProviderModule,
  now: Date,
  logger: Logger,
): Promise<VerifyResult> {
  const provider = request.provider;
  if (!module.verify) {
    // Fail closed: with auth `signature` nothing else would check the request at all.
    throw new ConfigurationError(
      `Provider ${provider} is configured with auth '${settings.auth}' but ${module.displayName} signs nothing`,
    );
  }
  const usesSigningKeys = module.usesSigningKeys ?? true;
  const signingKeys = usesSigningKeys
    ? await fromDependency('signing keys', () => deps.signingKeys.keysFor(provider))
    : [];
  if (usesSigningKeys && signingKeys.length === 0) {
    logger.error(
      `No signing key is configured for provider ${provider}: every request to it is rejected until one is added to the signing keys secret`,
      { provider },
    );
    throw new SignatureError('no signing key configured');
  }
  const verify = module.verify;
  const attempt = async (): Promise<VerifyResult> => {
    const signedUrls =
      settings.signedUrl === undefined
        ? []
        : await signedUrlsFor(deps.credentials, settings.signedUrl, request.pathToken);
    try {
      return await verify(request, { settings, signingKeys, signedUrls, now, certificates: deps.certificates });
    } catch (error) {
      // Typed answers a module may give: bad signature (401), a body it cannot read to find the signature, such as
      // Amazon SNS JSON over Hookguard's nesting limit (400), a dependency such as a certificate fetch (503), or a
      // misconfiguration it detected (500). Anything else is a bug in the module.
      if (
        error instanceof SignatureError ||
        error instanceof PayloadError ||
        error instanceof DependencyError ||
        error instanceof ConfigurationError
      ) {
        throw error;
      }
      throw new ProviderModuleError(provider, 'verify', { cause: error });
    }
  };
  try {
    return await attempt();
  } catch (error) {
    // Mandrill signs the URL with the Basic credentials in it: a credential rotated a moment ago may not be in this
    // container's cache yet. One rate-limited reload, then one more check.
    if (!(error instanceof SignatureError) || settings.signedUrl === undefined) throw error;
    if (!(await refreshCredentials(deps.credentials))) throw error;
    return attempt();
  }
}

/** Asks a refreshable credential source (`CachedCredentialSource`) to reload; false when it cannot. */
async function refreshCredentials(credentials: CredentialSource): Promise<boolean> {
  const refreshable = credentials as Partial<RefreshableCredentialSource>;
  if (typeof refreshable.refreshForUnknown !== 'function') return false;
  try {
    return await refreshable.refreshForUnknown();
  } catch {
    return false;
  }
}

/**
 * The URLs Mandrill may have signed: the configured webhook URL with each accepted Basic credential as userinfo
 * (Mandrill signs the URL as entered, credentials included), plus the bare URL for webhooks set up without them.
 * With a path token the configured URL (written without it) gets the token inserted before the provider segment
 * (`withPathToken`), the URL the provider was given. String insertion, not `URL` re-serialisation, so the
 * configured text is kept byte for byte.
 */
export async function signedUrlsFor(
  credentials: CredentialSource,
  configuredUrl: string,
  pathToken?: string | null,
): Promise<string[]> {
  const signedUrl = withPathToken(configuredUrl, pathToken);
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.+)$/i.exec(signedUrl);
  if (!match) throw new ConfigurationError('The configured signedUrl is not an absolute URL');
  const [, scheme, rest] = match;
  const accepted = await fromDependency('credentials', () => credentials.acceptedCredentials());
  const urls = accepted.map(
    (credential) =>
      `${scheme}${encodeURIComponent(credential.username)}:${encodeURIComponent(credential.password)}@${rest}`,
  );
  return [...new Set([...urls, signedUrl])];
}

function checkTimestampWindow(verified: VerifyResult, settings: ProviderSettings, now: Date): void {
  const tolerance = settings.timestampToleranceSeconds;
  if (verified.signedAt === undefined || tolerance <= 0) return;
  const signedAt = verified.signedAt.getTime();
  if (!Number.isFinite(signedAt)) throw new SignatureError('signed timestamp is not a valid time');
  const skewSeconds = (now.getTime() - signedAt) / 1000;
  if (Math.abs(skewSeconds) > tolerance) {
    const direction = skewSeconds > 0 ? 'past' : 'future';
    throw new TimestampOutsideWindowError(
      direction,
      `signed timestamp is ${Math.round(Math.abs(skewSeconds))} s in the ${direction}, outside the ${tolerance} s tolerance`,
    );
  }
}

async function confirmSubscription(https: HttpsGetter, url: string, provider: ProviderId, logger: Logger) {
  // The module validated the URL; the host alone is logged because the query carries the subscription token.
  let host = '';
  try {
    host = new URL(url).host;
  } catch {
    throw new ProviderModuleError(provider, 'parse');
  }
  await fromDependency('subscription confirmation', () => https.get(url));
  logger.info('Confirmed the Amazon SNS subscription', { provider, host });
}

function normaliseAll(
  module: ProviderModule,
  request: WebhookRequest,
  settings: ProviderSettings,
  rawEvents: readonly unknown[],
): NormalisedEvent[] {
  const events: NormalisedEvent[] = [];
  rawEvents.forEach((rawEvent, index) => {
    const drafts = callModule(
      request.provider,
      'normalise',
      () => module.normalise(rawEvent, request, settings),
      rawEvents.length > 1 ? `Event ${index + 1}: ` : '',
    );
    for (const draft of drafts) {
      // A draft without a usable id or type would corrupt the dedupe key or the bus entry: a module bug.
      if (typeof draft.eventId !== 'string' || draft.eventId === '' || !isEventType(draft.eventType)) {
        throw new ProviderModuleError(request.provider, 'normalise');
      }
      events.push(completeEvent(request.provider, draft, request.receivedAt));
    }
  });
  return events;
}

/** Runs a module step: its `PayloadError`s pass through (prefixed for batches), anything else is a module bug. */
function callModule<T>(provider: ProviderId, stage: 'parse' | 'normalise', step: () => T, prefix = ''): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof PayloadError) {
      throw prefix === '' ? error : new PayloadError(`${prefix}${error.message}`, { cause: error });
    }
    throw new ProviderModuleError(provider, stage, { cause: error });
  }
}

/** Awaits a port call; anything but a typed error becomes a `DependencyError` (503, the sender retries). */
async function fromDependency<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HookguardError) throw error;
    throw new DependencyError(`Could not load ${what}`, { cause: error });
  }
}

/**
 * Logs a failed request. Typed errors carry log-safe messages by contract. For anything untyped only the name and
 * stack frames are logged: messages of errors thrown while handling a body (JSON.parse's, for one) quote it.
 */
function logFailure(logger: Logger, provider: ProviderId, error: unknown): void {
  if (error instanceof SignatureError) {
    logger.warn('Signature verification failed', { provider, reason: error.reason });
    return;
  }
  if (error instanceof HookguardError && error.statusCode < 500) {
    logger.warn('Request rejected', {
      provider,
      status: error.statusCode,
      code: error.code,
      errorMessage: error.message,
    });
    return;
  }
  if (error instanceof HookguardError) {
    logger.error('Request failed', {
      provider,
      status: error.statusCode,
      code: error.code,
      errorMessage: error.message,
      ...causeFields(error.cause),
    });
    return;
  }
  logger.error('Unexpected error while handling a webhook', { provider, ...untypedErrorFields(error) });
}

function causeFields(cause: unknown): Record<string, unknown> {
  if (!(cause instanceof Error)) return {};
  if (cause instanceof HookguardError) return { causeName: cause.name, causeMessage: cause.message };
  // Dependency causes come from SDKs and sockets (their messages name the failure, not the request).
  return { causeName: cause.name, causeMessage: cause.message.slice(0, 300) };
}

function untypedErrorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorType: typeof error };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 8)
    .map((line) => line.trim());
  const cause = error.cause instanceof Error ? untypedErrorFields(error.cause) : undefined;
  return {
    errorName: error.name,
    ...(error instanceof ProviderModuleError ? { errorMessage: error.message } : {}),
    frames,
    ...(cause ? { cause } : {}),
  };
}
