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
import { isProviderId, type ProviderId } from '../core/provider-ids';
import {
  buildManagedProviders,
  createProviderSync,
  parseProviderApiKeys,
  type ProviderSync,
  providerWebhookUrl,
} from '../core/provider-sync';
import {
  type CredentialRotation,
  createCredentialRotation,
  isRotationStep,
  RotationError,
  type RotationSecretStore,
} from '../core/rotation';
import { MANAGEMENT_MODULES } from '../management';
import { FetchHttpClient } from '../management/http-client';
import type { ManagedAccount } from '../management/types';
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

/**
 * `MANAGED_PROVIDERS`: `{"<provider>": ManagedAccount}` from `providers.<id>.managed` (validated at synth; no
 * secret in it). Absent or `{}`: no provider is managed.
 */
export function parseManagedProviders(text: string | undefined): Partial<Record<ProviderId, ManagedAccount>> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('MANAGED_PROVIDERS is not JSON');
  }
  if (!isRecord(parsed)) throw new Error('MANAGED_PROVIDERS must be a JSON object');
  const accounts: Partial<Record<ProviderId, ManagedAccount>> = {};
  for (const [provider, account] of Object.entries(parsed)) {
    if (!isProviderId(provider) || !isRecord(account)) {
      throw new Error(`MANAGED_PROVIDERS: "${provider.slice(0, 40)}" is not a provider with an object of settings`);
    }
    accounts[provider] = account as ManagedAccount;
  }
  return accounts;
}

/** What {@link providerSyncFactory} needs from the environment and the AWS adapters. */
export interface ProviderSyncSettings {
  readonly accounts: Partial<Record<ProviderId, ManagedAccount>>;
  /** The provider-API-keys secret's ARN; absent when no provider is managed. */
  readonly apiKeysSecretArn?: string;
  /** Hookguard's public base URL (`https://host/stage/` or the custom domain's `https://host/`). */
  readonly publicUrl?: string;
  /** Reads the keys secret (the rotation store: GetSecretValue AWSCURRENT). */
  readonly store: RotationSecretStore;
  readonly logger: Logger;
}

/**
 * The rotation's sync engine factory: each step that needs it reads the provider-API-keys secret afresh (an
 * operator fixing a key between two attempts is picked up) and builds one client per managed provider.
 */
export function providerSyncFactory(settings: ProviderSyncSettings): (() => Promise<ProviderSync>) | undefined {
  if (Object.keys(settings.accounts).length === 0) return undefined;
  const { apiKeysSecretArn, publicUrl } = settings;
  if (apiKeysSecretArn === undefined || publicUrl === undefined) {
    throw new Error('Managed providers need PROVIDER_API_KEYS_SECRET_ARN and HOOKGUARD_PUBLIC_URL');
  }
  const http = new FetchHttpClient();
  return async () => {
    const apiKeys = parseProviderApiKeys(await settings.store.getValue(apiKeysSecretArn, { stage: 'AWSCURRENT' }));
    const providers = buildManagedProviders({
      accounts: settings.accounts,
      modules: MANAGEMENT_MODULES,
      apiKeys,
      webhookUrl: (provider) => providerWebhookUrl(publicUrl, provider),
      http,
    });
    return createProviderSync({ providers, logger: settings.logger });
  };
}

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

/**
 * The Lambda's dependencies from its environment: `REST_API_ID` and `STAGE_NAME` (both required), and
 * `HOOKGUARD_STAGE`, the `Stage` of its metrics (default: `STAGE_NAME`, the same stage). With managed providers
 * (docs/provider-sync.md): `MANAGED_PROVIDERS`, `PROVIDER_API_KEYS_SECRET_ARN` and `HOOKGUARD_PUBLIC_URL`.
 */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): RotationHandlerDeps {
  const restApiId = requireEnv(env, 'REST_API_ID');
  const stageName = requireEnv(env, 'STAGE_NAME');
  const metricsStage = env.HOOKGUARD_STAGE || stageName;
  const logger = new PowertoolsLogger({ serviceName: 'hookguard-rotation' });
  const store = new SecretsManagerRotationStore(new SecretsManagerClient({}));
  const metrics = new PowertoolsMetrics({ stage: metricsStage });
  const providerSync = providerSyncFactory({
    accounts: parseManagedProviders(env.MANAGED_PROVIDERS),
    apiKeysSecretArn: env.PROVIDER_API_KEYS_SECRET_ARN || undefined,
    publicUrl: env.HOOKGUARD_PUBLIC_URL || undefined,
    store,
    logger,
  });
  const rotation = createCredentialRotation({
    store,
    flusher: new ApiGatewayAuthorizerCacheFlusher({ client: new APIGatewayClient({}), restApiId, stageName }),
    // The account's default bus: `credentials.rotated` is an operational signal, not an email event.
    bus: new EventBridgeBus({ client: new EventBridgeClient({}), eventBusName: 'default' }),
    stageName,
    logger,
    ...(providerSync ? { providerSync, syncMetrics: metrics } : {}),
  });
  return { rotation, logger, metrics };
}

/** The Lambda entry point. */
export const handler = createHandler(() => defaultDeps());
