/**
 * The local runtime's counters: what the deployed stage's metrics say, kept in memory for `GET /healthz` and
 * `hookguard status`. Per provider: the last accepted request and the last 24 hours of requests by outcome (the
 * outcomes of the metric contract), plus the requests the Basic-auth check refused. Counts only: no request content.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { outcomeOfError } from '../../lambda/core/metrics';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { RequestReport } from './local-api';

/** Error codes of answers, mapped to the outcome names of the metric contract (`Requests`, dimension `Outcome`). */
const OUTCOME_OF_ERROR_CODE: Readonly<Record<string, string>> = {
  invalid_payload: 'invalid_payload',
  invalid_signature: 'invalid_signature',
  unauthorized: 'unauthorized',
  in_progress: 'in_progress',
  payload_too_large: 'too_large',
  unsupported_media_type: 'unsupported_media_type',
  dependency_unavailable: 'dependency_failure',
  not_found: 'not_found',
  method_not_allowed: 'method_not_allowed',
};

/** The outcome of one answered request, as the verifier's `Requests` metric names it (null: not counted). */
export function outcomeOf(report: RequestReport): string | null {
  const outcome = report.outcome;
  if (outcome !== undefined) {
    if (outcome.urlCheck) return null;
    if (outcome.statusCode >= 200 && outcome.statusCode < 300) {
      return outcome.received > 0 && outcome.duplicates === outcome.received ? 'duplicate' : 'accepted';
    }
    // The error itself, when the pipeline passed it on, tells stale from future timestamps (lambda/core/metrics.ts).
    if (outcome.error !== undefined) return outcomeOfError(outcome.error);
    const code = outcome.errorCode ?? 'internal_error';
    return Object.hasOwn(OUTCOME_OF_ERROR_CODE, code) ? (OUTCOME_OF_ERROR_CODE[code] as string) : code;
  }
  if (report.authFailure !== undefined) return null; // counted as a refusal, like AuthorizerDecisions unknown
  if (report.statusCode === 413) return 'too_large';
  if (report.statusCode === 404) return 'not_found';
  if (report.statusCode === 405) return 'method_not_allowed';
  if (report.statusCode >= 500) return 'dependency_failure';
  return null;
}

/** What `GET /healthz` answers. */
export interface HealthReport {
  readonly status: 'ok';
  readonly stage: string;
  readonly startedAt: string;
  readonly now: string;
  /** Per enabled provider. */
  readonly providers: Readonly<
    Record<
      string,
      {
        readonly lastAcceptedAt: string | null;
        /** Requests of the last 24 hours by outcome. */
        readonly last24h: Readonly<Record<string, number>>;
        /** Requests of the last 24 hours the Basic-auth check refused (AuthorizerDecisions unknown). */
        readonly refusedLast24h: number;
      }
    >
  >;
  /** Requests to paths that name no enabled provider in the last 24 hours, by outcome. */
  readonly unroutedLast24h: Readonly<Record<string, number>>;
}

const HOUR_MS = 3_600_000;

/** Hourly buckets of one counter key, for a sliding 24-hour window. */
class HourlyCounts {
  private readonly buckets = new Map<number, Map<string, number>>();

  add(hour: number, key: string): void {
    const bucket = this.buckets.get(hour) ?? new Map<string, number>();
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
    this.buckets.set(hour, bucket);
  }

  /** Totals of the 24 hourly buckets up to and including `hour`; older buckets are dropped. */
  totals(hour: number): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const [bucketHour, bucket] of this.buckets) {
      if (bucketHour <= hour - 24) {
        this.buckets.delete(bucketHour);
        continue;
      }
      for (const [key, count] of bucket) totals[key] = (totals[key] ?? 0) + count;
    }
    return totals;
  }
}

/**
 * Counts the requests of the local runtime.
 *
 * @example
 * const counters = new RequestCounters({ stage: 'dev', providers: ['sendgrid'], now: () => new Date() });
 * createLocalApiHandler({ ..., report: (report) => counters.record(report) });
 * counters.health(); // { status: 'ok', providers: { sendgrid: { lastAcceptedAt, last24h, refusedLast24h } } }
 */
export class RequestCounters {
  private readonly startedAt: Date;
  private readonly outcomes = new Map<string, HourlyCounts>();
  private readonly refused = new Map<string, HourlyCounts>();
  private readonly unrouted = new HourlyCounts();
  private readonly lastAccepted = new Map<string, Date>();

  constructor(
    private readonly options: {
      readonly stage: string;
      readonly providers: readonly ProviderId[];
      readonly now: () => Date;
    },
  ) {
    this.startedAt = options.now();
    for (const provider of options.providers) {
      this.outcomes.set(provider, new HourlyCounts());
      this.refused.set(provider, new HourlyCounts());
    }
  }

  /** Counts one answered request. */
  record(report: RequestReport): void {
    const now = this.options.now();
    const hour = Math.floor(now.getTime() / HOUR_MS);
    const provider = report.provider;
    const counts = provider === undefined ? undefined : this.outcomes.get(provider);
    if (report.authFailure !== undefined && provider !== undefined) {
      this.refused.get(provider)?.add(hour, 'refused');
      return;
    }
    const outcome = outcomeOf(report);
    if (outcome === null) return;
    if (counts === undefined || provider === undefined) {
      this.unrouted.add(hour, outcome);
      return;
    }
    counts.add(hour, outcome);
    if (outcome === 'accepted') this.lastAccepted.set(provider, now);
  }

  /** The counters as `GET /healthz` answers them. */
  health(): HealthReport {
    const now = this.options.now();
    const hour = Math.floor(now.getTime() / HOUR_MS);
    const providers: Record<string, HealthReport['providers'][string]> = {};
    for (const provider of this.options.providers) {
      providers[provider] = {
        lastAcceptedAt: this.lastAccepted.get(provider)?.toISOString() ?? null,
        last24h: this.outcomes.get(provider)?.totals(hour) ?? {},
        refusedLast24h: this.refused.get(provider)?.totals(hour).refused ?? 0,
      };
    }
    return {
      status: 'ok',
      stage: this.options.stage,
      startedAt: this.startedAt.toISOString(),
      now: now.toISOString(),
      providers,
      unroutedLast24h: this.unrouted.totals(hour),
    };
  }
}

/** The path of the local runtime's health check. */
export const HEALTH_PATH = '/healthz';

/**
 * Answers `GET /healthz` (and `HEAD`) with the counters; true when the request was that, false to let the API
 * handle it. Not an API Gateway route: the deployed stage has none, its metrics are in CloudWatch.
 */
export function answerHealthCheck(request: IncomingMessage, response: ServerResponse, counters: RequestCounters): boolean {
  const path = (request.url ?? '').split('?', 1)[0];
  if (path !== HEALTH_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  const body = JSON.stringify(counters.health());
  request.resume();
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}
