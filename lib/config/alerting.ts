/**
 * The alerting part of `monitoring`: the alarm topic, every default alarm with its threshold (each one overridable or
 * switchable), and the scheduled canary. Kept in its own module (a zod schema) so that the rest of the configuration
 * can change around it; `load.ts` calls {@link readAlerting} for `monitoring` and {@link readSilenceAlarmHours} for
 * each provider.
 */
import { z } from 'zod';
import { PROVIDER_IDS, type ProviderId } from '../../lambda/core/provider-ids';

/** Every default alarm, by id (the key under `monitoring.alarms`). */
export const ALARM_IDS = [
  'apiErrors',
  'authorizerErrors',
  'verifierErrors',
  'verifierThrottles',
  'verifierDuration',
  'deadLetters',
  'forgery',
  'bruteForce',
  'wafBlocks',
  'rotationFailed',
  'rotationOverdue',
  'previousCredential',
  'silentProvider',
  'canary',
  'lambdaConcurrency',
  'putEventsRetried',
  'putEventsFailed',
  'eventBridgeThrottled',
  'dynamoDbThrottled',
  'ipRangesRefreshFailed',
] as const;

/** An alarm id. */
export type AlarmId = (typeof ALARM_IDS)[number];

/** One alarm's settings, resolved. */
export interface AlarmSetting {
  /** Off: the alarm is not created. */
  readonly enabled: boolean;
  /** The threshold, in the unit the alarm's documentation gives (docs/operations.md). */
  readonly threshold: number;
  /** How many periods are evaluated (the N of "M out of N"). */
  readonly evaluationPeriods: number;
  /** How many of them must breach (the M). */
  readonly datapointsToAlarm: number;
}

/** What the default alarms watch and when they fire; the unit of `threshold` is in `unit`. */
export interface AlarmDefault extends AlarmSetting {
  /** Length of one evaluated period, seconds (not configurable: thresholds are per period). */
  readonly periodSeconds: number;
  /** What the threshold counts, for the docs and the alarm description. */
  readonly unit: string;
}

/**
 * The defaults: each threshold sits well above what a quiet or normally busy stage produces (zero for most: a healthy
 * stage has no 5XX, no DLQ message, no throttle), so an alarm means something happened.
 */
export const DEFAULT_ALARMS: Readonly<Record<AlarmId, AlarmDefault>> = {
  apiErrors: { enabled: true, threshold: 5, evaluationPeriods: 3, datapointsToAlarm: 2, periodSeconds: 300, unit: '% of requests answered 5XX (periods with at least 10 requests)' },
  authorizerErrors: { enabled: true, threshold: 3, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'authorizer invocation errors per 5 minutes' },
  verifierErrors: { enabled: true, threshold: 3, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'verifier invocation errors per 5 minutes' },
  verifierThrottles: { enabled: true, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'throttled verifier invocations per 5 minutes' },
  verifierDuration: { enabled: true, threshold: 80, evaluationPeriods: 3, datapointsToAlarm: 2, periodSeconds: 300, unit: "verifier p99 duration, % of its timeout" },
  deadLetters: { enabled: true, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'messages visible in a dead-letter queue' },
  forgery: { enabled: true, threshold: 20, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: "signature and timestamp failures of one provider per 5 minutes" },
  bruteForce: { enabled: true, threshold: 100, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'requests refused by the authorizer per 5 minutes' },
  wafBlocks: { enabled: true, threshold: 500, evaluationPeriods: 2, datapointsToAlarm: 2, periodSeconds: 300, unit: 'requests blocked by WAF per 5 minutes' },
  rotationFailed: { enabled: true, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'failed rotation steps (RotationFailed + rotation function errors) per 5 minutes' },
  rotationOverdue: { enabled: true, threshold: 24, evaluationPeriods: 2, datapointsToAlarm: 2, periodSeconds: 3600, unit: 'hours the rotation is overdue' },
  previousCredential: { enabled: true, threshold: 24, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 3600, unit: "hours left before the previous credential's grace period ends, while a provider still uses it" },
  silentProvider: { enabled: true, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 3600, unit: 'accepted requests in providers.<id>.silenceAlarmHours (alarm below 1)' },
  canary: { enabled: true, threshold: 1, evaluationPeriods: 2, datapointsToAlarm: 2, periodSeconds: 600, unit: 'canaries delivered per 10 minutes (alarm below 1)' },
  lambdaConcurrency: { enabled: true, threshold: 80, evaluationPeriods: 3, datapointsToAlarm: 2, periodSeconds: 300, unit: "% of monitoring.lambdaConcurrencyLimit claimed in the account and region" },
  putEventsRetried: { enabled: true, threshold: 50, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'PutEvents entries retried per 5 minutes' },
  putEventsFailed: { enabled: true, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'PutEvents entries that failed for good per 5 minutes' },
  eventBridgeThrottled: { enabled: true, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'throttled PutEvents requests in the account and region per 5 minutes' },
  dynamoDbThrottled: { enabled: true, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 300, unit: 'throttled writes to the dedupe table per 5 minutes' },
  ipRangesRefreshFailed: { enabled: true, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, periodSeconds: 3600, unit: "failed or refused refreshes of one provider's published IP list (the last run's IpRangesRefreshFailed)" },
};

/** The canary's settings. */
export interface CanaryConfig {
  /** On: a scheduled function posts a canary through the public URL. Default: on when the stage name contains `prod`. */
  readonly enabled: boolean;
  /** Minutes between canaries. */
  readonly intervalMinutes: number;
  /**
   * The provider the canary posts as; absent: the first enabled provider that can carry it
   * (`chooseCanaryProvider` in lib/constructs/scheduled-canary.ts).
   */
  readonly provider?: ProviderId;
}

/** Alarm topic, alarms and canary, resolved. */
export interface AlertingConfig {
  /** E-mail addresses subscribed to the stage's alarm topic (each confirms the subscription once). */
  readonly alarmEmails: readonly string[];
  /** An existing SNS topic that every alarm notifies as well (its key policy must let CloudWatch publish). */
  readonly alarmTopicArn?: string;
  /** Where the runbook lives; each alarm description links `<runbookUrl>#<section>`. */
  readonly runbookUrl: string;
  /** Every alarm's settings, defaults applied. */
  readonly alarms: Readonly<Record<AlarmId, AlarmSetting>>;
  /** The account's Lambda concurrency limit in the region (the quota, 1,000 unless raised). */
  readonly lambdaConcurrencyLimit: number;
  readonly canary: CanaryConfig;
}

/** The runbook link when none is configured: the repository's own file. */
export const DEFAULT_RUNBOOK_URL = 'docs/operations.md';
/** Lambda's default concurrency quota per account and region. */
export const DEFAULT_LAMBDA_CONCURRENCY_LIMIT = 1000;
/** Minutes between canaries by default. */
export const DEFAULT_CANARY_INTERVAL_MINUTES = 5;
/** Longest silence an alarm can watch: CloudWatch evaluates at most 7 days (hourly periods). */
export const MAX_SILENCE_ALARM_HOURS = 168;

/** The keys this module adds under `monitoring`. */
export const ALERTING_KEYS = ['alarmEmails', 'alarmTopicArn', 'runbookUrl', 'alarms', 'lambdaConcurrencyLimit', 'canary'] as const;

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const alarmOverride = z.union([
  z.literal(false),
  z
    .object({
      enabled: z.boolean().optional(),
      threshold: z.number().finite().min(0).optional(),
      evaluationPeriods: z.number().int().min(1).max(24).optional(),
      datapointsToAlarm: z.number().int().min(1).max(24).optional(),
    })
    .strict(),
]);

/** The alerting keys of `monitoring` (also part of the stage schema in `schema.ts`, hence of hookguard.schema.json). */
export const alertingSchema = z
  .object({
    alarmEmails: z.array(z.string().regex(EMAIL, 'must be an e-mail address')).max(20).optional(),
    alarmTopicArn: z.string().regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN').optional(),
    runbookUrl: z.string().min(1).max(512).optional(),
    alarms: z.partialRecord(z.enum(ALARM_IDS), alarmOverride).optional(),
    lambdaConcurrencyLimit: z.number().int().min(10).max(1_000_000).optional(),
    canary: z
      .union(
        [
          z.boolean(),
          z
            .object({
              enabled: z.boolean().optional(),
              intervalMinutes: z.number().int().min(1).max(60).optional(),
              provider: z.enum(PROVIDER_IDS).optional(),
            })
            .strict(),
        ],
        { error: 'must be true, false or { "enabled": boolean, "intervalMinutes": 1 to 60, "provider": a provider id }' },
      )
      .optional(),
  })
  .strict();

/** One problem in the alerting settings: `path` relative to `monitoring`. */
export interface AlertingProblem {
  readonly path: string;
  readonly message: string;
}

function problemsOf(error: z.ZodError): AlertingProblem[] {
  const pathOf = (parts: readonly PropertyKey[]) =>
    parts.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  return error.issues.flatMap((issue) =>
    // One problem per unknown key, at the key's own path (a typo in an alarm id is the usual cause).
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: pathOf([...issue.path, key]),
          message:
            issue.path.at(-1) === 'alarms'
              ? `unknown alarm (expected one of: ${ALARM_IDS.join(', ')})`
              : 'unknown setting',
        }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}

/** The canary's default: on for stages whose name contains `prod` (prod, production, preprod...), off otherwise. */
export function defaultCanaryEnabled(stage: string): boolean {
  return stage.toLowerCase().includes('prod');
}

/**
 * Reads the alerting keys of a stage's `monitoring` block (other keys are ignored here), applying the defaults.
 *
 * @returns the resolved settings, and every problem found (paths relative to `monitoring`, e.g. `.alarms.forgery`).
 * @example
 * readAlerting({ alarms: { wafBlocks: { threshold: 2000 } } }, 'prod').value.alarms.wafBlocks.threshold; // 2000
 */
export function readAlerting(
  monitoring: Record<string, unknown>,
  stage: string,
): { readonly value: AlertingConfig; readonly problems: readonly AlertingProblem[] } {
  const picked = Object.fromEntries(
    ALERTING_KEYS.filter((key) => monitoring[key] !== undefined).map((key) => [key, monitoring[key]]),
  );
  const parsed = alertingSchema.safeParse(picked);
  const problems = parsed.success ? [] : problemsOf(parsed.error);
  const raw = parsed.success ? parsed.data : {};
  const alarms = {} as Record<AlarmId, AlarmSetting>;
  for (const id of ALARM_IDS) {
    const { enabled, threshold, evaluationPeriods, datapointsToAlarm } = DEFAULT_ALARMS[id];
    const override = raw.alarms?.[id];
    const setting =
      override === false
        ? { enabled: false, threshold, evaluationPeriods, datapointsToAlarm }
        : {
            enabled: override?.enabled ?? enabled,
            threshold: override?.threshold ?? threshold,
            evaluationPeriods: override?.evaluationPeriods ?? evaluationPeriods,
            datapointsToAlarm: override?.datapointsToAlarm ?? Math.min(datapointsToAlarm, override?.evaluationPeriods ?? evaluationPeriods),
          };
    if (setting.datapointsToAlarm > setting.evaluationPeriods) {
      problems.push({ path: `.alarms.${id}.datapointsToAlarm`, message: `must be at most evaluationPeriods (${setting.evaluationPeriods})` });
    }
    const periodSeconds = DEFAULT_ALARMS[id].periodSeconds;
    // CloudWatch: period x evaluation periods at most 1 day for periods under an hour, 7 days otherwise.
    const maxRange = periodSeconds < 3600 ? 86_400 : 604_800;
    if (periodSeconds * setting.evaluationPeriods > maxRange) {
      problems.push({ path: `.alarms.${id}.evaluationPeriods`, message: `${setting.evaluationPeriods} periods of ${periodSeconds} s exceed CloudWatch's ${maxRange / 3600} hours` });
    }
    alarms[id] = setting;
  }
  const canaryRaw = raw.canary;
  const canary: CanaryConfig = {
    enabled: typeof canaryRaw === 'boolean' ? canaryRaw : (canaryRaw?.enabled ?? defaultCanaryEnabled(stage)),
    intervalMinutes: (typeof canaryRaw === 'object' ? canaryRaw.intervalMinutes : undefined) ?? DEFAULT_CANARY_INTERVAL_MINUTES,
    ...(typeof canaryRaw === 'object' && canaryRaw.provider !== undefined ? { provider: canaryRaw.provider } : {}),
  };
  return {
    value: {
      alarmEmails: raw.alarmEmails ?? [],
      ...(raw.alarmTopicArn ? { alarmTopicArn: raw.alarmTopicArn } : {}),
      runbookUrl: raw.runbookUrl ?? DEFAULT_RUNBOOK_URL,
      alarms,
      lambdaConcurrencyLimit: raw.lambdaConcurrencyLimit ?? DEFAULT_LAMBDA_CONCURRENCY_LIMIT,
      canary,
    },
    problems,
  };
}

/** The alerting settings of a stage with nothing configured. */
export function defaultAlerting(stage: string): AlertingConfig {
  return readAlerting({}, stage).value;
}

/**
 * Reads `providers.<id>.silenceAlarmHours`: hours without an accepted request before the silent-provider alarm
 * fires (off unless set).
 */
export function readSilenceAlarmHours(value: unknown): { readonly value?: number; readonly problem?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SILENCE_ALARM_HOURS) {
    return { problem: `must be a whole number of hours from 1 to ${MAX_SILENCE_ALARM_HOURS}, got ${JSON.stringify(value)}` };
  }
  return { value };
}
