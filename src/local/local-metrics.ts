/**
 * The local runtime's metrics: the same {@link HookguardMetrics} the Lambdas write as EMF, counted in memory instead,
 * so `GET /healthz` and `hookguard status` can show the same numbers locally as CloudWatch shows for a stage.
 */
import {
  type CredentialStageName,
  type HookguardMetrics,
  type RequestContext,
  type RequestOutcome,
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
