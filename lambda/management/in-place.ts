/**
 * The common core of the management clients whose provider updates a webhook in place (SendGrid, Mailgun, Postmark,
 * Mandrill, SparkPost, Brevo...): list the account's webhooks, pick the managed ones, compare each with the desired
 * URL and credential, and update only those that differ. A provider module supplies the three provider-specific
 * parts ({@link InPlaceProvider}: list, update, and any extra difference); selection, comparison, summaries,
 * idempotency and the "nothing to manage" error live here once, so every module behaves the same.
 */
import type { ProviderId } from '../core/provider-ids';
import { displayUrl, expectOk, jsonBody, matchCredential, sameTarget, sendWithRetry } from './shared';
import {
  type CredentialMatch,
  type DesiredWebhook,
  type HttpClient,
  type HttpRequest,
  type ManagedAccount,
  type ManagedWebhookClient,
  ManagementError,
  type WebhookChange,
  type WebhookCredential,
  type WebhookSnapshot,
} from './types';

/** One webhook as a provider module reads it from the provider's list answer. */
export interface RemoteWebhook {
  /** The provider's id of the webhook, as a string. */
  readonly id: string;
  /** The URL as the provider holds it (user info included, when it carries one). */
  readonly url: string;
  /** The credential it carries; null when none; `unreadable` when the provider does not return it. */
  readonly credential: WebhookCredential | null | 'unreadable';
  /** False when the provider does not deliver to it (disabled, inactive). */
  readonly active: boolean;
}

/** The provider-specific parts of an in-place client. */
export interface InPlaceProvider<W extends RemoteWebhook> {
  readonly provider: ProviderId;
  /** Where the credential sits, for change summaries: `URL user info`, `HttpAuth`, `auth.token`... */
  readonly credentialField: string;
  /**
   * False for a provider whose webhook cannot carry the credential (placement `none`: MailerSend, Resend): only the
   * URL's target is compared and updated, and whatever credential the webhook shows is reported but never changed.
   * @default true
   */
  readonly carriesCredential?: boolean;
  /**
   * Every webhook of the account (or of the configured domain/stream), in the provider's order. `desired` is given
   * for providers whose "webhook" holds several URLs (Mailgun: up to three per event type), to pick the one managed.
   */
  list(desired: DesiredWebhook): Promise<readonly W[]>;
  /**
   * A difference from `desired` other than the URL's target and the credential, in words (Mandrill: the URL's exact
   * text, which its signature covers), or null.
   */
  otherDifference?(webhook: W, desired: DesiredWebhook): string | null;
  /** Makes `webhook` point at `desired.url` with `desired.credential`; throws {@link ManagementError} on failure. */
  update(webhook: W, desired: DesiredWebhook): Promise<void>;
}

/**
 * The URLs whose webhooks are managed when no ids are configured: Hookguard's own and the configured match URL. Both,
 * because after the first apply the webhooks point at Hookguard's URL and a retried or later sync must find them.
 */
export function managedTargets(account: ManagedAccount, desired: DesiredWebhook): string[] {
  return [desired.url, ...(account.matchUrl === undefined ? [] : [account.matchUrl])];
}

/**
 * The managed webhooks among `all`: by id when configured, else by URL (the old match URL or Hookguard's own).
 * Exported for clients that are not in place (Unisender Go) but select the same way.
 */
export function selectManaged<W extends RemoteWebhook>(
  provider: ProviderId,
  all: readonly W[],
  account: ManagedAccount,
  desired: DesiredWebhook,
): W[] {
  if (account.webhookIds !== undefined && account.webhookIds.length > 0) {
    const byId = new Map(all.map((webhook) => [webhook.id, webhook]));
    const missing = account.webhookIds.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new ManagementError(provider, `no webhook with id ${missing.join(', ')} (managed.webhookIds)`);
    }
    return account.webhookIds.map((id) => byId.get(id) as W);
  }
  const targets = managedTargets(account, desired);
  const found = all.filter((webhook) => targets.some((target) => sameTarget(webhook.url, target)));
  if (found.length === 0) {
    throw new ManagementError(
      provider,
      `no webhook points at ${targets.map(displayUrl).join(' or ')} (set managed.webhookIds or managed.matchUrl)`,
    );
  }
  return found;
}

function credentialMatch(webhook: RemoteWebhook, desired: DesiredWebhook): CredentialMatch {
  return webhook.credential === 'unreadable' ? 'unreadable' : matchCredential(webhook.credential, desired.credential);
}

/**
 * A {@link ManagedWebhookClient} over an {@link InPlaceProvider}. `apply` changes only the webhooks that differ, so a
 * second call (or a retry after a partial failure) changes nothing already done; a webhook whose credential cannot
 * be read back is always rewritten. `retire` has nothing to do: nothing is superseded when a webhook changes in place.
 */
export function inPlaceClient<W extends RemoteWebhook>(
  account: ManagedAccount,
  spec: InPlaceProvider<W>,
): ManagedWebhookClient {
  const managed = async (desired: DesiredWebhook) =>
    selectManaged(spec.provider, await spec.list(desired), account, desired);

  const changeFor = (webhook: W, desired: DesiredWebhook): WebhookChange | null => {
    const parts: string[] = [];
    if (!sameTarget(webhook.url, desired.url)) {
      parts.push(`URL ${displayUrl(webhook.url)} -> ${displayUrl(desired.url)}`);
    }
    const credential = credentialMatch(webhook, desired);
    if (credential !== 'desired' && spec.carriesCredential !== false) {
      parts.push(`${spec.credentialField}: ${credential} credential -> desired credential`);
    }
    const other = spec.otherDifference?.(webhook, desired) ?? null;
    if (other !== null) parts.push(other);
    if (parts.length === 0) return null;
    return { action: 'update', id: webhook.id, summary: parts.join('; ') };
  };

  return {
    provider: spec.provider,
    async read(desired) {
      return (await managed(desired)).map(
        (webhook): WebhookSnapshot => ({
          id: webhook.id,
          displayUrl: displayUrl(webhook.url),
          urlMatches: sameTarget(webhook.url, desired.url),
          credential: credentialMatch(webhook, desired),
          active: webhook.active,
          superseded: false,
        }),
      );
    },
    async plan(desired) {
      return (await managed(desired)).flatMap((webhook) => changeFor(webhook, desired) ?? []);
    },
    async apply(desired) {
      const changes: WebhookChange[] = [];
      for (const webhook of await managed(desired)) {
        const change = changeFor(webhook, desired);
        if (change === null) continue;
        await spec.update(webhook, desired);
        changes.push(change);
      }
      return changes;
    },
    retire() {
      return Promise.resolve([]);
    },
  };
}

/** The API base URL: the account's override, else the provider's documented host for the region. */
export function apiBase(account: ManagedAccount, hosts: { readonly us: string; readonly eu?: string }): string {
  const base = account.apiBaseUrl ?? (account.region === 'eu' && hosts.eu !== undefined ? hosts.eu : hosts.us);
  return base.replace(/\/+$/, '');
}

/**
 * Sends one management request (retrying 429 and 5xx), fails unless 2xx, and returns the parsed JSON answer (null for
 * an empty answer such as 204). `operation` names the call in errors; it must not contain secrets.
 */
export async function callApi(
  http: HttpClient,
  provider: ProviderId,
  operation: string,
  request: HttpRequest,
): Promise<unknown> {
  const response = expectOk(provider, operation, await sendWithRetry(http, provider, request));
  if (response.body.trim() === '') return null;
  return jsonBody(provider, operation, response);
}

/** One JSON call of a provider API: operation (for errors, no secrets), method, URL and optional JSON body. */
export type JsonCall = (operation: string, method: HttpRequest['method'], url: string, body?: unknown) => Promise<unknown>;

/**
 * A {@link JsonCall} for a JSON API authenticated by headers: every request sends `authHeaders()` (read at each call,
 * so a missing key field fails the call, not the client's creation) with JSON `accept` and `content-type`, goes
 * through {@link callApi} (retries, status check) and answers the parsed JSON.
 */
export function jsonApi(
  http: HttpClient,
  provider: ProviderId,
  authHeaders: () => Readonly<Record<string, string>>,
): JsonCall {
  return (operation, method, url, body) =>
    callApi(http, provider, operation, {
      method,
      url,
      headers: { ...authHeaders(), accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

/** A required `ManagedAccount.options` entry, or a {@link ManagementError} naming it. */
export function requiredOption(provider: ProviderId, account: ManagedAccount, name: string): string {
  const value = account.options?.[name];
  if (value === undefined || value.trim() === '') {
    throw new ManagementError(provider, `managed.options.${name} is required`);
  }
  return value;
}

/** A required API key field, or a {@link ManagementError} naming the field (never its value). */
export function requiredKey(provider: ProviderId, apiKey: Readonly<Record<string, string>>, field: string): string {
  const value = apiKey[field];
  if (value === undefined || value === '') {
    throw new ManagementError(provider, `the provider API key secret has no "${field}" for this provider`);
  }
  return value;
}

/** A webhook list answer that is not the documented shape. */
export function unexpectedAnswer(provider: ProviderId, operation: string): ManagementError {
  return new ManagementError(provider, `${operation} answered an unexpected shape`);
}
