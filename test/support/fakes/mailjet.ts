/**
 * A fake of Mailjet's `eventcallbackurl` resource, built from Mailjet's documentation:
 * - [MJ1] github.com/mailjet/api-documentation `guides/_event-api.md`: `POST/GET /v3/REST/eventcallbackurl`,
 *   fields `EventType`, `Url`, `Version`, `IsBackup`, `Status`; Basic `API key:secret key`;
 * - [MJ2] same repository `guides/_api-overview.md`: PUT behaves like PATCH, `Limit` (default 10, max 1000) and
 *   `Offset` paginate, bodies (errors too) are JSON;
 * - the resource's property list `APIKeyID, EventType, ID, IsBackup, Status, Url, Version` and operations
 *   GET/PUT/POST/DELETE from mailjet/mailjet-gem `lib/mailjet/resources/eventcallbackurl.rb`;
 * - the `{"Count", "Data", "Total"}` envelope of every Mailjet REST answer (the SDK examples read `Data`).
 */
import { type FakeApiServer, type RecordedRequest, startFakeApiServer } from '../fake-api-server';

/** One `eventcallbackurl` row as the fake stores it. */
export interface MailjetRow {
  ID: number;
  APIKeyID: number;
  EventType: string;
  IsBackup: boolean;
  Status: 'alive' | 'dead';
  Url: string;
  Version: number;
}

/** A running Mailjet fake. */
export interface MailjetFake {
  readonly server: FakeApiServer;
  readonly rows: MailjetRow[];
  close(): Promise<void>;
}

const error = (status: number, message: string) => ({
  status,
  body: { ErrorInfo: '', ErrorMessage: message, StatusCode: status },
});

/** Starts the fake; only `apiKey:secretKey` as Basic credentials is accepted. */
export async function startMailjetFake(
  apiKey: string,
  secretKey: string,
  rows: Omit<MailjetRow, 'APIKeyID'>[],
): Promise<MailjetFake> {
  const server = await startFakeApiServer();
  const state: MailjetRow[] = rows.map((row) => ({ ...row, APIKeyID: 4711 }));
  const expected = `Basic ${Buffer.from(`${apiKey}:${secretKey}`).toString('base64')}`;
  const authorized = (request: RecordedRequest) => request.headers.authorization === expected;

  server.route('GET', '/v3/REST/eventcallbackurl', (request) => {
    if (!authorized(request)) return error(401, 'API key authentication/authorization failure');
    const limit = Math.min(Number(request.query.get('Limit') ?? 10), 1000);
    const offset = Number(request.query.get('Offset') ?? 0);
    const page = state.slice(offset, offset + limit);
    return { status: 200, body: { Count: page.length, Data: page, Total: state.length } };
  });
  server.route('PUT', '/v3/REST/eventcallbackurl/:id', (request, params) => {
    if (!authorized(request)) return error(401, 'API key authentication/authorization failure');
    const row = state.find((candidate) => String(candidate.ID) === params.id);
    if (row === undefined) return error(404, 'Object not found');
    const update = JSON.parse(request.body) as Partial<MailjetRow>;
    // PUT acts like PATCH [MJ2]: only the given properties change. A new Url revives a dead row [MJ1].
    if (update.Url !== undefined && update.Url !== row.Url) {
      row.Url = update.Url;
      row.Status = 'alive';
    }
    if (update.EventType !== undefined) row.EventType = update.EventType;
    if (update.Version !== undefined) row.Version = update.Version;
    return { status: 200, body: { Count: 1, Data: [row], Total: 1 } };
  });
  return { server, rows: state, close: () => server.close() };
}
