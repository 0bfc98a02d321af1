/**
 * What the verifier Lambda writes to CloudWatch Logs, with the real Powertools logger and EMF metrics: one metrics
 * line per request (plus one when events were published), warnings only for refusals, and never a secret.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { PowertoolsLogger } from '../../../lambda/adapters/powertools-logger';
import { PowertoolsMetrics } from '../../../lambda/adapters/powertools-metrics';
import { createHandler } from '../../../lambda/verifier/handler';
import template from '../../fixtures/verifier/events/api-gateway-post.json';
import { BODY_MARKER, fakeWorld, manyEvents, NOW, SIGNED_KEY, signedRequest } from '../../fixtures/verifier/fakes';
import { type CapturedOutput, captureOutput } from '../../support/capture-output';

const BASIC_PASSWORD = 'basic-password-that-must-never-be-logged';
const AUTHORIZATION = `Basic ${Buffer.from(`hookguard:${BASIC_PASSWORD}`).toString('base64')}`;

function proxyEvent(options: { key?: string; signedAt?: Date } = {}): APIGatewayProxyEvent {
  const request = signedRequest(manyEvents(2), options);
  const event = structuredClone(template) as unknown as APIGatewayProxyEvent;
  delete event.headers['Content-Type'];
  delete event.multiValueHeaders['Content-Type'];
  for (const [name, value] of Object.entries({ ...request.headers, Authorization: AUTHORIZATION })) {
    event.headers[name] = value;
    event.multiValueHeaders[name] = [value];
  }
  event.isBase64Encoded = true;
  event.body = request.body.toString('base64');
  return event;
}

type Directive = { Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> };

/** The metrics of the EMF blobs among the lines, as CloudWatch extracts them, with the blob's request id. */
function metricsIn(lines: Array<Record<string, unknown>>) {
  return lines
    .filter((line) => '_aws' in line)
    .flatMap((line) =>
      (line._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics.flatMap((directive) =>
        directive.Metrics.map((metric) => ({
          namespace: directive.Namespace,
          metric: metric.Name,
          value: line[metric.Name],
          dimensions: Object.fromEntries((directive.Dimensions[0] ?? []).map((name) => [name, line[name]])),
          requestId: line.requestId,
        })),
      ),
    );
}

describe('verifier handler observability (Powertools logger and EMF metrics)', () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  function setup() {
    const world = fakeWorld();
    const deps = {
      ...world.deps,
      logger: new PowertoolsLogger({ serviceName: 'hookguard-verifier' }),
      metrics: new PowertoolsMetrics({ stage: 'prod', namespace: 'Hookguard' }),
    };
    return { ...world, handler: createHandler(deps) };
  }
  const context = (awsRequestId: string) => ({ awsRequestId }) as Context;

  it('writes one line for an accepted request: Requests and EventsPublished, with the request id', async () => {
    // Prepare
    const { handler } = setup();
    // Act
    const result = await handler(proxyEvent(), context('req-ok'));
    // Assess
    expect(result.statusCode).toBe(200);
    const lines = output.json();
    expect(lines).toHaveLength(1);
    expect(metricsIn(lines)).toEqual([
      {
        namespace: 'Hookguard',
        metric: 'Requests',
        value: 1,
        dimensions: { Stage: 'prod', Provider: 'resend', Outcome: 'accepted' },
        requestId: 'req-ok',
      },
      {
        namespace: 'Hookguard',
        metric: 'EventsPublished',
        value: 2,
        dimensions: { Stage: 'prod', Provider: 'resend' },
        requestId: 'req-ok',
      },
    ]);
    // A short line: the cost model counts it per request.
    expect(output.lines[0]?.length).toBeLessThan(500);
  });

  it('counts a retry of an already published request as duplicate and publishes no EventsPublished', async () => {
    const { handler } = setup();
    const event = proxyEvent();
    await handler(event, context('req-1'));
    output.lines.length = 0;
    await handler(event, context('req-2'));
    expect(metricsIn(output.json())).toEqual([
      expect.objectContaining({
        metric: 'Requests',
        dimensions: { Stage: 'prod', Provider: 'resend', Outcome: 'duplicate' },
        requestId: 'req-2',
      }),
    ]);
  });

  it.each([
    ['a forged signature', 'invalid_signature', { key: 'wrong-key' }],
    ['a replayed (stale) timestamp', 'stale_timestamp', { signedAt: new Date(NOW.getTime() - 3600_000) }],
    ['a timestamp from the future', 'future_timestamp', { signedAt: new Date(NOW.getTime() + 3600_000) }],
  ])('records %s as %s and logs one warning with the request id, and no secret', async (_case, outcome, options) => {
    const { handler } = setup();
    const result = await handler(proxyEvent(options), context('req-bad'));
    expect(result.statusCode).toBe(401);
    const lines = output.json();
    expect(metricsIn(lines)).toEqual([
      expect.objectContaining({
        metric: 'Requests',
        dimensions: { Stage: 'prod', Provider: 'resend', Outcome: outcome },
        requestId: 'req-bad',
      }),
    ]);
    const logLines = lines.filter((line) => !('_aws' in line));
    expect(logLines).toEqual([expect.objectContaining({ level: 'WARN', requestId: 'req-bad' })]);
    const text = output.lines.join('\n');
    const event = proxyEvent(options);
    for (const secret of [BASIC_PASSWORD, AUTHORIZATION, SIGNED_KEY, BODY_MARKER, event.headers['x-fake-signature'] as string]) {
      expect(text).not.toContain(secret);
    }
  });

  it('records a request refused before the pipeline (a body that is not base64) with its provider', async () => {
    const { handler } = setup();
    const result = await handler({ ...proxyEvent(), body: '!!!not base64' }, context('req-400'));
    expect(result.statusCode).toBe(400);
    expect(metricsIn(output.json())).toEqual([
      expect.objectContaining({
        metric: 'Requests',
        dimensions: { Stage: 'prod', Provider: 'resend', Outcome: 'invalid_payload' },
        requestId: 'req-400',
      }),
    ]);
  });

  it('records PutEvents entries retried, and entries that failed for good with a dependency_failure', async () => {
    const { handler, bus } = setup();
    bus.script.push({ kind: 'fail-indexes', indexes: [1] });
    await handler(proxyEvent(), context('req-retry'));
    expect(metricsIn(output.json())).toContainEqual(
      expect.objectContaining({ metric: 'PutEventsEntriesRetried', value: 1, dimensions: { Stage: 'prod' } }),
    );

    output.lines.length = 0;
    const failing = setup();
    failing.bus.outage = true;
    const result = await failing.handler(proxyEvent(), context('req-down'));
    expect(result.statusCode).toBe(503);
    const found = metricsIn(output.json());
    expect(found).toContainEqual(
      expect.objectContaining({ metric: 'PutEventsEntriesFailed', value: 2, dimensions: { Stage: 'prod' } }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        metric: 'Requests',
        dimensions: { Stage: 'prod', Provider: 'resend', Outcome: 'dependency_failure' },
      }),
    );
    expect(found.map((entry) => entry.metric)).not.toContain('EventsPublished');
  });
});
