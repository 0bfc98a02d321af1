/**
 * A fake of Unisender Go's webhook methods [UG1][UG2], built from godocs.unisender.ru/web-api-ref and the same
 * methods documented for UniOne (docs.unione.io/en/web-api-notifications; unione-repo/unione-ruby
 * `lib/unione/client/webhook.rb` for the answer schemas): `POST /ru/transactional/api/v1/webhook/{set,get,list,
 * delete}.json` with JSON bodies and the `X-API-KEY` header; `set` creates or edits the handler keyed by `url`;
 * answers `{"status": "success", ...}`, errors `{"status": "error", "message", "code"}`.
 */
import { type FakeApiServer, type FakeResponse, type RecordedRequest, startFakeApiServer } from '../fake-api-server';

/** One handler as the fake stores it (the list schema's fields). */
export interface UnisenderHandler {
  id: number;
  url: string;
  status: 'active' | 'disabled' | 'stopped';
  updated_at: string;
  events: { email_status: string[]; spam_block: string[] };
  event_format: 'json_post' | 'json_post_gzip';
  delivery_info: 0 | 1;
  single_event: 0 | 1;
  max_parallel: number;
}

/** A running Unisender Go fake. */
export interface UnisenderFake {
  readonly server: FakeApiServer;
  readonly handlers: UnisenderHandler[];
  close(): Promise<void>;
}

const BASE = '/ru/transactional/api/v1/webhook';
const failure = (status: number, message: string, code: number): FakeResponse => ({
  status,
  body: { status: 'error', message, code },
});

/** Starts the fake; only the given API key is accepted. */
export async function startUnisenderFake(apiKey: string, handlers: UnisenderHandler[]): Promise<UnisenderFake> {
  const server = await startFakeApiServer();
  const state = handlers.map((handler) => ({ ...handler }));
  let nextId = Math.max(0, ...state.map((handler) => handler.id)) + 1;
  const guarded = (handle: (body: Record<string, unknown>) => FakeResponse) => (request: RecordedRequest) => {
    if (request.headers['x-api-key'] !== apiKey) return failure(401, 'Invalid API key', 102);
    return handle(JSON.parse(request.body === '' ? '{}' : request.body) as Record<string, unknown>);
  };

  server.route(
    'POST',
    `${BASE}/list.json`,
    guarded((body) => {
      const limit = Number(body.limit ?? 50);
      const offset = Number(body.offset ?? 0);
      return { status: 200, body: { status: 'success', objects: state.slice(offset, offset + limit) } };
    }),
  );
  server.route(
    'POST',
    `${BASE}/set.json`,
    guarded((body) => {
      if (typeof body.url !== 'string') return failure(400, "'url' is required", 150);
      const existing = state.find((handler) => handler.url === body.url);
      const handler: UnisenderHandler = existing ?? {
        id: nextId++,
        url: body.url,
        status: 'active',
        updated_at: '',
        events: { email_status: [], spam_block: [] },
        event_format: 'json_post',
        delivery_info: 0,
        single_event: 0,
        max_parallel: 10,
      };
      Object.assign(handler, {
        ...(body.status !== undefined ? { status: body.status } : {}),
        ...(body.events !== undefined ? { events: body.events } : {}),
        ...(body.event_format !== undefined ? { event_format: body.event_format } : {}),
        ...(body.delivery_info !== undefined ? { delivery_info: body.delivery_info } : {}),
        ...(body.single_event !== undefined ? { single_event: body.single_event } : {}),
        ...(body.max_parallel !== undefined ? { max_parallel: body.max_parallel } : {}),
        updated_at: '2026-12-02 06:00:00',
      });
      if (existing === undefined) state.push(handler);
      return { status: 200, body: { status: 'success', object: handler } };
    }),
  );
  server.route(
    'POST',
    `${BASE}/delete.json`,
    guarded((body) => {
      const index = state.findIndex((handler) => handler.url === body.url);
      if (index < 0) return failure(404, 'Webhook not found', 404);
      state.splice(index, 1);
      return { status: 200, body: { status: 'success' } };
    }),
  );
  return { server, handlers: state, close: () => server.close() };
}
