/**
 * The one typed configuration of Hookguard. A single JSON file (`hookguard.config.json` by default) holds a
 * `shared` block and one block per stage; `loadConfig` merges them over the defaults in `defaults.ts`,
 * validates the result and returns one {@link StageConfig} per stage. The CDK app and the local runtime both
 * read it this way.
 */
import type { EventType } from '../../lambda/core/event';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { AuthMode } from '../../lambda/core/settings';
import type { ManagedAccount } from '../../lambda/management/types';
import type { AlertingConfig } from './alerting';

export type { AuthMode, EventType, ManagedAccount, ProviderId };

/** API Gateway token-bucket throttling. */
export interface ThrottlingConfig {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Burst capacity, requests. */
  readonly burstLimit: number;
}

/** Settings of one enabled provider. */
export interface ProviderConfig {
  /** How requests are authenticated. Unsigned providers (Brevo, Mailjet, Postmark, SparkPost) allow only `basic`. */
  readonly auth: AuthMode;
  /**
   * Source CIDRs (IPv4 and IPv6) allowed to post to this provider's path; WAF blocks everyone else.
   * Empty: any source (the provider publishes no stable ranges, or you rely on signatures). The entry `"published"`
   * (Postmark, SparkPost, Brevo, Resend) stands for the provider's published list, kept current by the refresher.
   */
  readonly allowedCidrs: readonly string[];
  /** WAF rate-based limit for this provider's path: requests per source IP per `waf.rateLimitWindowSeconds`. */
  readonly rateLimit: number;
  /** Method-level throttling for this provider's route; absent: the stage's. */
  readonly throttling?: ThrottlingConfig;
  /**
   * Accepted skew of the signed timestamp, seconds, past and future; 0 disables the check (for replays).
   * Absent: the provider module's own default (see README); ignored for schemes that sign no timestamp.
   */
  readonly timestampToleranceSeconds?: number;
  /** Largest accepted body, bytes (at most 6 MB, the synchronous Lambda payload limit). */
  readonly maxBodyBytes: number;
  /** Amazon SES: SNS topic ARNs allowed to deliver. Required for `amazon-ses`. */
  readonly snsTopicArns?: readonly string[];
  /**
   * Mandrill: the webhook URL exactly as entered at Mandrill, without credentials. Hookguard inserts the accepted
   * Basic credentials to reproduce what Mandrill signs. Required for `mandrill`.
   */
  readonly signedUrl?: string;
  /** Standard Webhooks: the sender's event types mapped to normalised types; unmapped types become `unknown`. */
  readonly eventTypeMap?: Readonly<Record<string, EventType>>;
  /**
   * Hours without an accepted request before the silent-provider alarm fires (1 to 168); absent: no such alarm.
   */
  readonly silenceAlarmHours?: number;
  /**
   * Hookguard keeps this provider's webhooks pointing at its URL with the current Basic credential, through the
   * provider's API, at every rotation (`setSecret`/`testSecret`) and on `hookguard providers sync`. Only providers
   * with a management module (`lambda/management/index.ts`) whose API can carry the credential. The API key goes in
   * the stage's provider-API-keys secret, never here. Absent: the provider is updated by hand. See
   * docs/provider-sync.md.
   */
  readonly managed?: ManagedAccount;
}

/** An optional custom domain for the API. */
export interface CustomDomainConfig {
  readonly domainName: string;
  /** ACM certificate ARN in the stack's region. */
  readonly certificateArn: string;
  /** Route 53 hosted zone to add an alias record to; absent: no record is created. */
  readonly hostedZoneId?: string;
  readonly hostedZoneName?: string;
}

/** AWS WAF settings for the web ACL in front of the API stage. */
export interface WafConfig {
  /** Window of the rate-based rules, seconds: 60, 120, 300 or 600. */
  readonly rateLimitWindowSeconds: 60 | 120 | 300 | 600;
  /** Rate-based limit for all webhook paths together: requests per source IP per window. */
  readonly rateLimit: number;
  /** Days to keep WAF logs (CloudWatch Logs group `aws-waf-logs-...`). */
  readonly logRetentionDays: number;
}

/** The refresher of the published IP ranges (`"published"` in `providers.<id>.allowedCidrs`). */
export interface IpRangesConfig {
  /** Hours between two scheduled refreshes (1 to 24). */
  readonly refreshHours: number;
  /** Floor: a published IPv4 block with a shorter prefix (broader) is refused. */
  readonly minPrefixIpv4: number;
  /** Floor: a published IPv6 block with a shorter prefix (broader) is refused. */
  readonly minPrefixIpv6: number;
  /**
   * Largest change applied without the operator's confirmation, 0 to 1: (added + removed) / entries of the old and
   * new lists together.
   */
  readonly maxChangeShare: number;
}

/**
 * X-Ray sampling of the API stage. API Gateway decides whether a request is traced and the functions it invokes
 * follow that decision, so this sets how many webhook requests are traced end to end.
 */
export interface TraceSamplingConfig {
  /** Requests traced each second before the rate applies (X-Ray's reservoir, shared by the whole stage). */
  readonly reservoirPerSecond: number;
  /** Share of the requests beyond the reservoir that are traced, 0 to 1 (0.01 is 1 %). */
  readonly fixedRate: number;
}

/** Metrics and tracing of the API. */
export interface MonitoringConfig {
  /**
   * Per-method ("detailed") CloudWatch metrics of the API stage. Off, API Gateway still publishes its free
   * stage-level metrics (Count, 4XXError, 5XXError, Latency, IntegrationLatency); on, each method that gets
   * traffic adds 7 custom metrics at $0.30 a month each ($2.10 a month per method, about one per provider).
   */
  readonly detailedMetrics: boolean;
  /** X-Ray sampling of the API stage (tracing itself is always on). */
  readonly tracing: TraceSamplingConfig;
}

/** Basic credentials, their rotation and the authorizer. */
export interface AuthConfig {
  /** User name of the generated Basic credential. */
  readonly username: string;
  /** Days between automatic rotations (Secrets Manager schedule). */
  readonly rotationDays: number;
  /** Hours the previous credential keeps working after a rotation finishes. */
  readonly gracePeriodHours: number;
  /** API Gateway authorizer result cache TTL, seconds (0 to 3600). */
  readonly authorizerCacheTtlSeconds: number;
  /** How long a container caches the secret's values, seconds. */
  readonly secretCacheTtlSeconds: number;
  /** Least time between two refreshes triggered by unknown credentials, seconds. */
  readonly refreshMinIntervalSeconds: number;
}

/** Dedupe ledger settings. */
export interface DedupeConfig {
  /** How long a published event's id is remembered, hours. Longer than any provider's retry period. */
  readonly windowHours: number;
  /** How long an in-progress claim holds before a retry may take it over, seconds. */
  readonly leaseSeconds: number;
}

/** Where a route delivers in AWS. */
export type RouteTarget =
  /** An encrypted SQS queue created by the stack (with its own DLQ). */
  | { readonly type: 'sqs'; readonly queueName?: string }
  /** An existing Lambda function. */
  | { readonly type: 'lambda'; readonly functionArn: string }
  /** Another event bus (same or other account). */
  | { readonly type: 'eventBus'; readonly eventBusArn: string }
  /** A CloudWatch Logs group created by the stack. */
  | { readonly type: 'logs'; readonly logGroupName?: string };

/** Where a route delivers in the local runtime. */
export type LocalRouteTarget =
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 'console' }
  | { readonly type: 'http'; readonly url: string };

/** An EventBridge event pattern (the subset of JSON EventBridge accepts); `source: ["hookguard"]` is added. */
export type EventPattern = Readonly<Record<string, unknown>>;

/** One route: an EventBridge rule on the Hookguard bus with one target. */
export interface RouteConfig {
  /** Letters, digits, `-` and `_`; unique within the stage. */
  readonly name: string;
  readonly description?: string;
  readonly eventPattern: EventPattern;
  readonly target: RouteTarget;
  /** Retries of the target before the event goes to the route's DLQ. */
  readonly retryAttempts: number;
  /** Oldest event age the target still retries, hours (1 to 24). */
  readonly maxEventAgeHours: number;
  /** Local runtime target; absent: a JSON-lines file `routes/<name>.jsonl` in the data directory. */
  readonly local?: LocalRouteTarget;
}

/** Event bus, archive and routes. */
export interface EventsConfig {
  /** Days the archive keeps events for replay; 0 keeps them forever. */
  readonly archiveRetentionDays: number;
  readonly routes: readonly RouteConfig[];
}

/**
 * TLS policy of the API and its custom domain: `provider-compatible` is the strictest every enabled provider's
 * webhook sender negotiates (`lib/constructs/tls-policy.ts`), `tls13-only` is TLS 1.3 only.
 */
export type TlsPolicyChoice = 'provider-compatible' | 'tls13-only';

/**
 * The stage's path token (docs/path-token.md): off, on (generation 1), or on with the generation to use; raising the
 * generation generates a new token.
 */
export type PathTokenChoice = boolean | { readonly generation: number };

/** The fully resolved configuration of one stage. */
export interface StageConfig {
  /** Stage name, from the key in `stages` (letters, digits, `-`). */
  readonly stage: string;
  /** Target account and region; absent: environment-agnostic. */
  readonly env?: { readonly account?: string; readonly region?: string };
  /** Enabled providers and their settings. */
  readonly providers: Readonly<Partial<Record<ProviderId, ProviderConfig>>>;
  readonly throttling: ThrottlingConfig;
  readonly customDomain?: CustomDomainConfig;
  /** TLS policy of the API and custom domain (default `provider-compatible`). */
  readonly tlsPolicy: TlsPolicyChoice;
  readonly waf: WafConfig;
  /** Webhooks at `/webhooks/<token>/<provider>` (default false). */
  readonly pathToken: PathTokenChoice;
  /** The refresher of the published IP ranges. */
  readonly ipRanges: IpRangesConfig;
  readonly auth: AuthConfig;
  readonly dedupe: DedupeConfig;
  readonly events: EventsConfig;
  readonly monitoring: MonitoringConfig;
  /** Alarm topic, alarms and canary, read from the alerting keys of `monitoring` (see `alerting.ts`). */
  readonly alerting: AlertingConfig;
  /** Days to keep Lambda and API access logs. */
  readonly logRetentionDays: number;
}

/** The whole validated file: one config per stage. */
export interface HookguardConfig {
  readonly stages: Readonly<Record<string, StageConfig>>;
}
