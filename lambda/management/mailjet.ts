/**
 * Mailjet: one `eventcallbackurl` row per event type (plus optional backup rows), each with its own `Url`. Basic
 * credentials go in the URL's user info, as Mailjet recommends [MJ1]; every managed row is updated.
 *
 * API [MJ1][MJ2]: `GET /v3/REST/eventcallbackurl` answers `{"Count", "Data": [{"ID", "EventType", "IsBackup",
 * "Status", "Url", "Version", ...}], "Total"}`; `PUT /v3/REST/eventcallbackurl/{ID}` with `{"Url"}` changes only the
 * given properties ("all PUT requests behave like PATCH requests"). Authenticated with HTTP Basic
 * `API key:secret key`. `Status` is `alive` or `dead` (a dead URL is suspended).
 */
import { apiBase, inPlaceClient, jsonApi, type RemoteWebhook, requiredKey, unexpectedAnswer } from './in-place';
import { credentialInUrl, urlWithCredential } from './shared';
import type { ManagementModule } from './types';

const PROVIDER = 'mailjet' as const;
const PATH = '/v3/REST/eventcallbackurl';
/** The documented maximum page size [MJ2]; an account has a few rows per event type. */
const PAGE = 1000;
/** A bound on pages read, so a misbehaving answer cannot loop for ever. */
const MAX_PAGES = 20;

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
    const origin = apiBase(account, { us: 'https://api.mailjet.com' });
    const call = jsonApi(http, PROVIDER, () => {
      const pair = `${requiredKey(PROVIDER, apiKey, 'apiKey')}:${requiredKey(PROVIDER, apiKey, 'secretKey')}`;
      return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
    });

    return inPlaceClient<RemoteWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'URL user info',
      async list() {
        const rows: RemoteWebhook[] = [];
        for (let page = 0; page < MAX_PAGES; page += 1) {
          const url = `${origin}${PATH}?Limit=${PAGE}&Offset=${page * PAGE}`;
          const answer = (await call('listing eventcallbackurl', 'GET', url)) as { Data?: unknown } | null;
          if (!Array.isArray(answer?.Data)) throw unexpectedAnswer(PROVIDER, 'listing eventcallbackurl');
          for (const row of answer.Data as Array<{ ID?: unknown; Url?: unknown; Status?: unknown }>) {
            if ((typeof row.ID !== 'number' && typeof row.ID !== 'string') || typeof row.Url !== 'string') continue;
            rows.push({ id: String(row.ID), url: row.Url, credential: credentialInUrl(row.Url), active: row.Status !== 'dead' });
          }
          if (answer.Data.length < PAGE) break;
        }
        return rows;
      },
      async update(row, desired) {
        await call(`updating eventcallbackurl ${row.id}`, 'PUT', `${origin}${PATH}/${encodeURIComponent(row.id)}`, {
          Url: urlWithCredential(desired.url, desired.credential),
        });
      },
    });
  },
};
