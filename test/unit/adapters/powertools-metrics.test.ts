import { PowertoolsMetrics } from '../../../lambda/adapters/powertools-metrics';
import { type CapturedOutput, captureOutput } from '../../support/capture-output';

/** One EMF blob as CloudWatch reads it. */
interface Emf {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

/**
 * The metrics of one blob as `{ name, unit, value, dimensions }`, exactly as CloudWatch extracts them: every
 * directive's metrics, each with the values of that directive's dimension sets, read from the blob's root.
 */
function extracted(blob: Emf) {
  return blob._aws.CloudWatchMetrics.flatMap((directive) =>
    directive.Metrics.map((metric) => ({
      namespace: directive.Namespace,
      name: metric.Name,
      unit: metric.Unit,
      value: blob[metric.Name],
      dimensions: directive.Dimensions.map((set) => Object.fromEntries(set.map((name) => [name, blob[name]]))),
    })),
  );
}

describe('PowertoolsMetrics (embedded metric format)', () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const metricsFor = () => new PowertoolsMetrics({ stage: 'prod', namespace: 'Hookguard' });

  it('writes Requests with exactly [Stage, Provider, Outcome] and the request id as a property, on flush', () => {
    // Prepare
    const metrics = metricsFor();
    // Act
    metrics.request('sendgrid', 'stale_timestamp', { requestId: 'req-1', status: 401 });
    expect(output.lines).toHaveLength(0);
    metrics.flush();
    // Assess
    const blobs = output.json() as unknown as Emf[];
    expect(blobs).toHaveLength(1);
    const blob = blobs[0] as Emf;
    expect(extracted(blob)).toEqual([
      {
        namespace: 'Hookguard',
        name: 'Requests',
        unit: 'Count',
        value: 1,
        dimensions: [{ Stage: 'prod', Provider: 'sendgrid', Outcome: 'stale_timestamp' }],
      },
    ]);
    expect(blob).toMatchObject({ requestId: 'req-1' });
    expect(Math.abs(blob._aws.Timestamp - Date.now())).toBeLessThan(60_000);
    // Powertools' default `service` dimension is not part of the contract.
    expect(JSON.stringify(blob)).not.toContain('service');
  });

  it('starts every invocation clean: dimensions and properties never leak into the next line', () => {
    const metrics = metricsFor();
    metrics.request('mailgun', 'accepted', { requestId: 'req-1' });
    metrics.flush();
    metrics.request('postmark', 'duplicate');
    metrics.flush();
    const [first, second] = (output.json() as unknown as Emf[]).map((blob) => ({
      dims: extracted(blob)[0]?.dimensions,
      requestId: blob.requestId,
    }));
    expect(first).toEqual({ dims: [{ Stage: 'prod', Provider: 'mailgun', Outcome: 'accepted' }], requestId: 'req-1' });
    expect(second).toEqual({
      dims: [{ Stage: 'prod', Provider: 'postmark', Outcome: 'duplicate' }],
      requestId: undefined,
    });
  });

  it('writes nothing (and no warning) when an invocation recorded nothing', () => {
    metricsFor().flush();
    expect(output.lines).toEqual([]);
  });

  it('writes a request with its events and PutEvents entries as ONE line, each metric with its own dimensions', () => {
    // Prepare
    const metrics = metricsFor();
    // Act
    metrics.request('sparkpost', 'accepted', { requestId: 'req-7' });
    metrics.eventsPublished('sparkpost', 7);
    metrics.putEventsEntries(3, 1);
    metrics.flush();
    // Assess
    const blobs = output.json() as unknown as Emf[];
    expect(blobs).toHaveLength(1);
    expect(extracted(blobs[0] as Emf)).toEqual([
      {
        namespace: 'Hookguard',
        name: 'Requests',
        unit: 'Count',
        value: 1,
        dimensions: [{ Stage: 'prod', Provider: 'sparkpost', Outcome: 'accepted' }],
      },
      {
        namespace: 'Hookguard',
        name: 'EventsPublished',
        unit: 'Count',
        value: 7,
        dimensions: [{ Stage: 'prod', Provider: 'sparkpost' }],
      },
      { namespace: 'Hookguard', name: 'PutEventsEntriesRetried', unit: 'Count', value: 3, dimensions: [{ Stage: 'prod' }] },
      { namespace: 'Hookguard', name: 'PutEventsEntriesFailed', unit: 'Count', value: 1, dimensions: [{ Stage: 'prod' }] },
    ]);
    expect(blobs[0]?.requestId).toBe('req-7');
  });

  it('leaves out counts of 0', () => {
    const metrics = metricsFor();
    metrics.request('sparkpost', 'duplicate');
    metrics.eventsPublished('sparkpost', 0);
    metrics.putEventsEntries(0, 0);
    metrics.flush();
    expect((output.json() as unknown as Emf[]).flatMap(extracted).map((metric) => metric.name)).toEqual(['Requests']);
  });

  it('writes PutEvents entries even when the request itself was not recorded', () => {
    const metrics = metricsFor();
    metrics.putEventsEntries(2, 0);
    metrics.flush();
    expect((output.json() as unknown as Emf[]).flatMap(extracted)).toEqual([
      { namespace: 'Hookguard', name: 'PutEventsEntriesRetried', unit: 'Count', value: 2, dimensions: [{ Stage: 'prod' }] },
    ]);
  });

  it('writes AuthorizerDecisions with [Stage, Provider, CredentialStage], one line per decision', () => {
    const metrics = metricsFor();
    metrics.authorizerDecision('mailgun', 'previous');
    metrics.authorizerDecision('unknown', 'unknown');
    expect((output.json() as unknown as Emf[]).flatMap(extracted)).toEqual([
      {
        namespace: 'Hookguard',
        name: 'AuthorizerDecisions',
        unit: 'Count',
        value: 1,
        dimensions: [{ Stage: 'prod', Provider: 'mailgun', CredentialStage: 'previous' }],
      },
      {
        namespace: 'Hookguard',
        name: 'AuthorizerDecisions',
        unit: 'Count',
        value: 1,
        dimensions: [{ Stage: 'prod', Provider: 'unknown', CredentialStage: 'unknown' }],
      },
    ]);
  });

  it('writes RotationFailed with [Stage]', () => {
    metricsFor().rotationFailed();
    expect((output.json() as unknown as Emf[]).flatMap(extracted)).toEqual([
      { namespace: 'Hookguard', name: 'RotationFailed', unit: 'Count', value: 1, dimensions: [{ Stage: 'prod' }] },
    ]);
  });

  it('takes the namespace from POWERTOOLS_METRICS_NAMESPACE, as the stack sets it', () => {
    const saved = process.env.POWERTOOLS_METRICS_NAMESPACE;
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'Hookguard';
    try {
      new PowertoolsMetrics({ stage: 'dev' }).rotationFailed();
    } finally {
      if (saved === undefined) delete process.env.POWERTOOLS_METRICS_NAMESPACE;
      else process.env.POWERTOOLS_METRICS_NAMESPACE = saved;
    }
    expect((output.json()[0] as unknown as Emf)._aws.CloudWatchMetrics[0]?.Namespace).toBe('Hookguard');
  });

  it('refuses an empty stage', () => {
    expect(() => new PowertoolsMetrics({ stage: ' ' })).toThrow(/HOOKGUARD_STAGE/);
  });
});

describe('PowertoolsMetrics with aggregateMs (the verifier: counts summed in a warm container)', () => {
  let output: CapturedOutput;
  let clock: number;
  beforeEach(() => {
    output = captureOutput();
    clock = 1_796_000_000_000;
  });
  afterEach(() => output.restore());

  const aggregating = () =>
    new PowertoolsMetrics({ stage: 'prod', namespace: 'Hookguard', aggregateMs: 10_000, now: () => clock });
  /** One invocation: what the verifier records, then its end-of-invocation flush. */
  const invoke = (metrics: PowertoolsMetrics, provider: string, outcome: 'accepted' | 'duplicate' | 'invalid_signature', events = 0) => {
    metrics.request(provider, outcome, { requestId: `req-${clock}` });
    metrics.eventsPublished(provider, events);
    metrics.flush();
  };
  const metricsWritten = () =>
    (output.json() as unknown as Emf[]).flatMap((blob) =>
      extracted(blob).map((metric) => ({ ...metric, timestamp: blob._aws.Timestamp })),
    );

  it("writes the container's first invocation at once, then sums routine outcomes for up to 10 s", () => {
    // Prepare
    const metrics = aggregating();
    // Act
    invoke(metrics, 'mailgun', 'accepted', 1);
    const afterFirst = output.lines.length;
    for (let i = 0; i < 5; i++) {
      clock += 1_000;
      invoke(metrics, 'mailgun', i === 2 ? 'duplicate' : 'accepted', i === 2 ? 0 : 1);
    }
    const afterBurst = output.lines.length;
    const lastOfBatch = clock;
    clock += 6_000; // 11 s after the last write: the held batch, then this request, each under its own time
    invoke(metrics, 'mailgun', 'accepted', 1);
    // Assess
    expect(afterFirst).toBe(1);
    expect(afterBurst).toBe(1);
    expect(output.lines).toHaveLength(4);
    const written = metricsWritten();
    expect(written.map(({ name, value, dimensions }) => ({ name, value, dimensions }))).toEqual([
      { name: 'Requests', value: 1, dimensions: [{ Stage: 'prod', Provider: 'mailgun', Outcome: 'accepted' }] },
      { name: 'EventsPublished', value: 1, dimensions: [{ Stage: 'prod', Provider: 'mailgun' }] },
      { name: 'Requests', value: 4, dimensions: [{ Stage: 'prod', Provider: 'mailgun', Outcome: 'accepted' }] },
      { name: 'EventsPublished', value: 4, dimensions: [{ Stage: 'prod', Provider: 'mailgun' }] },
      { name: 'Requests', value: 1, dimensions: [{ Stage: 'prod', Provider: 'mailgun', Outcome: 'duplicate' }] },
      { name: 'Requests', value: 1, dimensions: [{ Stage: 'prod', Provider: 'mailgun', Outcome: 'accepted' }] },
      { name: 'EventsPublished', value: 1, dimensions: [{ Stage: 'prod', Provider: 'mailgun' }] },
    ]);
    // Stamped with the batch's last count, never with a request id (a batch is many requests).
    expect(written[2]?.timestamp).toBe(lastOfBatch);
    expect(written[5]?.timestamp).toBe(clock);
    expect(output.lines.join('\n')).not.toContain('requestId');
  });

  it('writes sparse traffic request by request: a provider sending every 30 s is never held (silent-provider alarm)', () => {
    const metrics = aggregating();
    for (let i = 0; i < 4; i++) {
      invoke(metrics, 'postmark', 'accepted', 1);
      expect(output.lines).toHaveLength(i + 1);
      clock += 30_000;
    }
  });

  it('writes at once when a refusal joins the batch (the forgery and brute-force alarms must not wait)', () => {
    const metrics = aggregating();
    invoke(metrics, 'sendgrid', 'accepted', 1);
    clock += 500;
    invoke(metrics, 'sendgrid', 'accepted', 1);
    expect(output.lines).toHaveLength(1);
    clock += 500;
    invoke(metrics, 'sendgrid', 'invalid_signature');
    expect(output.lines).toHaveLength(3);
    expect(metricsWritten().slice(2).map(({ name, value, dimensions }) => ({ name, value, dimensions }))).toEqual([
      { name: 'Requests', value: 1, dimensions: [{ Stage: 'prod', Provider: 'sendgrid', Outcome: 'accepted' }] },
      { name: 'EventsPublished', value: 1, dimensions: [{ Stage: 'prod', Provider: 'sendgrid' }] },
      {
        name: 'Requests',
        value: 1,
        dimensions: [{ Stage: 'prod', Provider: 'sendgrid', Outcome: 'invalid_signature' }],
      },
    ]);
  });

  it('writes PutEvents retries and failures at once, with [Stage] only', () => {
    const metrics = aggregating();
    invoke(metrics, 'postmark', 'accepted', 1);
    clock += 100;
    metrics.request('postmark', 'accepted');
    metrics.eventsPublished('postmark', 2);
    metrics.putEventsEntries(1, 0);
    metrics.flush();
    const last = metricsWritten().slice(2);
    expect(last.map(({ name, value, dimensions }) => ({ name, value, dimensions }))).toEqual([
      { name: 'Requests', value: 1, dimensions: [{ Stage: 'prod', Provider: 'postmark', Outcome: 'accepted' }] },
      { name: 'EventsPublished', value: 2, dimensions: [{ Stage: 'prod', Provider: 'postmark' }] },
      { name: 'PutEventsEntriesRetried', value: 1, dimensions: [{ Stage: 'prod' }] },
    ]);
  });

  it('writes a batch that went stale during a pause under its own time, before the next request joins', () => {
    const metrics = aggregating();
    invoke(metrics, 'mailgun', 'accepted', 1);
    clock += 2_000;
    invoke(metrics, 'mailgun', 'accepted', 1);
    const staleAt = clock;
    clock += 300_000; // five quiet minutes, then one more request
    invoke(metrics, 'mailgun', 'accepted', 1);
    const newAt = clock;
    clock += 1_000;
    metrics.drain();
    const written = metricsWritten();
    // first invocation; the stale batch stamped when it happened, not five minutes later; the new request
    expect(
      written.filter((metric) => metric.name === 'Requests').map((metric) => [metric.value, metric.timestamp]),
    ).toEqual([
      [1, staleAt - 2_000],
      [1, staleAt],
      [1, newAt],
    ]);
  });

  it('keeps providers and outcomes apart: one line per provider and outcome', () => {
    const metrics = aggregating();
    invoke(metrics, 'mailgun', 'accepted', 1);
    clock += 1_000;
    invoke(metrics, 'mailgun', 'accepted', 1);
    invoke(metrics, 'brevo', 'accepted', 3);
    invoke(metrics, 'brevo', 'duplicate');
    invoke(metrics, 'mailgun', 'accepted', 1);
    metrics.drain();
    const written = metricsWritten().slice(2);
    expect(written.map(({ name, value, dimensions }) => ({ name, value, dimensions }))).toEqual([
      { name: 'Requests', value: 2, dimensions: [{ Stage: 'prod', Provider: 'mailgun', Outcome: 'accepted' }] },
      { name: 'EventsPublished', value: 2, dimensions: [{ Stage: 'prod', Provider: 'mailgun' }] },
      { name: 'Requests', value: 1, dimensions: [{ Stage: 'prod', Provider: 'brevo', Outcome: 'accepted' }] },
      { name: 'EventsPublished', value: 3, dimensions: [{ Stage: 'prod', Provider: 'brevo' }] },
      { name: 'Requests', value: 1, dimensions: [{ Stage: 'prod', Provider: 'brevo', Outcome: 'duplicate' }] },
    ]);
    expect(output.lines).toHaveLength(1 + 3);
  });

  it('never loses a count it was given: the sums written equal the requests recorded', () => {
    const metrics = aggregating();
    let recorded = 0;
    // A seeded walk of requests at uneven gaps (deterministic: no fast-check needed for a fixed schedule).
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      clock += seed % 4_000;
      invoke(metrics, seed % 3 === 0 ? 'brevo' : 'mailgun', seed % 17 === 0 ? 'duplicate' : 'accepted', 1);
      recorded += 1;
    }
    metrics.drain();
    const requests = metricsWritten().filter((metric) => metric.name === 'Requests');
    expect(requests.reduce((sum, metric) => sum + Number(metric.value), 0)).toBe(recorded);
    // and far fewer lines than requests
    expect(output.lines.length).toBeLessThan(recorded / 2);
  });

  it('refuses an aggregation window outside 0 to 60 s', () => {
    expect(() => new PowertoolsMetrics({ stage: 'prod', aggregateMs: -1 })).toThrow(/aggregateMs/);
    expect(() => new PowertoolsMetrics({ stage: 'prod', aggregateMs: 120_000 })).toThrow(/aggregateMs/);
  });
});
