/**
 * `hookguard smoke`: proves a stage works, end to end, the way providers will use it. For every enabled provider:
 * the perimeter (no credentials, wrong credentials, the credential reaching the verifier, a wrong method, an unknown
 * path, the URL check, a body over the limit), a wrong signature, and a canary event that must reach the bus exactly
 * once, then a re-post that must count as a duplicate. Canaries are marked (`lambda/core/canary.ts`), so they never
 * reach a route; they are read back from the local events file, or from the stack's canary queue with `--deployed`.
 *
 * One line per provider and check; exit code 0 only when no check failed. A check that cannot be made (SendGrid and
 * Postal sign with a private key only they hold; only Amazon SNS signs Amazon SES notifications) is reported as
 * "not checked" with the reason, never as passed.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import { CANARY_SOURCE } from '../../lambda/core/canary';
import { WWW_AUTHENTICATE } from '../../lambda/core/http';
import { type ProviderId, URL_CHECK_METHODS } from '../../lambda/core/provider-ids';
import type { ProviderSettings } from '../../lambda/core/settings';
import { webhookPath } from '../../lambda/core/webhook-path';
import type { ProviderModule } from '../../lambda/providers/types';
import { placeholderFindings } from '../../lib/ops/placeholders';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions } from '../local/options';
import { parseCredential } from '../local/secrets-file';
import { SES_SIMULATOR_PRIVATE_KEY_PEM } from '../simulate/amazon-ses-test-keys';
import { SIMULATORS } from '../simulate';
import { buildCanaryRequest, type CanaryRequest, canaryEventKey } from '../smoke/canary-request';
import {
  type CliDeps,
  type CliIo,
  defaultDeployedAws,
  loadStage,
  localBaseUrl,
  localPathToken,
  readLocalSecrets,
} from './cli-context';
import {
  type AwsTarget,
  awsClientConfig,
  awsTarget,
  DEPLOYED_OPTIONS,
  DEPLOYED_OPTIONS_HELP,
  JSON_OPTION,
  JSON_OPTION_HELP,
  printJson,
  styleFor,
} from './command-kit';
import {
  currentDeployedCredential,
  DeployedStackError,
  deployedPathToken,
  describeDeployedStack,
} from './deployed-stack';

/** `hookguard smoke --help`. */
export const SMOKE_USAGE = [
  'Usage: npx hookguard smoke [--deployed --stage <s>] [--json] [options]',
  '',
  'Checks every enabled provider end to end: perimeter answers, a wrong signature, and a canary event that must',
  'reach the bus exactly once (and a re-post that must be a duplicate). Canary events never reach your routes.',
  'Without --deployed it checks the local runtime (npm start); with --deployed the stack Hookguard-<stage>, with',
  'your AWS credentials (README: "smoke --deployed permissions"). Exit code 0 only when no check failed.',
  '',
  'Options:',
  '  --wait <seconds>    how long to wait for canaries to arrive (default 2 locally, 30 deployed)',
  '  --events <file>     the local runtime\'s events file (default <data-dir>/events.jsonl)',
  JSON_OPTION_HELP.replace('print JSON (one document per line) for scripts', 'one JSON document with every result'),
  ...DEPLOYED_OPTIONS_HELP,
  ...COMMON_OPTIONS_HELP,
].join('\n');

/** Outcome of one check: passed, failed, or not checked (with the reason). */
export type SmokeStatus = 'pass' | 'fail' | 'skip';

/** One line of the report. */
export interface SmokeResult {
  /** The provider, or `stage` for checks about the whole stage (placeholders without a provider). */
  readonly provider: ProviderId | 'stage';
  readonly check: string;
  readonly status: SmokeStatus;
  readonly detail: string;
}

/** One canary envelope as it arrives on the bus (local events file or the canary queue). */
export interface CanaryEnvelope {
  readonly id: string;
  readonly source: string;
  readonly detail: { readonly provider?: string; readonly eventId?: string; readonly recipient?: string | null };
}

/** Where canaries are read back from. */
export interface CanarySink {
  /**
   * Every canary envelope seen so far (cumulative), waiting up to `waitMs` for all of `keys` (`eventId#recipient`)
   * to show up.
   */
  collect(keys: readonly string[], waitMs: number): Promise<readonly CanaryEnvelope[]>;
  /** Releases what the sink holds (deletes read queue messages). */
  close(): Promise<void>;
}

/** Dependencies of `smoke`: the CLI's, plus the SQS client of the canary queue (tests pass a mocked one). */
export interface SmokeDeps extends CliDeps {
  /** @default a new SQSClient for the target */
  readonly sqs?: (target: AwsTarget) => SQSClient;
}

/** The stage's signing key for a provider, or why there is none usable. */
type KeyLookup = { readonly key?: string; readonly cannot?: string };

/** What the checks run against. */
interface SmokeTarget {
  readonly mode: 'local' | 'deployed';
  /** Base URL without a trailing slash. */
  readonly baseUrl: string;
  /** The stage's path token (docs/path-token.md): webhooks at `/webhooks/<token>/<provider>`; null without one. */
  readonly pathToken: string | null;
  readonly credential: { readonly username: string; readonly password: string };
  signingKey(provider: ProviderId, module: ProviderModule): KeyLookup;
  readonly sink: CanarySink;
}

const SMOKE_OPTIONS = {
  ...COMMON_OPTIONS,
  ...DEPLOYED_OPTIONS,
  ...JSON_OPTION,
  wait: { type: 'string' },
  events: { type: 'string' },
} as const;

/** Runs `smoke`; resolves the exit code (0: no check failed). */
export async function runSmokeCommand(argv: readonly string[], io: CliIo, deps: SmokeDeps): Promise<number> {
  const { values } = parseCommandLine(argv, SMOKE_OPTIONS, false);
  if (values.help) {
    io.out(SMOKE_USAGE);
    return 0;
  }
  const options = resolveCommonOptions(values, io.env);
  const { stage, settings, providers } = loadStage(options, deps);
  const waitMs = (values.wait === undefined ? (values.deployed ? 30 : 2) : Number(values.wait)) * 1000;
  if (!Number.isFinite(waitMs) || waitMs < 0) throw new Error(`--wait must be a number of seconds, got "${values.wait}"`);

  const results: SmokeResult[] = [];
  let target: SmokeTarget;
  if (values.deployed) {
    const aws = await awsTarget(values, stage, io.env);
    const deployed = (deps.aws ?? defaultDeployedAws)(aws);
    const stack = await describeDeployedStack(deployed.stackOutputs, stage.stage);
    const outputs = await deployed.stackOutputs.outputs(stack.stackName);
    const credential = await currentDeployedCredential(deployed.secretValues, stack);
    const pathToken = await deployedPathToken(deployed.secretValues, stack);
    let signingKeys: Record<string, unknown> = {};
    let keysProblem: string | undefined;
    try {
      signingKeys = JSON.parse(await deployed.secretValues.currentValue(outputs.SigningKeysSecretArn ?? '')) as Record<
        string,
        unknown
      >;
    } catch (error) {
      keysProblem = `the signing keys secret could not be read (${error instanceof Error ? error.message : 'unknown'})`;
    }
    for (const finding of placeholderFindings(stage)) {
      const provider = /^providers\.([a-z-]+)\./.exec(finding.path)?.[1] as ProviderId | undefined;
      results.push({
        provider: provider ?? 'stage',
        check: 'placeholder',
        status: 'fail',
        detail: `${finding.path} = ${finding.value}: ${finding.problem}`,
      });
    }
    const queueUrl = outputs.CanaryQueueUrl;
    const sqs = (deps.sqs ?? ((t: AwsTarget) => new SQSClient(awsClientConfig(t))))(aws);
    target = {
      mode: 'deployed',
      baseUrl: stack.apiUrl.replace(/\/+$/, ''),
      pathToken,
      credential,
      sink:
        queueUrl === undefined || queueUrl === 'none'
          ? missingQueueSink(stack.stackName)
          : new QueueCanarySink(sqs, queueUrl),
      signingKey(provider) {
        if (provider === 'sendgrid' || provider === 'postal') {
          return {
            cannot: `${provider === 'sendgrid' ? 'SendGrid' : 'Postal'} signs with a private key only it holds (the signing keys secret has the public key)`,
          };
        }
        if (provider === 'amazon-ses') {
          return { cannot: 'only Amazon SNS can sign an Amazon SES notification (certificates served by sns.<region>.amazonaws.com)' };
        }
        if (keysProblem !== undefined) return { cannot: keysProblem };
        const keys = signingKeys[provider];
        const key = Array.isArray(keys) && typeof keys[0] === 'string' ? keys[0] : undefined;
        return key === undefined ? {} : { key };
      },
    };
  } else {
    const secrets = await readLocalSecrets(options.secretsPath);
    const credential = parseCredential(secrets.basicAuth.current);
    if (credential === null) throw new Error(`${options.secretsPath}: basicAuth.current is not "user:password"`);
    target = {
      mode: 'local',
      baseUrl: localBaseUrl(options.port),
      pathToken: localPathToken(stage, secrets, options.secretsPath),
      credential,
      sink: new EventsFileCanarySink(values.events ?? join(options.dataDir, 'events.jsonl')),
      signingKey(provider) {
        if (provider === 'amazon-ses') return { key: SES_SIMULATOR_PRIVATE_KEY_PEM };
        const entry = secrets.providers[provider];
        const key = entry?.simulationKey ?? entry?.signingKeys[0];
        return key === undefined ? {} : { key };
      },
    };
  }

  const fetcher = deps.fetch ?? fetch;
  const now = deps.now ?? (() => new Date());
  const runId = randomUUID();
  try {
    for (const provider of Object.keys(settings.providers) as ProviderId[]) {
      const providerSettings = settings.providers[provider];
      const module = providers.get(provider);
      const simulator = SIMULATORS.get(provider);
      if (providerSettings === undefined || module === undefined || simulator === undefined) continue;
      await checkProvider({ provider, module, simulator, settings: providerSettings, target, fetcher, now, runId, waitMs }, results);
    }
  } finally {
    await target.sink.close();
  }
  report(io, results, values.json === true, `${target.mode === 'local' ? 'local runtime' : 'stack'} ${target.baseUrl}`, stage.stage);
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}

interface ProviderCheck {
  readonly provider: ProviderId;
  readonly module: ProviderModule;
  readonly simulator: NonNullable<ReturnType<typeof SIMULATORS.get>>;
  readonly settings: ProviderSettings;
  readonly target: SmokeTarget;
  readonly fetcher: typeof fetch;
  readonly now: () => Date;
  readonly runId: string;
  readonly waitMs: number;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly code?: string;
  readonly json: unknown;
}

async function send(
  check: ProviderCheck,
  path: string,
  init: { method: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<Answer> {
  const response = await check.fetcher(`${check.target.baseUrl}${path}`, {
    method: init.method,
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const code = (json as { error?: { code?: unknown } } | undefined)?.error?.code;
  return { status: response.status, headers: response.headers, json, ...(typeof code === 'string' ? { code } : {}) };
}

const describe = (answer: Answer) => `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;

/** Every check of one provider, appended to `results` in order. */
async function checkProvider(check: ProviderCheck, results: SmokeResult[]): Promise<void> {
  const { provider, module, settings, target } = check;
  const add = (name: string, status: SmokeStatus, detail: string) =>
    results.push({ provider, check: name, status, detail });
  const attempt = async (name: string, run: () => Promise<[SmokeStatus, string]>) => {
    try {
      const [status, detail] = await run();
      add(name, status, detail);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      add(name, 'fail', `request failed (${cause ?? (error as Error).message})${target.mode === 'local' ? ': is npm start running?' : ''}`);
    }
  };
  const path = webhookPath(provider, target.pathToken);
  const contentType = module.contentTypes[0] ?? 'application/json';
  const authorization = basicAuthorizationHeader(target.credential);
  const basicRoute = settings.auth !== 'signature';

  if (basicRoute) {
    await attempt('no-credentials', async () => {
      const answer = await send(check, path, { method: 'POST', headers: { 'content-type': contentType }, body: '[' });
      const challenge = answer.headers.get('www-authenticate');
      return answer.status === 401 && challenge === WWW_AUTHENTICATE
        ? ['pass', `401 with WWW-Authenticate: ${challenge}`]
        : ['fail', `expected 401 with WWW-Authenticate: ${WWW_AUTHENTICATE}, got ${describe(answer)} (${challenge ?? 'no challenge'})`];
    });
    await attempt('wrong-credentials', async () => {
      const wrong = basicAuthorizationHeader({ ...target.credential, password: `${target.credential.password}x` });
      const answer = await send(check, path, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: wrong },
        body: '[',
      });
      return answer.status === 401 ? ['pass', describe(answer)] : ['fail', `expected 401, got ${describe(answer)}`];
    });
    await attempt('credential-reaches-verifier', async () => {
      // A body that can never be accepted: the answer must come from the verifier, not the authorizer or the WAF.
      const answer = await send(check, path, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization },
        body: '[',
      });
      return answer.code === 'invalid_signature' || answer.code === 'invalid_payload'
        ? ['pass', `the verifier answered ${describe(answer)}`]
        : ['fail', `expected the verifier's 401 invalid_signature or 400 invalid_payload, got ${describe(answer)}`];
    });
  } else {
    for (const name of ['no-credentials', 'wrong-credentials', 'credential-reaches-verifier']) {
      add(name, 'skip', 'not checked, because the route is configured with auth "signature" (no Basic authorizer)');
    }
  }

  await attempt('wrong-method', async () => {
    const answer = await send(check, path, { method: 'PUT', headers: { authorization } });
    const allow = answer.headers.get('allow') ?? '';
    return answer.status === 405 && answer.code === 'method_not_allowed' && allow.split(/,\s*/).includes('POST')
      ? ['pass', `405 JSON, Allow: ${allow}`]
      : ['fail', `expected 405 method_not_allowed with Allow: POST, got ${describe(answer)} (Allow: ${allow || 'none'})`];
  });
  await attempt('unknown-path', async () => {
    const answer = await send(check, `${path}/hookguard-smoke-unknown`, { method: 'POST', headers: { authorization } });
    return answer.status === 404 && answer.code === 'not_found'
      ? ['pass', '404 JSON']
      : ['fail', `expected 404 not_found, got ${describe(answer)}`];
  });
  if (target.pathToken !== null) {
    // The guessable path must stop at the gateway (docs/path-token.md): 404, with the credential the providers use.
    await attempt('tokenless-path', async () => {
      const answer = await send(check, webhookPath(provider), {
        method: 'POST',
        headers: { 'content-type': contentType, authorization },
        body: '[',
      });
      return answer.status === 404 && answer.code === 'not_found'
        ? ['pass', `404 JSON at ${webhookPath(provider)}`]
        : ['fail', `expected 404 not_found at ${webhookPath(provider)} (the stage has a path token), got ${describe(answer)}`];
    });
  }
  const urlCheck = URL_CHECK_METHODS[provider];
  if (urlCheck !== undefined) {
    await attempt('url-check', async () => {
      const answer = await send(check, path, { method: urlCheck });
      return answer.status === 200
        ? ['pass', `${urlCheck} answered 200`]
        : ['fail', `expected ${urlCheck} to answer 200, got ${describe(answer)}`];
    });
  }
  await attempt('body-limit', async () => {
    const answer = await send(check, path, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization },
      body: Buffer.alloc(settings.maxBodyBytes + 1, 0x20),
    });
    return answer.status === 413
      ? ['pass', `413 for ${settings.maxBodyBytes + 1} bytes`]
      : ['fail', `expected 413 above ${settings.maxBodyBytes} bytes, got ${describe(answer)}`];
  });

  const key = target.signingKey(provider, module);
  const signs = module.verify !== undefined && settings.auth !== 'basic';
  if (!signs) {
    add(
      'wrong-signature',
      'skip',
      module.verify === undefined
        ? `not checked, because ${module.displayName} does not sign its webhooks`
        : 'not checked, because the route is configured with auth "basic" (signatures not verified)',
    );
  } else {
    await attempt('wrong-signature', async () => {
      const wrongKey = wrongKeyFor(check, key.key);
      if (wrongKey === undefined) return ['skip', 'not checked, because the stage has no signing key for it to alter'];
      const request = await buildCanaryRequest({ ...canaryInput(check), signingKey: wrongKey, unmarked: true });
      const answer = await send(check, request.path, { method: 'POST', headers: { ...request.headers }, body: request.body });
      return answer.status === 401 && answer.code === 'invalid_signature'
        ? ['pass', '401 invalid_signature']
        : ['fail', `expected 401 invalid_signature, got ${describe(answer)}`];
    });
  }

  if (signs && key.cannot !== undefined) {
    add('canary', 'skip', `not checked, because ${key.cannot}`);
    add('duplicate', 'skip', 'not checked, because the canary could not be sent');
    return;
  }
  if (signs && key.key === undefined) {
    add('canary', 'fail', 'no signing key for it in the stage (the verifier answers 500 misconfigured): add it');
    add('duplicate', 'skip', 'not checked, because the canary could not be sent');
    return;
  }
  let canary: CanaryRequest | undefined;
  await attempt('canary', async () => {
    canary = await buildCanaryRequest({ ...canaryInput(check), ...(key.key === undefined ? {} : { signingKey: key.key }) });
    const answer = await send(check, canary.path, { method: 'POST', headers: { ...canary.headers }, body: canary.body });
    const published = (answer.json as { published?: unknown } | undefined)?.published;
    if (answer.status !== 200 || published !== canary.events.length) {
      return ['fail', `expected 200 with ${canary.events.length} published, got ${describe(answer)}`];
    }
    return deliveredOnce(target.sink, canary, check.waitMs, 'reached the bus exactly once');
  });
  if (canary === undefined) return;
  const sent = canary;
  await attempt('duplicate', async () => {
    const answer = await send(check, sent.path, { method: 'POST', headers: { ...sent.headers }, body: sent.body });
    const body = answer.json as { published?: unknown; duplicates?: unknown } | undefined;
    if (answer.status !== 200 || body?.published !== 0 || body.duplicates !== sent.events.length) {
      return ['fail', `expected 200 with 0 published and ${sent.events.length} duplicates, got ${describe(answer)}`];
    }
    return deliveredOnce(target.sink, sent, Math.min(check.waitMs, 3000), 'counted as a duplicate; still once on the bus');
  });
}

function canaryInput(check: ProviderCheck) {
  return {
    module: check.module,
    simulator: check.simulator,
    settings: check.settings,
    credential: check.target.credential,
    pathToken: check.target.pathToken,
    now: check.now(),
    runId: check.runId,
  };
}

/** A key that signs in the provider's format but is not the stage's: a fresh key pair, or the key with one change. */
function wrongKeyFor(check: ProviderCheck, key: string | undefined): string | undefined {
  if (check.simulator.generateKeyPair) return check.simulator.generateKeyPair().simulationKey;
  if (check.provider === 'amazon-ses') {
    return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
  if (key === undefined || key.length === 0) return undefined;
  // Change one character in the middle to another of its class (digit, a-f, other letter): the key keeps its
  // format (hex, base64, whsec_...) and signs differently.
  const index = Math.floor(key.length / 2);
  const char = key[index] as string;
  let other: string;
  if (/[0-8]/.test(char)) other = String(Number(char) + 1);
  else if (char === '9') other = '0';
  else if (/[a-e]/.test(char)) other = String.fromCharCode(char.charCodeAt(0) + 1);
  else if (char === 'f') other = 'a';
  else if (/[g-y]/.test(char)) other = String.fromCharCode(char.charCodeAt(0) + 1);
  else if (/[A-Y]/.test(char)) other = String.fromCharCode(char.charCodeAt(0) + 1);
  else if (char === 'Z') other = 'A';
  else other = char === 'z' ? 'y' : 'A';
  return `${key.slice(0, index)}${other}${key.slice(index + 1)}`;
}

/** The key of an envelope's event (`provider#eventId#recipient`). */
function keyOf(envelope: CanaryEnvelope): string {
  const detail = envelope.detail ?? {};
  return canaryEventKey({
    provider: detail.provider ?? '',
    eventId: detail.eventId ?? '',
    recipient: detail.recipient ?? null,
  });
}

/** Each expected canary event on the bus exactly once (distinct envelopes), or the failure. */
async function deliveredOnce(
  sink: CanarySink,
  canary: CanaryRequest,
  waitMs: number,
  passed: string,
): Promise<[SmokeStatus, string]> {
  const keys = canary.events.map(canaryEventKey);
  const envelopes = await sink.collect(keys, waitMs);
  const copies = new Map<string, Set<string>>(keys.map((key) => [key, new Set()]));
  for (const envelope of envelopes) {
    if (envelope.source !== CANARY_SOURCE || envelope.detail.eventId === undefined) continue;
    copies.get(keyOf(envelope))?.add(envelope.id);
  }
  const wrong = [...copies].filter(([, ids]) => ids.size !== 1);
  if (wrong.length === 0) return ['pass', `${keys.length} event${keys.length === 1 ? '' : 's'} ${passed}`];
  return [
    'fail',
    wrong
      .map(([key, ids]) => `${key} reached the bus ${ids.size} times${ids.size === 0 ? ` within ${waitMs / 1000} s` : ''}`)
      .join('; '),
  ];
}

/** Local canaries: the local runtime's events file (flushed before it answers). */
class EventsFileCanarySink implements CanarySink {
  constructor(private readonly path: string) {}

  async collect(keys: readonly string[], waitMs: number): Promise<readonly CanaryEnvelope[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const envelopes = await this.read();
      const seen = new Set(
        envelopes.map(keyOf),
      );
      if (keys.every((key) => seen.has(key)) || Date.now() >= deadline) return envelopes;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async read(): Promise<CanaryEnvelope[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return [];
    }
    const envelopes: CanaryEnvelope[] = [];
    for (const line of text.split('\n')) {
      if (!line.includes(CANARY_SOURCE)) continue;
      try {
        const envelope = JSON.parse(line) as CanaryEnvelope;
        if (envelope.source === CANARY_SOURCE) envelopes.push(envelope);
      } catch {
        // A line being written: read again on the next poll.
      }
    }
    return envelopes;
  }

  async close(): Promise<void> {}
}

/** Deployed canaries: the stack's canary queue (a rule sends it canary events and nothing else). */
export class QueueCanarySink implements CanarySink {
  private readonly seen: CanaryEnvelope[] = [];
  private readonly handles: string[] = [];

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async collect(keys: readonly string[], waitMs: number): Promise<readonly CanaryEnvelope[]> {
    const deadline = Date.now() + waitMs;
    do {
      const received = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: Math.max(0, Math.min(5, Math.floor((deadline - Date.now()) / 1000))),
          // Read once: canaries are deleted at the end of the run, and a second run must not see them again.
          VisibilityTimeout: 300,
        }),
      );
      for (const message of received.Messages ?? []) {
        if (message.ReceiptHandle !== undefined) this.handles.push(message.ReceiptHandle);
        try {
          this.seen.push(JSON.parse(message.Body ?? '') as CanaryEnvelope);
        } catch {
          // Not an EventBridge envelope: nothing of ours.
        }
      }
      const seenKeys = new Set(
        this.seen.map(keyOf),
      );
      if (keys.every((key) => seenKeys.has(key)) && (received.Messages ?? []).length === 0) break;
    } while (Date.now() < deadline);
    return this.seen;
  }

  async close(): Promise<void> {
    for (let index = 0; index < this.handles.length; index += 10) {
      const batch = this.handles.slice(index, index + 10);
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((handle, position) => ({ Id: String(position), ReceiptHandle: handle })),
        }),
      );
    }
  }
}

function missingQueueSink(stackName: string): CanarySink {
  return {
    collect: async () => {
      throw new DeployedStackError(`Stack ${stackName} has no CanaryQueueUrl output: deploy this version first`);
    },
    close: async () => undefined,
  };
}

function report(io: CliIo, results: readonly SmokeResult[], json: boolean, target: string, stage: string): void {
  const count = (status: SmokeStatus) => results.filter((result) => result.status === status).length;
  const summary = { passed: count('pass'), failed: count('fail'), notChecked: count('skip') };
  if (json) {
    printJson(io, { stage, target, results, ...summary });
    return;
  }
  const style = styleFor(io);
  const label = { pass: style.green('PASS'), fail: style.red('FAIL'), skip: style.yellow('SKIP') } as const;
  io.out(`Smoke test of stage ${stage} (${target}):`);
  for (const result of results) {
    io.out(`${label[result.status]} ${result.provider.padEnd(17)} ${result.check.padEnd(27)} ${result.detail}`);
  }
  io.out(`${summary.passed} passed, ${summary.failed} failed, ${summary.notChecked} not checked`);
}
