/**
 * The local runtime's one counting path: the same {@link HookguardMetrics} the Lambdas write as EMF, counted in memory
 * instead, and read by `GET /healthz` (hence `hookguard status`), so the local numbers are the ones CloudWatch shows
 * for a stage. Outcomes come from the one table in `lambda/core/metrics.ts` (`requestOutcomeOf`, `outcomeOfError`).
 *
 * One local difference: the answers API Gateway gives on its own (404 for an unknown path, 405, 413, 500 when the
 * authorizer cannot load credentials) are counted under `Requests` too, because no API Gateway metric exists
 * locally; deployed they show in API Gateway's own `4XXError`/`5XXError` metrics instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CredentialStageName,
  type HookguardMetrics,
  type RequestContext,
  type RequestOutcome,
  UNKNOWN_PROVIDER,
} from '../../lambda/core/metrics';

/** Counts of one window (the last 24 hours, or since the runtime started). */
export interface MetricsCounts {
  /** `Requests` by provider, then outcome (only outcomes seen appear). */
  readonly requests: Readonly<Record<string, Readonly<Partial<Record<RequestOutcome, number>>>>>;
  /** `EventsPublished` by provider. */
  readonly eventsPublished: Readonly<Record<string, number>>;
  readonly putEventsEntriesRetried: number;
  readonly putEventsEntriesFailed: number;
  /** `AuthorizerDecisions` by provider, then credential stage (`unknown`: refused). */
  readonly authorizerDecisions: Readonly<Record<string, Readonly<Partial<Record<CredentialStageName, number>>>>>;
  readonly rotationFailed: number;
}

/** What the local counters say now. Times are ISO 8601. */
export interface MetricsSnapshot {
  /** When counting started (the runtime's start). */
  readonly since: string;
  /** Everything since {@link MetricsSnapshot.since}. */
  readonly total: MetricsCounts;
  /** The last 24 hours (whole hours: a count leaves the window between 24 and 25 hours after it happened). */
  readonly last24Hours: MetricsCounts;
  /** The last `accepted` request per provider. */
  readonly lastAccepted: Readonly<Record<string, string>>;
  /** The last accepted authorizer decision per credential stage (`previous` still in use shows here). */
  readonly lastCredentialUse: Readonly<Partial<Record<Exclude<CredentialStageName, 'unknown'>, string>>>;
}

/** The read side of the local counters: what `/healthz` and `hookguard status` consume. */
export interface MetricsCounters {
  snapshot(): MetricsSnapshot;
}

const HOUR_MS = 3_600_000;
const WINDOW_HOURS = 24;

type MutableCounts = {
  requests: Record<string, Partial<Record<RequestOutcome, number>>>;
  eventsPublished: Record<string, number>;
  putEventsEntriesRetried: number;
  putEventsEntriesFailed: number;
  authorizerDecisions: Record<string, Partial<Record<CredentialStageName, number>>>;
  rotationFailed: number;
};

function emptyCounts(): MutableCounts {
  return {
    requests: {},
    eventsPublished: {},
    putEventsEntriesRetried: 0,
    putEventsEntriesFailed: 0,
    authorizerDecisions: {},
    rotationFailed: 0,
  };
}

function addNested<K extends string>(table: Record<string, Partial<Record<K, number>>>, outer: string, inner: K, by: number) {
  const row = (table[outer] ??= {});
  row[inner] = (row[inner] ?? 0) + by;
}

function merge(into: MutableCounts, from: MutableCounts): void {
  for (const [provider, row] of Object.entries(from.requests)) {
    for (const [outcome, count] of Object.entries(row)) addNested(into.requests, provider, outcome as RequestOutcome, count ?? 0);
  }
  for (const [provider, count] of Object.entries(from.eventsPublished)) {
    into.eventsPublished[provider] = (into.eventsPublished[provider] ?? 0) + count;
  }
  into.putEventsEntriesRetried += from.putEventsEntriesRetried;
  into.putEventsEntriesFailed += from.putEventsEntriesFailed;
  for (const [provider, row] of Object.entries(from.authorizerDecisions)) {
    for (const [stage, count] of Object.entries(row)) {
      addNested(into.authorizerDecisions, provider, stage as CredentialStageName, count ?? 0);
    }
  }
  into.rotationFailed += from.rotationFailed;
}

/**
 * In-memory {@link HookguardMetrics} with a read side ({@link MetricsCounters}): totals since start, hourly buckets
 * for the last 24 hours, and the last accepted request per provider.
 *
 * @example
 * const metrics = new InMemoryMetrics();
 * metrics.request('mailgun', 'accepted');
 * metrics.snapshot().total.requests.mailgun?.accepted; // 1
 */
export class InMemoryMetrics implements HookguardMetrics, MetricsCounters {
  private readonly since: Date;
  private readonly total = emptyCounts();
  /** Hour number (ms since epoch / 1 h) -> counts of that hour; at most 25 kept. */
  private readonly hours = new Map<number, MutableCounts>();
  private readonly lastAccepted: Record<string, string> = {};
  private readonly lastCredentialUse: Partial<Record<CredentialStageName, string>> = {};

  constructor(private readonly now: () => Date = () => new Date()) {
    this.since = now();
  }

  request(provider: string, outcome: RequestOutcome, _context?: RequestContext): void {
    this.count((counts) => addNested(counts.requests, provider, outcome, 1));
    if (outcome === 'accepted') this.lastAccepted[provider] = this.now().toISOString();
  }

  eventsPublished(provider: string, count: number): void {
    if (!(count > 0)) return;
    this.count((counts) => {
      counts.eventsPublished[provider] = (counts.eventsPublished[provider] ?? 0) + count;
    });
  }

  putEventsEntries(retried: number, failed: number): void {
    this.count((counts) => {
      counts.putEventsEntriesRetried += retried;
      counts.putEventsEntriesFailed += failed;
    });
  }

  authorizerDecision(provider: string, stage: CredentialStageName): void {
    this.count((counts) => addNested(counts.authorizerDecisions, provider, stage, 1));
    if (stage !== 'unknown') this.lastCredentialUse[stage] = this.now().toISOString();
  }

  rotationFailed(): void {
    this.count((counts) => {
      counts.rotationFailed += 1;
    });
  }

  snapshot(): MetricsSnapshot {
    const currentHour = Math.floor(this.now().getTime() / HOUR_MS);
    const window = emptyCounts();
    for (const [hour, counts] of this.hours) {
      if (hour > currentHour - WINDOW_HOURS) merge(window, counts);
    }
    const copy = (counts: MutableCounts): MetricsCounts => {
      const cloned = emptyCounts();
      merge(cloned, counts);
      return cloned;
    };
    return {
      since: this.since.toISOString(),
      total: copy(this.total),
      last24Hours: window,
      lastAccepted: { ...this.lastAccepted },
      lastCredentialUse: { ...this.lastCredentialUse } as MetricsSnapshot['lastCredentialUse'],
    };
  }

  private count(apply: (counts: MutableCounts) => void): void {
    apply(this.total);
    const hour = Math.floor(this.now().getTime() / HOUR_MS);
    let bucket = this.hours.get(hour);
    if (!bucket) {
      bucket = emptyCounts();
      this.hours.set(hour, bucket);
      for (const old of this.hours.keys()) if (old <= hour - WINDOW_HOURS) this.hours.delete(old);
    }
    apply(bucket);
  }
}

/** What `GET /healthz` answers (and `hookguard status` reads locally). */
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
        /** `Requests` of the last 24 hours by outcome. */
        readonly last24h: Readonly<Record<string, number>>;
        /** Requests of the last 24 hours the Basic-auth check refused (`AuthorizerDecisions` unknown). */
        readonly refusedLast24h: number;
      }
    >
  >;
  /** Requests of the last 24 hours to paths that name no enabled provider, by outcome. */
  readonly unroutedLast24h: Readonly<Record<string, number>>;
}

/**
 * The health report of the counters: the last 24 hours of `Requests` and refusals per enabled provider, and the
 * requests no provider was named for (provider `unknown`).
 *
 * @example
 * healthReport(metrics, { stage: 'dev', providers: ['sendgrid'], now: new Date() }).providers.sendgrid?.last24h;
 */
export function healthReport(
  counters: MetricsCounters,
  options: { readonly stage: string; readonly providers: readonly string[]; readonly now: Date },
): HealthReport {
  const snapshot = counters.snapshot();
  const window = snapshot.last24Hours;
  const providers: Record<string, HealthReport['providers'][string]> = {};
  for (const provider of options.providers) {
    providers[provider] = {
      lastAcceptedAt: snapshot.lastAccepted[provider] ?? null,
      last24h: { ...(window.requests[provider] ?? {}) } as Record<string, number>,
      refusedLast24h: window.authorizerDecisions[provider]?.unknown ?? 0,
    };
  }
  return {
    status: 'ok',
    stage: options.stage,
    startedAt: snapshot.since,
    now: options.now.toISOString(),
    providers,
    unroutedLast24h: { ...(window.requests[UNKNOWN_PROVIDER] ?? {}) } as Record<string, number>,
  };
}

/** The path of the local runtime's health check. */
export const HEALTH_PATH = '/healthz';

/**
 * Answers `GET /healthz` (and `HEAD`) with {@link healthReport}; true when the request was that, false to let the
 * API handle it. Not an API Gateway route: the deployed stage has none, its metrics are in CloudWatch.
 */
export function answerHealthCheck(
  request: IncomingMessage,
  response: ServerResponse,
  report: () => HealthReport,
): boolean {
  const path = (request.url ?? '').split('?', 1)[0];
  if (path !== HEALTH_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  const body = JSON.stringify(report());
  request.resume();
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}
