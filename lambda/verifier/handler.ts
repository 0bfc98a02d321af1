/**
 * The verifier Lambda: API Gateway proxy event -> {@link WebhookRequest} -> the transport-neutral pipeline ->
 * proxy result. A thin adapter on @middy/core; everything that decides anything lives in `lambda/core`.
 *
 * Environment (read once, on the first invocation of a container):
 * `HOOKGUARD_SETTINGS` (JSON of the runtime settings), `DEDUPE_TABLE_NAME`, `EVENT_BUS_NAME`,
 * `SIGNING_KEYS_SECRET_ARN`, `CREDENTIALS_SECRET_ARN`, `GRACE_PERIOD_SECONDS`, `SECRET_CACHE_TTL_SECONDS`,
 * `HOOKGUARD_STAGE` (the `Stage` dimension of its metrics); optional `REFRESH_MIN_INTERVAL_SECONDS` (default 10),
 * `LOG_LEVEL` (default `info`) and `POWERTOOLS_METRICS_NAMESPACE` (the stack sets `Hookguard`).
 *
 * Observability: EMF metrics (`Requests` by provider and outcome, `EventsPublished`, `PutEventsEntries*`) summed in
 * the warm container and written at most every {@link METRICS_AGGREGATE_MS} (at once on the container's first
 * invocation and for anything but accepted and duplicate requests), and log lines only for what was refused or
 * failed; the API access log has a line for every request.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { EventBridgeBus } from '../adapters/eventbridge-bus';
import { NodeHttpsGetter } from '../adapters/https-getter';
import { isLogLevel, PowertoolsLogger } from '../adapters/powertools-logger';
import { PowertoolsMetrics } from '../adapters/powertools-metrics';
import { SecretsManagerCredentialSource } from '../adapters/secrets-manager-credentials';
import { SecretsManagerSigningKeys } from '../adapters/secrets-manager-signing-keys';
import { type ApiGatewayWebhookEvent, toWebhookRequest } from '../core/api-gateway-request';
import { CachedCertificateSource } from '../core/certificate-cache';
import { CachedCredentialSource } from '../core/credential-cache';
import { type HttpResponse, toHttpResponse } from '../core/http';
import {
  type HookguardMetrics,
  noMetrics,
  outcomeOfError,
  recordWebhookOutcome,
  UNKNOWN_PROVIDER,
} from '../core/metrics';
import { createWebhookProcessor, type WebhookProcessor, type WebhookProcessorDeps } from '../core/pipeline';
import { isProviderId } from '../core/provider-ids';
import { matchWebhookPath } from '../core/webhook-path';
import { parseRuntimeSettings } from '../core/runtime-settings';
import { ConfigurationError, DependencyError, HookguardError } from '../errors';
import { PROVIDERS } from '../providers';
import type { ContextLogger } from '../ports';
import type { WebhookRequest } from '../providers/types';

/** What the verifier runs on: the pipeline's ports plus a logger that can carry the request id, and metrics. */
export interface VerifierDeps extends WebhookProcessorDeps {
  readonly logger: ContextLogger;
  /**
   * Where each request's outcome is recorded; `PowertoolsMetrics` writes its lines after every invocation.
   * @default noMetrics
   */
  readonly metrics?: HookguardMetrics;
}

/** The Lambda context with what the middlewares attach for the handler. */
export interface VerifierContext extends Context {
  verifier?: {
    readonly process: WebhookProcessor;
    readonly deps: VerifierDeps;
    readonly logger: ContextLogger;
    request?: WebhookRequest;
  };
}

/** Default reload interval of the credential cache when a Mandrill signature needs a just-rotated credential. */
const DEFAULT_REFRESH_MIN_INTERVAL_SECONDS = 10;

/** Leave this much of the Lambda's time to answer 503 (so the provider retries) instead of timing out. */
const TIMEOUT_MARGIN_MS = 500;

/** Reads environment variables, collecting every problem so one failed start names all of them. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  required(name: string): string {
    const value = this.env[name];
    if (value === undefined || value.trim() === '') {
      this.problems.push(`${name} is not set`);
      return '';
    }
    return value;
  }

  seconds(name: string, fallback?: number): number {
    const raw = this.env[name];
    if ((raw === undefined || raw.trim() === '') && fallback !== undefined) return fallback;
    const text = this.required(name);
    if (text === '') return 0;
    if (!/^\d+$/.test(text.trim())) {
      this.problems.push(`${name} must be a non-negative integer (seconds)`);
      return 0;
    }
    return Number(text.trim());
  }

  /** Throws one `ConfigurationError` naming every problem found so far. */
  check(): void {
    if (this.problems.length > 0) {
      throw new ConfigurationError(`Verifier misconfigured: ${this.problems.join('; ')}`);
    }
  }
}

/**
 * How long a warm verifier sums its routine metric counts before writing them (one EMF line per provider and outcome
 * instead of one per request: about $0.22 per million requests of CloudWatch Logs ingestion saved; docs/cost-model.md).
 * At most this much of a container's accepted and duplicate counts is lost when it never runs again.
 */
export const METRICS_AGGREGATE_MS = 10_000;

/**
 * Builds the AWS-backed dependencies from the environment. Called once per container, on its first invocation.
 *
 * @throws ConfigurationError naming every missing or invalid variable, or every problem of `HOOKGUARD_SETTINGS`.
 */
export function depsFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): VerifierDeps {
  const read = new EnvReader(env);
  const settingsText = read.required('HOOKGUARD_SETTINGS');
  const tableName = read.required('DEDUPE_TABLE_NAME');
  const eventBusName = read.required('EVENT_BUS_NAME');
  const signingKeysSecretId = read.required('SIGNING_KEYS_SECRET_ARN');
  const credentialsSecretId = read.required('CREDENTIALS_SECRET_ARN');
  const gracePeriodSeconds = read.seconds('GRACE_PERIOD_SECONDS');
  const cacheTtlSeconds = read.seconds('SECRET_CACHE_TTL_SECONDS');
  const refreshMinIntervalSeconds = read.seconds('REFRESH_MIN_INTERVAL_SECONDS', DEFAULT_REFRESH_MIN_INTERVAL_SECONDS);
  const stage = read.required('HOOKGUARD_STAGE');
  read.check();
  const settings = parseRuntimeSettings(settingsText);

  const level = env.LOG_LEVEL?.toLowerCase();
  const logger = new PowertoolsLogger({ serviceName: 'hookguard-verifier', level: isLogLevel(level) ? level : 'info' });
  const secretsManager = new SecretsManagerClient({});
  const https = new NodeHttpsGetter();
  return {
    providers: PROVIDERS,
    settings,
    ledger: new DynamoDbLedger({ client: new DynamoDBClient({}), tableName }),
    bus: new EventBridgeBus({ client: new EventBridgeClient({}), eventBusName }),
    signingKeys: new SecretsManagerSigningKeys({
      client: secretsManager,
      secretId: signingKeysSecretId,
      cacheTtlSeconds,
      logger,
    }),
    credentials: new CachedCredentialSource({
      source: new SecretsManagerCredentialSource({
        client: secretsManager,
        secretId: credentialsSecretId,
        gracePeriodSeconds,
        logger,
      }),
      ttlSeconds: cacheTtlSeconds,
      refreshMinIntervalSeconds,
    }),
    certificates: new CachedCertificateSource({ https }),
    https,
    logger,
    metrics: new PowertoolsMetrics({ stage, aggregateMs: METRICS_AGGREGATE_MS }),
    now: () => new Date(),
  };
}

/**
 * The production dependencies, built lazily: importing this module reads no environment and builds no client, so
 * tests can import it and call {@link createHandler} with fakes. A failed build is not remembered (the next
 * invocation tries again and reports the same problems).
 */
export function defaultDeps(env: Readonly<Record<string, string | undefined>> = process.env): () => VerifierDeps {
  let deps: VerifierDeps | undefined;
  return () => {
    deps ??= depsFromEnvironment(env);
    return deps;
  };
}

/** An `HttpResponse` as API Gateway's proxy integration takes it. */
export function toProxyResult(response: HttpResponse): APIGatewayProxyResult {
  return {
    statusCode: response.statusCode,
    headers: { ...response.headers },
    body: response.body,
    isBase64Encoded: false,
  };
}

type VerifierMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, VerifierContext>;

/** Resolves the dependencies (first call builds them) and a logger carrying the request id. */
function dependencies(resolve: () => VerifierDeps): VerifierMiddleware {
  let cached: { deps: VerifierDeps; process: WebhookProcessor } | undefined;
  return {
    name: 'verifierDependencies',
    before: function verifierDependenciesBefore(request) {
      const deps = resolve();
      if (cached?.deps !== deps) cached = { deps, process: createWebhookProcessor(deps) };
      request.context.verifier = {
        deps,
        process: cached.process,
        logger: deps.logger.child({ requestId: request.context.awsRequestId }),
      };
    },
  };
}

/** Decodes the proxy event (base64 bodies per `isBase64Encoded`, header names lower-cased) into a WebhookRequest. */
function rawWebhookRequest(): VerifierMiddleware {
  return {
    name: 'rawWebhookRequest',
    before: function rawWebhookRequestBefore(request) {
      const verifier = request.context.verifier;
      if (!verifier) throw new ConfigurationError('rawWebhookRequest needs verifierDependencies before it');
      verifier.request = toWebhookRequest(request.event as ApiGatewayWebhookEvent, verifier.deps.now());
    },
  };
}

/**
 * Writes the invocation's metrics once it is answered, whatever the answer: what Powertools' `logMetrics` middy
 * middleware does, on the instance built with the dependencies (on the first invocation, after the chain was built).
 * Registered before `errorResponse`, so on an error it runs after the error was turned into an answer and recorded.
 */
function publishMetrics(): VerifierMiddleware {
  const publish = (request: { context: VerifierContext }) => {
    const metrics = request.context.verifier?.deps.metrics;
    if (metrics instanceof PowertoolsMetrics) metrics.flush();
  };
  return { name: 'publishMetrics', after: publish, onError: publish };
}

/** The provider a proxy event is for, from its route; `unknown` when it names none. */
function providerOfEvent(event: APIGatewayProxyEvent | undefined): string {
  const candidate = event?.pathParameters?.provider ?? matchWebhookPath(event?.path ?? '')?.provider;
  return isProviderId(candidate) ? candidate : UNKNOWN_PROVIDER;
}

/**
 * Turns any error into the one HTTP mapping (`toHttpResponse`), records its outcome and logs it, so nothing escapes
 * as API Gateway's raw 502/500. Registered second, so its `onError` runs before `publishMetrics`' and after the rest.
 */
function errorResponse(): VerifierMiddleware {
  const fallbackLogger = new PowertoolsLogger({ serviceName: 'hookguard-verifier' });
  return {
    name: 'errorResponse',
    onError: function errorResponseOnError(request) {
      const error = request.error;
      const logger =
        request.context.verifier?.logger ?? fallbackLogger.child({ requestId: request.context.awsRequestId });
      request.context.verifier?.deps.metrics?.request(providerOfEvent(request.event), outcomeOfError(error), {
        requestId: request.context.awsRequestId,
        status: toHttpResponse(error).statusCode,
      });
      if (error instanceof HookguardError && error.statusCode < 500) {
        logger.warn('Request rejected', { status: error.statusCode, code: error.code, errorMessage: error.message });
      } else if (error instanceof HookguardError) {
        logger.error('Request failed', { status: error.statusCode, code: error.code, errorMessage: error.message });
      } else {
        logger.error('Unexpected error in the verifier', {
          errorName: error instanceof Error ? error.name : typeof error,
        });
      }
      request.response = toProxyResult(toHttpResponse(error));
    },
  };
}

/**
 * Builds the verifier handler over `deps` (or a function that builds them on first use).
 *
 * @example
 * const handler = createHandler({ ...fakePorts, logger: new PowertoolsLogger({ serviceName: 'verifier' }) });
 * const result = await handler(apiGatewayEvent, lambdaContext);
 */
export function createHandler(deps: VerifierDeps | (() => VerifierDeps)) {
  const resolve = typeof deps === 'function' ? deps : () => deps;
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, VerifierContext>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new DependencyError('The verifier ran out of time; the provider should retry');
    },
  })
    .use(publishMetrics())
    .use(errorResponse())
    .use(dependencies(resolve))
    .use(rawWebhookRequest())
    .handler(async (_event, context) => {
      const verifier = context.verifier;
      if (!verifier?.request) throw new ConfigurationError('The verifier middlewares did not run');
      const { response, outcome } = await verifier.process(verifier.request, verifier.logger);
      recordWebhookOutcome(verifier.deps.metrics ?? noMetrics, outcome, {
        requestId: context.awsRequestId,
        status: response.statusCode,
      });
      return toProxyResult(response);
    });
}

/** The Lambda entry point. */
export const handler = createHandler(defaultDeps());
