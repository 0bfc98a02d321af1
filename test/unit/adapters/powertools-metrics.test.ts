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
