/**
 * The settings of one stage as a user writes them: the keys of a stage block in `hookguard.config.json`, every
 * optional one with its default. The {@link Hookguard} construct takes them as props; `parseConfig` validates and
 * completes them into a `StageConfig`. docs/construct.md's prop table is generated from this file
 * (`npx tsx scripts/construct-docs.ts`).
 */
import type { AlarmId } from '../config/alerting';
import type {
  AuthMode,
  EventPattern,
  EventType,
  LocalRouteTarget,
  PathTokenChoice,
  ProviderId,
  RouteTarget,
  TlsPolicyChoice,
} from '../config/types';

/** API Gateway token-bucket throttling. */
export interface ThrottlingSettings {
  /**
   * Steady-state requests per second.
   * @default 200
   */
  readonly rateLimit?: number;
  /**
   * Burst capacity, requests.
   * @default 400
   */
  readonly burstLimit?: number;
}

/** One provider's settings; an empty object enables the provider with its defaults. */
export interface ProviderSettings {
  /**
   * `false` leaves the provider out (handy to switch off one that `shared` enables).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How requests are authenticated: `basic` (the Basic credential in the URL), `signature` (the provider's
   * signature alone) or `both`. Providers that sign nothing (brevo, mailjet, postmark, sparkpost) allow only `basic`.
   * @default - "both"; "basic" for providers that sign nothing
   */
  readonly auth?: AuthMode;
  /**
   * Source CIDRs (IPv4 and IPv6) allowed to post to this provider's path; WAF blocks everyone else. Empty: any source.
   * `"published"` (Postmark, SparkPost, Brevo, Resend) adds the provider's published list, seeded at synth and
   * refreshed on a schedule (docs/ip-ranges.md).
   * @default []
   */
  readonly allowedCidrs?: readonly string[];
  /**
   * WAF rate-based limit for this provider's path: requests per source IP per `waf.rateLimitWindowSeconds`.
   * @default - the stage's `waf.rateLimit`
   */
  readonly rateLimit?: number;
  /**
   * Method-level throttling of this provider's route.
   * @default - the stage's throttling
   */
  readonly throttling?: ThrottlingSettings;
  /**
   * Accepted skew of the signed timestamp, seconds, past and future; 0 disables the check.
   * @default - the provider module's own tolerance (docs/providers.md)
   */
  readonly timestampToleranceSeconds?: number;
  /**
   * Largest accepted body, bytes (at most 4 MiB).
   * @default - 4194304 (4 MiB) for batch providers (mailjet, mailtrap, mandrill, sendgrid, sparkpost, unisender-go), 1048576 (1 MiB) for the others
   */
  readonly maxBodyBytes?: number;
  /**
   * Amazon SES only: the SNS topic ARNs allowed to deliver. Required for `amazon-ses` unless `auth` is `basic`.
   * @default - none
   */
  readonly snsTopicArns?: readonly string[];
  /**
   * Mandrill only: the webhook URL exactly as entered at Mandrill, without credentials. Required for `mandrill`
   * unless `auth` is `basic`.
   * @default - none
   */
  readonly signedUrl?: string;
  /**
   * Standard Webhooks only: the sender's event types mapped to normalised types; unmapped types become `unknown`.
   * @default - none: every event type becomes `unknown`
   */
  readonly eventTypeMap?: Readonly<Record<string, EventType>>;
  /**
   * Hours without an accepted request before the silent-provider alarm fires (1 to 168).
   * @default - no silent-provider alarm for this provider
   */
  readonly silenceAlarmHours?: number;
}

/** A custom domain name for the API. */
export interface CustomDomainSettings {
  /** The DNS name, e.g. `hooks.example.com`. */
  readonly domainName: string;
  /** ARN of an ACM certificate for it, in the stack's region. */
  readonly certificateArn: string;
  /**
   * Route 53 hosted zone to add an alias record to (with `hostedZoneName`).
   * @default - no DNS record is created
   */
  readonly hostedZoneId?: string;
  /**
   * Name of that hosted zone, e.g. `example.com` (with `hostedZoneId`).
   * @default - no DNS record is created
   */
  readonly hostedZoneName?: string;
}

/** AWS WAF settings of the web ACL in front of the API stage. */
export interface WafSettings {
  /**
   * Window of the rate-based rules, seconds: 60, 120, 300 or 600.
   * @default 300
   */
  readonly rateLimitWindowSeconds?: 60 | 120 | 300 | 600;
  /**
   * Rate-based limit for all webhook paths together: requests per source IP per window.
   * @default 10000
   */
  readonly rateLimit?: number;
  /**
   * Days to keep WAF logs (blocked and counted requests only).
   * @default 30
   */
  readonly logRetentionDays?: number;
}

/** The refresher of the published IP ranges (`"published"` in `allowedCidrs`, docs/ip-ranges.md). */
export interface IpRangesSettings {
  /**
   * Hours between two refreshes (1 to 24).
   * @default 6
   */
  readonly refreshHours?: number;
  /**
   * Floor: a published IPv4 block broader than this prefix is refused.
   * @default 16
   */
  readonly minPrefixIpv4?: number;
  /**
   * Floor: a published IPv6 block broader than this prefix is refused.
   * @default 32
   */
  readonly minPrefixIpv6?: number;
  /**
   * Largest change applied without the operator's confirmation, 0 to 1: (added + removed) / entries of the old and
   * new lists together.
   * @default 0.5
   */
  readonly maxChangeShare?: number;
}

/** Basic credentials, their rotation and the authorizer. */
export interface AuthSettings {
  /**
   * User name of the generated Basic credential.
   * @default "hookguard"
   */
  readonly username?: string;
  /**
   * Days between automatic rotations.
   * @default 30
   */
  readonly rotationDays?: number;
  /**
   * Hours the previous credential keeps working after a rotation.
   * @default 72
   */
  readonly gracePeriodHours?: number;
  /**
   * API Gateway authorizer result cache TTL, seconds (0 to 3600).
   * @default 300
   */
  readonly authorizerCacheTtlSeconds?: number;
  /**
   * How long a function container caches the secret's values, seconds.
   * @default 60
   */
  readonly secretCacheTtlSeconds?: number;
  /**
   * Least time between two secret refreshes triggered by unknown credentials, seconds.
   * @default 10
   */
  readonly refreshMinIntervalSeconds?: number;
}

/** Dedupe ledger settings. */
export interface DedupeSettings {
  /**
   * How long a published event's id is remembered, hours.
   * @default 168
   */
  readonly windowHours?: number;
  /**
   * How long an in-progress claim holds before a retry may take it over, seconds.
   * @default 60
   */
  readonly leaseSeconds?: number;
}

/** One configured route: an EventBridge rule on the Hookguard bus with one target and a dead-letter queue. */
export interface RouteSettings {
  /** Letters, digits, `-` and `_`; unique within the stage. */
  readonly name: string;
  /**
   * What the rule is for.
   * @default - "Hookguard route <name>"
   */
  readonly description?: string;
  /** EventBridge event pattern; `source: ["hookguard"]` is added. */
  readonly eventPattern: EventPattern;
  /** Where matching events go: `sqs` (a queue created for it), `lambda`, `eventBus` or `logs`. */
  readonly target: RouteTarget;
  /**
   * Retries of the target before the event goes to the route's dead-letter queue.
   * @default 8
   */
  readonly retryAttempts?: number;
  /**
   * Oldest event age the target still retries, hours (1 to 24).
   * @default 24
   */
  readonly maxEventAgeHours?: number;
  /**
   * Local runtime target (ignored in AWS).
   * @default - a JSON-lines file routes/<name>.jsonl in the local data directory
   */
  readonly local?: LocalRouteTarget;
}

/** Event bus, archive and routes. */
export interface EventsSettings {
  /**
   * Days the archive keeps events for replay; 0 keeps them forever.
   * @default 30
   */
  readonly archiveRetentionDays?: number;
  /**
   * Routes to create on the bus (more can be added in code with `addRoute`).
   * @default []
   */
  readonly routes?: readonly RouteSettings[];
}

/** X-Ray sampling of the API stage. */
export interface TraceSamplingSettings {
  /**
   * Requests traced each second before the rate applies.
   * @default 0
   */
  readonly reservoirPerSecond?: number;
  /**
   * Share of the requests beyond the reservoir that are traced, 0 to 1.
   * @default 0.01
   */
  readonly fixedRate?: number;
}

/** One default alarm's override (docs/operations.md lists the alarms, their units and defaults). */
export interface AlarmSettings {
  /**
   * Off: the alarm is not created.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The threshold, in the alarm's unit.
   * @default - the alarm's own (docs/operations.md)
   */
  readonly threshold?: number;
  /**
   * How many periods are evaluated (1 to 24).
   * @default - the alarm's own
   */
  readonly evaluationPeriods?: number;
  /**
   * How many of them must breach (at most evaluationPeriods).
   * @default - the alarm's own
   */
  readonly datapointsToAlarm?: number;
}

/** The scheduled canary. */
export interface CanarySettings {
  /**
   * On: a scheduled function posts a canary through the public URL.
   * @default - on when the stage name contains `prod`
   */
  readonly enabled?: boolean;
  /**
   * Minutes between canaries (1 to 60).
   * @default 5
   */
  readonly intervalMinutes?: number;
  /**
   * The provider the canary posts as: enabled, without an IP allow-list, and one whose requests the canary can sign
   * (not Amazon SES; SendGrid and Postal only with auth `basic`).
   * @default - the first enabled provider that can carry the canary
   */
  readonly provider?: ProviderId;
}

/** Metrics, tracing and alarms. */
export interface MonitoringSettings {
  /**
   * Per-method CloudWatch metrics of the API stage ($2.10 a month per method that gets traffic).
   * @default false
   */
  readonly detailedMetrics?: boolean;
  /**
   * X-Ray sampling of the stage (tracing itself is always on).
   * @default - no reservoir, 1 % of requests
   */
  readonly tracing?: TraceSamplingSettings;
  /**
   * E-mail addresses subscribed to the stage's alarm topic (each confirms once).
   * @default []
   */
  readonly alarmEmails?: readonly string[];
  /**
   * An existing SNS topic every alarm notifies as well (its key policy must let CloudWatch publish).
   * @default - only the stage's own alarm topic
   */
  readonly alarmTopicArn?: string;
  /**
   * Where the runbook lives; each alarm description links `<runbookUrl>#<section>`.
   * @default "docs/operations.md"
   */
  readonly runbookUrl?: string;
  /**
   * Overrides of the default alarms by alarm id (`apiErrors`, `verifierErrors`, `deadLetters`, ...); `false` turns
   * one off.
   * @default - every default alarm with its default settings
   */
  readonly alarms?: { readonly [A in AlarmId]?: AlarmSettings | false };
  /**
   * The account's Lambda concurrency quota in the region (the concurrency alarm is a share of it).
   * @default 1000
   */
  readonly lambdaConcurrencyLimit?: number;
  /**
   * The scheduled canary: `true`, `false` or its settings.
   * @default - on (every 5 minutes) when the stage name contains `prod`, off otherwise
   */
  readonly canary?: boolean | CanarySettings;
}

/** One stage's settings: the keys of a stage in `hookguard.config.json` (without `env`, which is the stack's). */
export interface HookguardSettings {
  /** Enabled providers and their settings; at least one. */
  readonly providers: { readonly [P in ProviderId]?: ProviderSettings };
  /**
   * Stage throttling: token bucket shared by every webhook route.
   * @default { rateLimit: 200, burstLimit: 400 }
   */
  readonly throttling?: ThrottlingSettings;
  /**
   * A custom domain for the API (regional, TLS 1.2+); the execute-api endpoint is then disabled.
   * @default - the execute-api URL only
   */
  readonly customDomain?: CustomDomainSettings;
  /**
   * TLS policy of the API and its custom domain (endpoint access mode STRICT): `provider-compatible` is the strictest
   * policy every enabled provider's webhook sender negotiates (TLS 1.3 plus TLS 1.2 with forward secrecy while any
   * provider does not document TLS 1.3); `tls13-only` is TLS 1.3 only.
   * @default 'provider-compatible'
   */
  readonly tlsPolicy?: TlsPolicyChoice;
  /**
   * The web ACL.
   * @default - the defaults of its keys, below
   */
  readonly waf?: WafSettings;
  /**
   * Serve webhooks at `/webhooks/<token>/<provider>`: a random token generated once (secret
   * `hookguard/<stage>/path-token`), so that requests to the guessable `/webhooks/<provider>` stop at the gateway with
   * a 404. `true` is generation 1; a higher `generation` generates a new token (docs/path-token.md).
   * @default false
   */
  readonly pathToken?: PathTokenChoice;
  /**
   * The refresher of the published IP ranges.
   * @default - the defaults of its keys, below
   */
  readonly ipRanges?: IpRangesSettings;
  /**
   * Basic credentials and their rotation.
   * @default - the defaults of its keys, below
   */
  readonly auth?: AuthSettings;
  /**
   * The dedupe ledger.
   * @default - the defaults of its keys, below
   */
  readonly dedupe?: DedupeSettings;
  /**
   * Bus archive and routes.
   * @default - the defaults of its keys, below
   */
  readonly events?: EventsSettings;
  /**
   * API metrics and tracing.
   * @default - the defaults of its keys, below
   */
  readonly monitoring?: MonitoringSettings;
  /**
   * Days to keep Lambda and API access logs (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly logRetentionDays?: number;
}
