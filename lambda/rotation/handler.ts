/**
 * The Secrets Manager rotation function of the Basic credential secret. Thin: validates the event and runs the
 * step with `core/rotation.ts` over the AWS adapters. A thrown error fails the step; Secrets Manager retries it.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeBus } from '../adapters/eventbridge-bus';
import { PowertoolsLogger } from '../adapters/powertools-logger';
import { PowertoolsMetrics } from '../adapters/powertools-metrics';
import { ApiGatewayAuthorizerCacheFlusher, SecretsManagerRotationStore } from '../adapters/rotation-aws';
import { type HookguardMetrics, noMetrics } from '../core/metrics';
import { type CredentialRotation, createCredentialRotation, isRotationStep, RotationError } from '../core/rotation';
import type { Logger } from '../ports';
import { isRecord } from '../providers/shared';

/** What the handler needs; tests pass fakes or mocked clients, the Lambda {@link defaultDeps}. */
export interface RotationHandlerDeps {
  readonly rotation: CredentialRotation;
  readonly logger: Logger;
  /**
   * Where a failed step is recorded (`RotationFailed`).
   * @default noMetrics
   */
  readonly metrics?: HookguardMetrics;
}

/** The Secrets Manager rotation event (`RotationToken` is sent for rotations that need it on PutSecretValue). */
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken?: string;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * Creates the rotation handler. `deps` may be a factory, called once on the first invocation (the cold start), so
 * importing this module never needs the environment.
 *
 * @example
 * export const handler = createHandler({ rotation, logger });
 */
export function createHandler(deps: RotationHandlerDeps | (() => RotationHandlerDeps)) {
  let resolved: RotationHandlerDeps | null = typeof deps === 'function' ? null : deps;
  return async function rotateCredentials(event: unknown): Promise<void> {
    resolved ??= (deps as () => RotationHandlerDeps)();
    const { rotation, logger } = resolved;
    if (
      !isRecord(event) ||
      !isRotationStep(event.Step) ||
      !nonEmptyString(event.SecretId) ||
      !nonEmptyString(event.ClientRequestToken) ||
      (event.RotationToken !== undefined && !nonEmptyString(event.RotationToken))
    ) {
      throw new RotationError('Not a Secrets Manager rotation event (Step, SecretId, ClientRequestToken)');
    }
    const step = event.Step;
    logger.info('Rotation step started', { step, versionId: event.ClientRequestToken });
    try {
      await rotation.run({
        step,
        secretId: event.SecretId,
        token: event.ClientRequestToken,
        rotationToken: event.RotationToken,
      });
    } catch (error) {
      logger.error('Rotation step failed', {
        step,
        versionId: event.ClientRequestToken,
        error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown',
      });
      (resolved.metrics ?? noMetrics).rotationFailed();
      throw error;
    }
    logger.info('Rotation step done', { step, versionId: event.ClientRequestToken });
  };
}

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

/**
 * The Lambda's dependencies from its environment: `REST_API_ID` and `STAGE_NAME` (both required), and
 * `HOOKGUARD_STAGE`, the `Stage` of its metrics (default: `STAGE_NAME`, the same stage).
 */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): RotationHandlerDeps {
  const restApiId = requireEnv(env, 'REST_API_ID');
  const stageName = requireEnv(env, 'STAGE_NAME');
  const metricsStage = env.HOOKGUARD_STAGE || stageName;
  const logger = new PowertoolsLogger({ serviceName: 'hookguard-rotation' });
  const rotation = createCredentialRotation({
    store: new SecretsManagerRotationStore(new SecretsManagerClient({})),
    flusher: new ApiGatewayAuthorizerCacheFlusher({ client: new APIGatewayClient({}), restApiId, stageName }),
    // The account's default bus: `credentials.rotated` is an operational signal, not an email event.
    bus: new EventBridgeBus({ client: new EventBridgeClient({}), eventBusName: 'default' }),
    stageName,
    logger,
  });
  return { rotation, logger, metrics: new PowertoolsMetrics({ stage: metricsStage }) };
}

/** The Lambda entry point. */
export const handler = createHandler(() => defaultDeps());
