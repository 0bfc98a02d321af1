/**
 * The local runtime: the deployed request path on a laptop. API Gateway's routing and the authorizer's Basic check
 * (`local-api.ts`), the verifier pipeline, the DynamoDB ledger adapter (against embedded dynalite), and local
 * adapters for the secrets (a JSON file) and the event bus (JSON-lines files, EventBridge patterns).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDbLedger } from '../../lambda/adapters/dynamodb-ledger';
import { NodeHttpsGetter } from '../../lambda/adapters/https-getter';
import { createBasicAuthenticator } from '../../lambda/core/basic-auth';
import { CachedCertificateSource } from '../../lambda/core/certificate-cache';
import { CachedCredentialSource } from '../../lambda/core/credential-cache';
import type { PublishingOptions } from '../../lambda/core/dedupe-publish';
import { createWebhookProcessor } from '../../lambda/core/pipeline';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { RuntimeSettings } from '../../lambda/core/settings';
import { pathTokenGeneration } from '../../lambda/core/webhook-path';
import type { HttpsGetter, Logger } from '../../lambda/ports';
import { silentLogger } from '../../lambda/ports';
import { PROVIDERS } from '../../lambda/providers';
import type { ProviderModule } from '../../lambda/providers/types';
import { DEFAULT_CONFIG_FILE, loadConfig, stageOf, toRuntimeSettings } from '../../lib/config';
import type { StageConfig } from '../../lib/config/types';
import { LocalCertificateSource } from './certificate-source';
import { type ProviderUrl, webhookUrl } from './console-output';
import { lockDataDir } from './data-dir-lock';
import { startEmbeddedDynamoDb } from './embedded-dynamodb';
import { JsonLinesFile } from './json-lines-file';
import { createLocalApiHandler, type RequestReport } from './local-api';
import { type EventEnvelope, LocalEventBus } from './local-event-bus';
import { answerHealthCheck, healthReport, InMemoryMetrics, type MetricsCounters } from './local-metrics';
import {
  LocalCredentialSource,
  LocalSecretsStore,
  LocalSigningKeySource,
  secretsFilePermissionProblem,
} from './local-secrets';
import { buildLocalRoutes } from './route-destinations';
import { ensureSecretsFile } from './secrets-bootstrap';
import { parseCredential } from './secrets-file';
import { needsSigningKey } from './signing-keys';

/** Defaults shared by `npm start` and the CLI. */
export const LOCAL_DEFAULTS = {
  host: '127.0.0.1',
  port: 3000,
  stage: 'dev',
  dataDir: '.hookguard',
  secretsFile: 'secrets.json',
  eventsFile: 'events.jsonl',
  /** Envelope account when the stage names none. */
  account: '000000000000',
  /** Envelope and client region when the stage names none. */
  region: 'us-east-1',
} as const;

/** The port is taken by another process. */
export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Port ${port} on ${host} is already in use; stop the other process or choose another with --port`);
    this.name = 'PortInUseError';
  }
}

/** A provider is enabled in the configuration but no module for it is registered. */
export class ProviderUnavailableError extends Error {
  constructor(readonly providers: readonly ProviderId[]) {
    super(`Enabled provider${providers.length === 1 ? '' : 's'} without a registered module: ${providers.join(', ')}`);
    this.name = 'ProviderUnavailableError';
  }
}

/** Options of {@link startLocalRuntime}. */
export interface LocalRuntimeOptions {
  /** The stage's configuration; absent: read from `configPath` and `stage`. */
  readonly stageConfig?: StageConfig;
  /** @default 'hookguard.config.json' */
  readonly configPath?: string;
  /** @default 'dev' */
  readonly stage?: string;
  /** Port on `host`; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Dedupe store, route files and defaults below live here. @default '.hookguard' */
  readonly dataDir?: string;
  /** @default '<dataDir>/secrets.json' */
  readonly secretsPath?: string;
  /** Every published event's envelope is appended here. @default '<dataDir>/events.jsonl' */
  readonly eventsOut?: string;
  /** Provider modules. @default PROVIDERS */
  readonly providers?: ReadonlyMap<ProviderId, ProviderModule>;
  /** Readable output: one line per request, per event, per console-route delivery. @default none */
  readonly output?: (line: string) => void;
  /** The pipeline's and the adapters' log. @default silentLogger */
  readonly logger?: Logger;
  /** Flush files to disk before acknowledging (turn off only for throw-away benchmarks). @default true */
  readonly durable?: boolean;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** For real SNS certificates and subscription confirmations. @default NodeHttpsGetter */
  readonly https?: HttpsGetter;
  /** The pipeline's publishing knobs (tests shorten its backoff). */
  readonly publishing?: Partial<PublishingOptions>;
  /** HTTP route targets' retry backoff. */
  readonly httpRouteBackoffMs?: (retry: number) => number;
  /** Told about every request once answered (the runtime's own lines go to `output`). */
  readonly onRequest?: (report: RequestReport) => void;
  /** Told about every published event. */
  readonly onEvent?: (envelope: EventEnvelope, routes: readonly string[]) => void;
  /** Longest time to receive one whole request; tests shorten it. @default LOCAL_REQUEST_TIMEOUT_MS */
  readonly requestTimeoutMs?: number;
}

/** A running local runtime. */
export interface LocalRuntime {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  readonly stage: StageConfig;
  readonly settings: RuntimeSettings;
  readonly paths: { readonly dataDir: string; readonly secrets: string; readonly eventsOut: string };
  /** The secrets file was created by this start. */
  readonly secretsCreated: boolean;
  /** Providers that got a freshly generated signing key at this start. */
  readonly generatedKeysFor: readonly ProviderId[];
  /** A path token was generated at this start: every webhook URL changed. */
  readonly generatedPathToken: boolean;
  /** Each enabled provider's webhook URL (with the current credentials) and key status. */
  providerUrls(): Promise<ProviderUrl[]>;
  /** The request, event and authorizer counters (the same metrics the Lambdas write), for `/healthz` and `status`. */
  readonly metrics: MetricsCounters;
  /** Routes and where they deliver, for the banner. */
  readonly routes: ReadonlyArray<{ readonly name: string; readonly destination: string }>;
  /**
   * Stops accepting connections, lets in-flight requests finish, then closes the bus (pending route deliveries),
   * the embedded DynamoDB (LevelDB) and the data directory lock. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Longest time a client may take to send one whole request (headers and body), milliseconds: API Gateway REST's
 * default integration timeout of 29 s ("Integration timeout: 50 milliseconds to 29 seconds",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html),
 * the longest any request can live on the deployed path. Node's own default is 300 s, so a body that never
 * finished held a connection ten times longer than AWS would. node:http answers 408 and closes the connection.
 */
export const LOCAL_REQUEST_TIMEOUT_MS = 29_000;

/** How long in-flight requests may take to finish on close before their connections are cut. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Starts the local runtime.
 *
 * @throws ConfigError (bad configuration, every problem listed), SecretsFileError (unreadable or malformed secrets
 *   file), DataDirInUseError, PortInUseError, ProviderUnavailableError, or an `EventPatternError` naming a route.
 * @example
 * const runtime = await startLocalRuntime({ port: 0, dataDir: tmp });
 * await fetch(`${runtime.url}/webhooks/postmark`, { method: 'POST', ... });
 * await runtime.close();
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const stage =
    options.stageConfig ??
    stageOf(
      loadConfig(options.configPath ?? DEFAULT_CONFIG_FILE),
      options.stage ?? LOCAL_DEFAULTS.stage,
      options.configPath ?? DEFAULT_CONFIG_FILE,
    );
  const settings = toRuntimeSettings(stage);
  const providers = options.providers ?? PROVIDERS;
  const enabled = Object.keys(settings.providers) as ProviderId[];
  const missing = enabled.filter((id) => !providers.has(id));
  if (missing.length > 0) throw new ProviderUnavailableError(missing);
  const enabledModules = enabled.map((id) => providers.get(id) as ProviderModule);

  const dataDir = resolve(options.dataDir ?? LOCAL_DEFAULTS.dataDir);
  const secretsPath = resolve(options.secretsPath ?? join(dataDir, LOCAL_DEFAULTS.secretsFile));
  const eventsOut = resolve(options.eventsOut ?? join(dataDir, LOCAL_DEFAULTS.eventsFile));
  const host = options.host ?? LOCAL_DEFAULTS.host;
  const logger = options.logger ?? silentLogger;
  const output = options.output ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const durable = options.durable ?? true;

  // Everything started so far, closed in reverse order if a later step fails.
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  try {
    const lock = await lockDataDir(dataDir);
    cleanups.push(() => lock.release());

    const usesPathToken = pathTokenGeneration(stage.pathToken) !== null;
    const bootstrap = await ensureSecretsFile(secretsPath, {
      username: stage.auth.username,
      providers: enabledModules,
      pathToken: usesPathToken,
    });
    const store = new LocalSecretsStore({ path: secretsPath, logger });
    await store.load();
    const permissionProblem = secretsFilePermissionProblem(secretsPath);
    if (permissionProblem !== null) {
      logger.warn(permissionProblem);
    }

    const routes = buildLocalRoutes(stage.events.routes, {
      dataDir,
      write: output,
      logger,
      durable,
      ...(options.httpRouteBackoffMs ? { httpBackoffMs: options.httpRouteBackoffMs } : {}),
    });
    const bus = new LocalEventBus({
      eventsFile: new JsonLinesFile(eventsOut, { durable }),
      routes,
      account: stage.env?.account ?? LOCAL_DEFAULTS.account,
      region: stage.env?.region ?? LOCAL_DEFAULTS.region,
      logger,
      now,
      ...(options.onEvent ? { onPublished: options.onEvent } : {}),
    });
    cleanups.push(() => bus.close());

    const dynamo = await startEmbeddedDynamoDb({
      path: join(dataDir, 'dynamodb'),
      tableName: `hookguard-${stage.stage}-dedupe`,
      region: stage.env?.region ?? LOCAL_DEFAULTS.region,
      logger,
    });
    cleanups.push(() => dynamo.close());

    // A TTL of 0: the local source only re-reads the file when it changed, so a rotation counts at once.
    const credentials = new CachedCredentialSource({
      source: new LocalCredentialSource(store),
      ttlSeconds: 0,
      refreshMinIntervalSeconds: stage.auth.refreshMinIntervalSeconds,
      now,
    });
    const https = options.https ?? new NodeHttpsGetter();
    const authenticator = createBasicAuthenticator({ credentials });
    const processWebhook = createWebhookProcessor({
      providers,
      settings,
      ledger: new DynamoDbLedger({ client: dynamo.client, tableName: dynamo.tableName }),
      bus,
      signingKeys: new LocalSigningKeySource(store),
      credentials,
      certificates: new LocalCertificateSource(new CachedCertificateSource({ https })),
      https,
      logger,
      now,
      ...(options.publishing ? { publishing: options.publishing } : {}),
    });

    // The one set of counters: the handler records into it as the Lambdas do; GET /healthz and `status` read it.
    const metrics = new InMemoryMetrics(now);
    const inFlight = new Set<Promise<void>>();
    // The stage's path token, from the secrets file as it is now (docs/path-token.md); null when the stage has none.
    const pathToken = async (): Promise<string | null> =>
      usesPathToken ? ((await store.secrets()).pathToken ?? null) : null;
    const handler = createLocalApiHandler({
      settings,
      ...(usesPathToken ? { pathToken } : {}),
      metrics,
      authenticate: (header, provider) => authenticator.authenticate(header, provider),
      process: processWebhook,
      logger,
      now,
      ...(options.onRequest ? { report: options.onRequest } : {}),
    });
    const requestTimeout = options.requestTimeoutMs ?? LOCAL_REQUEST_TIMEOUT_MS;
    const server = createServer(
      {
        requestTimeout,
        headersTimeout: requestTimeout,
        // How often node:http checks those timeouts (default 30 s, which would let a request live up to a minute).
        connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(requestTimeout / 4))),
      },
      (request, response) => {
        if (answerHealthCheck(request, response, () => healthReport(metrics, { stage: stage.stage, providers: enabled, now: now() }))) {
          return;
        }
        const handling = handler(request, response).finally(() => inFlight.delete(handling));
        inFlight.add(handling);
      },
    );
    await listen(server, options.port ?? LOCAL_DEFAULTS.port, host);
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    cleanups.push(() => closeServer(server, inFlight));

    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      stage,
      settings,
      paths: { dataDir, secrets: secretsPath, eventsOut },
      secretsCreated: bootstrap.created,
      metrics,
      generatedKeysFor: bootstrap.generatedKeysFor,
      generatedPathToken: bootstrap.generatedPathToken,
      routes: routes.map((route) => ({ name: route.name, destination: route.destination.description })),
      async providerUrls() {
        const secrets = await store.secrets();
        const credential = parseCredential(secrets.basicAuth.current);
        const token = usesPathToken ? (secrets.pathToken ?? null) : null;
        return enabledModules.map((module) => {
          const auth = settings.providers[module.id]?.auth ?? 'basic';
          return {
            provider: module.id,
            auth,
            url: webhookUrl(url, module.id, auth, credential, token),
            ...(needsSigningKey(module)
              ? { hasSigningKey: (secrets.providers[module.id]?.signingKeys.length ?? 0) > 0 }
              : {}),
          };
        });
      },
      close() {
        closing ??= cleanUp();
        return closing;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePromise();
    });
  });
}

async function closeServer(server: Server, inFlight: Set<Promise<void>>): Promise<void> {
  const closed = new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolvePromise) => {
    timer = setTimeout(resolvePromise, CLOSE_GRACE_MS);
  });
  await Promise.race([Promise.allSettled([...inFlight]), deadline]);
  // Answered keep-alive connections are idle now; whatever is still open after the grace period is cut.
  server.closeIdleConnections();
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  server.closeAllConnections();
  await closed;
}
