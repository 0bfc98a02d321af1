/**
 * The port between Hookguard's credential rotation (and `hookguard providers sync`) and each provider's
 * webhook-management API. One module per provider in this folder, all of the same shape ({@link ManagementModule}),
 * registered in `index.ts`. Kept apart from `lambda/providers/` (the request path) so that the verifier and
 * authorizer bundles never load management code.
 *
 * The model: Hookguard wants every managed webhook at a provider to point at Hookguard's URL for that provider and
 * to carry one credential (the pending one during a rotation, the current one otherwise). A client reads what the
 * provider has ({@link WebhookSnapshot}), says what it would change ({@link WebhookChange}), applies it, and, for
 * providers whose URL cannot change in place (Amazon SNS, Unisender Go), retires the superseded webhook once the new
 * one is verified.
 */
import type { ProviderId } from '../core/provider-ids';

/** One request to a provider's management API. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL; https, except loopback hosts (the tests' fake servers). */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A provider's answer; the client never throws for an HTTP status, only for transport failures. */
export interface HttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The one I/O port of the HTTP-based clients (adapter: `http-client.ts`; tests use it against local fake servers). */
export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** The Basic credential a managed webhook should carry (Brevo carries the password as its bearer token). */
export interface WebhookCredential {
  readonly username: string;
  readonly password: string;
}

/** What Hookguard wants one provider's managed webhooks to be. */
export interface DesiredWebhook {
  /**
   * Hookguard's URL for this provider without credentials, e.g. `https://hooks.example.com/webhooks/sendgrid`
   * (with the path token when the stage has one).
   */
  readonly url: string;
  readonly credential: WebhookCredential;
}

/**
 * Which webhooks of the provider account Hookguard manages, and where the API is: from the stage configuration's
 * `providers.<id>.managed`.
 */
export interface ManagedAccount {
  /** The provider's ids of the managed webhooks; absent: every webhook whose URL matches (see `matchUrl`). */
  readonly webhookIds?: readonly string[];
  /**
   * Manage the webhooks whose URL, ignoring credentials, query and a trailing slash, equals this.
   * Absent: Hookguard's own URL for the provider ({@link DesiredWebhook.url}).
   */
  readonly matchUrl?: string;
  /** API region, for providers with several (`us` or `eu`); absent: the provider's default (US). */
  readonly region?: string;
  /**
   * Provider-specific selectors, documented per module in {@link ManagementModule.options}: Mailgun `domain`,
   * Postmark `messageStream`, MailerSend `domainId`, Mailtrap `accountId`, Unisender Go `host`, SNS `topicArn`...
   */
  readonly options?: Readonly<Record<string, string>>;
  /** Overrides the API base URL (tests' fake servers, or a proxy); absent: the provider's documented host. */
  readonly apiBaseUrl?: string;
}

/**
 * The provider API key(s) of one provider, from the provider-keys secret (`{"<provider>": {"apiKey": "..."}}`).
 * Field names per module in {@link ManagementModule.keyFields} (Mailjet needs `apiKey` and `secretKey`).
 */
export type ProviderApiKey = Readonly<Record<string, string>>;

/** Whether a webhook carries the desired credential, as far as the provider lets us read it. */
export type CredentialMatch = 'desired' | 'other' | 'none' | 'unreadable';

/** One managed webhook as the provider reports it. Safe to print: holds no credential. */
export interface WebhookSnapshot {
  /**
   * The provider's id of the webhook (SNS: the subscription ARN, or `PendingConfirmation` while SNS hides it;
   * Unisender Go: the handler's numeric id).
   */
  readonly id: string;
  /** The webhook's URL with any user info replaced by `***`. */
  readonly displayUrl: string;
  /** Whether it points at {@link DesiredWebhook.url} (ignoring credentials). */
  readonly urlMatches: boolean;
  /** Whether it carries {@link DesiredWebhook.credential}; compared in constant time. */
  readonly credential: CredentialMatch;
  /** False while the provider does not deliver to it (SNS PendingConfirmation, a suspended or disabled webhook). */
  readonly active: boolean;
  /**
   * True for a webhook that a new one replaces and that {@link ManagedWebhookClient.retire} removes once the new one
   * is verified (SNS subscription or Unisender Go URL carrying an older credential).
   */
  readonly superseded: boolean;
}

/** One change a client makes, or would make in a dry run. Safe to print: holds no credential. */
export interface WebhookChange {
  readonly action: 'update' | 'create' | 'delete';
  /** The provider's id of the webhook, or `new` for one not created yet. */
  readonly id: string;
  /** What changes, for people: e.g. `URL user info: other credential -> desired credential`. */
  readonly summary: string;
}

/**
 * The management API of one provider account. Every method is idempotent: calling `apply` again after a partial
 * success changes only what is still different, and never creates a second webhook for the same URL.
 * Methods throw {@link ManagementError} for anything that should fail a rotation step.
 */
export interface ManagedWebhookClient {
  readonly provider: ProviderId;
  /** The managed webhooks as they are now. Throws when none is found (nothing to manage is a configuration error). */
  read(desired: DesiredWebhook): Promise<readonly WebhookSnapshot[]>;
  /** What {@link apply} would change now, without changing anything (`providers sync --dry-run`). */
  plan(desired: DesiredWebhook): Promise<readonly WebhookChange[]>;
  /** Makes the managed webhooks point at `desired.url` with `desired.credential`; returns what it changed. */
  apply(desired: DesiredWebhook): Promise<readonly WebhookChange[]>;
  /**
   * Removes superseded webhooks, only when a webhook carrying `desired` is active (SNS: confirmed). Providers that
   * update in place return `[]`.
   */
  retire(desired: DesiredWebhook): Promise<readonly WebhookChange[]>;
}

/** The Amazon SNS calls the SNS client needs (adapter over `@aws-sdk/client-sns`; tests use aws-sdk-client-mock). */
export interface SnsSubscriptionsPort {
  listSubscriptions(
    topicArn: string,
  ): Promise<readonly { readonly subscriptionArn: string; readonly protocol: string; readonly endpoint: string }[]>;
  /** Returns the new subscription's ARN (`ReturnSubscriptionArn: true`), pending until confirmed. */
  subscribe(topicArn: string, endpoint: string): Promise<string>;
  /** The subscription's attributes (`PendingConfirmation`, `Endpoint`...), or null when it does not exist. */
  subscriptionAttributes(subscriptionArn: string): Promise<Readonly<Record<string, string>> | null>;
  unsubscribe(subscriptionArn: string): Promise<void>;
}

/** What a module's `create` receives. */
export interface ManagementClientDeps {
  readonly account: ManagedAccount;
  /** The provider's API key fields; empty for SNS (IAM). */
  readonly apiKey: ProviderApiKey;
  readonly http: HttpClient;
  /** Present when the provider is `amazon-ses`. */
  readonly sns?: SnsSubscriptionsPort;
}

/** How a provider's webhook carries Hookguard's credential. */
export type CredentialPlacement =
  /** `https://user:pass@host/...` in the webhook URL. */
  | 'url-userinfo'
  /** A separate Basic-auth field (Postmark `HttpAuth`, SparkPost `auth_credentials`). */
  | 'auth-field'
  /** A bearer token field (Brevo `auth.token`). */
  | 'bearer'
  /** The provider's API cannot carry credentials: manual, or run the provider with `auth: signature`. */
  | 'none';

/** One provider's management module: the same shape for every provider. */
export interface ManagementModule {
  readonly provider: ProviderId;
  readonly placement: CredentialPlacement;
  /** The fields of {@link ProviderApiKey} this provider needs (empty for SNS). */
  readonly keyFields: readonly string[];
  /** The narrowest API key scope the provider offers, for docs and `hookguard status`. */
  readonly keyScope: string;
  /**
   * `ManagedAccount.options` keys this module reads, each with what it means. The description of a required option
   * contains the word `required` (and not `optional`): the configuration loader refuses a managed block without it.
   */
  readonly options: Readonly<Record<string, string>>;
  /** Where the API's requests and answers are documented (URLs or repository paths). */
  readonly sources: readonly string[];
  create(deps: ManagementClientDeps): ManagedWebhookClient;
}

/**
 * A management call failed: the provider answered an error, nothing matched, or the answer was not understood.
 * Messages name the provider, the operation and the HTTP status; never an API key, a credential or a whole body.
 */
export class ManagementError extends Error {
  constructor(
    readonly provider: ProviderId,
    message: string,
    /** The HTTP status of the failing answer, when there was one (429 and 5xx are worth retrying later). */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(`${provider}: ${message}`, options);
    this.name = 'ManagementError';
  }
}
