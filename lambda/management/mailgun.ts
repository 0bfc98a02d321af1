/**
 * Mailgun domain webhooks (v3): one list of up to three URLs per event type, per sending domain; the Basic credential
 * rides in each URL's user info (Mailgun has no auth field). `GET /v3/domains/{domain}/webhooks` answers
 * `{"webhooks": {"<event>": {"urls": [...]}}}`; `PUT /v3/domains/{domain}/webhooks/{event}` replaces that event's
 * list with the repeated form field `url`. So one managed "webhook" here is one event type (its id is the event
 * name, e.g. `delivered`): the URL pointing at Hookguard is replaced in place and the event's other URLs are kept.
 * The signing key is account-wide and independent of URLs, so it is untouched [MG6].
 *
 * Sources: [MG1] documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/domain-webhooks (Get domain
 * webhooks, Update domain webhook: "Replace the list of urls by the given one with the url param", at most 3 URLs per
 * event type, multipart/form-data; hosts api.mailgun.net and api.eu.mailgun.net); [MG2] mailgun/mailgun.js
 * `lib/Classes/Webhooks.ts` and `lib/Types/Webhooks/Webhooks.ts` (list shape `{[id]: {urls}}`, `putWithFD` with
 * `{url: string[]}`); [MG5] documentation.mailgun.com/docs/mailgun/api-reference/authentication (Basic `api:<key>`);
 * documentation.mailgun.com/docs/mailgun/user-manual/mg_security (role-based API keys).
 */
import { randomBytes } from 'node:crypto';
import {
  apiBase,
  callApi,
  inPlaceClient,
  managedTargets,
  type RemoteWebhook,
  requiredKey,
  requiredOption,
  unexpectedAnswer,
} from './in-place';
import { credentialInUrl, sameTarget, urlWithCredential } from './shared';
import { type DesiredWebhook, ManagementError, type ManagementModule } from './types';

const PROVIDER = 'mailgun';

interface MailgunEventWebhook extends RemoteWebhook {
  /** Every URL of the event type, in Mailgun's order. */
  readonly urls: readonly string[];
  /** The position in {@link urls} of the URL Hookguard manages. */
  readonly index: number;
  /** How many of {@link urls} point at a managed target (more than one is collapsed into one on update). */
  readonly managedCount: number;
}

/** A multipart/form-data body with the fields in order (Mailgun's SDK sends `putWithFD`) [MG2]. */
function formData(fields: readonly (readonly [string, string])[]): { body: string; contentType: string } {
  const boundary = `----hookguard${randomBytes(12).toString('hex')}`;
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The URLs of one event type, from either answer shape Mailgun's SDK accepts (`urls`, or an older single `url`). */
function urlsOf(entry: unknown): string[] {
  if (typeof entry !== 'object' || entry === null) return [];
  const { urls, url } = entry as { urls?: unknown; url?: unknown };
  if (Array.isArray(urls)) return urls.filter((value): value is string => typeof value === 'string');
  return typeof url === 'string' ? [url] : [];
}

/** The Mailgun management module. */
export const mailgunManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'url-userinfo',
  keyFields: ['apiKey'],
  keyScope:
    'An account API key; with role-based keys, the Developer role (Webhooks read/write) is the narrowest that can ' +
    'edit webhooks. Domain Sending Keys can only send messages and cannot manage webhooks [MG5]',
  options: {
    domain: 'Required: the sending domain whose webhooks are managed (v3 domain webhooks are per domain)',
  },
  sources: [
    'https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/domain-webhooks',
    'https://github.com/mailgun/mailgun.js/blob/main/lib/Classes/Webhooks.ts',
    'https://documentation.mailgun.com/docs/mailgun/api-reference/authentication',
    'https://documentation.mailgun.com/docs/mailgun/user-manual/mg_security',
  ],
  create({ account, apiKey, http }) {
    const base = () => apiBase(account, { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' });
    const domainPath = () => `/v3/domains/${encodeURIComponent(requiredOption(PROVIDER, account, 'domain'))}/webhooks`;
    const authorization = () =>
      `Basic ${Buffer.from(`api:${requiredKey(PROVIDER, apiKey, 'apiKey')}`, 'utf8').toString('base64')}`;
    const byIds = account.webhookIds !== undefined && account.webhookIds.length > 0;

    /** The managed URL of an event type: one pointing at a managed target, or the only URL when ids choose. */
    const pick = (event: string, urls: readonly string[], desired: DesiredWebhook) => {
      const targets = managedTargets(account, desired);
      const matching = urls.flatMap((url, index) => (targets.some((target) => sameTarget(url, target)) ? [index] : []));
      if (matching.length > 0) return { index: matching[0] as number, managedCount: matching.length };
      if (!byIds || !account.webhookIds?.includes(event) || urls.length === 0) return null;
      if (urls.length > 1) {
        throw new ManagementError(
          PROVIDER,
          `event type ${event} has ${urls.length} URLs and none points at Hookguard: set managed.matchUrl to choose one`,
        );
      }
      return { index: 0, managedCount: 0 };
    };

    return inPlaceClient<MailgunEventWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'URL user info',
      async list(desired) {
        const operation = 'list domain webhooks';
        const answer = await callApi(http, PROVIDER, operation, {
          method: 'GET',
          url: `${base()}${domainPath()}`,
          headers: { authorization: authorization(), accept: 'application/json' },
        });
        const webhooks = (answer as { webhooks?: unknown } | null)?.webhooks;
        if (typeof webhooks !== 'object' || webhooks === null || Array.isArray(webhooks)) {
          throw unexpectedAnswer(PROVIDER, operation);
        }
        return Object.entries(webhooks).flatMap(([event, entry]) => {
          const urls = urlsOf(entry);
          const chosen = pick(event, urls, desired);
          if (chosen === null) return [];
          const url = urls[chosen.index] as string;
          return [{ id: event, url, credential: credentialInUrl(url), active: true, urls, ...chosen }];
        });
      },
      otherDifference(webhook) {
        return webhook.managedCount > 1 ? `${webhook.managedCount} URLs of this event type -> one` : null;
      },
      async update(webhook, desired) {
        const targets = managedTargets(account, desired);
        const next = webhook.urls.flatMap((url, index) => {
          if (index === webhook.index) return [urlWithCredential(desired.url, desired.credential)];
          return targets.some((target) => sameTarget(url, target)) ? [] : [url];
        });
        const form = formData(next.map((url) => ['url', url] as const));
        await callApi(http, PROVIDER, `update ${webhook.id} webhook`, {
          method: 'PUT',
          url: `${base()}${domainPath()}/${encodeURIComponent(webhook.id)}`,
          headers: { authorization: authorization(), accept: 'application/json', 'content-type': form.contentType },
          body: form.body,
        });
      },
    });
  },
};
