/**
 * Turns an API Gateway (REST, Lambda proxy) event into the transport-neutral {@link WebhookRequest} the pipeline
 * verifies. Pure: no SDK, no environment.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PayloadError, RouteNotFoundError } from '../errors';
import { decodeBase64Strict } from '../providers/shared';
import type { WebhookRequest } from '../providers/types';
import { dateFromMillis } from './dates';
import { isProviderId, type ProviderId } from './provider-ids';
import { matchWebhookPath } from './webhook-path';

/** The fields of a proxy event this module reads (tests and other transports can build just these). */
export type ApiGatewayWebhookEvent = Pick<
  APIGatewayProxyEvent,
  'httpMethod' | 'path' | 'pathParameters' | 'headers' | 'multiValueHeaders' | 'body' | 'isBase64Encoded'
> & {
  readonly requestContext?: { readonly requestTimeEpoch?: number };
  /** The resource API Gateway matched (`/webhooks/<token>/<id>`); absent in hand-built events. */
  readonly resource?: string;
};

/**
 * The provider a request is for: the `provider` path parameter when the route declares one, else the last segment
 * of `/webhooks/<id>` or `/webhooks/<token>/<id>` (`webhook-path.ts`, which the local runtime matches too).
 *
 * @throws RouteNotFoundError when neither names a known provider.
 */
export function providerOf(event: Pick<ApiGatewayWebhookEvent, 'path' | 'pathParameters'>): ProviderId {
  const candidate = event.pathParameters?.provider ?? matchWebhookPath(event.path ?? '')?.provider;
  if (!isProviderId(candidate)) throw new RouteNotFoundError();
  return candidate;
}

/**
 * The path token the request came in under, from the resource API Gateway matched (`/webhooks/<token>/<id>`: the
 * token is a literal resource, so only the stage's own token ever reaches a Lambda), else from the path; null when
 * the route has none. Mandrill signs the URL, token included.
 */
export function pathTokenOf(event: Pick<ApiGatewayWebhookEvent, 'path' | 'resource'>): string | null {
  const fromResource = event.resource ? matchWebhookPath(event.resource) : null;
  return (fromResource ?? matchWebhookPath(event.path ?? ''))?.pathToken ?? null;
}

/**
 * Header names lower-cased, one value each. API Gateway puts the last value of a repeated header in `headers`
 * and all of them in `multiValueHeaders`; repeated values are joined with ", " as HTTP allows.
 */
export function normaliseHeaders(
  headers: ApiGatewayWebhookEvent['headers'] | null | undefined,
  multiValueHeaders: ApiGatewayWebhookEvent['multiValueHeaders'] | null | undefined,
): Record<string, string> {
  const values = new Map<string, string[]>();
  for (const [name, list] of Object.entries(multiValueHeaders ?? {})) {
    if (!list || list.length === 0) continue;
    const key = name.toLowerCase();
    values.set(key, [...(values.get(key) ?? []), ...list]);
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    const key = name.toLowerCase();
    if (value === undefined || values.has(key)) continue;
    values.set(key, [value]);
  }
  return Object.fromEntries([...values].map(([name, list]) => [name, list.join(', ')]));
}

/**
 * The raw body bytes as the provider sent them. API Gateway base64-encodes bodies of binary media types (the
 * stack declares every type binary so signatures are checked on exact bytes).
 *
 * @throws PayloadError when a body marked base64 is not canonical base64.
 */
export function rawBodyOf(event: Pick<ApiGatewayWebhookEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === null || event.body === undefined || event.body === '') return Buffer.alloc(0);
  if (!event.isBase64Encoded) return Buffer.from(event.body, 'utf8');
  const bytes = decodeBase64Strict(event.body);
  if (!bytes) throw new PayloadError('Request body is marked base64-encoded but is not valid base64');
  return bytes;
}

/**
 * Builds the {@link WebhookRequest} of an API Gateway proxy event. `receivedAt` is API Gateway's own request time
 * when present, else `fallbackNow`.
 *
 * @throws RouteNotFoundError for a path that names no provider; PayloadError for an undecodable body.
 * @example
 * const request = toWebhookRequest(event, new Date());
 */
export function toWebhookRequest(event: ApiGatewayWebhookEvent, fallbackNow: Date): WebhookRequest {
  const epoch = event.requestContext?.requestTimeEpoch;
  const pathToken = pathTokenOf(event);
  return {
    provider: providerOf(event),
    ...(pathToken === null ? {} : { pathToken }),
    method: (event.httpMethod ?? '').toUpperCase(),
    headers: normaliseHeaders(event.headers, event.multiValueHeaders),
    body: rawBodyOf(event),
    receivedAt: (typeof epoch === 'number' && epoch > 0 ? dateFromMillis(epoch) : null) ?? fallbackNow,
  };
}
