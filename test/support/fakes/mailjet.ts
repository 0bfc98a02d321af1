/**
 * A fake of Mailjet's `eventcallbackurl` resource, built from Mailjet's documentation:
 * - [MJ1] github.com/mailjet/api-documentation `guides/_event-api.md`: `POST/GET /v3/REST/eventcallbackurl`,
 *   fields `EventType`, `Url`, `Version` (its example: an `open` handler at `https://mydomain.com/event_handler`,
 *   `Version` 2); Basic `API key:secret key`; "a suspended URL is reactivated by updating it to a new URL";
 * - [MJ2] same repository `guides/_api-overview.md`: PUT behaves like PATCH, `Limit` (default 10, max 1000) and
 *   `Offset` paginate, bodies (errors too) are JSON;
 * - the resource's property list `APIKeyID, EventType, ID, IsBackup, Status, Url, Version` and operations
 *   GET/PUT/POST/DELETE from mailjet/mailjet-gem `lib/mailjet/resources/eventcallbackurl.rb`;
 * - the `{"Count", "Data", "Total"}` envelope of every Mailjet REST answer (the SDK examples read `Data`).
 */
import type { ProviderApiKey } from '../../../lambda/management/types';
import { type FakeApiServer, type RecordedRequest, startFakeApiServer } from '../fake-api-server';
import { type CarriedWebhook, type SeedWebhook, userInfoOf, withUserInfo } from './shared';

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
  readonly api: FakeApiServer;
  readonly rows: MailjetRow[];
  carried(): CarriedWebhook[];
  close(): Promise<void>;
}

const error = (status: number, message: string) => ({
  status,
  body: { ErrorInfo: '', ErrorMessage: message, StatusCode: status },
});

/**
 * Starts the fake holding the documentation's example row plus, per seed, a `sent` and a `bounce` row at the seed's
 * URL (a Mailjet account has one row per event type). Only `apiKey:secretKey` as Basic credentials is accepted.
 */
export async function startMailjetFake(apiKey: ProviderApiKey, seed: readonly SeedWebhook[]): Promise<MailjetFake> {
  const api = await startFakeApiServer();
  const rows: MailjetRow[] = [
    { ID: 1, APIKeyID: 4711, EventType: 'open', IsBackup: false, Status: 'alive', Url: 'https://mydomain.com/event_handler', Version: 2 },
  ];
  for (const webhook of seed) {
    for (const EventType of ['sent', 'bounce']) {
      rows.push({
        ID: rows.length + 1,
        APIKeyID: 4711,
        EventType,
        IsBackup: false,
        Status: 'alive',
        Url: withUserInfo(webhook.url, webhook.credential),
        Version: 2,
      });
    }
  }
  const expected = `Basic ${Buffer.from(`${apiKey.apiKey}:${apiKey.secretKey}`).toString('base64')}`;
  const authorized = (request: RecordedRequest) => request.headers.authorization === expected;

  api.route('GET', '/v3/REST/eventcallbackurl', (request) => {
    if (!authorized(request)) return error(401, 'API key authentication/authorization failure');
    const limit = Math.min(Number(request.query.get('Limit') ?? 10), 1000);
    const offset = Number(request.query.get('Offset') ?? 0);
    const page = rows.slice(offset, offset + limit);
    return { status: 200, body: { Count: page.length, Data: page, Total: rows.length } };
  });
  api.route('PUT', '/v3/REST/eventcallbackurl/:id', (request, params) => {
    if (!authorized(request)) return error(401, 'API key authentication/authorization failure');
    const row = rows.find((candidate) => String(candidate.ID) === params.id);
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
  return {
    api,
    rows,
    carried: () => rows.map((row) => ({ id: String(row.ID), url: row.Url, credential: userInfoOf(row.Url) })),
    close: () => api.close(),
  };
}
