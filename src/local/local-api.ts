/**
 * The local stand-in for API Gateway: the same routes, methods, gateway error bodies, body limit and Basic-auth
 * check (the authorizer's core) in front of the same verifier pipeline. Only the transport differs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticationResult } from '../../lambda/core/basic-auth';
import {
  GATEWAY_ERROR_BODIES,
  type HttpResponse,
  jsonResponse,
  toHttpResponse,
  WWW_AUTHENTICATE,
} from '../../lambda/core/http';
import {
  credentialStageName,
  type HookguardMetrics,
  noMetrics,
  recordWebhookOutcome,
  type RequestOutcome,
  UNKNOWN_PROVIDER,
} from '../../lambda/core/metrics';
import type { WebhookOutcome, WebhookProcessor } from '../../lambda/core/pipeline';
import { type ProviderId, URL_CHECK_METHODS } from '../../lambda/core/provider-ids';
import type { AuthMode, RuntimeSettings } from '../../lambda/core/settings';
import { routeOfWebhookPath } from '../../lambda/core/webhook-path';
import type { Logger } from '../../lambda/ports';
import type { WebhookRequest } from '../../lambda/providers/types';

/** API Gateway's payload limit: larger requests are refused with 413 before anything else runs. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Where a request goes, decided from its method and path alone (API Gateway's resource and method match). */
export type ApiRoute =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed'; readonly provider: ProviderId; readonly allow: readonly string[] }
  | { readonly kind: 'url-check'; readonly provider: ProviderId }
  | { readonly kind: 'webhook'; readonly provider: ProviderId; readonly auth: AuthMode };

/**
 * Matches a request as the deployed API does: `POST /webhooks/<provider>` (`/webhooks/<token>/<provider>` when the
 * stage has a path token: `routeOfWebhookPath`, the one rule both share) for each enabled provider, the vendor's URL
 * check (Mandrill HEAD, Unisender Go GET) without auth, 405 with `Allow` for any other method on those paths, and 404
 * for every other path, the guessable tokenless paths and wrong tokens included (paths are case-sensitive; the query
 * string plays no part). At most one trailing slash: API Gateway REST routes `/x/` to the resource `/x`
 * (aws/chalice#65; aws-powertools/powertools-lambda-python#1552 and its PR #1609).
 *
 * @example
 * resolveApiRoute('GET', '/webhooks/sendgrid', settings); // { kind: 'method-not-allowed', provider: 'sendgrid', allow: ['POST'] }
 * resolveApiRoute('POST', '/webhooks/sendgrid', settings, token); // { kind: 'not-found' }
 */
export function resolveApiRoute(
  method: string,
  pathname: string,
  settings: RuntimeSettings,
  pathToken: string | null = null,
): ApiRoute {
  const id = routeOfWebhookPath(pathname, pathToken, { rooted: true });
  if (id === null) return { kind: 'not-found' };
  const providerSettings = settings.providers[id];
  if (!providerSettings) return { kind: 'not-found' };
  const urlCheck = URL_CHECK_METHODS[id];
  if (method === 'POST') return { kind: 'webhook', provider: id, auth: providerSettings.auth };
  if (urlCheck !== undefined && method === urlCheck) return { kind: 'url-check', provider: id };
  return { kind: 'method-not-allowed', provider: id, allow: urlCheck ? ['POST', urlCheck] : ['POST'] };
}

/** What happened to one HTTP request, for the console. Never carries credentials or body content. */
export interface RequestReport {
  readonly method: string;
  /** The path without the query string (a query can carry tokens). */
  readonly path: string;
  readonly statusCode: number;
  readonly provider?: ProviderId;
  /** Why the Basic-auth check refused the request (a reason code, never the credential). */
  readonly authFailure?: string;
  /** The pipeline's account of the request, when it reached the pipeline. */
  readonly outcome?: WebhookOutcome;
}

/** Dependencies of {@link createLocalApiHandler}. */
export interface LocalApiOptions {
  readonly settings: RuntimeSettings;
  /** The authorizer's check (`createBasicAuthenticator(...).authenticate`). */
  readonly authenticate: (
    authorizationHeader: string | undefined,
    provider: ProviderId,
  ) => Promise<AuthenticationResult>;
  /** The verifier pipeline. */
  readonly process: WebhookProcessor;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Told about every request once it is answered. */
  readonly report?: (report: RequestReport) => void;
  /**
   * Where authorizer decisions and the pipeline's outcomes are counted, as the Lambdas record them; the answers
   * API Gateway gives on its own (404, 405, 413, a failing authorizer's 500) are counted as `Requests` too, since
   * locally there is no API Gateway metric to show them.
   * @default noMetrics
   */
  readonly metrics?: HookguardMetrics;
  /** @default API_GATEWAY_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /**
   * The stage's path token, read per request (the secrets file may change): webhooks are then only at
   * `/webhooks/<token>/<provider>`. Resolving to null while the stage has the token on serves no webhook path at all
   * (fail closed: 404), never the guessable ones.
   * @default - no path token: `/webhooks/<provider>`
   */
  readonly pathToken?: () => Promise<string | null>;
}

/** The request line's path with the stage's token masked: the console and reports never show it. */
function reportedPath(pathname: string, pathToken: string | null): string {
  return pathToken === null ? pathname : pathname.split(`/${pathToken}/`).join('/<token>/');
}

function gatewayResponse(
  entry: (typeof GATEWAY_ERROR_BODIES)[keyof typeof GATEWAY_ERROR_BODIES],
  headers: Record<string, string> = {},
): HttpResponse {
  return jsonResponse(entry.statusCode, entry.body, headers);
}

/** Header names lower-cased, repeated headers joined with ", " (what `WebhookRequest` promises). */
export function collectHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    const value = rawHeaders[index + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

/**
 * How many `Authorization` header lines the request carries. `node:http` keeps only the first of a repeated
 * Authorization header in `request.headers`, so the raw lines are counted instead.
 */
export function authorizationHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    if (name.length === 13 && name.toLowerCase() === 'authorization') count += 1;
  }
  return count;
}

/** The body was cut off: the client closed the connection or the server's request timeout ended it. */
const ABORTED = Symbol('aborted');

/** Reads the body up to `limit` bytes; null when it is longer (the rest is not read), ABORTED when it never ends. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null | typeof ABORTED> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.off('end', onEnd);
        request.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    request.on('data', onData);
    request.once('end', onEnd);
    // An aborted body (timeout or client gone) errors the request stream; nothing is left to answer.
    request.once('error', () => resolve(ABORTED));
    request.once('close', () => {
      if (!request.complete) resolve(ABORTED);
    });
  });
}

function send(response: ServerResponse, request: IncomingMessage, answer: HttpResponse, closeAfter = false): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (closeAfter) headers.connection = 'close';
  response.writeHead(answer.statusCode, headers);
  if (request.method === 'HEAD') response.end();
  else response.end(answer.body);
  if (closeAfter) response.once('finish', () => request.destroy());
}

/**
 * Builds the node:http request listener. Order as in API Gateway: route and method, then the payload limit, then
 * the authorizer (skipped when the provider's auth mode is `signature`), then the verifier pipeline.
 */
export function createLocalApiHandler(options: LocalApiOptions) {
  const maxBodyBytes = options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES;
  const metrics = options.metrics ?? noMetrics;

  return async function handleLocalApiRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const pathname = (request.url ?? '/').split('?', 1)[0] ?? '/';
    let pathToken: string | null = null;
    let route: ApiRoute;
    if (options.pathToken === undefined) {
      route = resolveApiRoute(method, pathname, options.settings);
    } else {
      try {
        pathToken = await options.pathToken();
      } catch {
        pathToken = null;
      }
      route = pathToken === null ? { kind: 'not-found' } : resolveApiRoute(method, pathname, options.settings, pathToken);
    }
    const report = (statusCode: number, extra: Partial<RequestReport> = {}) =>
      options.report?.({
        method,
        path: reportedPath(pathname, pathToken),
        statusCode,
        ...('provider' in route ? { provider: route.provider } : {}),
        ...extra,
      });
    // Requests answered before their body is read: the body is drained, so the connection stays usable.
    const answerEarly = (answer: HttpResponse, extra: Partial<RequestReport> = {}) => {
      request.resume();
      send(response, request, answer);
      report(answer.statusCode, extra);
    };
    // An answer the gateway gives without the verifier: counted once, under the route's provider if it names one.
    let counted = false;
    const countGatewayAnswer = (outcome: RequestOutcome) => {
      counted = true;
      metrics.request('provider' in route ? route.provider : UNKNOWN_PROVIDER, outcome);
    };

    try {
      if (route.kind === 'not-found') {
        countGatewayAnswer('not_found');
        return answerEarly(gatewayResponse(GATEWAY_ERROR_BODIES.notFound));
      }
      if (route.kind === 'method-not-allowed') {
        countGatewayAnswer('method_not_allowed');
        return answerEarly(gatewayResponse(GATEWAY_ERROR_BODIES.methodNotAllowed, { allow: route.allow.join(', ') }));
      }
      if (route.kind === 'url-check') return answerEarly(jsonResponse(200, {}));

      const declaredLength = Number(request.headers['content-length'] ?? 0);
      if (declaredLength > maxBodyBytes) {
        countGatewayAnswer('too_large');
        send(response, request, gatewayResponse(GATEWAY_ERROR_BODIES.payloadTooLarge), true);
        return report(413);
      }

      if (route.auth !== 'signature') {
        // The authorizer refuses several Authorization headers as ambiguous (401): so does the local runtime.
        if (authorizationHeaderCount(request.rawHeaders) > 1) {
          // The authorizer counts this refusal like any other (lambda/authorizer/handler.ts).
          metrics.authorizerDecision(route.provider, 'unknown');
          return answerEarly(
            gatewayResponse(GATEWAY_ERROR_BODIES.unauthorized, { 'www-authenticate': WWW_AUTHENTICATE }),
            { authFailure: 'ambiguous-header' },
          );
        }
        let result: AuthenticationResult;
        try {
          result = await options.authenticate(request.headers.authorization, route.provider);
        } catch (error) {
          // No credentials could be loaded at all: the authorizer fails closed with a 500, never an allow.
          options.logger.error('Basic-auth check failed: no accepted credentials available', {
            provider: route.provider,
            error: error instanceof Error ? error.message : String(error),
          });
          countGatewayAnswer('dependency_failure');
          return answerEarly(gatewayResponse(GATEWAY_ERROR_BODIES.defaultServerError));
        }
        metrics.authorizerDecision(route.provider, result.ok ? credentialStageName(result.credentialStage) : 'unknown');
        if (!result.ok) {
          return answerEarly(
            gatewayResponse(GATEWAY_ERROR_BODIES.unauthorized, { 'www-authenticate': WWW_AUTHENTICATE }),
            {
              authFailure: result.reason,
            },
          );
        }
      }

      const body = await readBody(request, maxBodyBytes);
      if (body === ABORTED) {
        // node:http already answered 408 (request timeout) or the client left: nothing reached the pipeline.
        if (!response.headersSent && !response.destroyed) response.destroy();
        return report(408);
      }
      if (body === null) {
        countGatewayAnswer('too_large');
        send(response, request, gatewayResponse(GATEWAY_ERROR_BODIES.payloadTooLarge), true);
        return report(413);
      }
      const webhookRequest: WebhookRequest = {
        provider: route.provider,
        method,
        headers: collectHeaders(request.rawHeaders),
        body,
        receivedAt: options.now(),
        // As the Lambda reads it from the resource: Mandrill signs the URL, token included.
        ...(pathToken === null ? {} : { pathToken }),
      };
      const { response: answer, outcome } = await options.process(webhookRequest);
      recordWebhookOutcome(metrics, outcome);
      counted = true;
      send(response, request, answer);
      report(answer.statusCode, { outcome });
    } catch (error) {
      options.logger.error('Local API failed to handle a request', {
        error: error instanceof Error ? error.name : typeof error,
      });
      if (!response.headersSent) send(response, request, toHttpResponse(error), true);
      else response.destroy();
      // Deployed, a verifier that crashes is a 5xx too: dependency_failure, unless the request was counted already.
      if (!counted) countGatewayAnswer('dependency_failure');
      report(500);
    }
  };
}
