/**
 * The scheduled canary function: every `monitoring.canary.intervalMinutes` EventBridge Scheduler invokes it; it runs
 * one canary through the stage's public URL (`core/scheduled-canary.ts`) and, when the canary's events arrived,
 * writes `CanaryDelivered` and `CanaryLatency` as one embedded-metric-format line. A failed run writes no metric (the
 * canary alarm reads the missing `CanaryDelivered` as the failure) and one log line saying which step failed. It
 * never throws for a failure of the stage: the next scheduled run is the retry.
 *
 * The request is the smoke command's canary (`src/smoke/canary-request.ts`): the provider's own request built by its
 * simulator, signed with the stage's signing key, with the current Basic credential and the canary mark.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PowertoolsLogger } from '../adapters/powertools-logger';
import { parseSigningKeysSecret } from '../adapters/secrets-manager-signing-keys';
import { parseBasicCredentialSecret } from '../core/basic-auth';
import { SCHEDULED_CANARY_RECIPIENT } from '../core/canary';
import { METRICS_NAMESPACE } from '../core/metrics';
import { isProviderId } from '../core/provider-ids';
import {
  type CanaryHttpAnswer,
  type CanaryQueueMessage,
  type CanaryQueuePort,
  canaryMetricsRecord,
  runScheduledCanary,
  type ScheduledCanaryDeps,
  type ScheduledCanaryResult,
} from '../core/scheduled-canary';
import type { ProviderSettings } from '../core/settings';
import type { Logger } from '../ports';
import { PROVIDERS } from '../providers';
import { buildCanaryRequest } from '../../src/smoke/canary-request';
import { parsePathTokenSecret } from '../core/webhook-path';
import { CANARY_SIMULATORS } from './simulators';

/** What the handler needs; tests pass fakes, the Lambda {@link defaultDeps}. */
export interface CanaryHandlerDeps {
  readonly canary: ScheduledCanaryDeps;
  readonly stage: string;
  readonly provider: string;
  readonly logger: Logger;
  /** Where the EMF line goes (stdout: Lambda sends it to CloudWatch Logs, which extracts the metrics). */
  readonly write: (line: string) => void;
}

/**
 * Creates the handler; `deps` may be a factory, called on the first invocation (so importing needs no environment).
 *
 * @example
 * export const handler = createHandler(() => defaultDeps());
 */
export function createHandler(deps: CanaryHandlerDeps | (() => CanaryHandlerDeps)) {
  let resolved: CanaryHandlerDeps | null = typeof deps === 'function' ? null : deps;
  return async function runCanary(): Promise<ScheduledCanaryResult> {
    resolved ??= (deps as () => CanaryHandlerDeps)();
    const { stage, provider, logger } = resolved;
    const result = await runScheduledCanary(resolved.canary);
    if (result.delivered) {
      resolved.write(JSON.stringify(canaryMetricsRecord(result, stage, resolved.canary.now(), METRICS_NAMESPACE)));
      logger.info('Canary delivered', {
        provider,
        runId: result.runId,
        latencyMs: result.latencyMs,
        events: result.events,
        lateArrivals: result.lateArrivals,
      });
    } else {
      logger.error('Canary not delivered', {
        provider,
        runId: result.runId,
        step: result.step,
        reason: result.reason,
        ...(result.status === undefined ? {} : { status: result.status }),
        lateArrivals: result.lateArrivals,
      });
    }
    return result;
  };
}

/** The canary queue over SQS: long polling, and batch deletes. */
export class SqsCanaryQueue implements CanaryQueuePort {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async receive(waitSeconds: number): Promise<readonly CanaryQueueMessage[]> {
    const received = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 10,
        // Long polling asks every SQS server and answers as soon as a message is there; short polling (0) samples a
        // subset and can miss a message that is there (SQS Developer Guide, "Amazon SQS short and long polling").
        WaitTimeSeconds: waitSeconds,
        // Long enough for this run to delete what it read; the queue has no other reader.
        VisibilityTimeout: 60,
      }),
    );
    return (received.Messages ?? []).flatMap((message) =>
      message.ReceiptHandle === undefined ? [] : [{ receiptHandle: message.ReceiptHandle, body: message.Body ?? '' }],
    );
  }

  async remove(receiptHandles: readonly string[]): Promise<void> {
    for (let index = 0; index < receiptHandles.length; index += 10) {
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: receiptHandles.slice(index, index + 10).map((handle, position) => ({ Id: String(position), ReceiptHandle: handle })),
        }),
      );
    }
  }
}

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

/**
 * The Lambda's dependencies from its environment: `HOOKGUARD_STAGE`, `CANARY_BASE_URL`, `CANARY_PROVIDER`,
 * `CANARY_PROVIDER_SETTINGS` (the provider's runtime settings, JSON), `CREDENTIALS_SECRET_ARN`, `CANARY_QUEUE_URL`,
 * `CANARY_WAIT_SECONDS`, `SIGNING_KEYS_SECRET_ARN` when the provider's requests are signed, and
 * `PATH_TOKEN_SECRET_ARN` when the stage has a path token.
 */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): CanaryHandlerDeps {
  const stage = requireEnv(env, 'HOOKGUARD_STAGE');
  const provider = requireEnv(env, 'CANARY_PROVIDER');
  if (!isProviderId(provider)) throw new Error(`CANARY_PROVIDER is not a provider id: ${provider.slice(0, 40)}`);
  const module = PROVIDERS.get(provider);
  const simulator = CANARY_SIMULATORS.get(provider);
  if (module === undefined || simulator === undefined) throw new Error(`The canary cannot post as ${provider} (no module or simulator)`);
  const settings = JSON.parse(requireEnv(env, 'CANARY_PROVIDER_SETTINGS')) as ProviderSettings;
  const credentialsSecretArn = requireEnv(env, 'CREDENTIALS_SECRET_ARN');
  const signingKeysSecretArn = env.SIGNING_KEYS_SECRET_ARN;
  const pathTokenSecretArn = env.PATH_TOKEN_SECRET_ARN || undefined;
  const waitSeconds = Number(requireEnv(env, 'CANARY_WAIT_SECONDS'));
  if (!Number.isFinite(waitSeconds) || waitSeconds < 1) throw new Error('CANARY_WAIT_SECONDS must be a number of seconds');
  const secrets = new SecretsManagerClient({});
  const sqs = new SQSClient({});
  const signs = module.verify !== undefined && settings.auth !== 'basic';

  const secretString = async (secretId: string) => {
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
    return value.SecretString;
  };
  return {
    stage,
    provider,
    logger: new PowertoolsLogger({ serviceName: 'hookguard-canary', fields: { stage } }),
    write: (line) => process.stdout.write(`${line}\n`),
    canary: {
      baseUrl: requireEnv(env, 'CANARY_BASE_URL').replace(/\/+$/, ''),
      async buildRequest(runId, now) {
        const credential = parseBasicCredentialSecret(await secretString(credentialsSecretArn));
        if (credential === null) throw new Error('The credential secret does not hold {"username","password"}');
        let signingKey: string | undefined;
        if (signs) {
          if (signingKeysSecretArn === undefined) throw new Error('SIGNING_KEYS_SECRET_ARN is not set');
          signingKey = parseSigningKeysSecret((await secretString(signingKeysSecretArn)) ?? '{}')[provider]?.[0];
          if (signingKey === undefined) {
            throw new Error(`The signing keys secret has no key for ${provider}: add it (its requests fail too)`);
          }
        }
        // The stage's path token, read like the credential so a new generation is followed without a redeploy of
        // this function; fail closed rather than post to a path the gateway answers 404 (docs/path-token.md).
        let pathToken: string | null = null;
        if (pathTokenSecretArn !== undefined) {
          pathToken = parsePathTokenSecret((await secretString(pathTokenSecretArn)) ?? '');
          if (pathToken === null) throw new Error('The path-token secret holds no valid token');
        }
        return buildCanaryRequest({
          module,
          pathToken,
          simulator,
          settings,
          credential,
          now,
          runId,
          recipient: SCHEDULED_CANARY_RECIPIENT,
          ...(signingKey === undefined ? {} : { signingKey }),
        });
      },
      async post(url, init): Promise<CanaryHttpAnswer> {
        // API Gateway gives up on an integration after 29 s: no answer takes longer.
        const response = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, signal: AbortSignal.timeout(30_000) });
        return { status: response.status, body: await response.text() };
      },
      queue: new SqsCanaryQueue(sqs, requireEnv(env, 'CANARY_QUEUE_URL')),
      monotonicMs: () => performance.now(),
      now: () => new Date(),
      runId: () => `scheduled-${randomUUID()}`,
      waitMs: waitSeconds * 1000,
    },
  };
}

/** The Lambda entry point. */
export const handler = createHandler(() => defaultDeps());
