/**
 * A small HTTP server on 127.0.0.1 for provider management-API fakes. Each provider's fake (in
 * `test/support/fakes/<provider>.ts`) registers the routes its documentation describes, keeps its webhooks in memory,
 * and answers as the documentation says; this kit records every request and can inject failures (429, 5xx) so
 * tests can drive partial failures. Close it in `afterAll`/`afterEach`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a route handler answers. */
export interface FakeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route: method plus a path pattern whose `:name` segments become `params`. */
export type RouteHandler = (request: RecordedRequest, params: Readonly<Record<string, string>>) => FakeResponse;

/** A failure to inject: answered instead of the route's answer, for the next `times` matching requests. */
export interface InjectedFailure {
  readonly method?: string;
  /** A path prefix; absent: any path. */
  readonly pathPrefix?: string;
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** @default 1 */
  readonly times?: number;
}

/** A running fake API. */
export interface FakeApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  route(method: string, pattern: string, handler: RouteHandler): void;
  failNext(failure: InjectedFailure): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function matchPattern(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index += 1) {
    const part = want[index] as string;
    const value = got[index] as string;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return null;
  }
  return params;
}

/** Starts a fake API server; unmatched requests get 404 `{"error":"no such route"}`. */
export async function startFakeApiServer(): Promise<FakeApiServer> {
  const routes: Array<{ method: string; pattern: string; handler: RouteHandler }> = [];
  const failures: Array<InjectedFailure & { remaining: number }> = [];
  const requests: RecordedRequest[] = [];

  const server: Server = createServer((incoming, outgoing) => {
    void readBody(incoming).then((body) => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      const recorded: RecordedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        path: url.pathname,
        query: url.searchParams,
        headers,
        body,
      };
      requests.push(recorded);
      let answer: FakeResponse = { status: 404, body: { error: 'no such route' } };
      const failure = failures.find(
        (candidate) =>
          candidate.remaining > 0 &&
          (candidate.method === undefined || candidate.method === recorded.method) &&
          (candidate.pathPrefix === undefined || recorded.path.startsWith(candidate.pathPrefix)),
      );
      if (failure !== undefined) {
        failure.remaining -= 1;
        answer = { status: failure.status, headers: failure.headers, body: failure.body ?? { error: 'injected' } };
      } else {
        for (const route of routes) {
          if (route.method !== recorded.method) continue;
          const params = matchPattern(route.pattern, recorded.path);
          if (params === null) continue;
          answer = route.handler(recorded, params);
          break;
        }
      }
      const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      outgoing.writeHead(answer.status, {
        'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
        ...answer.headers,
      });
      outgoing.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    route(method, pattern, handler) {
      routes.push({ method, pattern, handler });
    },
    failNext(failure) {
      failures.push({ ...failure, remaining: failure.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
