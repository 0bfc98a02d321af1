/**
 * Figure: peak memory of the verifier on a 6 MB SendGrid batch, in a child process, with in-memory ports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawBodyOf } from '../../lambda/core/api-gateway-request';
import { MAX_BODY_BYTES_LIMIT } from '../../lib/config';
import { buildBundle } from '../lib/bundle';
import { lastJsonLine, runChild } from '../lib/child';
import { type Figure, type FigureOutput, scratchDir } from '../lib/figure';
import { makeRow } from '../lib/report';
import { sendgridEvents, sendgridKeyPair, signedSendgridRequest } from '../lib/sendgrid-events';
import { formatNumber, median } from '../lib/stats';

const MIB = 1024 * 1024;
const MODES = ['core', 'handler'] as const;
type Mode = (typeof MODES)[number];
/**
 * Body sizes: 6 MiB (the conservative reading of "6 MB") for the core; for the whole handler the largest body the
 * configuration accepts (`MAX_BODY_BYTES_LIMIT`, 4 MiB), because its base64 proxy event must fit Lambda's 6 MB
 * synchronous payload.
 */
const BODY_BYTES: Readonly<Record<Mode, number>> = { core: 6 * MIB, handler: MAX_BODY_BYTES_LIMIT };
const RUNS = 3;
const TARGET_MIB = 200;

interface WorkerResult {
  readonly mode: string;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  readonly elapsedMs: number;
  readonly statusCode: number;
  readonly published: number;
  readonly expected: number;
  /** Error log lines of the handler (no bodies or secrets in them). */
  readonly errors: readonly string[];
}

/** Events until the signed body reaches `bytes`; distinct ids, so every event is published. */
function largeBatch(bytes: number, epoch: number): object[] {
  const events: object[] = [];
  let size = 2;
  for (let chunk = 0; size < bytes; chunk++) {
    for (const event of sendgridEvents(500, `mem${chunk}`, epoch, chunk + 1)) {
      events.push(event);
      size += JSON.stringify(event).length + 1;
      if (size >= bytes) break;
    }
  }
  return events;
}

/**
 * Why the handler failed, when it did: whether the handler's base64 body decoding (`rawBodyOf`) throws on this body,
 * and the largest body it still decodes (bisection), so the report names the limit instead of guessing.
 */
function base64Diagnosis(bodyFile: string): string | null {
  const body = readFileSync(bodyFile);
  const decodes = (bytes: number): string | null => {
    try {
      rawBodyOf({ body: body.subarray(0, bytes).toString('base64'), isBase64Encoded: true });
      return null;
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  };
  const failure = decodes(body.length);
  if (failure === null) return null;
  let good = 0;
  let bad = body.length;
  while (bad - good > 16 * 1024) {
    const middle = Math.floor((good + bad) / 2);
    if (decodes(middle) === null) good = middle;
    else bad = middle;
  }
  return (
    `Diagnosis of the handler failure: \`rawBodyOf\` (lambda/core/api-gateway-request.ts, the base64 decoding of the ` +
    `proxy event) throws "${failure}" on this body; the largest body it decodes here is about ` +
    `${(good / MIB).toFixed(2)} MiB (${good.toLocaleString('en-US')} bytes), below the configured ${(MAX_BODY_BYTES_LIMIT / MIB).toFixed(0)} MiB limit.`
  );
}

export const memoryFigure: Figure = {
  id: 'memory',
  title: 'Peak memory of the verifier on a 6 MB batch',
  async run({ root, log }): Promise<FigureOutput> {
    const outDir = scratchDir(root, 'memory');
    log('bundling the worker like the Lambda ...');
    const worker = await buildBundle(
      root,
      join(root, 'bench', 'workers', 'memory-worker.ts'),
      outDir,
      'memory-worker',
      'stack',
    );

    log('generating and signing the batches ...');
    const keys = sendgridKeyPair();
    const epoch = Math.floor(Date.now() / 1000);
    const inputs = {} as Record<Mode, { file: string; bytes: number; events: number }>;
    for (const mode of MODES) {
      const events = largeBatch(BODY_BYTES[mode], epoch);
      const signed = signedSendgridRequest(events, keys.privateKey, epoch);
      const bodyFile = join(outDir, `${mode}-batch.json`);
      writeFileSync(bodyFile, signed.body);
      const file = join(outDir, `${mode}-request.json`);
      writeFileSync(
        file,
        JSON.stringify({ headers: signed.headers, bodyFile, signingKey: keys.verificationKey, events: events.length }),
      );
      inputs[mode] = { file, bytes: signed.body.length, events: events.length };
    }

    const results: Record<Mode, WorkerResult[]> = { core: [], handler: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const mode of MODES) {
        const child = await runChild(process.execPath, ['--enable-source-maps', worker.file, mode, inputs[mode].file], {
          cwd: outDir,
          env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
          timeoutMs: 120_000,
        });
        const result = lastJsonLine<WorkerResult>(child.stdout);
        results[mode].push(result);
        log(
          `${mode} run ${run + 1}: status ${result.statusCode}, peak ${formatNumber(result.peakRssMiB)} MiB, ` +
            `${formatNumber(result.elapsedMs)} ms`,
        );
      }
    }
    /** Peak RSS in MB (10^6 bytes), the unit of the target, so the comparison is not loosened by MiB. */
    const peak = (mode: Mode) => median(results[mode].map((result) => (result.peakRssMiB * MIB) / 1e6));
    const baseline = (mode: Mode) => median(results[mode].map((result) => result.baselineRssMiB));
    const elapsed = (mode: Mode) => median(results[mode].map((result) => result.elapsedMs));
    /** Why a mode did not do its job (not every event published with a 200), from its first bad run. */
    const failure = (mode: Mode): string | undefined => {
      const bad = results[mode].find((result) => result.statusCode !== 200 || result.published !== result.expected);
      if (!bad) return undefined;
      const logged = bad.errors
        .map((line) => {
          try {
            const entry = JSON.parse(line) as { message?: string; errorName?: string; code?: string };
            return [entry.message, entry.errorName ?? entry.code].filter(Boolean).join(': ');
          } catch {
            return '';
          }
        })
        .filter(Boolean)
        .join('; ');
      return `answered ${bad.statusCode}, published ${bad.published} of ${bad.expected} events${logged ? ` (logged: ${logged})` : ''}`;
    };
    const mib = (bytes: number) => (bytes / MIB).toFixed(1);

    const failedCore = failure('core');
    const failedHandler = failure('handler');
    const decodeNote = failedHandler ? base64Diagnosis(join(outDir, 'handler-batch.json')) : null;
    return {
      rows: [
        makeRow({
          figure: `Verifier core peak RSS, ${mib(inputs.core.bytes)} MiB SendGrid batch (${inputs.core.events.toLocaleString('en-US')} events)`,
          value: peak('core'),
          unit: 'MB',
          target: { comparison: '<=', threshold: TARGET_MIB, on: 'value', text: '<= 200 MB RSS (fits 256 MB)' },
          note: `median of ${RUNS} processes`,
          ...(failedCore ? { failure: failedCore } : {}),
        }),
        makeRow({
          figure: `Verifier Lambda handler peak RSS, ${mib(inputs.handler.bytes)} MiB batch as a base64 proxy event`,
          value: peak('handler'),
          unit: 'MB',
          target: { comparison: '<=', threshold: TARGET_MIB, on: 'value', text: '<= 200 MB RSS (fits 256 MB)' },
          note: `median of ${RUNS} processes`,
          ...(failedHandler ? { failure: failedHandler } : {}),
        }),
      ],
      notes: [
        `Input: realistic SendGrid events (${inputs.core.events.toLocaleString('en-US')} for the core, ` +
          `${inputs.core.bytes.toLocaleString('en-US')} bytes of compact JSON, 6 MiB being the conservative reading ` +
          'of 6 MB), signed with a fresh P-256 key; every event distinct, so all of them are claimed, normalised and ' +
          'published.',
        "Process: the worker (`bench/workers/memory-worker.ts`) is bundled with the stack's esbuild options (SDK " +
          "external, resolved from node_modules as the runtime's copy would be) and run with plain `node " +
          "--enable-source-maps`, so the process holds the verifier's modules, the request, and nothing of the " +
          'benchmark harness. DynamoDB and EventBridge are in-memory fakes (a Map of keys; a bus that only counts).',
        "Peak: `process.resourceUsage().maxRSS`, the kernel's high-water mark of the whole process (not a sampled " +
          `value), median of ${RUNS} fresh processes, in MB of 10^6 bytes. RSS before the request: ` +
          `${formatNumber(baseline('core'))} MiB; one batch took ${formatNumber(elapsed('core'))} ms (core) and ` +
          `${formatNumber(elapsed('handler'))} ms (handler).`,
        '"Core" hands the raw body to `createWebhookProcessor`, as the brief defines the figure. "Lambda handler" ' +
          'starts from the invoke payload as the runtime receives it (JSON text with the body base64-encoded, since ' +
          'the API uses binary media types), parses it and runs the middy handler. A 6 MiB body would make a 8.4 MB ' +
          "payload, over Lambda's 6 MB synchronous limit, so that row uses the largest body the configuration " +
          `accepts (${mib(MAX_BODY_BYTES_LIMIT)} MiB, \`MAX_BODY_BYTES_LIMIT\`).`,
        ...(decodeNote ? [decodeNote] : []),
        'No `--max-old-space-size` is set, so V8 may grow its heap more lazily than under a tight limit: the peak is ' +
          'an upper bound of what the function needs.',
      ],
      details: {
        runs: results,
        inputs: Object.fromEntries(
          MODES.map((mode) => [mode, { bytes: inputs[mode].bytes, events: inputs[mode].events }]),
        ),
        workerBundleBytes: worker.bytes,
      },
    };
  },
};
