/**
 * Mailjet: one `eventcallbackurl` row per event type (plus optional backup rows), each with its own `Url`. Basic
 * credentials go in the URL's user info, as Mailjet recommends [MJ1]; every managed row is updated.
 *
 * API [MJ1][MJ2]: `GET /v3/REST/eventcallbackurl` answers `{"Count", "Data": [{"ID", "EventType", "IsBackup",
 * "Status", "Url", "Version", ...}], "Total"}`; `PUT /v3/REST/eventcallbackurl/{ID}` with `{"Url"}` changes only the
 * given properties ("all PUT requests behave like PATCH requests"). Authenticated with HTTP Basic
 * `API key:secret key`. `Status` is `alive` or `dead` (a dead URL is suspended).
 */
import { apiOrigin, inPlaceClient, type RemoteWebhook, requiredKey } from './in-place';
import { expectOk, jsonBody, sendWithRetry } from './shared';
import { type HttpRequest, ManagementError, type ManagementModule } from './types';

const PROVIDER = 'mailjet' as const;
const PATH = '/v3/REST/eventcallbackurl';
/** The documented maximum page size [MJ2]; an account has at most a few rows per event type. */
const PAGE = 1000;

interface MailjetRow {
  readonly ID?: unknown;
  readonly Url?: unknown;
  readonly Status?: unknown;
}

/** The Mailjet management module. */
export const mailjetManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'url-userinfo',
  keyFields: ['apiKey', 'secretKey'],
  keyScope:
    'Mailjet has no scoped keys for the REST API: the API key pair (API key + secret key) of the account or, narrower, of a sub-account that sends the mail',
  options: {},
  sources: [
    'https://github.com/mailjet/api-documentation/blob/master/guides/_event-api.md',
    'https://github.com/mailjet/api-documentation/blob/master/guides/_api-overview.md',
    'https://github.com/mailjet/mailjet-gem/blob/master/lib/mailjet/resources/eventcallbackurl.rb',
  ],
  create({ account, apiKey, http }) {
    const origin = apiOrigin(account, 'https://api.mailjet.com');
    const authorization = () =>
      `Basic ${Buffer.from(`${requiredKey(PROVIDER, apiKey, 'apiKey')}:${requiredKey(PROVIDER, apiKey, 'secretKey')}`).toString('base64')}`;
    const send = (request: Omit<HttpRequest, 'headers'>) =>
      sendWithRetry(http, PROVIDER, {
        ...request,
        headers: { authorization: authorization(), accept: 'application/json', 'content-type': 'application/json' },
      });

    return inPlaceClient<RemoteWebhook>({
      provider: PROVIDER,
      placement: 'url-userinfo',
      account,
      async list() {
        const rows: RemoteWebhook[] = [];
        for (let offset = 0; ; offset += PAGE) {
          const response = expectOk(
            PROVIDER,
            'listing eventcallbackurl',
            await send({ method: 'GET', url: `${origin}${PATH}?Limit=${PAGE}&Offset=${offset}` }),
          );
          const body = jsonBody(PROVIDER, 'listing eventcallbackurl', response) as { Data?: unknown; Total?: unknown };
          if (!Array.isArray(body.Data)) {
            throw new ManagementError(PROVIDER, 'listing eventcallbackurl answered without a Data list', response.status);
          }
          for (const row of body.Data as MailjetRow[]) {
            if ((typeof row.ID !== 'number' && typeof row.ID !== 'string') || typeof row.Url !== 'string') continue;
            rows.push({ id: String(row.ID), url: row.Url, active: row.Status !== 'dead' });
          }
          const total = typeof body.Total === 'number' ? body.Total : rows.length;
          if (body.Data.length < PAGE || rows.length >= total) return rows;
        }
      },
      async updateUrl(hook, url) {
        expectOk(
          PROVIDER,
          `updating eventcallbackurl ${hook.id}`,
          await send({ method: 'PUT', url: `${origin}${PATH}/${encodeURIComponent(hook.id)}`, body: JSON.stringify({ Url: url }) }),
        );
      },
    });
  },
};
