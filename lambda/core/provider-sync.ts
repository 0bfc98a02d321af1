/**
 * The provider sync engine: makes every managed provider's webhooks point at Hookguard's URL with one Basic
 * credential, over {@link ManagedWebhookClient} instances (one per provider, from `lambda/management/`). Used by the
 * rotation Lambda (`setSecret` applies the pending credential, `testSecret` verifies it and retires superseded
 * webhooks) and by `hookguard providers sync` (plan for a dry run, apply, verify, retire).
 *
 * Pure: no SDK client, no environment. Every operation runs on every provider (in parallel; providers are
 * independent accounts) and collects one result per provider; one provider failing never stops the others, so a
 * retry has only the failed ones left to do (clients are idempotent). Results hold no credential, API key or
 * provider answer body: they are printed, logged and published as they are.
 */
import type { ManagementModule } from '../management/types';
import {
  type DesiredWebhook,
  type HttpClient,
  type ManagedAccount,
  type ManagedWebhookClient,
  ManagementError,
  type ProviderApiKey,
  type SnsSubscriptionsPort,
  type WebhookChange,
  type WebhookCredential,
  type WebhookSnapshot,
} from '../management/types';
import type { Logger } from '../ports';
import { silentLogger } from '../ports';
import { isProviderId, type ProviderId } from './provider-ids';
import { webhookUrlOf } from './webhook-path';

/** The four operations, in the order a rotation runs them (plan is the dry run of apply). */
export const SYNC_OPERATIONS = ['plan', 'apply', 'verify', 'retire'] as const;
/** One of {@link SYNC_OPERATIONS}. */
export type SyncOperation = (typeof SYNC_OPERATIONS)[number];

/** One managed provider: its client and Hookguard's URL for it, or why no client could be built. */
export type ManagedProvider =
  | {
      readonly provider: ProviderId;
      /** Hookguard's URL for this provider, without credentials (with the path token when the stage has one). */
      readonly url: string;
      readonly client: ManagedWebhookClient;
    }
  | {
      readonly provider: ProviderId;
      readonly url: string;
      /** Why there is no client (no module, API key missing...): every operation reports this provider failed. */
      readonly unavailable: string;
    };

/** What one operation did, or found, at one provider. Safe to print, log and publish. */
export interface ProviderSyncResult {
  readonly provider: ProviderId;
  readonly operation: SyncOperation;
  readonly ok: boolean;
  /** What changed (apply, retire) or would change (plan). */
  readonly changes: readonly WebhookChange[];
  /** The managed webhooks as read (verify). */
  readonly webhooks: readonly WebhookSnapshot[];
  /** Why verify refused the provider, one line per webhook (verify); empty otherwise. */
  readonly problems: readonly string[];
  /**
   * Webhooks verify accepted without seeing their credential: the provider's API does not return it, so the
   * provider's acceptance of `apply` is the only evidence.
   */
  readonly unverifiable: readonly string[];
  /** Why the operation failed, when it threw: names the provider, the operation and any HTTP status. */
  readonly error?: string;
  /** The HTTP status of the failing answer, when there was one. */
  readonly status?: number;
  /** True when a later retry may succeed by itself (HTTP 429, 5xx, timeouts, an SNS subscription awaiting confirmation). */
  readonly retryable: boolean;
}

/** The results of one operation over every managed provider. */
export interface ProviderSyncReport {
  readonly operation: SyncOperation;
  /** One per managed provider, in the order the providers were given. */
  readonly results: readonly ProviderSyncResult[];
  /** True when every provider succeeded (also when no provider is managed). */
  readonly ok: boolean;
  /** The providers whose result is not ok. */
  readonly failed: readonly ProviderId[];
}

/** Options of {@link createProviderSync}. */
export interface ProviderSyncOptions {
  readonly providers: readonly ManagedProvider[];
  /**
   * How many times verify reads a provider whose only problem is a webhook that is not active yet (an SNS
   * subscription waiting for Hookguard's verifier to confirm it), waiting `verifyDelayMs` between reads.
   * @default 4
   */
  readonly verifyAttempts?: number;
  /** @default 3000 */
  readonly verifyDelayMs?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default silentLogger */
  readonly logger?: Logger;
}

/** Runs the operations over every managed provider. */
export interface ProviderSync {
  /** The managed providers, in order. */
  readonly providers: readonly ProviderId[];
  /** What apply would change, changing nothing. */
  plan(credential: WebhookCredential): Promise<ProviderSyncReport>;
  /** Points every managed webhook at Hookguard's URL with `credential`. */
  apply(credential: WebhookCredential): Promise<ProviderSyncReport>;
  /**
   * Reads every managed webhook back: each one not superseded must point at Hookguard's URL, carry `credential`
   * and be active, and at least one must do so.
   */
  verify(credential: WebhookCredential): Promise<ProviderSyncReport>;
  /** Removes superseded webhooks (SNS subscriptions, Unisender Go URLs) once one carrying `credential` is active. */
  retire(credential: WebhookCredential): Promise<ProviderSyncReport>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Replaces every occurrence of each secret in `text` with `***` (a last line of defence for error messages). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Short values would blank out ordinary words; credentials and API keys are long.
    if (secret.length < 8) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) result = result.split(form).join('***');
  }
  return result;
}

function retryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 429 || (status !== undefined && status >= 500);
}

/** The problems verify finds in one provider's webhooks; `inactiveOnly` when waiting could fix every one of them. */
export function verifyWebhooks(webhooks: readonly WebhookSnapshot[]): {
  readonly problems: string[];
  readonly unverifiable: string[];
  readonly inactiveOnly: boolean;
} {
  const problems: string[] = [];
  const unverifiable: string[] = [];
  let inactive = 0;
  const live = webhooks.filter((webhook) => !webhook.superseded);
  for (const webhook of live) {
    const name = `webhook ${webhook.id}`;
    if (!webhook.urlMatches) problems.push(`${name} points at ${webhook.displayUrl}, not Hookguard's URL`);
    if (webhook.credential === 'other') problems.push(`${name} carries another credential`);
    if (webhook.credential === 'none') problems.push(`${name} carries no credential`);
    if (webhook.credential === 'unreadable') unverifiable.push(webhook.id);
    if (!webhook.active) {
      problems.push(`${name} is not active (the provider does not deliver to it yet)`);
      inactive += 1;
    }
  }
  if (live.length === 0) problems.push('no managed webhook carries Hookguard\'s URL (only superseded ones were found)');
  return { problems, unverifiable, inactiveOnly: problems.length > 0 && problems.length === inactive };
}

/**
 * Creates the engine over the given providers.
 *
 * @example
 * const sync = createProviderSync({ providers: [{ provider: 'sendgrid', url, client }] });
 * const report = await sync.apply(pendingCredential);
 * if (!report.ok) throw new Error(`not updated: ${report.failed.join(', ')}`);
 */
export function createProviderSync(options: ProviderSyncOptions): ProviderSync {
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? defaultSleep;
  const verifyAttempts = Math.max(1, options.verifyAttempts ?? 4);
  const verifyDelayMs = options.verifyDelayMs ?? 3000;
  const seen = new Set<ProviderId>();
  for (const managed of options.providers) {
    if (seen.has(managed.provider)) throw new Error(`Provider ${managed.provider} is listed twice`);
    seen.add(managed.provider);
  }

  const empty = { changes: [], webhooks: [], problems: [], unverifiable: [] } as const;

  function failure(
    managed: ManagedProvider,
    operation: SyncOperation,
    error: unknown,
    credential: WebhookCredential,
  ): ProviderSyncResult {
    const status = error instanceof ManagementError ? error.status : undefined;
    // ManagementError messages are safe by contract; anything else (a transport error) may quote a URL with user
    // info, so only its name is kept.
    const raw =
      error instanceof ManagementError
        ? error.message
        : `${managed.provider}: ${operation} failed (${error instanceof Error ? error.name : 'unknown error'})`;
    const message = redactSecrets(raw, [credential.password]);
    const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      provider: managed.provider,
      operation,
      ok: false,
      ...empty,
      error: message,
      ...(status === undefined ? {} : { status }),
      retryable: retryableStatus(status) || timeout || !(error instanceof ManagementError),
    };
  }

  async function runOne(
    managed: ManagedProvider,
    operation: SyncOperation,
    credential: WebhookCredential,
  ): Promise<ProviderSyncResult> {
    if ('unavailable' in managed) {
      return { provider: managed.provider, operation, ok: false, ...empty, error: managed.unavailable, retryable: false };
    }
    const desired: DesiredWebhook = { url: managed.url, credential };
    const { client } = managed;
    try {
      switch (operation) {
        case 'plan':
          return { provider: managed.provider, operation, ok: true, ...empty, changes: await client.plan(desired), retryable: false };
        case 'apply':
          return { provider: managed.provider, operation, ok: true, ...empty, changes: await client.apply(desired), retryable: false };
        case 'retire':
          return { provider: managed.provider, operation, ok: true, ...empty, changes: await client.retire(desired), retryable: false };
        case 'verify': {
          for (let attempt = 1; ; attempt += 1) {
            const webhooks = await client.read(desired);
            const found = verifyWebhooks(webhooks);
            if (found.problems.length === 0 || !found.inactiveOnly || attempt >= verifyAttempts) {
              return {
                provider: managed.provider,
                operation,
                ok: found.problems.length === 0,
                ...empty,
                webhooks,
                problems: found.problems,
                unverifiable: found.unverifiable,
                // Only a webhook awaiting activation fixes itself; a wrong URL or credential needs apply again.
                retryable: found.inactiveOnly,
              };
            }
            await sleep(verifyDelayMs);
          }
        }
      }
    } catch (error) {
      return failure(managed, operation, error, credential);
    }
  }

  async function run(operation: SyncOperation, credential: WebhookCredential): Promise<ProviderSyncReport> {
    const results = await Promise.all(options.providers.map((managed) => runOne(managed, operation, credential)));
    for (const result of results) {
      const fields = {
        provider: result.provider,
        operation,
        changes: result.changes.map((change) => `${change.action} ${change.id}: ${change.summary}`),
        ...(result.problems.length > 0 ? { problems: result.problems } : {}),
        ...(result.unverifiable.length > 0 ? { unverifiable: result.unverifiable } : {}),
        ...(result.error === undefined ? {} : { error: result.error }),
      };
      if (result.ok) logger.info(`Provider sync ${operation}: ${result.provider} ok`, fields);
      else logger.warn(`Provider sync ${operation}: ${result.provider} failed`, fields);
    }
    const failed = results.filter((result) => !result.ok).map((result) => result.provider);
    return { operation, results, ok: failed.length === 0, failed };
  }

  return {
    providers: options.providers.map((managed) => managed.provider),
    plan: (credential) => run('plan', credential),
    apply: (credential) => run('apply', credential),
    verify: (credential) => run('verify', credential),
    retire: (credential) => run('retire', credential),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Building the managed providers from configuration, the provider-API-keys secret and the registry.

/** The provider-API-keys secret's value: `{"<provider>": {"apiKey": "..."}}` (Mailjet: `apiKey` and `secretKey`). */
export type ProviderApiKeys = Readonly<Partial<Record<ProviderId, ProviderApiKey>>>;

/** The provider-API-keys secret could not be read as `{"<provider>": {"<field>": "<value>"}}`. */
export class ProviderApiKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderApiKeysError';
  }
}

/**
 * Parses the provider-API-keys secret. Unknown provider ids and non-string fields are refused, naming only the
 * offending key (never a value).
 *
 * @throws ProviderApiKeysError when the text is not such an object.
 * @example
 * parseProviderApiKeys('{"sendgrid":{"apiKey":"SG.x"}}').sendgrid?.apiKey; // 'SG.x'
 */
export function parseProviderApiKeys(text: string | null | undefined): ProviderApiKeys {
  if (text === null || text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProviderApiKeysError('The provider-API-keys secret is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProviderApiKeysError('The provider-API-keys secret must be a JSON object {"<provider>": {"apiKey": "..."}}');
  }
  const keys: Partial<Record<ProviderId, ProviderApiKey>> = {};
  for (const [provider, value] of Object.entries(parsed)) {
    if (!isProviderId(provider)) throw new ProviderApiKeysError(`The provider-API-keys secret names an unknown provider "${provider.slice(0, 40)}"`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ProviderApiKeysError(`The provider-API-keys secret's "${provider}" must be an object of strings`);
    }
    const fields: Record<string, string> = {};
    for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      if (typeof fieldValue !== 'string') {
        throw new ProviderApiKeysError(`The provider-API-keys secret's "${provider}.${field.slice(0, 40)}" must be a string`);
      }
      fields[field] = fieldValue;
    }
    keys[provider] = fields;
  }
  return keys;
}

/** Dependencies of {@link buildManagedProviders}. */
export interface BuildManagedProvidersDeps {
  /** `providers.<id>.managed` of every managed provider of the stage. */
  readonly accounts: Readonly<Partial<Record<ProviderId, ManagedAccount>>>;
  /** The management registry (`MANAGEMENT_MODULES`). */
  readonly modules: ReadonlyMap<ProviderId, ManagementModule>;
  /** The provider-API-keys secret's value, parsed. */
  readonly apiKeys: ProviderApiKeys;
  /** Hookguard's URL for a provider, without credentials. */
  readonly webhookUrl: (provider: ProviderId) => string;
  readonly http: HttpClient;
  /** Needed when `amazon-ses` is managed. */
  readonly sns?: SnsSubscriptionsPort;
}

/**
 * One {@link ManagedProvider} per managed account, in provider-id order. A provider whose module is missing, whose
 * API key lacks a field, or whose client cannot be created becomes `unavailable` (reported failed by every
 * operation) rather than an exception, so the other providers still sync.
 */
export function buildManagedProviders(deps: BuildManagedProvidersDeps): ManagedProvider[] {
  const providers = (Object.keys(deps.accounts) as ProviderId[]).filter((id) => deps.accounts[id] !== undefined).sort();
  return providers.map((provider): ManagedProvider => {
    const account = deps.accounts[provider] as ManagedAccount;
    const url = deps.webhookUrl(provider);
    const module = deps.modules.get(provider);
    if (module === undefined) {
      return { provider, url, unavailable: `${provider}: Hookguard has no management client for this provider` };
    }
    if (module.placement === 'none') {
      return { provider, url, unavailable: `${provider}: the provider's API cannot carry the Basic credential` };
    }
    const apiKey = deps.apiKeys[provider] ?? {};
    const missing = module.keyFields.filter((field) => (apiKey[field] ?? '') === '');
    if (missing.length > 0) {
      return {
        provider,
        url,
        unavailable:
          `${provider}: the provider-API-keys secret has no ${missing.map((field) => `"${field}"`).join(', ')} ` +
          `for it (expected {"${provider}": {${module.keyFields.map((field) => `"${field}": "..."`).join(', ')}}})`,
      };
    }
    if (provider === 'amazon-ses' && deps.sns === undefined) {
      return { provider, url, unavailable: `${provider}: no SNS client available` };
    }
    try {
      const client = module.create({ account, apiKey, http: deps.http, ...(deps.sns ? { sns: deps.sns } : {}) });
      return { provider, url, client };
    } catch (error) {
      const reason =
        error instanceof ManagementError
          ? error.message
          : `${provider}: the management client could not be created (${error instanceof Error ? error.name : 'error'})`;
      return { provider, url, unavailable: redactSecrets(reason, Object.values(apiKey)) };
    }
  });
}

/**
 * Hookguard's URL for a provider under a stage's base URL (`https://host/stage/` or a custom domain's `https://host/`):
 * `<base>webhooks/<provider>`, or `<base>webhooks/<token>/<provider>` with the stage's path token (the one
 * {@link webhookUrlOf} every URL builder uses).
 */
export function providerWebhookUrl(baseUrl: string, provider: ProviderId, pathToken?: string | null): string {
  return webhookUrlOf(baseUrl, provider, pathToken);
}
