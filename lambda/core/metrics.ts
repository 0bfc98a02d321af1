/**
 * The metrics port and the pure mappings behind it. The core returns or throws; the handlers (Lambda and local
 * runtime) turn what came back into one {@link RequestOutcome} and record it through {@link HookguardMetrics}.
 *
 * The names, dimensions and values follow the team's metric contract exactly (namespace `Hookguard`, dimension
 * `Stage` on every metric): the alarms, the dashboard and `hookguard status` read these and nothing else.
 */
import {
  AlreadyInProgressError,
  DependencyError,
  HookguardError,
  MethodNotAllowedError,
  PayloadError,
  PayloadTooLargeError,
  RouteNotFoundError,
  SignatureError,
  TimestampOutsideWindowError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../errors';
import type { CredentialStage } from '../ports';
import type { WebhookOutcome } from './pipeline';

/** The CloudWatch namespace of every Hookguard metric (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'Hookguard';

/** Metric names of the contract. */
export const METRIC_NAMES = {
  requests: 'Requests',
  eventsPublished: 'EventsPublished',
  putEventsEntriesRetried: 'PutEventsEntriesRetried',
  putEventsEntriesFailed: 'PutEventsEntriesFailed',
  authorizerDecisions: 'AuthorizerDecisions',
  canaryDelivered: 'CanaryDelivered',
  canaryLatency: 'CanaryLatency',
  rotationFailed: 'RotationFailed',
  providerSyncFailed: 'ProviderSyncFailed',
  /** [Stage, Provider]: 1 when a provider's published IP list was refused or could not be refreshed, 0 after a good run. */
  ipRangesRefreshFailed: 'IpRangesRefreshFailed',
} as const;

/** Every value of the `Outcome` dimension of `Requests`, in the order the dashboard and `status` show them. */
export const REQUEST_OUTCOMES = [
  'accepted',
  'duplicate',
  'unauthorized',
  'invalid_signature',
  'stale_timestamp',
  'future_timestamp',
  'invalid_payload',
  'too_large',
  'unsupported_media_type',
  'in_progress',
  'dependency_failure',
  'not_found',
  'method_not_allowed',
] as const;
/** One of {@link REQUEST_OUTCOMES}. */
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/** Every value of the `CredentialStage` dimension of `AuthorizerDecisions`; `unknown` means refused. */
export const CREDENTIAL_STAGE_NAMES = ['current', 'pending', 'previous', 'unknown'] as const;
/** One of {@link CREDENTIAL_STAGE_NAMES}. */
export type CredentialStageName = (typeof CREDENTIAL_STAGE_NAMES)[number];

/** What identifies one request beside its metrics (never a dimension: each value would be a new metric). */
export interface RequestContext {
  readonly requestId?: string;
  readonly status?: number;
}

/** The `Provider` dimension's value when the request path names no known provider. */
export const UNKNOWN_PROVIDER = 'unknown';

/**
 * Where the Lambdas and the local runtime record what happened. Implementations: EMF through Powertools
 * (`lambda/adapters/powertools-metrics.ts`) in AWS, in-memory counters (`src/local/local-metrics.ts`) locally.
 * Recording never throws and never blocks a request.
 */
export interface HookguardMetrics {
  /**
   * One webhook request answered by the verifier, with its outcome. `context` (request id, HTTP status) may be
   * written beside the metric as searchable properties; it never becomes a dimension.
   */
  request(provider: string, outcome: RequestOutcome, context?: RequestContext): void;
  /** Events this request put on the bus (nothing is recorded for 0). */
  eventsPublished(provider: string, count: number): void;
  /** PutEvents entries re-sent after a rejection or a failed call, and entries that stayed unpublished for good. */
  putEventsEntries(retried: number, failed: number): void;
  /** One authorizer decision: the credential stage that matched, or `unknown` for a refusal. */
  authorizerDecision(provider: string, stage: CredentialStageName): void;
  /** A rotation step failed. */
  rotationFailed(): void;
  /**
   * A managed provider's webhook could not be updated or verified during a rotation step (`ProviderSyncFailed`
   * [Stage, Provider]). Only where provider sync runs (the rotation Lambda); others leave it out.
   */
  providerSyncFailed?(provider: string): void;
}

/** Metrics that go nowhere (tests and benchmarks that do not look at them). */
export const noMetrics: HookguardMetrics = {
  request() {},
  eventsPublished() {},
  putEventsEntries() {},
  authorizerDecision() {},
  rotationFailed() {},
};

/** The dimension value of a Secrets Manager staging label. */
export function credentialStageName(stage: CredentialStage | undefined): CredentialStageName {
  switch (stage) {
    case 'AWSCURRENT':
      return 'current';
    case 'AWSPENDING':
      return 'pending';
    case 'AWSPREVIOUS':
      return 'previous';
    default:
      return 'unknown';
  }
}

/**
 * The outcome of a request the verifier refused or failed with `error`. Any 5xx (a dependency down, a
 * misconfiguration, a bug) is `dependency_failure`: the provider retries all of them, and the error log line of the
 * request says which it was.
 */
export function outcomeOfError(error: unknown): RequestOutcome {
  if (error instanceof TimestampOutsideWindowError) {
    return error.direction === 'past' ? 'stale_timestamp' : 'future_timestamp';
  }
  if (error instanceof SignatureError) return 'invalid_signature';
  if (error instanceof UnauthorizedError) return 'unauthorized';
  if (error instanceof PayloadTooLargeError) return 'too_large';
  if (error instanceof UnsupportedMediaTypeError) return 'unsupported_media_type';
  if (error instanceof PayloadError) return 'invalid_payload';
  if (error instanceof AlreadyInProgressError) return 'in_progress';
  if (error instanceof RouteNotFoundError) return 'not_found';
  if (error instanceof MethodNotAllowedError) return 'method_not_allowed';
  if (error instanceof DependencyError) return 'dependency_failure';
  // Typed 4xx answers without an outcome of their own (a 403) are refusals of the caller's credentials.
  if (error instanceof HookguardError && error.statusCode < 500) return 'unauthorized';
  return 'dependency_failure';
}

/**
 * The outcome of one request from the pipeline's account of it: `duplicate` when every event of a 2xx answer had
 * been published before (nothing new went out), `accepted` for any other 2xx (URL checks and Amazon SNS
 * subscription confirmations included), else the outcome of the error it failed with.
 */
export function requestOutcomeOf(outcome: WebhookOutcome): RequestOutcome {
  if (outcome.statusCode >= 200 && outcome.statusCode < 300) {
    return outcome.received > 0 && outcome.published === 0 && outcome.duplicates === outcome.received
      ? 'duplicate'
      : 'accepted';
  }
  if (outcome.error !== undefined) return outcomeOfError(outcome.error);
  return outcome.statusCode >= 500 ? 'dependency_failure' : 'invalid_payload';
}

/** Records everything one pipeline run says: its outcome, the events it published and PutEvents' retries. */
export function recordWebhookOutcome(
  metrics: HookguardMetrics,
  outcome: WebhookOutcome,
  context?: RequestContext,
): RequestOutcome {
  const result = requestOutcomeOf(outcome);
  metrics.request(outcome.provider, result, context);
  if (outcome.published > 0) metrics.eventsPublished(outcome.provider, outcome.published);
  const retried = outcome.putEventsEntriesRetried ?? 0;
  const failed = outcome.putEventsEntriesFailed ?? 0;
  if (retried > 0 || failed > 0) metrics.putEventsEntries(retried, failed);
  return result;
}
