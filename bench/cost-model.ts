/**
 * The cost model of a Hookguard stage: AWS list prices x what the synthesized template provisions x traffic and
 * measured durations. Runs alone (`npx tsx bench/cost-model.ts --help`) or as the `cost` figure of `npm run bench`.
 *
 * Without `--template` it synthesizes the app (`cdk synth`) into a scratch directory and reads the stage's template;
 * without `--verifier-cpu-ms` / `--authorizer-cpu-ms` it measures both on this machine first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWebhookProcessor } from '../lambda/core/pipeline';
import { mailgunSimulator } from '../src/simulate/mailgun';
import { CURRENT, warmDecider } from './figures/authorizer';
import { buildBundle } from './lib/bundle';
import { lastJsonLine, runChild } from './lib/child';
import {
  type CostBreakdown,
  type CostInputs,
  computeCost,
  DEFAULT_INPUTS,
  readTemplateFacts,
  type TemplateFacts,
} from './lib/cost';
import { inMemoryPipelineDeps } from './lib/fakes';
import { REPO_ROOT, scratchDir } from './lib/figure';
import { measureDurations, measureOps } from './lib/measure';
import { webhookRequest } from './lib/requests';
import { formatNumber } from './lib/stats';

const REQUESTS_PER_ITERATION = 200;
const WARMUP_ITERATIONS = 5;
const ITERATIONS = 15;

/** Synthesizes the CDK app into a scratch directory and returns the stage's template. */
export async function synthesizeTemplate(root: string, stage: string): Promise<{ template: unknown; path: string }> {
  const outDir = scratchDir(root, 'cdk.out');
  await runChild(process.execPath, [join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '-q', '-o', outDir], {
    cwd: root,
    timeoutMs: 300_000,
  });
  const path = join(outDir, `Hookguard-${stage}.template.json`);
  return { template: JSON.parse(readFileSync(path, 'utf8')), path };
}

/**
 * Verifier CPU time per single-event request, ms: distinct signed Mailgun posts through `createWebhookProcessor`
 * with in-memory ports (every event new, so every request claims, publishes and completes), warm.
 */
export async function measureVerifierCpuMs(): Promise<number> {
  const signingKey = 'bench-mailgun-signing-key-0123456789abcdef';
  const deps = inMemoryPipelineDeps({ mailgun: [signingKey] });
  const processor = createWebhookProcessor(deps);
  let sequence = 0;
  const fresh = () => {
    const now = new Date();
    const simulated = mailgunSimulator.simulate({
      eventName: 'delivered',
      signingKey,
      now,
      uniqueId: `cost-${sequence++}`,
    });
    return webhookRequest('mailgun', simulated.headers, simulated.body, now);
  };
  let batch = Array.from({ length: REQUESTS_PER_ITERATION }, fresh);
  const result = await measureDurations(
    async () => {
      for (const request of batch) {
        const { response } = await processor(request);
        if (response.statusCode !== 200) throw new Error(`verifier answered ${response.statusCode}`);
      }
    },
    { warmupIterations: WARMUP_ITERATIONS, iterations: ITERATIONS },
    () => {
      batch = Array.from({ length: REQUESTS_PER_ITERATION }, fresh);
    },
  );
  return result.medianMs / REQUESTS_PER_ITERATION;
}

/** What `bench/workers/log-bytes-worker.ts` measures. */
export interface VerifierOutputSizes {
  /** Bytes the verifier writes per request besides its EMF metric lines. */
  readonly bytesPerRequest: number;
  /** Bytes of one EMF metrics line (one provider and outcome). */
  readonly metricsLineBytes: number;
  /** One metrics line. */
  readonly sample: string;
  /** Bytes of one published event in the envelope EventBridge delivers and archives. */
  readonly eventBytes: number;
  /** One such event. */
  readonly eventSample: string;
}

/**
 * What the verifier Lambda handler writes per single-event request and the size of the event it publishes, measured
 * by `bench/workers/log-bytes-worker.ts` (bundled like the Lambda, run in its own process): distinct accepted
 * Mailgun posts through the real handler with the production Powertools logger and metrics.
 */
export async function measureVerifierLogBytes(requests = 200): Promise<VerifierOutputSizes> {
  const outDir = scratchDir(REPO_ROOT, 'log-bytes');
  const worker = await buildBundle(
    REPO_ROOT,
    join(REPO_ROOT, 'bench', 'workers', 'log-bytes-worker.ts'),
    outDir,
    'log-bytes-worker',
    'stack',
  );
  // The SDK's one-off "Node 20 support ends" warning is this machine's, not the Lambdas' (Node 24).
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const result = await runChild(process.execPath, [worker.file, String(requests)], { env, timeoutMs: 120_000 });
  return lastJsonLine<VerifierOutputSizes>(result.stdout);
}

/** Authorizer CPU time per decision with warm caches, ms. */
export async function measureAuthorizerCpuMs(): Promise<number> {
  const { handler, event } = await warmDecider([CURRENT]);
  const measured = await measureOps(
    { name: 'authorizer', async: true, call: () => handler(event as never) },
    { runs: 5, runMs: 300 },
  );
  return 1000 / measured.opsPerSecond;
}

/** Formats a breakdown as text lines (for the terminal). */
export function describeBreakdown(facts: TemplateFacts, inputs: CostInputs, breakdown: CostBreakdown): string[] {
  const usd = (value: number) => `$${value.toFixed(2)}`;
  const perMillion = (value: number) => usd((value / inputs.requestsPerMonth) * 1e6);
  const sampling = facts.traceSampling
    ? `stage rule ${facts.traceSampling.reservoirPerSecond}/s then ${facts.traceSampling.fixedRate * 100} %`
    : 'default rule';
  const wafLog = facts.wafLogging ? (facts.wafLogFilter ? 'blocked and counted only' : 'every request') : 'off';
  return [
    `Volume: ${inputs.requestsPerMonth.toLocaleString('en-US')} requests/month, ${inputs.eventsPerRequest} event(s) each, ` +
      `${(inputs.retryFraction * 100).toFixed(1)} % retries`,
    `Template: verifier ${facts.verifierMemoryMb} MB, authorizer ${facts.authorizerMemoryMb} MB, WAF ${facts.wafAcls} ACL / ` +
      `${facts.wafRules} rules, ${facts.secrets} secrets, ${facts.kmsKeys} KMS key(s), authorizer TTL ${facts.authorizerCacheTtlSeconds} s, ` +
      `secret cache ${facts.secretCacheTtlSeconds} s, tracing ${facts.tracing ? 'on' : 'off'} (${sampling}), ` +
      `WAF log ${wafLog}, detailed metrics ` +
      `${facts.detailedMetrics ? 'on' : 'off'}, archive ${facts.archive ? 'on' : 'off'}, ${facts.routes} route(s)`,
    `Durations: verifier CPU ${inputs.verifierCpuMs.toFixed(3)} ms/request (measured on one core), billed ` +
      `${breakdown.verifierBilledMs} ms; authorizer CPU ${inputs.authorizerCpuMs.toFixed(4)} ms; DynamoDB write ` +
      `${inputs.dynamoDbWriteMs} ms, PutEvents ${inputs.putEventsMs} ms (assumed)`,
    '',
    ...breakdown.lines.map(
      (line) =>
        `${line.service.padEnd(16)} ${line.item.padEnd(90)} ${usd(line.monthlyUsd).padStart(10)}/month ` +
        `${perMillion(line.monthlyUsd).padStart(8)}/M  [${line.kind}; ${line.basis}; ${line.source}]`,
    ),
    '',
    `Total ${usd(breakdown.monthlyUsd)}/month = ${usd(breakdown.perMillionUsd)} per million requests all-in ` +
      `(variable part ${usd(breakdown.variablePerMillionUsd)}/M at any volume; floor ${usd(breakdown.floorPerMillionUsd)}/M)`,
  ];
}

const FLAGS: Readonly<Record<string, { key: keyof CostInputs; help: string }>> = {
  '--requests': { key: 'requestsPerMonth', help: 'webhook requests per month (default 10,000,000)' },
  '--events-per-request': { key: 'eventsPerRequest', help: 'events per request (default 1)' },
  '--retry-fraction': { key: 'retryFraction', help: 'share of requests that re-post published events (default 0)' },
  '--verifier-cpu-ms': { key: 'verifierCpuMs', help: 'verifier CPU ms per event on one vCPU (default: measured)' },
  '--authorizer-cpu-ms': { key: 'authorizerCpuMs', help: 'authorizer CPU ms per decision (default: measured)' },
  '--cold-init-ms': { key: 'coldInitCpuMs', help: 'init CPU ms of a cold start on one vCPU (default 60)' },
  '--cold-start-fraction': { key: 'coldStartFraction', help: 'share of cold invocations (default 0.001)' },
  '--dynamodb-ms': { key: 'dynamoDbWriteMs', help: 'DynamoDB write round trip, ms (default 6)' },
  '--put-events-ms': { key: 'putEventsMs', help: 'EventBridge PutEvents round trip, ms (default 20)' },
  '--accepted-credentials': { key: 'acceptedCredentials', help: 'Authorization headers in use (default 1)' },
  '--peak-factor': { key: 'peakFactor', help: 'peak / average traffic (default 3)' },
  '--waf-log-bytes': { key: 'wafLogBytes', help: 'bytes per WAF log record (default 2000)' },
  '--waf-logged-fraction': {
    key: 'wafLoggedFraction',
    help: 'share of requests WAF blocks or counts, logged when the template filters the WAF log (default 0.01)',
  },
  '--verifier-log-bytes': {
    key: 'verifierLogBytes',
    help: 'bytes the verifier logs per request besides metrics (default: measured)',
  },
  '--metrics-line-bytes': { key: 'metricsLineBytes', help: "bytes of one of the verifier's EMF lines (default: measured)" },
  '--metrics-aggregate-seconds': {
    key: 'metricsAggregateSeconds',
    help: 'seconds a warm verifier sums metric counts, 0 for a line per request (default 10)',
  },
  '--active-providers': { key: 'activeProviders', help: 'providers sending traffic, for custom metrics (default 3)' },
  '--canary-minutes': { key: 'canaryIntervalMinutes', help: 'minutes between scheduled canaries, 0 for none (default 5)' },
  '--event-bytes': { key: 'eventBytes', help: 'bytes per archived event (default: measured)' },
  '--route-match-fraction': { key: 'routeMatchFraction', help: 'share of events a route delivers (default 0.03)' },
};

interface CliOptions {
  readonly inputs: Partial<CostInputs>;
  readonly template?: string;
  readonly stage: string;
  readonly help: boolean;
}

function parseCli(argv: readonly string[]): CliOptions {
  const inputs: Record<string, unknown> = {};
  let template: string | undefined;
  let stage = 'dev';
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--no-logs') inputs.includeLogs = false;
    else if (arg === '--template') template = argv[++i];
    else if (arg === '--stage') stage = argv[++i] ?? stage;
    else {
      const flag = FLAGS[arg];
      const value = Number(
        String(argv[++i] ?? '')
          .replaceAll('_', '')
          .replaceAll(',', ''),
      );
      if (!flag) throw new Error(`Unknown option ${arg} (see --help)`);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${arg} needs a non-negative number`);
      inputs[flag.key] = value;
    }
  }
  return { inputs: inputs as Partial<CostInputs>, ...(template ? { template } : {}), stage, help };
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  if (options.help) {
    console.log('Usage: npx tsx bench/cost-model.ts [options]\n');
    console.log('  --template PATH            a synthesized stack template (default: synthesize the app now)');
    console.log('  --stage NAME               stage whose template to read (default dev)');
    console.log('  --no-logs                  leave CloudWatch Logs ingestion out');
    for (const [flag, { help }] of Object.entries(FLAGS)) console.log(`  ${`${flag} N`.padEnd(26)} ${help}`);
    return;
  }
  const { template } = options.template
    ? { template: JSON.parse(readFileSync(options.template, 'utf8')) as unknown }
    : await synthesizeTemplate(REPO_ROOT, options.stage);
  const facts = readTemplateFacts(template);
  const verifierCpuMs = options.inputs.verifierCpuMs ?? (await measureVerifierCpuMs());
  const authorizerCpuMs = options.inputs.authorizerCpuMs ?? (await measureAuthorizerCpuMs());
  const needsSizes = [options.inputs.verifierLogBytes, options.inputs.metricsLineBytes, options.inputs.eventBytes].some(
    (value) => value === undefined,
  );
  const sizes = needsSizes ? await measureVerifierLogBytes() : undefined;
  const inputs: CostInputs = {
    ...DEFAULT_INPUTS,
    ...(sizes
      ? { verifierLogBytes: sizes.bytesPerRequest, metricsLineBytes: sizes.metricsLineBytes, eventBytes: sizes.eventBytes }
      : {}),
    ...options.inputs,
    verifierCpuMs,
    authorizerCpuMs,
  };
  for (const line of describeBreakdown(facts, inputs, computeCost(facts, inputs))) console.log(line);
  console.log('');
  for (const volume of [1e6, 1e7, 1e8]) {
    const at = computeCost(facts, { ...inputs, requestsPerMonth: volume });
    console.log(`At ${formatNumber(volume)} requests/month: $${at.perMillionUsd.toFixed(2)} per million all-in`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
