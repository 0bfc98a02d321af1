/**
 * Worker of the cost figure: what the verifier Lambda handler writes to CloudWatch Logs (besides Lambda's own lines)
 * and what it puts on the bus, per single-event request. Distinct signed Mailgun posts, all accepted, through
 * `createHandler` with the production logger and metrics (Powertools, summing counts for
 * {@link METRICS_AGGREGATE_MS} as the Lambda does) over in-memory ports; every byte written to stdout and stderr is
 * counted, EMF metric lines apart from the rest (the model counts metric lines per flush, not per request), and every
 * bus entry is wrapped in the envelope EventBridge delivers and archives. Bundled with the stack's options and run in
 * its own process (middy is ESM-only), it prints one JSON line:
 * `{ "bytesPerRequest": N, "metricsLineBytes": N, "sample": "<one metrics line>", "eventBytes": N, "eventSample": "..." }`.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { PowertoolsLogger } from '../../lambda/adapters/powertools-logger';
import { PowertoolsMetrics } from '../../lambda/adapters/powertools-metrics';
import type { BusEntry, EventBusPort } from '../../lambda/ports';
import { createHandler, METRICS_AGGREGATE_MS } from '../../lambda/verifier/handler';
import { archivedEventJson } from '../lib/event-envelope';
import { mailgunSimulator } from '../../src/simulate/mailgun';
import { inMemoryPipelineDeps } from '../lib/fakes';

async function main(requests: number): Promise<void> {
  const signingKey = 'bench-mailgun-signing-key-0123456789abcdef';
  const deps = inMemoryPipelineDeps({ mailgun: [signingKey] });
  const published: BusEntry[] = [];
  const bus: EventBusPort = {
    putEvents: async (entries) => {
      published.push(...entries);
      return deps.bus.putEvents(entries);
    },
  };
  const metrics = new PowertoolsMetrics({ stage: 'prod', namespace: 'Hookguard', aggregateMs: METRICS_AGGREGATE_MS });
  const handler = createHandler({
    ...deps,
    bus,
    logger: new PowertoolsLogger({ serviceName: 'hookguard-verifier' }),
    metrics,
  });
  const events = Array.from({ length: requests }, (_, index) => {
    const now = new Date();
    const simulated = mailgunSimulator.simulate({ eventName: 'delivered', signingKey, now, uniqueId: `log-${index}` });
    return {
      httpMethod: 'POST',
      path: '/webhooks/mailgun',
      resource: '/webhooks/mailgun',
      pathParameters: { provider: 'mailgun' },
      headers: simulated.headers,
      multiValueHeaders: {},
      isBase64Encoded: true,
      body: Buffer.from(simulated.body).toString('base64'),
      requestContext: { requestTimeEpoch: now.getTime() },
    } as unknown as APIGatewayProxyEvent;
  });
  let bytes = 0;
  let metricsBytes = 0;
  let metricsLines = 0;
  let sample = '';
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  const count = (chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n').filter((part) => part.trim() !== '')) {
      const size = Buffer.byteLength(line) + 1;
      if (line.startsWith('{"_aws"')) {
        metricsBytes += size;
        metricsLines += 1;
        sample ||= line.trim();
      } else {
        bytes += size;
      }
    }
    return true;
  };
  for (const stream of streams) stream.write = count as typeof stream.write;
  const statuses: number[] = [];
  try {
    for (const [index, event] of events.entries()) {
      const awsRequestId = `c0ffee00-0000-4000-8000-${String(index).padStart(12, '0')}`;
      statuses.push((await handler(event, { awsRequestId } as Context)).statusCode);
    }
    // The counts still summed (what the next flush of a warm container writes), so the line size covers both kinds.
    metrics.drain();
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  }
  const refused = statuses.filter((status) => status !== 200).length;
  if (refused > 0) throw new Error(`${refused} of ${requests} requests were not accepted`);
  const archived = published.map((entry, index) => archivedEventJson(entry, index));
  const eventBytes = archived.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / Math.max(1, archived.length);
  console.log(
    JSON.stringify({
      bytesPerRequest: bytes / requests,
      metricsLineBytes: metricsLines > 0 ? metricsBytes / metricsLines : 0,
      sample,
      eventBytes,
      eventSample: archived[0] ?? '',
    }),
  );
}

main(Number(process.argv[2] ?? 200)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
