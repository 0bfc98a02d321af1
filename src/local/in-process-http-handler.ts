/**
 * An AWS SDK v3 request handler that hands each HTTP request to an HTTP request handler in this process (the embedded
 * dynalite, see `embedded-dynamodb.ts`) instead of sending it over a loopback socket.
 *
 * Everything above the transport stays the SDK's own: the client, its middleware stack, the DynamoDB JSON
 * serialisation, the SigV4 signature and the error deserialisation (a refused conditional write still arrives as an
 * HTTP 400 with `__type` ...ConditionalCheckFailedException and is turned into that exception by the SDK). Only the
 * bytes skip the kernel: no TCP round trip, no HTTP framing or parsing on either side.
 */

/** What the SDK hands a request handler (`@smithy/types` `HttpRequest`), as far as it is read here. */
export interface SdkHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[] | null | undefined>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** What a request handler answers (`@smithy/types` `HttpResponse`). */
export interface SdkHttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** An abort signal as the SDK passes it (a standard `AbortSignal`, or the SDK's older shape with `onabort`). */
interface SdkAbortSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  onabort?: unknown;
  addEventListener?: (type: 'abort', listener: () => void, options?: { once?: boolean }) => void;
  removeEventListener?: (type: 'abort', listener: () => void) => void;
}

/** The handler options the SDK passes (`@smithy/types` `HttpHandlerOptions`). */
export interface SdkHandlerOptions {
  readonly abortSignal?: SdkAbortSignal;
}

/** An HTTP request as a `node:http` server hands it to its listener: header names lower-cased, the whole body. */
export interface ParsedHttpRequest {
  readonly method: string;
  /** Path and query string, e.g. `/` or `/x?a=1`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** The answer of the listener: status, the headers it set (lower-cased names), the body it ended with. */
export interface ListenerResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** Delivers one request to the in-process listener and resolves with its answer. */
export type HttpExchange = (request: ParsedHttpRequest) => Promise<ListenerResponse>;

function requestUrl(request: SdkHttpRequest): string {
  const path = request.path === '' ? '/' : request.path;
  const query = Object.entries(request.query ?? {}).flatMap(([name, value]) => {
    const key = encodeURIComponent(name);
    if (value === null || value === undefined) return [key];
    return (Array.isArray(value) ? value : [value]).map((item) => `${key}=${encodeURIComponent(item)}`);
  });
  return query.length === 0 ? path : `${path}?${query.join('&')}`;
}

function requestBody(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  // The DynamoDB JSON protocol serialises to a string or bytes; streaming bodies are not supported here.
  throw new TypeError('The in-process HTTP handler takes string or byte bodies only');
}

function abortError(signal: SdkAbortSignal | undefined): Error {
  const reason = signal?.reason;
  const error = new Error(reason instanceof Error ? reason.message : 'Request aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * The SDK's `HttpHandler` over an {@link HttpExchange}.
 *
 * Requests are handed over as `node:http` would after parsing: header names lower-cased, the path with its query
 * string, the whole body as bytes. The response carries the listener's status code, its headers (the transport
 * headers `node:http` would add, `date`, `connection`, are absent) and its body as bytes (which the SDK collects like a
 * streamed one). There is no timeout: no socket can stall. An aborted request rejects with an `AbortError` (the
 * listener's work is not interrupted, as with a socket closed after the request was sent). After {@link destroy}
 * every request is refused.
 *
 * @example
 * const requestHandler = new InProcessHttpHandler((request) => dynaliteThread.exchange(request));
 * const client = new DynamoDBClient({ endpoint, region, credentials, requestHandler });
 */
export class InProcessHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private destroyed = false;

  constructor(private readonly exchange: HttpExchange) {}

  handle(request: SdkHttpRequest, options: SdkHandlerOptions = {}): Promise<{ response: SdkHttpResponse }> {
    const signal = options.abortSignal;
    if (this.destroyed) return Promise.reject(new Error('The in-process HTTP handler was destroyed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let parsed: ParsedHttpRequest;
    try {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      parsed = { method: request.method, url: requestUrl(request), headers, body: requestBody(request.body) };
    } catch (error) {
      return Promise.reject(error as Error);
    }

    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener?.('abort', onAbort);
        outcome();
      };
      const onAbort = () => settle(() => reject(abortError(signal)));
      if (signal?.addEventListener) signal.addEventListener('abort', onAbort, { once: true });
      else if (signal) signal.onabort = onAbort;
      this.exchange(parsed).then(
        (answer) =>
          settle(() => resolve({ response: { statusCode: answer.statusCode, headers: answer.headers, body: answer.body } })),
        (error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))),
      );
    });
  }

  updateHttpClientConfig(): void {
    // Nothing to configure: there is no connection, timeout or agent.
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    this.destroyed = true;
  }
}
