/**
 * Unisender Go: a webhook's `url` is its key (one handler per URL per user or project), so a new credential in the
 * URL's user info means a new webhook. `apply` creates the webhook at the new URL with the settings of the one it
 * replaces (`webhook/set`, which creates or edits); the old one is then `superseded`, and `retire` deletes it
 * (`webhook/delete`) once the new one is active. Both deliver meanwhile; the verifier's dedupe ledger publishes
 * each event once. The body's `auth` (MD5 with the API key) does not depend on the URL, so nothing else changes.
 *
 * API [UG1][UG2] (godocs.unisender.ru/web-api-ref; the same methods as UniOne, docs.unione.io/en/web-api-notifications
 * and unione-repo/unione-ruby `lib/unione/client/webhook.rb`): every call is a `POST` of JSON to
 * `https://<host>/ru/transactional/api/v1/<method>.json` with header `X-API-KEY`; `webhook/list.json` `{limit,
 * offset}` answers `{"status": "success", "objects": [{"id", "url", "status", "updated_at", "events":
 * {"email_status", "spam_block"}, "event_format", "delivery_info", "single_event", "max_parallel"}]}`;
 * `webhook/set.json` takes `{url, status, events, event_format, delivery_info, single_event, max_parallel}` and
 * answers `{"status": "success", "object": {...}}`; `webhook/delete.json` `{url}` answers `{"status": "success"}`.
 * A handler's `status` is `active`, `disabled` or `stopped` (stopped by Unisender Go after repeated failures).
 */
import type { ProviderId } from '../core/provider-ids';
import { apiBase, jsonApi, type RemoteWebhook, requiredKey, selectManaged } from './in-place';
import { credentialInUrl, displayUrl, matchCredential, sameTarget, urlWithCredential } from './shared';
import {
  type DesiredWebhook,
  ManagementError,
  type ManagementModule,
  type WebhookChange,
  type WebhookSnapshot,
} from './types';

const PROVIDER: ProviderId = 'unisender-go';
const DEFAULT_HOST = 'go1.unisender.ru';
const PAGE = 100;
const MAX_PAGES = 50;
/** The settings a replacement copies from the webhook it replaces, so events and format stay as configured. */
const COPIED = ['events', 'event_format', 'delivery_info', 'single_event', 'max_parallel'] as const;

interface Handler extends RemoteWebhook {
  readonly settings: Readonly<Record<string, unknown>>;
}

/** A `host` option is a plain host name (go1.unisender.ru, go2.unisender.ru...): never a URL with a path or port. */
function hostOf(options: Readonly<Record<string, string>> | undefined): string {
  const host = options?.host?.trim() ?? DEFAULT_HOST;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(host)) {
    throw new ManagementError(PROVIDER, 'managed.options.host must be a host name such as go1.unisender.ru');
  }
  return host;
}

/** The Unisender Go management module. */
export const unisenderGoManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'url-userinfo',
  keyFields: ['apiKey'],
  keyScope:
    'a project API key (Unisender Go issues keys per user and per project; a project key manages only that project\'s webhooks). The key is also the webhook signing key: a new API key needs the signing key updated too',
  options: {
    host: `the API host of the account, ${DEFAULT_HOST} (default) or go2.unisender.ru, as shown in the account settings`,
  },
  sources: [
    'https://godocs.unisender.ru/web-api-ref',
    'https://docs.unione.io/en/web-api-notifications',
    'https://github.com/unione-repo/unione-ruby/blob/master/lib/unione/client/webhook.rb',
  ],
  create({ account, apiKey, http }) {
    if (account.webhookIds !== undefined && account.webhookIds.length > 0) {
      // A replacement handler gets a new id, so ids cannot follow a rotation; the URL can.
      throw new ManagementError(PROVIDER, 'webhooks are keyed by URL: use managed.matchUrl instead of webhookIds');
    }
    const origin = () => apiBase(account, { us: `https://${hostOf(account.options)}` });
    const api = jsonApi(http, PROVIDER, () => ({ 'x-api-key': requiredKey(PROVIDER, apiKey, 'apiKey') }));
    const call = async (method: string, body: Record<string, unknown>, operation: string): Promise<unknown> => {
      const answer = (await api(operation, 'POST', `${origin()}/ru/transactional/api/v1/${method}.json`, body)) as {
        status?: unknown;
      } | null;
      // The API can answer 200 with `"status": "error"`; only "success" is success.
      if (answer?.status !== 'success') {
        throw new ManagementError(PROVIDER, `${operation} did not answer status "success"`);
      }
      return answer;
    };

    const list = async (): Promise<Handler[]> => {
      const handlers: Handler[] = [];
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const body = (await call('webhook/list', { limit: PAGE, offset: page * PAGE }, 'listing webhooks')) as {
          objects?: unknown;
        };
        if (!Array.isArray(body.objects)) {
          throw new ManagementError(PROVIDER, 'listing webhooks answered without an objects list');
        }
        for (const object of body.objects as Array<Record<string, unknown>>) {
          const { id, url, status } = object;
          if ((typeof id !== 'number' && typeof id !== 'string') || typeof url !== 'string') continue;
          const settings: Record<string, unknown> = {};
          for (const key of COPIED) if (object[key] !== undefined) settings[key] = object[key];
          handlers.push({ id: String(id), url, credential: credentialInUrl(url), active: status === 'active', settings });
        }
        if (body.objects.length < PAGE) break;
      }
      return handlers;
    };

    const carriesDesired = (handler: Handler, desired: DesiredWebhook) =>
      sameTarget(handler.url, desired.url) &&
      matchCredential(credentialInUrl(handler.url), desired.credential) === 'desired';

    const snapshots = (managed: readonly Handler[], desired: DesiredWebhook): WebhookSnapshot[] =>
      managed.map((handler) => ({
        id: handler.id,
        displayUrl: displayUrl(handler.url),
        urlMatches: sameTarget(handler.url, desired.url),
        credential: matchCredential(credentialInUrl(handler.url), desired.credential),
        active: handler.active,
        superseded: !carriesDesired(handler, desired),
      }));

    /** What apply does: create the desired handler if missing, or re-activate it if it is not active. */
    const pending = (managed: readonly Handler[], desired: DesiredWebhook) => {
      const current = managed.find((handler) => carriesDesired(handler, desired));
      const target = urlWithCredential(desired.url, desired.credential);
      if (current === undefined) {
        // Copy the settings of an active handler being replaced, else of any managed one.
        const model = managed.find((handler) => handler.active) ?? managed[0];
        return {
          change: {
            action: 'create',
            id: 'new',
            summary: `set ${displayUrl(target)} (desired credential), copying the settings of webhook ${model?.id ?? '?'}`,
          } satisfies WebhookChange,
          body: { ...model?.settings, url: target, status: 'active' },
        };
      }
      if (!current.active) {
        return {
          change: { action: 'update', id: current.id, summary: 'status: not active -> active' } satisfies WebhookChange,
          body: { ...current.settings, url: target, status: 'active' },
        };
      }
      return null;
    };

    return {
      provider: PROVIDER,
      async read(desired) {
        return snapshots(selectManaged(PROVIDER, await list(), account, desired), desired);
      },
      async plan(desired) {
        const next = pending(selectManaged(PROVIDER, await list(), account, desired), desired);
        return next === null ? [] : [next.change];
      },
      async apply(desired) {
        const next = pending(selectManaged(PROVIDER, await list(), account, desired), desired);
        if (next === null) return [];
        // `set` with the same URL edits instead of creating, so a retried apply never makes a second handler.
        await call('webhook/set', next.body, 'setting the webhook');
        return [next.change];
      },
      async retire(desired) {
        const managed = selectManaged(PROVIDER, await list(), account, desired);
        if (!managed.some((handler) => handler.active && carriesDesired(handler, desired))) return [];
        const removed: WebhookChange[] = [];
        for (const handler of managed) {
          if (carriesDesired(handler, desired)) continue;
          await call('webhook/delete', { url: handler.url }, `deleting webhook ${handler.id}`);
          removed.push({ action: 'delete', id: handler.id, summary: `delete ${displayUrl(handler.url)} (superseded)` });
        }
        return removed;
      },
    };
  },
};
