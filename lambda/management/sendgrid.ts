/**
 * SendGrid Event Webhooks: the Basic credential rides in the webhook URL's user info (SendGrid has no Basic field;
 * its OAuth fields are a different scheme). List with `GET /v3/user/webhooks/event/settings/all`, update with
 * `PATCH /v3/user/webhooks/event/settings/{id}` sending the whole webhook object back, because the spec documents
 * only `url` as required and not what an omitted field becomes [SG1].
 *
 * Sources: [SG1] twilio/sendgrid-oai `spec/yaml/tsg_webhooks_v3.yaml` (ListEventWebhook, UpdateEventWebhook,
 * EventWebhookRequest; servers `api.sendgrid.com` and `api.eu.sendgrid.com`; `on-behalf-of` header);
 * [SG5] twilio.com/docs/sendgrid/api-reference/api-key-permissions.
 */
import { apiBase, callApi, inPlaceClient, type RemoteWebhook, requiredKey, unexpectedAnswer } from './in-place';
import { credentialInUrl, urlWithCredential } from './shared';
import type { ManagementModule } from './types';

const PROVIDER = 'sendgrid';

/**
 * The writable fields of EventWebhookRequest [SG1] that a listed webhook returns. `oauth_client_secret` is never
 * returned and SendGrid keeps the stored one when it is omitted ("SendGrid will store the secret, allowing you to
 * update your client ID and Token URL without passing the secret to SendGrid again").
 */
const WRITABLE_FIELDS = [
  'enabled',
  'url',
  'group_resubscribe',
  'delivered',
  'group_unsubscribe',
  'spam_report',
  'bounce',
  'deferred',
  'unsubscribe',
  'processed',
  'open',
  'click',
  'dropped',
  'friendly_name',
  'oauth_client_id',
  'oauth_token_url',
] as const;

interface SendGridWebhook extends RemoteWebhook {
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The SendGrid management module. */
export const sendgridManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'url-userinfo',
  keyFields: ['apiKey'],
  keyScope:
    'A restricted API key with only the Event Webhook scopes user.webhooks.event.settings.read and ' +
    'user.webhooks.event.settings.update [SG5]',
  options: {
    onBehalfOf: 'Optional: the subuser (name or account id) whose webhooks are managed, sent as the on-behalf-of header',
  },
  sources: [
    'https://github.com/twilio/sendgrid-oai/blob/main/spec/yaml/tsg_webhooks_v3.yaml',
    'https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions',
  ],
  create({ account, apiKey, http }) {
    const base = () => apiBase(account, { us: 'https://api.sendgrid.com', eu: 'https://api.eu.sendgrid.com' });
    const headers = () => ({
      authorization: `Bearer ${requiredKey(PROVIDER, apiKey, 'apiKey')}`,
      accept: 'application/json',
      'content-type': 'application/json',
      ...(account.options?.onBehalfOf === undefined ? {} : { 'on-behalf-of': account.options.onBehalfOf }),
    });
    return inPlaceClient<SendGridWebhook>(account, {
      provider: PROVIDER,
      credentialField: 'URL user info',
      async list() {
        const operation = 'list event webhooks';
        const answer = await callApi(http, PROVIDER, operation, {
          method: 'GET',
          url: `${base()}/v3/user/webhooks/event/settings/all`,
          headers: headers(),
        });
        const webhooks = (answer as { webhooks?: unknown } | null)?.webhooks;
        if (!Array.isArray(webhooks)) throw unexpectedAnswer(PROVIDER, operation);
        // The documented answer for an account without webhooks is `"webhooks": [{}]`: skip entries without id/url.
        return webhooks.flatMap((entry: Record<string, unknown>) => {
          if (typeof entry?.id !== 'string' || typeof entry.url !== 'string') return [];
          return [
            {
              id: entry.id,
              url: entry.url,
              credential: credentialInUrl(entry.url),
              active: entry.enabled !== false,
              fields: entry,
            },
          ];
        });
      },
      async update(webhook, desired) {
        const body: Record<string, unknown> = {};
        for (const field of WRITABLE_FIELDS) {
          if (webhook.fields[field] !== undefined) body[field] = webhook.fields[field];
        }
        body.url = urlWithCredential(desired.url, desired.credential);
        await callApi(http, PROVIDER, `update event webhook ${webhook.id}`, {
          method: 'PATCH',
          url: `${base()}/v3/user/webhooks/event/settings/${encodeURIComponent(webhook.id)}`,
          headers: headers(),
          body: JSON.stringify(body),
        });
      },
    });
  },
};
