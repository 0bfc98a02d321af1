import { canaryEventKey } from '../../../lambda/core/canary';
import {
  type CanaryQueueMessage,
  canaryMetricsRecord,
  envelopeKey,
  runScheduledCanary,
  type ScheduledCanaryDeps,
  type ScheduledCanaryRequest,
} from '../../../lambda/core/scheduled-canary';

const EVENT = { provider: 'mailgun' as const, eventId: 'evt-1', recipient: 'scheduled-canary@hookguard.invalid' };
const REQUEST: ScheduledCanaryRequest = {
  path: '/webhooks/mailgun',
  headers: { authorization: 'Basic eDp5', 'content-type': 'application/json' },
  body: Buffer.from('{"event-data":{}}'),
  events: [EVENT],
};

const envelope = (detail: Record<string, unknown>, id = 'env-1') =>
  JSON.stringify({ id, source: 'hookguard.canary', 'detail-type': 'email.delivered', detail });

/** A world with a clock that moves only when the queue waits, a recorded POST and a scripted queue. */
function world(options: {
  answer?: { status: number; body: string } | Error;
  /** What each receive returns, in order; afterwards nothing. */
  receives?: ReadonlyArray<readonly CanaryQueueMessage[]>;
  /** Milliseconds one receive takes when it returns nothing (long polling waits that long). */
  emptyReceiveMs?: number;
  build?: () => Promise<ScheduledCanaryRequest>;
}) {
  let clock = 1_000;
  const posts: Array<{ url: string; headers: Readonly<Record<string, string>> }> = [];
  const waits: number[] = [];
  const removed: string[] = [];
  const script = [...(options.receives ?? [])];
  const deps: ScheduledCanaryDeps = {
    baseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    buildRequest: options.build ?? (async () => REQUEST),
    post: async (url, init) => {
      posts.push({ url, headers: init.headers });
      clock += 120; // the round trip
      if (options.answer instanceof Error) throw options.answer;
      return options.answer ?? { status: 200, body: '{"received":1,"published":1,"duplicates":0}' };
    },
    queue: {
      receive: async (waitSeconds) => {
        waits.push(waitSeconds);
        const next = script.shift();
        clock += next === undefined || next.length === 0 ? Math.max(waitSeconds * 1000, options.emptyReceiveMs ?? 0) || 1000 : 80;
        return next ?? [];
      },
      remove: async (handles) => {
        removed.push(...handles);
      },
    },
    monotonicMs: () => clock,
    now: () => new Date('2026-12-02T06:00:00Z'),
    runId: () => 'scheduled-run-1',
    waitMs: 30_000,
  };
  return { deps, posts, waits, removed };
}

describe('runScheduledCanary', () => {
  it('posts to the public URL and confirms the event on the queue: delivered, with the latency, stale messages deleted', async () => {
    // Prepare: an event of an earlier run first, then nothing, then this run's event
    const { deps, posts, waits, removed } = world({
      receives: [
        [{ receiptHandle: 'h-stale', body: envelope({ ...EVENT, eventId: 'evt-0' }, 'env-0') }],
        [],
        [{ receiptHandle: 'h-1', body: envelope(EVENT) }],
      ],
      emptyReceiveMs: 400,
    });

    // Act
    const result = await runScheduledCanary(deps);

    // Assess
    expect(posts).toEqual([{ url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/mailgun', headers: REQUEST.headers }]);
    expect(result).toEqual({ delivered: true, runId: 'scheduled-run-1', latencyMs: expect.any(Number), events: 1, lateArrivals: 1 });
    expect(result.delivered && result.latencyMs).toBe(120 + 80 + 20_000 + 80);
    expect(removed).toEqual(['h-stale', 'h-1']);
    expect(waits.every((seconds) => seconds >= 0 && seconds <= 20)).toBe(true);
  });

  it('needs every event of a batch before it says delivered', async () => {
    const second = { ...EVENT, eventId: 'evt-2' };
    const { deps } = world({
      answer: { status: 200, body: '{"received":1,"published":2,"duplicates":0}' },
      receives: [[{ receiptHandle: 'h-1', body: envelope(EVENT) }], [{ receiptHandle: 'h-2', body: envelope(second, 'env-2') }]],
    });
    const result = await runScheduledCanary({ ...deps, buildRequest: async () => ({ ...REQUEST, events: [EVENT, second] }) });
    expect(result).toMatchObject({ delivered: true, events: 2, lateArrivals: 0 });
  });

  it.each([
    [{ status: 401, body: '{"error":{"code":"invalid_signature","message":"Signature verification failed"}}' }, 'the stage answered 401 invalid_signature', 401],
    [{ status: 403, body: '{"message":"Forbidden"}' }, 'the stage answered 403', 403],
    [{ status: 503, body: '{"error":{"code":"dependency_unavailable"}}' }, 'the stage answered 503 dependency_unavailable', 503],
    [{ status: 200, body: '{"received":1,"published":0,"duplicates":1}' }, 'the stage answered 200 but published 0 of 1 events', 200],
    [{ status: 200, body: 'not json' }, 'the stage answered 200 but published undefined of 1 events', 200],
  ])('fails at the answer when the stage answers %j, without reading the queue', async (answer, reason, status) => {
    const { deps, waits } = world({ answer });
    const result = await runScheduledCanary(deps);
    expect(result).toEqual({ delivered: false, runId: 'scheduled-run-1', step: 'answer', reason, status, lateArrivals: 0 });
    expect(waits).toEqual([]);
  });

  it('fails at the answer when the request cannot be sent, naming the network error', async () => {
    const error = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    const result = await runScheduledCanary(world({ answer: error }).deps);
    expect(result).toMatchObject({ delivered: false, step: 'answer', reason: 'the request failed (ENOTFOUND)' });
  });

  it('fails at the request when the credential or signing key cannot be read, and posts nothing', async () => {
    const { deps, posts } = world({
      build: async () => {
        throw new Error('The signing keys secret has no key for mailgun: add it (its requests fail too)');
      },
    });
    const result = await runScheduledCanary(deps);
    expect(result).toMatchObject({ delivered: false, step: 'request', reason: /no key for mailgun/ });
    expect(posts).toEqual([]);
  });

  it('fails at the arrival when the event never reaches the queue within the wait, long-polling at most 20 s a call', async () => {
    const { deps, waits } = world({ receives: [] });
    const result = await runScheduledCanary(deps);
    expect(result).toEqual({
      delivered: false,
      runId: 'scheduled-run-1',
      step: 'arrival',
      reason: '1 of 1 events did not reach the canary queue within 30 s',
      status: 200,
      lateArrivals: 0,
    });
    expect(waits[0]).toBe(20);
    expect(Math.max(...waits)).toBeLessThanOrEqual(20);
    expect(waits.reduce((sum, seconds) => sum + seconds, 0)).toBeLessThanOrEqual(30);
  });
});

describe('envelopeKey', () => {
  it('reads the event key of an EventBridge envelope, the way the request names its events', () => {
    expect(envelopeKey(envelope(EVENT))).toBe(canaryEventKey(EVENT));
    expect(envelopeKey(envelope({ provider: 'mailgun', eventId: 'e', recipient: null }))).toBe('mailgun#e#-');
    expect(envelopeKey('{"detail":{"eventId":"e"}}')).toBeNull();
    expect(envelopeKey('not json')).toBeNull();
    expect(envelopeKey('null')).toBeNull();
  });
});

describe('canaryMetricsRecord', () => {
  it('is one EMF record with CanaryDelivered 1 and CanaryLatency in milliseconds, dimension Stage', () => {
    const record = canaryMetricsRecord(
      { delivered: true, runId: 'r', latencyMs: 1234, events: 1, lateArrivals: 0 },
      'prod',
      new Date('2026-12-02T06:00:00Z'),
    );
    expect(record).toEqual({
      _aws: {
        Timestamp: Date.parse('2026-12-02T06:00:00Z'),
        CloudWatchMetrics: [
          {
            Namespace: 'Hookguard',
            Dimensions: [['Stage']],
            Metrics: [
              { Name: 'CanaryDelivered', Unit: 'Count' },
              { Name: 'CanaryLatency', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Stage: 'prod',
      CanaryDelivered: 1,
      CanaryLatency: 1234,
    });
  });
});
