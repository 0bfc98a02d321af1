/**
 * The scheduled end-to-end canary (issue 14 §4): one run posts a canary request through the stage's public URL
 * (WAF, authorizer, verifier, dedupe ledger, bus), exactly as a provider would, then waits for its events on the
 * scheduled canary's own queue, and says whether they arrived and how long it took. The mark and the request are
 * the smoke command's (`core/canary.ts`, `src/smoke/canary-request.ts`): the verifier publishes the events with
 * Source `hookguard.canary`, which no configured route matches.
 *
 * Pure: every I/O is a port (HTTP, the credential, the signing key, the queue, the clock); the Lambda handler
 * (`lambda/canary/handler.ts`) wires the AWS adapters and turns the result into the metric contract's
 * `CanaryDelivered` and `CanaryLatency`.
 */
import { type CanaryEventIdentity, canaryEventKey } from './canary';

/** What the run needs to post: the request builder's output (`buildCanaryRequest`). */
export interface ScheduledCanaryRequest {
  /** Path under the base URL, e.g. `/webhooks/mailgun`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The events the verifier must publish for it. */
  readonly events: ReadonlyArray<CanaryEventIdentity>;
}

/** One message of the canary queue. */
export interface CanaryQueueMessage {
  readonly receiptHandle: string;
  /** The message body: an EventBridge envelope as the rule delivers it. */
  readonly body: string;
}

/** The scheduled canary's own queue (its rule delivers scheduled canaries and nothing else). */
export interface CanaryQueuePort {
  /** Long-polls for up to `waitSeconds` (0 to 20); resolves as soon as messages are there. */
  receive(waitSeconds: number): Promise<readonly CanaryQueueMessage[]>;
  /** Deletes messages that were read. */
  remove(receiptHandles: readonly string[]): Promise<void>;
}

/** The HTTP answer the run looks at. */
export interface CanaryHttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** Dependencies of {@link runScheduledCanary}. */
export interface ScheduledCanaryDeps {
  /** The stage's public base URL without a trailing slash (custom domain or execute-api stage URL). */
  readonly baseUrl: string;
  /** Builds this run's request, marked and signed; `runId` makes its events new ones. */
  readonly buildRequest: (runId: string, now: Date) => Promise<ScheduledCanaryRequest>;
  /** POSTs to the public URL. */
  readonly post: (
    url: string,
    init: { readonly headers: Readonly<Record<string, string>>; readonly body: Uint8Array },
  ) => Promise<CanaryHttpAnswer>;
  readonly queue: CanaryQueuePort;
  /** Milliseconds on a clock that only moves forward (latency), e.g. `performance.now`. */
  readonly monotonicMs: () => number;
  readonly now: () => Date;
  /** A new unique id per run. */
  readonly runId: () => string;
  /** How long to wait for the events after the 200, milliseconds. */
  readonly waitMs: number;
}

/** Where a run failed: building the request, the HTTP answer, or the events' arrival. */
export type CanaryFailureStep = 'request' | 'answer' | 'arrival';

/** What one run found. Never carries the request, a credential or a signature. */
export type ScheduledCanaryResult =
  | {
      readonly delivered: true;
      readonly runId: string;
      /** From just before the POST to the receipt of the last expected event. */
      readonly latencyMs: number;
      readonly events: number;
      /** Messages of earlier runs found on the queue (they arrived after their run gave up); deleted. */
      readonly lateArrivals: number;
    }
  | {
      readonly delivered: false;
      readonly runId: string;
      readonly step: CanaryFailureStep;
      /** What went wrong, for the log line and the runbook: a status and error code, or what is missing. */
      readonly reason: string;
      /** The HTTP status when the public URL answered. */
      readonly status?: number;
      readonly lateArrivals: number;
    };

/** SQS long polling waits at most 20 seconds per ReceiveMessage call. */
const MAX_LONG_POLL_SECONDS = 20;

/** The event key of a queue message's envelope, or null when it is not a canary envelope. */
export function envelopeKey(body: string): string | null {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return null;
  }
  const detail = (envelope as { detail?: unknown } | null)?.detail as
    | { provider?: unknown; eventId?: unknown; recipient?: unknown }
    | undefined;
  if (typeof detail?.provider !== 'string' || typeof detail.eventId !== 'string') return null;
  return canaryEventKey({
    provider: detail.provider,
    eventId: detail.eventId,
    recipient: typeof detail.recipient === 'string' ? detail.recipient : null,
  });
}

/** The error code of a Hookguard or gateway JSON answer (`{"error":{"code":...}}`), if it has one. */
function errorCodeOf(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' ? code.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One canary run: build, post, expect `200` with every event published, then read the queue until each expected
 * event is there or `waitMs` has passed. Everything read from the queue is deleted: the queue holds scheduled
 * canaries only, and one from an earlier run is a late arrival, counted and dropped. Never throws for a failure of
 * the stage (that is the result); only a bug in a port would reject.
 *
 * @example
 * const result = await runScheduledCanary({ baseUrl, buildRequest, post, queue, monotonicMs: () => performance.now(),
 *   now: () => new Date(), runId: randomUUID, waitMs: 30_000 });
 */
export async function runScheduledCanary(deps: ScheduledCanaryDeps): Promise<ScheduledCanaryResult> {
  const runId = deps.runId();
  let lateArrivals = 0;
  const fail = (step: CanaryFailureStep, reason: string, status?: number): ScheduledCanaryResult => ({
    delivered: false,
    runId,
    step,
    reason,
    ...(status === undefined ? {} : { status }),
    lateArrivals,
  });

  let request: ScheduledCanaryRequest;
  try {
    request = await deps.buildRequest(runId, deps.now());
  } catch (error) {
    // Reading the credential or the signing key failed, or the key is missing: the message names which.
    return fail('request', error instanceof Error ? error.message : 'the canary request could not be built');
  }

  const started = deps.monotonicMs();
  let answer: CanaryHttpAnswer;
  try {
    answer = await deps.post(`${deps.baseUrl}${request.path}`, { headers: request.headers, body: request.body });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    return fail('answer', `the request failed (${typeof cause === 'string' ? cause : (error as Error).message})`);
  }
  const code = errorCodeOf(answer.body);
  if (answer.status !== 200) {
    return fail('answer', `the stage answered ${answer.status}${code ? ` ${code}` : ''}`, answer.status);
  }
  let published: unknown;
  try {
    published = (JSON.parse(answer.body) as { published?: unknown }).published;
  } catch {
    published = undefined;
  }
  if (published !== request.events.length) {
    // A 200 that published nothing new: a duplicate (the run id repeated) or a verifier that lost the events.
    return fail('answer', `the stage answered 200 but published ${String(published)} of ${request.events.length} events`, 200);
  }

  const wanted = new Set(request.events.map(canaryEventKey));
  const arrived = new Set<string>();
  const deadline = started + deps.waitMs;
  for (;;) {
    const remainingMs = deadline - deps.monotonicMs();
    const waitSeconds = Math.max(0, Math.min(MAX_LONG_POLL_SECONDS, Math.floor(remainingMs / 1000)));
    const messages = await deps.queue.receive(waitSeconds);
    const receivedAt = deps.monotonicMs();
    for (const message of messages) {
      const key = envelopeKey(message.body);
      if (key !== null && wanted.has(key)) arrived.add(key);
      else lateArrivals += 1;
    }
    if (messages.length > 0) await deps.queue.remove(messages.map((message) => message.receiptHandle));
    if (arrived.size === wanted.size) {
      return { delivered: true, runId, latencyMs: Math.max(0, Math.round(receivedAt - started)), events: wanted.size, lateArrivals };
    }
    if (receivedAt >= deadline) break;
  }
  const missing = [...wanted].filter((key) => !arrived.has(key)).length;
  return fail('arrival', `${missing} of ${wanted.size} events did not reach the canary queue within ${Math.round(deps.waitMs / 1000)} s`, 200);
}

/**
 * The embedded-metric-format record of a delivered canary: `CanaryDelivered` 1 and `CanaryLatency` in
 * milliseconds, dimension `Stage` (the metric contract). A failed run writes no metric: the canary alarm treats the
 * missing `CanaryDelivered` as the failure.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function canaryMetricsRecord(
  result: Extract<ScheduledCanaryResult, { delivered: true }>,
  stage: string,
  now: Date,
  namespace = 'Hookguard',
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Stage']],
          Metrics: [
            { Name: 'CanaryDelivered', Unit: 'Count' },
            { Name: 'CanaryLatency', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    Stage: stage,
    CanaryDelivered: 1,
    CanaryLatency: result.latencyMs,
  };
}
