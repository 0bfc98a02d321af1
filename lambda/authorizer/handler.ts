/**
 * The API Gateway Lambda REQUEST authorizer: Authorization header -> Basic (or Brevo bearer) check -> Allow policy.
 *
 * Outcomes, and why:
 * - Accepted: an Allow policy for the whole stage (Basic) or the provider's route (bearer); API Gateway caches it for
 *   the authorizer TTL, keyed by the Authorization header.
 * - Missing, malformed or unknown credentials: `throw new Error('Unauthorized')`, the one message API Gateway turns
 *   into a 401 (its UNAUTHORIZED gateway response adds the `WWW-Authenticate` challenge). Never a Deny policy:
 *   that would be a 403 without the challenge Amazon SNS needs.
 * - Secrets Manager unreachable with nothing cached (or a miswired event): any other error, which API Gateway
 *   answers with a 500 and does NOT cache. Returning Deny (or 401) instead would be cached for the whole TTL and
 *   keep locking out a legitimate provider after Secrets Manager is back; a 500 is retried by every provider.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { PowertoolsLogger } from '../adapters/powertools-logger';
import { PowertoolsMetrics } from '../adapters/powertools-metrics';
import { SecretsManagerCredentialSource } from '../adapters/secrets-manager-credentials';
import { type AuthorizerPolicy, buildAllowPolicy } from '../core/authorizer-policy';
import { type BasicAuthenticator, createBasicAuthenticator } from '../core/basic-auth';
import { CachedCredentialSource } from '../core/credential-cache';
import { credentialStageName, type HookguardMetrics, noMetrics, UNKNOWN_PROVIDER } from '../core/metrics';
import { isProviderId, type ProviderId } from '../core/provider-ids';
import { matchWebhookPath } from '../core/webhook-path';
import type { Logger } from '../ports';

/** The message API Gateway maps to 401 Unauthorized; any other error is a 500. */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';

/** What the handler needs; tests pass fakes, the Lambda {@link defaultDeps}. */
export interface AuthorizerDeps {
  readonly authenticator: BasicAuthenticator;
  readonly logger: Logger;
  /**
   * Where each decision is recorded (`AuthorizerDecisions` by provider and credential stage).
   * @default noMetrics
   */
  readonly metrics?: HookguardMetrics;
}

/** The event fields the authorizer reads. */
export type AuthorizerEvent = Pick<
  APIGatewayRequestAuthorizerEvent,
  'methodArn' | 'resource' | 'path' | 'headers' | 'multiValueHeaders' | 'pathParameters'
>;

/** The provider the request is for, from the route (`/webhooks/[<token>/]<id>`); null when it names none. */
export function providerOfAuthorizerEvent(event: AuthorizerEvent): ProviderId | null {
  const candidate =
    event.pathParameters?.provider ??
    matchWebhookPath(event.resource ?? '')?.provider ??
    matchWebhookPath(event.path ?? '')?.provider;
  return isProviderId(candidate) ? candidate : null;
}

/**
 * The Authorization header (names are case-insensitive): its value (undefined when absent), or `ambiguous` when the
 * request carries several, because refusing beats guessing which one a proxy or the integration would use.
 */
export function authorizationHeaderOf(
  event: AuthorizerEvent,
): { readonly ambiguous: false; readonly value: string | undefined } | { readonly ambiguous: true } {
  let single: string | undefined;
  let singleCount = 0;
  for (const name in event.headers ?? {}) {
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      singleCount += 1;
      single = event.headers?.[name] ?? undefined;
    }
  }
  let multi: string | undefined;
  let multiCount = 0;
  for (const name in event.multiValueHeaders ?? {}) {
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      const values = event.multiValueHeaders?.[name] ?? [];
      multiCount += values.length;
      multi ??= values[0];
    }
  }
  if (multiCount > 1 || singleCount > 1) return { ambiguous: true };
  return { ambiguous: false, value: single ?? multi };
}

/**
 * Creates the authorizer handler. `deps` may be a factory: it is called once, on the first invocation (the cold
 * start), so importing this module never needs the environment.
 *
 * @example
 * export const handler = createHandler({ authenticator, logger });
 */
export function createHandler(deps: AuthorizerDeps | (() => AuthorizerDeps)) {
  let resolved: AuthorizerDeps | null = typeof deps === 'function' ? null : deps;
  return async function basicAuthorizer(event: AuthorizerEvent): Promise<AuthorizerPolicy> {
    resolved ??= (deps as () => AuthorizerDeps)();
    const { authenticator, logger } = resolved;
    const metrics = resolved.metrics ?? noMetrics;
    const provider = providerOfAuthorizerEvent(event);
    const header = authorizationHeaderOf(event);
    if (provider === null || header.ambiguous) {
      logger.warn('Authorization refused', { reason: provider === null ? 'unknown-route' : 'ambiguous-header' });
      metrics.authorizerDecision(provider ?? UNKNOWN_PROVIDER, 'unknown');
      throw new Error(UNAUTHORIZED_MESSAGE);
    }
    let result: Awaited<ReturnType<BasicAuthenticator['authenticate']>>;
    try {
      result = await authenticator.authenticate(header.value, provider);
    } catch (error) {
      logger.error('Credentials unavailable; failing closed without a cacheable answer', {
        provider,
        error: error instanceof Error ? error.name : 'unknown',
      });
      throw new Error('Credential check unavailable');
    }
    if (!result.ok) {
      logger.warn('Authorization refused', { reason: result.reason, provider });
      metrics.authorizerDecision(provider, 'unknown');
      throw new Error(UNAUTHORIZED_MESSAGE);
    }
    const { credentialVersion, credentialStage } = result;
    const grant =
      result.scope === 'api'
        ? { scope: 'api' as const, credentialVersion, credentialStage }
        : { scope: 'provider' as const, provider, credentialVersion, credentialStage };
    const policy = buildAllowPolicy(event.methodArn, grant);
    logger.info('Authorization granted', { provider, scope: result.scope, credentialVersion, credentialStage });
    metrics.authorizerDecision(provider, credentialStageName(credentialStage));
    return policy;
  };
}

/** Reads a required environment variable; a missing one is a deployment bug worth failing loudly on. */
function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
}

/** Reads a required non-negative integer environment variable. */
function requireSecondsEnv(env: NodeJS.ProcessEnv, name: string): number {
  const text = requireEnv(env, name);
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new Error(`Environment variable ${name} must be a whole number of seconds, got [${text}]`);
  }
  return value;
}

/**
 * The Lambda's dependencies from its environment: `CREDENTIALS_SECRET_ARN`, `GRACE_PERIOD_SECONDS`,
 * `SECRET_CACHE_TTL_SECONDS`, `REFRESH_MIN_INTERVAL_SECONDS`, `HOOKGUARD_STAGE` (all required).
 */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): AuthorizerDeps {
  const secretId = requireEnv(env, 'CREDENTIALS_SECRET_ARN');
  const gracePeriodSeconds = requireSecondsEnv(env, 'GRACE_PERIOD_SECONDS');
  const ttlSeconds = requireSecondsEnv(env, 'SECRET_CACHE_TTL_SECONDS');
  const refreshMinIntervalSeconds = requireSecondsEnv(env, 'REFRESH_MIN_INTERVAL_SECONDS');
  const stage = requireEnv(env, 'HOOKGUARD_STAGE');
  const logger = new PowertoolsLogger({ serviceName: 'hookguard-authorizer' });
  const source = new SecretsManagerCredentialSource({
    client: new SecretsManagerClient({}),
    secretId,
    gracePeriodSeconds,
    logger,
  });
  const credentials = new CachedCredentialSource({ source, ttlSeconds, refreshMinIntervalSeconds });
  return {
    authenticator: createBasicAuthenticator({ credentials }),
    logger,
    metrics: new PowertoolsMetrics({ stage }),
  };
}

/** The Lambda entry point. */
export const handler = createHandler(() => defaultDeps());
