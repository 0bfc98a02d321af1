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

  constructor(options: PowertoolsMetricsOptions) {
    if (options.stage.trim() === '') throw new RangeError('The metrics stage (HOOKGUARD_STAGE) must not be empty');
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
    if (context?.requestId !== undefined) this.requests.addMetadata('requestId', context.requestId);
    this.requests.addDimension('Provider', provider);
    this.requests.addDimension('Outcome', outcome);
    this.requests.addMetric(METRIC_NAMES.requests, MetricUnit.Count, 1);
  }

  eventsPublished(provider: string, count: number): void {
    if (!(count > 0)) return;
    this.byProvider.addDimension('Provider', provider);
    this.byProvider.addMetric(METRIC_NAMES.eventsPublished, MetricUnit.Count, count);
  }

  putEventsEntries(retried: number, failed: number): void {
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
