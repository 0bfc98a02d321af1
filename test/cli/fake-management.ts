/**
 * A management module for the CLI tests that keeps one provider account's webhooks in memory and implements the
 * port of `lambda/management/types.ts` (read, plan, apply, retire) with URL user info as the credential's place.
 * The real modules are tested against fake provider servers in test/unit/management/; this one lets the CLI's
 * tests script failures and look at what was changed without a provider's wire format in the way.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';
import {
  credentialInUrl,
  displayUrl,
  matchCredential,
  sameTarget,
  urlWithCredential,
} from '../../lambda/management/shared';
import {
  type CredentialPlacement,
  type DesiredWebhook,
  ManagementError,
  type ManagementModule,
  type WebhookChange,
  type WebhookSnapshot,
} from '../../lambda/management/types';

/** One webhook of the fake account: its id and its full URL (credentials included). */
export interface FakeWebhook {
  readonly id: string;
  url: string;
}

/** The fake account of one provider, and what the tests can script. */
export class FakeManagedAccount {
  readonly webhooks: FakeWebhook[] = [];
  /** API keys the clients were created with. */
  readonly apiKeys: Array<Readonly<Record<string, string>>> = [];
  /** Every apply that changed something. */
  readonly applied: WebhookChange[] = [];
  /** When set, every call fails with this HTTP status (a ManagementError). */
  failStatus: number | undefined;

  constructor(readonly provider: ProviderId) {}

  /** A module over this account. */
  module(placement: CredentialPlacement = 'url-userinfo'): ManagementModule {
    return fakeModule(this, placement);
  }
}

function fakeModule(account: FakeManagedAccount, placement: CredentialPlacement): ManagementModule {
  const fail = (operation: string) => {
    if (account.failStatus !== undefined) {
      throw new ManagementError(account.provider, `${operation} answered HTTP ${account.failStatus}`, account.failStatus);
    }
  };
  const snapshots = (desired: DesiredWebhook): WebhookSnapshot[] => {
    const found = account.webhooks.filter((webhook) => sameTarget(webhook.url, desired.url));
    if (found.length === 0) throw new ManagementError(account.provider, 'no webhook points at Hookguard');
    return found.map((webhook) => ({
      id: webhook.id,
      displayUrl: displayUrl(webhook.url),
      urlMatches: true,
      credential: matchCredential(credentialInUrl(webhook.url), desired.credential),
      active: true,
      superseded: false,
    }));
  };
  const changes = (desired: DesiredWebhook): WebhookChange[] =>
    snapshots(desired)
      .filter((snapshot) => snapshot.credential !== 'desired')
      .map((snapshot) => ({
        action: 'update',
        id: snapshot.id,
        summary: `URL user info: ${snapshot.credential} credential -> desired credential`,
      }));
  return {
    provider: account.provider,
    placement,
    keyFields: ['apiKey'],
    keyScope: 'webhooks: read and write',
    options: {},
    sources: ['test/cli/fake-management.ts'],
    create(deps) {
      account.apiKeys.push(deps.apiKey);
      return {
        provider: account.provider,
        async read(desired) {
          fail('list webhooks');
          return snapshots(desired);
        },
        async plan(desired) {
          fail('list webhooks');
          return changes(desired);
        },
        async apply(desired) {
          fail('update webhook');
          const made = changes(desired);
          for (const change of made) {
            const webhook = account.webhooks.find((entry) => entry.id === change.id);
            if (webhook !== undefined) webhook.url = urlWithCredential(desired.url, desired.credential);
          }
          account.applied.push(...made);
          return made;
        },
        async retire() {
          fail('list webhooks');
          return [];
        },
      };
    },
  };
}
