/**
 * Worker of the cost figure: the bytes the verifier Lambda handler writes per single-event request (what CloudWatch
 * Logs ingests from it besides Lambda's own lines). Distinct signed Mailgun posts, all accepted, through
 * `createHandler` with the production logger and metrics (Powertools) over in-memory ports; every byte written to
 * stdout and stderr is counted. Bundled with the stack's options and run in its own process (middy is ESM-only), it
 * prints one JSON line: `{ "bytesPerRequest": N, "sample": "<one line>" }`.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { PowertoolsLogger } from '../../lambda/adapters/powertools-logger';
import { PowertoolsMetrics } from '../../lambda/adapters/powertools-metrics';
import { createHandler } from '../../lambda/verifier/handler';
import { mailgunSimulator } from '../../src/simulate/mailgun';
import { inMemoryPipelineDeps } from '../lib/fakes';

async function main(requests: number): Promise<void> {
  const signingKey = 'bench-mailgun-signing-key-0123456789abcdef';
  const deps = inMemoryPipelineDeps({ mailgun: [signingKey] });
  const handler = createHandler({
    ...deps,
    logger: new PowertoolsLogger({ serviceName: 'hookguard-verifier' }),
    metrics: new PowertoolsMetrics({ stage: 'prod', namespace: 'Hookguard' }),
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
  let sample = '';
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  const count = (chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    bytes += Buffer.byteLength(text);
    sample ||= text.trim();
    return true;
  };
  for (const stream of streams) stream.write = count as typeof stream.write;
  const statuses: number[] = [];
  try {
    for (const [index, event] of events.entries()) {
      const awsRequestId = `c0ffee00-0000-4000-8000-${String(index).padStart(12, '0')}`;
      statuses.push((await handler(event, { awsRequestId } as Context)).statusCode);
    }
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  }
  const refused = statuses.filter((status) => status !== 200).length;
  if (refused > 0) throw new Error(`${refused} of ${requests} requests were not accepted`);
  console.log(JSON.stringify({ bytesPerRequest: bytes / requests, sample }));
}

main(Number(process.argv[2] ?? 200)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
