/**
 * Child process of the memory figure: runs the verifier on one large SendGrid batch with in-memory ports and prints
 * its peak resident set size. Bundled like the Lambda (SDK external) and run with plain `node`, so the process
 * holds what a verifier container holds: the verifier's modules, the request, and nothing of the benchmark.
 *
 * Usage: node memory-worker.js <core|handler> <request.json>
 *   request.json: { headers, bodyFile, signingKey, events }
 */
import { readFileSync } from 'node:fs';
import type { ContextLogger } from '../../lambda/ports';
import { createWebhookProcessor } from '../../lambda/core/pipeline';
import { createHandler } from '../../lambda/verifier/handler';
import { inMemoryPipelineDeps } from '../lib/fakes';
import { webhookRequest } from '../lib/requests';

interface WorkerInput {
  readonly headers: Record<string, string>;
  readonly bodyFile: string;
  readonly signingKey: string;
  readonly events: number;
}

const MIB = 1024 * 1024;
const rssMiB = () => process.memoryUsage().rss / MIB;
/** Peak RSS of the whole process so far, as the kernel tracks it (KiB -> MiB). */
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

/** A Lambda context as the runtime passes it (the handler's early-timeout needs the remaining time). */
function lambdaContext() {
  return {
    awsRequestId: 'bench-request',
    functionName: 'hookguard-dev-verifier',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:hookguard-dev-verifier',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/hookguard-dev-verifier',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 25_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The invoke payload the Lambda runtime receives from API Gateway for this request (JSON text, base64 body). */
function invokePayload(input: WorkerInput): string {
  return JSON.stringify({
    resource: '/webhooks/{provider}',
    path: '/webhooks/sendgrid',
    httpMethod: 'POST',
    headers: input.headers,
    multiValueHeaders: Object.fromEntries(Object.entries(input.headers).map(([name, value]) => [name, [value]])),
    pathParameters: { provider: 'sendgrid' },
    requestContext: { requestTimeEpoch: Date.now() },
    body: readFileSync(input.bodyFile).toString('base64'),
    isBase64Encoded: true,
  });
}

async function main(): Promise<void> {
  const [mode, inputFile] = process.argv.slice(2);
  if ((mode !== 'core' && mode !== 'handler') || !inputFile)
    throw new Error('usage: memory-worker <core|handler> <request.json>');
  const input = JSON.parse(readFileSync(inputFile, 'utf8')) as WorkerInput;
  const deps = inMemoryPipelineDeps({ sendgrid: [input.signingKey] });
  const baselineRss = rssMiB();
  const baselinePeak = peakRssMiB();
  const started = process.hrtime.bigint();

  let statusCode: number;
  let published: number;
  const errors: string[] = [];
  if (mode === 'core') {
    // The verifier core as the brief defines it: the raw body bytes in, the pipeline over in-memory ports.
    const body = readFileSync(input.bodyFile);
    const result = await createWebhookProcessor(deps)(webhookRequest('sendgrid', input.headers, body, new Date()));
    statusCode = result.response.statusCode;
    published = result.outcome.published;
  } else {
    // The whole Lambda handler on the proxy event as the runtime hands it over: the invoke payload is JSON text
    // with the body base64-encoded (binary media types), parsed, then decoded by the handler's middleware.
    const payload = invokePayload(input);
    // Error log lines are kept (they name no body or secret) so a failure can be reported, not just counted.
    const logger: ContextLogger = {
      child: () => logger,
      debug() {},
      info() {},
      warn() {},
      error: (message, fields) => void errors.push(JSON.stringify({ message, ...fields })),
    };
    const handler = createHandler({ ...deps, logger });
    const result = (await handler(JSON.parse(payload), lambdaContext() as never)) as {
      statusCode: number;
      body: string;
    };
    statusCode = result.statusCode;
    published = deps.bus.entries;
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(
    JSON.stringify({
      mode,
      baselineRssMiB: baselineRss,
      baselinePeakRssMiB: baselinePeak,
      peakRssMiB: peakRssMiB(),
      finalHeapUsedMiB: process.memoryUsage().heapUsed / MIB,
      elapsedMs,
      statusCode,
      published,
      expected: input.events,
      errors,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
