/**
 * {@link HookguardMetrics} as CloudWatch embedded metric format (EMF) through Powertools for AWS Lambda: each blob is
 * one JSON line on stdout that CloudWatch Logs turns into metrics, so recording costs no API call and no latency.
 *
 * One Powertools `Metrics` per dimension set, because every metric of a Powertools blob shares the blob's dimension
 * sets and the contract gives each metric exactly one: `Requests` [Stage, Provider, Outcome], `EventsPublished`
 * [Stage, Provider], `PutEventsEntries*` and `RotationFailed` [Stage], `AuthorizerDecisions`
 * [Stage, Provider, CredentialStage], `ProviderSyncFailed` [Stage, Provider]. Powertools' default `service` dimension is cleared (it is not in the
 * contract, and a metric is only found with its exact dimensions). Counts of 0 are not emitted: shorter lines and no
 * metric-hours billed for series that saw nothing (alarms treat missing data as not breaching).
 *
 * One line per request: {@link PowertoolsMetrics.flush} writes the request's `Requests`, `EventsPublished` and
 * `PutEventsEntries*` as ONE blob with one metric directive per dimension set, each directive serialised and
 * validated by Powertools. The EMF specification makes `CloudWatchMetrics` an array of directives for exactly this
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * That line is the verifier's log line for the request: it carries the request id as an EMF property (searchable in
 * Logs Insights; not a dimension, so it costs no metric).
 *
 * With `aggregateMs` (the verifier sets 10 s) a warm container sums its request counts instead of writing a line per
 * request, and {@link PowertoolsMetrics.flush} (the end of an invocation) writes them when the last write is
 * `aggregateMs` or more ago: under steady traffic one write per `aggregateMs`, sparse traffic request by request. One
 * line per provider and outcome, stamped with the time of the batch's last request. It writes at once on the
 * container's first invocation and whenever the batch holds anything but `accepted` and `duplicate` (refusals,
 * failures, PutEvents retries and failures), so the security and delivery alarms see those at once. A held batch
 * begun `aggregateMs` or more ago is written before a new request joins it, so no count is stamped more than
 * `aggregateMs` from when it happened. What this costs: Lambda gives a function without extensions no shutdown
 * signal, so when a container never runs again, the accepted and duplicate counts it held (those of less than
 * `aggregateMs` after its last write) are never written; nothing else depends on them (every request is in the API
 * access log, refusals also log a line of their own).
 */
import { Console } from 'node:console';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type CredentialStageName,
  type HookguardMetrics,
  METRIC_NAMES,
  type RequestContext,
  type RequestOutcome,
} from '../core/metrics';

/** Options of {@link PowertoolsMetrics}. */
export interface PowertoolsMetricsOptions {
  /** The `Stage` dimension of every metric (the Lambda's `HOOKGUARD_STAGE`). */
  readonly stage: string;
  /**
   * The CloudWatch namespace.
   * @default `POWERTOOLS_METRICS_NAMESPACE`, which the stack sets to `Hookguard`
   */
  readonly namespace?: string;
  /**
   * Sum request counts in the container and write them at most once per this many milliseconds (see the module
   * comment for when they are written at once, and what a container that goes idle for good loses).
   * @default 0: one line per invocation, with its request id
   */
  readonly aggregateMs?: number;
  /**
   * The clock of {@link aggregateMs}, epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** Outcomes that can wait for the next batch: every other one is written at once. */
const ROUTINE_OUTCOMES: ReadonlySet<RequestOutcome> = new Set<RequestOutcome>(['accepted', 'duplicate']);

/** Counts summed in a warm container since its last line. */
interface Batch {
  /** Requests by provider, then outcome. */
  readonly requests: Map<string, Map<RequestOutcome, number>>;
  readonly eventsPublished: Map<string, number>;
  retried: number;
  failed: number;
  /** Epoch ms of the first and the last count in the batch. */
  readonly firstAt: number;
  lastAt: number;
  /** Holds something an alarm watches (a refusal, a failure, PutEvents trouble): write at the end of the invocation. */
  urgent: boolean;
}

/** Powertools' own warnings (never request data) go to stderr as one line each. */
const powertoolsWarnings = {
  debug() {},
  info() {},
  warn(...parts: unknown[]) {
    process.stderr.write(`${JSON.stringify({ level: 'WARN', message: parts.map(String).join(' ') })}\n`);
  },
  error(...parts: unknown[]) {
    process.stderr.write(`${JSON.stringify({ level: 'ERROR', message: parts.map(String).join(' ') })}\n`);
  },
};

/** One EMF blob as Powertools serialises it. */
type EmfBlob = ReturnType<Metrics['serializeMetrics']>;

/**
 * EMF metrics of one Lambda function. What a request records (`request`, `eventsPublished`, `putEventsEntries`) is
 * kept until {@link PowertoolsMetrics.flush}, which the verifier calls once per invocation, answered or failed, and
 * written as one line; authorizer decisions and rotation failures are written at once (one per invocation anyway).
 *
 * @example
 * const metrics = new PowertoolsMetrics({ stage: process.env.HOOKGUARD_STAGE });
 * metrics.request('mailgun', 'accepted', { requestId: context.awsRequestId });
 * metrics.eventsPublished('mailgun', 1);
 * metrics.flush(); // {"_aws":{...,"CloudWatchMetrics":[{...Requests...},{...EventsPublished...}]},...}
 */
export class PowertoolsMetrics implements HookguardMetrics {
  private readonly requests: Metrics;
  private readonly byProvider: Metrics;
  private readonly byStage: Metrics;
  private readonly decisions: Metrics;
  private readonly rotation: Metrics;
  private readonly sync: Metrics;
  /** Writes like Powertools does: one `console.log` on an own Console over stdout (not the runtime's patched one). */
  private readonly out = new Console({ stdout: process.stdout, stderr: process.stderr });
  private readonly aggregateMs: number;
  private readonly now: () => number;
  private batch: Batch | undefined;
  /**
   * When an invocation's end last wrote the counts (undefined: never, so the container's first invocation writes at
   * once). Writes are spaced by at least `aggregateMs`, so sparse traffic is written request by request.
   */
  private lastWriteAt: number | undefined;

  constructor(options: PowertoolsMetricsOptions) {
    if (options.stage.trim() === '') throw new RangeError('The metrics stage (HOOKGUARD_STAGE) must not be empty');
    const aggregateMs = options.aggregateMs ?? 0;
    if (!Number.isFinite(aggregateMs) || aggregateMs < 0 || aggregateMs > 60_000) {
      throw new RangeError(`aggregateMs must be 0 to 60000 milliseconds, got ${String(options.aggregateMs)}`);
    }
    this.aggregateMs = aggregateMs;
    this.now = options.now ?? Date.now;
    const make = () => {
      const metrics = new Metrics({
        ...(options.namespace ? { namespace: options.namespace } : {}),
        logger: powertoolsWarnings,
      });
      metrics.clearDefaultDimensions();
      metrics.setDefaultDimensions({ Stage: options.stage });
      return metrics;
    };
    this.requests = make();
    this.byProvider = make();
    this.byStage = make();
    this.decisions = make();
    this.rotation = make();
    this.sync = make();
  }

  request(provider: string, outcome: RequestOutcome, context?: RequestContext): void {
    if (this.aggregateMs > 0) {
      const batch = this.openBatch();
      const byOutcome = batch.requests.get(provider) ?? new Map<RequestOutcome, number>();
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
      batch.requests.set(provider, byOutcome);
      if (!ROUTINE_OUTCOMES.has(outcome)) batch.urgent = true;
      return;
    }
    if (context?.requestId !== undefined) this.requests.addMetadata('requestId', context.requestId);
    this.requests.addDimension('Provider', provider);
    this.requests.addDimension('Outcome', outcome);
    this.requests.addMetric(METRIC_NAMES.requests, MetricUnit.Count, 1);
  }

  eventsPublished(provider: string, count: number): void {
    if (!(count > 0)) return;
    if (this.aggregateMs > 0) {
      const batch = this.openBatch();
      batch.eventsPublished.set(provider, (batch.eventsPublished.get(provider) ?? 0) + count);
      return;
    }
    this.byProvider.addDimension('Provider', provider);
    this.byProvider.addMetric(METRIC_NAMES.eventsPublished, MetricUnit.Count, count);
  }

  putEventsEntries(retried: number, failed: number): void {
    if (this.aggregateMs > 0) {
      if (!(retried > 0) && !(failed > 0)) return;
      const batch = this.openBatch();
      batch.retried += retried > 0 ? retried : 0;
      batch.failed += failed > 0 ? failed : 0;
      batch.urgent = true;
      return;
    }
    if (retried > 0) this.byStage.addMetric(METRIC_NAMES.putEventsEntriesRetried, MetricUnit.Count, retried);
    if (failed > 0) this.byStage.addMetric(METRIC_NAMES.putEventsEntriesFailed, MetricUnit.Count, failed);
  }

  authorizerDecision(provider: string, stage: CredentialStageName): void {
    this.decisions.addDimension('Provider', provider);
    this.decisions.addDimension('CredentialStage', stage);
    this.decisions.addMetric(METRIC_NAMES.authorizerDecisions, MetricUnit.Count, 1);
    this.decisions.publishStoredMetrics();
  }

  rotationFailed(): void {
    this.rotation.addMetric(METRIC_NAMES.rotationFailed, MetricUnit.Count, 1);
    this.rotation.publishStoredMetrics();
  }

  /** `ProviderSyncFailed` [Stage, Provider], written at once (a rotation step records a few at most). */
  providerSyncFailed(provider: string): void {
    this.sync.addDimension('Provider', provider);
    this.sync.addMetric(METRIC_NAMES.providerSyncFailed, MetricUnit.Count, 1);
    this.sync.publishStoredMetrics();
  }

  /**
   * Writes what this invocation recorded as one line (nothing when it recorded nothing) and starts the next one
   * clean; what Powertools' `logMetrics` middy middleware does after every invocation, for several dimension sets.
   */
  flush(): void {
    if (this.aggregateMs > 0) {
      const batch = this.batch;
      const now = this.now();
      if (batch && (this.lastWriteAt === undefined || batch.urgent || now - this.lastWriteAt >= this.aggregateMs)) {
        this.writeBatch(batch);
        this.lastWriteAt = now;
      }
      return;
    }
    const parts = [this.requests, this.byProvider, this.byStage];
    try {
      const blobs = parts.filter((metrics) => metrics.hasStoredMetrics()).map((metrics) => metrics.serializeMetrics());
      const merged = mergeBlobs(blobs);
      if (merged) this.out.log(JSON.stringify(merged));
    } finally {
      for (const metrics of parts) {
        metrics.clearMetrics();
        metrics.clearDimensions();
        metrics.clearMetadata();
      }
    }
  }

  /**
   * Writes everything still summed (the batch of an idle container's last requests) whatever its age; for a caller
   * that knows the container is about to stop.
   */
  drain(): void {
    if (this.batch) this.writeBatch(this.batch);
  }

  /**
   * The batch a new count joins. A batch begun `aggregateMs` or more ago (held since, its container idle in between)
   * is written first, under its own timestamp, so no count is stamped more than `aggregateMs` from when it happened.
   */
  private openBatch(): Batch {
    const now = this.now();
    if (this.batch && now - this.batch.firstAt >= this.aggregateMs) this.writeBatch(this.batch);
    this.batch ??= {
      requests: new Map(),
      eventsPublished: new Map(),
      retried: 0,
      failed: 0,
      firstAt: now,
      lastAt: now,
      urgent: false,
    };
    this.batch.lastAt = now;
    return this.batch;
  }

  /**
   * One line per provider and outcome (a blob has one value per dimension), the provider's EventsPublished joining
   * its first line and the PutEvents entries the first line of all; each stamped with the batch's last count.
   */
  private writeBatch(batch: Batch): void {
    this.batch = undefined;
    const lines: EmfBlob[] = [];
    const providers = new Set([...batch.requests.keys(), ...batch.eventsPublished.keys()]);
    let stageDone = false;
    for (const provider of providers) {
      const outcomes = [...(batch.requests.get(provider) ?? new Map<RequestOutcome, number>())];
      const events = batch.eventsPublished.get(provider) ?? 0;
      const count = Math.max(outcomes.length, 1);
      for (let index = 0; index < count; index++) {
        const blobs: EmfBlob[] = [];
        const entry = outcomes[index];
        if (entry) {
          this.requests.addDimension('Provider', provider);
          this.requests.addDimension('Outcome', entry[0]);
          this.requests.addMetric(METRIC_NAMES.requests, MetricUnit.Count, entry[1]);
          blobs.push(this.serialize(this.requests, batch.lastAt));
        }
        if (index === 0 && events > 0) {
          this.byProvider.addDimension('Provider', provider);
          this.byProvider.addMetric(METRIC_NAMES.eventsPublished, MetricUnit.Count, events);
          blobs.push(this.serialize(this.byProvider, batch.lastAt));
        }
        if (!stageDone) {
          const stageBlob = this.stageBlob(batch);
          if (stageBlob) blobs.push(stageBlob);
          stageDone = true;
        }
        const merged = mergeBlobs(blobs);
        if (merged) lines.push(merged);
      }
    }
    if (!stageDone) {
      const stageBlob = this.stageBlob(batch);
      if (stageBlob) lines.push(stageBlob);
    }
    for (const line of lines) this.out.log(JSON.stringify(line));
  }

  private stageBlob(batch: Batch): EmfBlob | undefined {
    if (batch.retried > 0) this.byStage.addMetric(METRIC_NAMES.putEventsEntriesRetried, MetricUnit.Count, batch.retried);
    if (batch.failed > 0) this.byStage.addMetric(METRIC_NAMES.putEventsEntriesFailed, MetricUnit.Count, batch.failed);
    return this.byStage.hasStoredMetrics() ? this.serialize(this.byStage, batch.lastAt) : undefined;
  }

  /** Serialises one Powertools instance's stored metrics at `timestamp` and clears it for the next line. */
  private serialize(metrics: Metrics, timestamp: number): EmfBlob {
    try {
      metrics.setTimestamp(timestamp);
      return metrics.serializeMetrics();
    } finally {
      metrics.clearMetrics();
      metrics.clearDimensions();
      metrics.clearMetadata();
    }
  }
}

/**
 * One blob holding every directive of `blobs`. Their root keys never disagree: the dimensions they share (Stage,
 * Provider) have one value per request, and metric names are distinct.
 */
function mergeBlobs(blobs: readonly EmfBlob[]): EmfBlob | undefined {
  const [first, ...rest] = blobs;
  if (!first) return undefined;
  const merged: EmfBlob = { ...first, _aws: { ...first._aws, CloudWatchMetrics: [...first._aws.CloudWatchMetrics] } };
  for (const blob of rest) {
    const { _aws, ...properties } = blob;
    merged._aws.CloudWatchMetrics.push(..._aws.CloudWatchMetrics);
    Object.assign(merged, properties);
  }
  return merged;
}
