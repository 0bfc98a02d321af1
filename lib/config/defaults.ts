/**
 * Every default of the configuration, in one place. README's configuration reference mirrors this file.
 */
import { type ProviderId, UNSIGNED_PROVIDERS } from '../../lambda/core/provider-ids';
import type {
  AuthConfig,
  DedupeConfig,
  IpRangesConfig,
  MonitoringConfig,
  ThrottlingConfig,
  TlsPolicyChoice,
  WafConfig,
} from './types';

/** The configuration file read when none is named. */
export const DEFAULT_CONFIG_FILE = 'hookguard.config.json';

/** 1 MiB. */
const MIB = 1024 * 1024;

/**
 * Largest body a provider may be configured to accept. API Gateway passes bodies to Lambda base64-encoded (binary
 * media types), which grows them by 4/3, and a synchronous invoke carries at most 6 MB: 4 MiB of body fits.
 */
export const MAX_BODY_BYTES_LIMIT = 4 * MIB;

/** Providers that post batches and so get the large default body limit. */
export const BATCH_PROVIDERS: readonly ProviderId[] = [
  'mailjet',
  'mailtrap',
  'mandrill',
  'sendgrid',
  'sparkpost',
  'unisender-go',
];

/** Default body limit: 4 MiB for batch providers, 1 MiB for single-event ones (SNS caps messages at 256 KB). */
export function defaultMaxBodyBytes(provider: ProviderId): number {
  return BATCH_PROVIDERS.includes(provider) ? MAX_BODY_BYTES_LIMIT : MIB;
}

/** Default auth mode: Basic and the signature where the provider signs, Basic alone where it does not. */
export function defaultAuthMode(provider: ProviderId): 'basic' | 'both' {
  return UNSIGNED_PROVIDERS.includes(provider) ? 'basic' : 'both';
}

/** Stage throttling: token bucket shared by every webhook route. */
export const DEFAULT_THROTTLING: ThrottlingConfig = { rateLimit: 200, burstLimit: 400 };

/** WAF: 10,000 requests per source IP per 5 minutes (about 33/s, far above one provider IP's normal rate). */
export const DEFAULT_WAF: WafConfig = { rateLimitWindowSeconds: 300, rateLimit: 10_000, logRetentionDays: 30 };

/**
 * Published IP ranges: refreshed every 6 hours; blocks broader than /16 (IPv4) or /32 (IPv6) refused; a change of
 * more than half of a list waits for the operator's confirmation.
 */
export const DEFAULT_IP_RANGES: IpRangesConfig = { refreshHours: 6, minPrefixIpv4: 16, minPrefixIpv6: 32, maxChangeShare: 0.5 };

/**
 * Credentials: monthly rotation; the previous credential keeps working 72 hours after a rotation so operators can
 * update every provider's webhook URL; authorizer results cached 5 minutes, secret values 60 seconds per container.
 */
export const DEFAULT_AUTH: AuthConfig = {
  username: 'hookguard',
  rotationDays: 30,
  gracePeriodHours: 72,
  authorizerCacheTtlSeconds: 300,
  secretCacheTtlSeconds: 60,
  refreshMinIntervalSeconds: 10,
};

/**
 * Dedupe: event ids remembered 7 days, longer than any provider's retry schedule (SendGrid and Mailjet retry for
 * up to 24 hours); a claim's lease (60 s) outlives the verifier's 25-second timeout.
 */
export const DEFAULT_DEDUPE: DedupeConfig = { windowHours: 168, leaseSeconds: 60 };

/**
 * Monitoring: no per-method detailed metrics (with 14 providers they would cost $29.40 a month; the free stage-level
 * metrics stay), and X-Ray traces 1 % of webhook requests with no reservoir. X-Ray's default rule (the first request
 * each second, then 5 %) traces about 30 % of 10 million requests a month (3.8 a second), because its reservoir alone
 * records up to 2.6 million traces a month ($13) at any volume of 1 request per second or more; 1 % of 10 million is
 * 100,000 traces ($0.50). Quiet stages that want a trace every second set `reservoirPerSecond: 1`.
 */
export const DEFAULT_MONITORING: MonitoringConfig = {
  detailedMetrics: false,
  tracing: { reservoirPerSecond: 0, fixedRate: 0.01 },
};

/** Archive retention for replay, days. */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = 30;

/** Route target retries and the oldest event age still retried. */
export const DEFAULT_ROUTE_RETRY_ATTEMPTS = 8;
export const DEFAULT_ROUTE_MAX_EVENT_AGE_HOURS = 24;

/** Lambda, API access and other log retention, days. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** The retention periods CloudWatch Logs accepts, days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** TLS policy choices, and the default: the strictest policy every enabled provider negotiates. */
export const TLS_POLICY_CHOICES: readonly TlsPolicyChoice[] = ['provider-compatible', 'tls13-only'];
export const DEFAULT_TLS_POLICY: TlsPolicyChoice = 'provider-compatible';
