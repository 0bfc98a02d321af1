/**
 * A small in-memory {@link ManagedWebhookClient} for the sync engine's and the rotation's tests: webhooks held as
 * URL + credential, updated in place (like SendGrid) or, with `replaceOnChange`, replaced by a new one that stays
 * inactive until `confirm()` and leaves the old one superseded (like Amazon SNS). Failures are injected per
 * operation as ManagementErrors with an HTTP status, as the real clients throw them.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';
import { matchCredential, sameTarget } from '../../lambda/management/shared';
import {
  type DesiredWebhook,
  type ManagedWebhookClient,
  ManagementError,
  type WebhookChange,
  type WebhookCredential,
  type WebhookSnapshot,
} from '../../lambda/management/types';

export interface FakeWebhook {
  id: string;
  url: string;
  credential: WebhookCredential | null;
  active: boolean;
  superseded: boolean;
}

type Operation = 'read' | 'plan' | 'apply' | 'retire';

export class FakeManagedClient implements ManagedWebhookClient {
  readonly webhooks: FakeWebhook[];
  /** Every call, in order. */
  readonly calls: Operation[] = [];
  /** Failures to throw, per operation, consumed one per call (`Infinity` times with `failAlways`). */
  private readonly failures = new Map<Operation, number[]>();
  private readonly alwaysFailing = new Map<Operation, number>();
  private nextId = 100;

  constructor(
    readonly provider: ProviderId,
    webhooks: Partial<FakeWebhook>[],
    private readonly options: { readonly replaceOnChange?: boolean; readonly credentialUnreadable?: boolean } = {},
  ) {
    this.webhooks = webhooks.map((webhook, index) => ({
      id: webhook.id ?? `wh-${index + 1}`,
      url: webhook.url ?? 'https://hooks.example.com/webhooks/x',
      credential: webhook.credential ?? null,
      active: webhook.active ?? true,
      superseded: webhook.superseded ?? false,
    }));
  }

  /** The next `times` calls of `operation` fail with HTTP `status`. */
  failNext(operation: Operation, status: number, times = 1): this {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), ...Array<number>(times).fill(status)]);
    return this;
  }

  failAlways(operation: Operation, status: number): this {
    this.alwaysFailing.set(operation, status);
    return this;
  }

  heal(): this {
    this.failures.clear();
    this.alwaysFailing.clear();
    return this;
  }

  /** Activates every inactive webhook (SNS: Hookguard's verifier confirmed the subscription). */
  confirm(): void {
    for (const webhook of this.webhooks) webhook.active = true;
  }

  private maybeFail(operation: Operation): void {
    this.calls.push(operation);
    const always = this.alwaysFailing.get(operation);
    const queued = this.failures.get(operation)?.shift();
    const status = always ?? queued;
    if (status !== undefined) throw new ManagementError(this.provider, `${operation} answered HTTP ${status}`, status);
  }

  private managed(desired: DesiredWebhook): FakeWebhook[] {
    const found = this.webhooks.filter((webhook) => sameTarget(webhook.url, desired.url));
    if (found.length === 0) throw new ManagementError(this.provider, 'no webhook matches Hookguard\'s URL');
    return found;
  }

  private snapshot(webhook: FakeWebhook, desired: DesiredWebhook): WebhookSnapshot {
    return {
      id: webhook.id,
      displayUrl: webhook.url,
      urlMatches: sameTarget(webhook.url, desired.url),
      credential: this.options.credentialUnreadable ? 'unreadable' : matchCredential(webhook.credential, desired.credential),
      active: webhook.active,
      superseded: webhook.superseded,
    };
  }

  private changes(desired: DesiredWebhook): WebhookChange[] {
    const live = this.managed(desired).filter((webhook) => !webhook.superseded);
    const carrying = live.filter((webhook) => matchCredential(webhook.credential, desired.credential) === 'desired');
    if (this.options.replaceOnChange) {
      return carrying.length > 0 ? [] : [{ action: 'create', id: 'new', summary: 'subscribe with the desired credential' }];
    }
    return live
      .filter((webhook) => matchCredential(webhook.credential, desired.credential) !== 'desired')
      .map((webhook) => ({ action: 'update', id: webhook.id, summary: 'credential: other -> desired' }));
  }

  async read(desired: DesiredWebhook): Promise<readonly WebhookSnapshot[]> {
    this.maybeFail('read');
    return this.managed(desired).map((webhook) => this.snapshot(webhook, desired));
  }

  async plan(desired: DesiredWebhook): Promise<readonly WebhookChange[]> {
    this.maybeFail('plan');
    return this.changes(desired);
  }

  async apply(desired: DesiredWebhook): Promise<readonly WebhookChange[]> {
    this.maybeFail('apply');
    const changes = this.changes(desired);
    if (this.options.replaceOnChange) {
      if (changes.length === 0) return [];
      for (const webhook of this.managed(desired)) webhook.superseded = true;
      const id = `wh-${this.nextId++}`;
      this.webhooks.push({ id, url: desired.url, credential: { ...desired.credential }, active: false, superseded: false });
      return [{ action: 'create', id, summary: 'subscribed with the desired credential' }];
    }
    for (const change of changes) {
      const webhook = this.webhooks.find((candidate) => candidate.id === change.id) as FakeWebhook;
      webhook.credential = { ...desired.credential };
    }
    return changes;
  }

  async retire(desired: DesiredWebhook): Promise<readonly WebhookChange[]> {
    this.maybeFail('retire');
    const live = this.managed(desired).filter((webhook) => !webhook.superseded);
    const ready = live.some(
      (webhook) => webhook.active && matchCredential(webhook.credential, desired.credential) === 'desired',
    );
    if (!ready) return [];
    const old = this.webhooks.filter((webhook) => webhook.superseded);
    for (const webhook of old) this.webhooks.splice(this.webhooks.indexOf(webhook), 1);
    return old.map((webhook) => ({ action: 'delete', id: webhook.id, summary: 'superseded' }));
  }
}
