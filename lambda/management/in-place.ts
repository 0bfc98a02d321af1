/**
 * The common core of management clients whose provider updates a webhook's URL in place (Mailjet, Mailtrap,
 * MailerSend, Resend): each module supplies how to list the account's webhooks and how to change one webhook's URL,
 * and this file decides which webhooks are managed, what they look like ({@link WebhookSnapshot}) and what changes.
 * Pure apart from the two functions it is given.
 */
import type { ProviderId } from '../core/provider-ids';
import { credentialInUrl, displayUrl, matchCredential, sameTarget, urlWithCredential } from './shared';
import {
  type CredentialPlacement,
  type DesiredWebhook,
  type ManagedAccount,
  type ManagedWebhookClient,
  ManagementError,
  type WebhookChange,
  type WebhookSnapshot,
} from './types';

/** One webhook as a provider lists it, reduced to what management needs. `url` may carry credentials. */
export interface RemoteWebhook {
  readonly id: string;
  readonly url: string;
  /** False while the provider does not deliver to it (disabled, suspended, paused). */
  readonly active: boolean;
}

/**
 * The webhooks of `all` that Hookguard manages: the configured ids (every id must exist), or else those whose
 * target is Hookguard's URL or `account.matchUrl` (so a webhook still matches after `apply` moved it to Hookguard's
 * URL). Throws when none is found: nothing to manage is a configuration error.
 */
export function selectManaged<T extends RemoteWebhook>(
  provider: ProviderId,
  all: readonly T[],
  desired: DesiredWebhook,
  account: ManagedAccount,
): T[] {
  if (account.webhookIds !== undefined && account.webhookIds.length > 0) {
    const missing = account.webhookIds.filter((id) => !all.some((hook) => hook.id === id));
    if (missing.length > 0) {
      throw new ManagementError(provider, `no webhook with id ${missing.join(', ')} in the account`);
    }
    return all.filter((hook) => account.webhookIds?.includes(hook.id));
  }
  const managed = all.filter(
    (hook) =>
      sameTarget(hook.url, desired.url) || (account.matchUrl !== undefined && sameTarget(hook.url, account.matchUrl)),
  );
  if (managed.length === 0) {
    const target = account.matchUrl === undefined ? displayUrl(desired.url) : `${displayUrl(desired.url)} or ${displayUrl(account.matchUrl)}`;
    throw new ManagementError(provider, `no webhook points at ${target}: create it once at the provider, or configure its id`);
  }
  return managed;
}

/** What a webhook looks like against `desired`; `superseded` is always false for in-place providers. */
export function snapshotOf(hook: RemoteWebhook, desired: DesiredWebhook): WebhookSnapshot {
  return {
    id: hook.id,
    displayUrl: displayUrl(hook.url),
    urlMatches: sameTarget(hook.url, desired.url),
    credential: matchCredential(credentialInUrl(hook.url), desired.credential),
    active: hook.active,
    superseded: false,
  };
}

/** The URL a webhook should have: with the credential as user info, or bare when the provider cannot carry it. */
export function targetUrl(placement: CredentialPlacement, desired: DesiredWebhook): string {
  return placement === 'url-userinfo' ? urlWithCredential(desired.url, desired.credential) : desired.url;
}

/**
 * The change `hook` needs, or null. With `placement: 'none'` only the target counts: such a provider cannot carry
 * the credential, so its webhook is left as it is while it points at Hookguard's URL.
 */
export function changeFor(
  placement: CredentialPlacement,
  hook: RemoteWebhook,
  desired: DesiredWebhook,
): WebhookChange | null {
  const snapshot = snapshotOf(hook, desired);
  if (!snapshot.urlMatches) {
    return {
      action: 'update',
      id: hook.id,
      summary: `URL: ${snapshot.displayUrl} -> ${displayUrl(targetUrl(placement, desired))}`,
    };
  }
  if (placement === 'url-userinfo' && snapshot.credential !== 'desired') {
    return { action: 'update', id: hook.id, summary: `URL user info: ${describeCredential(snapshot)} -> desired credential` };
  }
  return null;
}

function describeCredential(snapshot: WebhookSnapshot): string {
  return snapshot.credential === 'none' ? 'no credential' : `${snapshot.credential} credential`;
}

/** What a module gives {@link inPlaceClient}. */
export interface InPlaceApi<T extends RemoteWebhook> {
  readonly provider: ProviderId;
  readonly placement: CredentialPlacement;
  readonly account: ManagedAccount;
  /** Every webhook of the account (all pages). */
  list(): Promise<readonly T[]>;
  /** Sets the webhook's URL, leaving its other settings as they are. */
  updateUrl(hook: T, url: string): Promise<void>;
}

/** A {@link ManagedWebhookClient} for a provider that changes a webhook's URL in place. */
export function inPlaceClient<T extends RemoteWebhook>(api: InPlaceApi<T>): ManagedWebhookClient {
  const managed = async (desired: DesiredWebhook) =>
    selectManaged(api.provider, await api.list(), desired, api.account);
  const pending = async (desired: DesiredWebhook) =>
    (await managed(desired))
      .map((hook) => ({ hook, change: changeFor(api.placement, hook, desired) }))
      .filter((entry): entry is { hook: T; change: WebhookChange } => entry.change !== null);
  return {
    provider: api.provider,
    async read(desired) {
      return (await managed(desired)).map((hook) => snapshotOf(hook, desired));
    },
    async plan(desired) {
      return (await pending(desired)).map((entry) => entry.change);
    },
    async apply(desired) {
      const changes: WebhookChange[] = [];
      // One at a time: a failure stops here, and the next apply changes only what is still different.
      for (const { hook, change } of await pending(desired)) {
        await api.updateUrl(hook, targetUrl(api.placement, desired));
        changes.push(change);
      }
      return changes;
    },
    retire() {
      return Promise.resolve([]);
    },
  };
}

/**
 * The API base: `account.apiBaseUrl` (tests' fakes, a proxy) or the documented origin, without a trailing slash.
 * Paths stay as documented, so a fake serves the same paths as the provider.
 */
export function apiOrigin(account: ManagedAccount, documented: string): string {
  return (account.apiBaseUrl ?? documented).replace(/\/+$/, '');
}

/** A required `ManagedAccount.options` entry, or a {@link ManagementError} naming it. */
export function requiredOption(provider: ProviderId, account: ManagedAccount, name: string): string {
  const value = account.options?.[name];
  if (value === undefined || value.trim() === '') {
    throw new ManagementError(provider, `managed.options.${name} is required`);
  }
  return value.trim();
}

/** A required API key field, or a {@link ManagementError} naming the field (never its value). */
export function requiredKey(provider: ProviderId, apiKey: Readonly<Record<string, string>>, field: string): string {
  const value = apiKey[field];
  if (value === undefined || value === '') {
    throw new ManagementError(provider, `the provider-keys secret has no ${field} for ${provider}`);
  }
  return value;
}
