/**
 * The shape of `hookguard.config.json`, written once with zod: the loader validates with it (messages below are the
 * ones users read) and `npm run config:schema` turns it into `hookguard.schema.json` for editors. Rules that involve
 * more than one setting (an SES topic list required unless..., a tolerance within the dedupe window, ...) are code
 * in `load.ts`, not here.
 *
 * Adding a setting: its type (with TSDoc) in `types.ts`, its default in `defaults.ts`, one line in the section's
 * schema below; then `npm run config:schema`.
 */
import { z } from 'zod';
import { EVENT_TYPES } from '../../lambda/core/event';
import { PROVIDER_IDS, type ProviderId, UNSIGNED_PROVIDERS } from '../../lambda/core/provider-ids';
import {
  DEFAULT_ARCHIVE_RETENTION_DAYS,
  DEFAULT_AUTH,
  DEFAULT_DEDUPE,
  DEFAULT_IP_RANGES,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_MONITORING,
  DEFAULT_ROUTE_MAX_EVENT_AGE_HOURS,
  DEFAULT_ROUTE_RETRY_ATTEMPTS,
  DEFAULT_THROTTLING,
  DEFAULT_WAF,
  defaultAuthMode,
  defaultMaxBodyBytes,
  LOG_RETENTION_DAYS,
  MAX_BODY_BYTES_LIMIT,
} from './defaults';
import { alertingSchema, MAX_SILENCE_ALARM_HOURS } from './alerting';
import { cidrProblem } from './cidr';
import { PUBLISHED, PUBLISHED_RANGE_PROVIDERS, publishesRanges } from '../../lambda/core/ip-ranges-sources';

/** Shows an offending value in a message: JSON, never more than 80 characters. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks: each carries the one message a user sees when the value is wrong, quoting what they wrote.

type Issue = { readonly input?: unknown; readonly code?: string };

/** A whole number from `min` to `max`, optionally of a named unit ("a whole number of hours from..."). */
const wholeNumber = (min: number, max: number, unit?: string) => {
  const what = unit === undefined ? 'a whole number' : `a whole number of ${unit}`;
  const error = (issue: Issue) => `must be ${what} from ${min} to ${max}, got ${show(issue.input)}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
};

/** A number, not necessarily whole, from `min` to `max`. */
const decimal = (min: number, max: number) => {
  const error = (issue: Issue) => `must be a number from ${min} to ${max}, got ${show(issue.input)}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
};

const flag = () => z.boolean({ error: (issue) => `must be true or false, got ${show(issue.input)}` });

/** One of a fixed list of strings or numbers. */
const oneOf = <const T extends readonly [string | number, ...(string | number)[]]>(values: T) =>
  z.literal(values, {
    error: (issue) => `must be one of ${values.map((value) => show(value)).join(', ')}, got ${show(issue.input)}`,
  });

/** A string matching `pattern`; `required` is the message when it is left out where it must be given. */
const text = (pattern: RegExp, description: string, required = 'is required') => {
  const error = (issue: Issue) =>
    issue.input === undefined ? required : `must be ${description}, got ${show(issue.input)}`;
  return z.string({ error }).regex(pattern, { error });
};

/** An http(s) URL; `withoutCredentials` also refuses `user:password@`. */
const webhookUrl = (withoutCredentials: boolean) => {
  const description = withoutCredentials ? 'an http(s) URL without credentials' : 'an http(s) URL';
  const error = (issue: Issue) => `must be ${description}, got ${show(issue.input)}`;
  return z.string({ error }).refine((value) => isWebhookUrl(value, withoutCredentials), { error });
};

function isWebhookUrl(value: string, withoutCredentials: boolean): boolean {
  try {
    const url = new URL(value);
    const http = url.protocol === 'https:' || url.protocol === 'http:';
    return http && (!withoutCredentials || (url.username === '' && url.password === ''));
  } catch {
    return false;
  }
}

/**
 * An object with exactly these keys: a typo is reported (it would otherwise be silently ignored), naming the keys
 * that are allowed. `unknown` phrases the problem for a key that is not one of them.
 */
const section = <Shape extends z.core.$ZodLooseShape>(shape: Shape, unknown = 'unknown setting') =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${unknown} (expected one of: ${Object.keys(shape).join(', ')})`
        : `must be an object, got ${show(issue.input)}`,
  });

const list = <T extends z.ZodType>(item: T, what = 'a list') =>
  z.array(item, { error: (issue) => `must be ${what}, got ${show(issue.input)}` });

/** Text, anything but empty. */
const nonEmptyText = (description: string) => {
  const error = (issue: Issue) =>
    issue.input === undefined ? 'is required' : `must be ${description}, got ${show(issue.input)}`;
  return z.string({ error }).min(1, { error });
};

// ---------------------------------------------------------------------------------------------------------------
// Patterns of AWS names and ARNs.

const STAGE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,30}$/;
const ROUTE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,140}(:[A-Za-z0-9$_-]+)?$/;
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-\d:\d{12}:event-bus\/[A-Za-z0-9._/-]{1,256}$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const LOG_GROUP_NAME = /^[A-Za-z0-9_./#-]{1,512}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,32}$/;

/** Largest X-Ray reservoir accepted, traces per second (far above what a webhook receiver needs). */
const MAX_TRACE_RESERVOIR_PER_SECOND = 10_000;

// ---------------------------------------------------------------------------------------------------------------
// Sections. Defaults come from defaults.ts; a section left out gets all of them (`prefault({})`).

const throttling = () =>
  section({
    rateLimit: wholeNumber(1, 100_000)
      .default(DEFAULT_THROTTLING.rateLimit)
      .describe('Steady-state requests per second.'),
    burstLimit: wholeNumber(0, 100_000).default(DEFAULT_THROTTLING.burstLimit).describe('Burst capacity, requests.'),
  }).describe('API Gateway token-bucket throttling.');

const AUTH_MODES = ['basic', 'signature', 'both'] as const;

/** `auth` of one provider: what it can be follows from what the provider signs. */
function authMode(id: ProviderId) {
  const describe = <T extends z.ZodType>(schema: T): T =>
    schema.describe(
      'basic: Basic credentials only; signature: the provider signature only (no authorizer); both: both.',
    );
  if (UNSIGNED_PROVIDERS.includes(id)) {
    const error = (issue: Issue) =>
      AUTH_MODES.includes(issue.input as never)
        ? `${id} signs nothing, so only "basic" is possible, got ${show(issue.input)}`
        : `must be "basic" (${id} signs nothing), got ${show(issue.input)}`;
    return describe(z.literal('basic', { error }).default('basic'));
  }
  if (id === 'amazon-ses') {
    // Without the SNS signature nothing checks the topic, and a SubscribeURL would be fetched on Basic alone.
    const error = (issue: Issue) =>
      AUTH_MODES.includes(issue.input as never)
        ? 'amazon-ses needs the SNS signature: use "both" (default) or "signature"'
        : `must be one of "signature", "both", got ${show(issue.input)}`;
    return describe(z.literal(['signature', 'both'], { error }).default('both'));
  }
  return describe(oneOf(AUTH_MODES).default(defaultAuthMode(id)));
}

/**
 * An `allowedCidrs` entry: a CIDR, or (for providers that publish their webhook sources) `"published"`, the
 * provider's current list, kept current by the IP-range refresher (docs/ip-ranges.md).
 */
const allowedSource = (id: ProviderId) =>
  z
    .string({ error: (issue) => `must be a string, got ${show(issue.input)}` })
    .superRefine((value, context) => {
      if (value === PUBLISHED) {
        if (!publishesRanges(id)) {
          const message = `"${PUBLISHED}" is only for providers that publish their webhook sources (${PUBLISHED_RANGE_PROVIDERS.join(', ')}); ${id} publishes none`;
          context.addIssue({ code: 'custom', message, input: value });
        }
        return;
      }
      const problem = cidrProblem(value);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: `${show(value)} ${problem}`, input: value });
    });

/** A setting only `owner` has; on any other provider it is reported as belonging to that one. */
const onlyFor = <T extends z.ZodType>(id: ProviderId, owner: ProviderId, schema: () => T) =>
  (id === owner ? schema() : z.never({ error: `applies only to ${owner}` })).optional();

// --- Provider sync (docs/provider-sync.md): which webhooks of the provider account Hookguard manages. Whether the
// provider has a management module, and which options that module needs, is checked in load.ts (the registry
// decides, so this schema stays the same for every provider).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An https URL without credentials (http only to a loopback host, for tests and local proxies). */
const apiBaseUrl = () => {
  const error = (issue: Issue) =>
    `must be an https URL without credentials (http only to 127.0.0.1 or localhost), got ${show(issue.input)}`;
  return z.string({ error }).refine((value) => {
    try {
      const url = new URL(value);
      const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
      return secure && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, { error });
};

const managedAccount = () =>
  section({
    webhookIds: list(nonEmptyText('a webhook id'), 'a list of webhook ids')
      .min(1, { error: 'must list at least one webhook id (leave it out to match by URL)' })
      .optional()
      .describe("The provider's ids of the managed webhooks; absent: every webhook whose URL matches matchUrl."),
    matchUrl: webhookUrl(true)
      .optional()
      .describe(
        "Manage the webhooks whose URL (ignoring credentials, query and a trailing slash) is this; absent: Hookguard's own URL for the provider.",
      ),
    region: text(/^[a-z0-9-]{1,32}$/, 'a region name such as "us" or "eu"')
      .optional()
      .describe("API region for providers with several (e.g. us, eu); absent: the provider's default."),
    options: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, { error: 'option names are letters and digits' }),
        nonEmptyText('a non-empty string'),
        { error: (issue) => `must be an object of strings, got ${show(issue.input)}` },
      )
      .optional()
      .describe('Provider-specific selectors (Mailgun domain, Postmark messageStream, ...): see docs/provider-sync.md.'),
    apiBaseUrl: apiBaseUrl()
      .optional()
      .describe("Overrides the provider's API base URL (a proxy); absent: the provider's documented host."),
  }).describe(
    "Hookguard updates this provider's webhooks through its API at every rotation; the API key goes in the provider-API-keys secret. See docs/provider-sync.md.",
  );

/** The settings block of one provider. */
function provider(id: ProviderId) {
  return section({
    enabled: flag().optional().describe('false disables a provider that shared enables.'),
    auth: authMode(id),
    allowedCidrs: list(allowedSource(id))
      .default(() => [])
      .describe(
        'Source CIDRs (IPv4 and IPv6) allowed to post to this path; empty: any source. "published" (Postmark, ' +
          "SparkPost, Brevo, Resend) adds the provider's published list, refreshed on a schedule (docs/ip-ranges.md).",
      ),
    rateLimit: wholeNumber(10, 2_000_000_000)
      .optional()
      .describe('WAF rate-based limit for this path, requests per source IP per window. Default: waf.rateLimit.'),
    throttling: throttling().optional().describe("Throttling of this provider's route; default: the stage's."),
    timestampToleranceSeconds: wholeNumber(0, 2_000_000_000)
      .optional()
      .describe(
        'Accepted skew of the signed timestamp, seconds; 0 disables the check. At most the dedupe window. ' +
          "Default: the provider's.",
      ),
    maxBodyBytes: wholeNumber(1, MAX_BODY_BYTES_LIMIT)
      .default(defaultMaxBodyBytes(id))
      .describe('Largest accepted body, bytes.'),
    silenceAlarmHours: wholeNumber(1, MAX_SILENCE_ALARM_HOURS, 'hours')
      .optional()
      .describe('Hours without an accepted request before the silent-provider alarm fires; absent: no such alarm.'),
    snsTopicArns: onlyFor(id, 'amazon-ses', () =>
      list(text(SNS_TOPIC_ARN, 'an SNS topic ARN')).describe(
        'SNS topic ARNs allowed to deliver SES events (required).',
      ),
    ),
    signedUrl: onlyFor(id, 'mandrill', () =>
      webhookUrl(true).describe(
        'The webhook URL exactly as entered at Mandrill, without credentials (required unless auth is basic).',
      ),
    ),
    eventTypeMap: onlyFor(id, 'standard-webhooks', () =>
      z
        .record(z.string(), oneOf(EVENT_TYPES), { error: (issue) => `must be an object, got ${show(issue.input)}` })
        .describe("The sender's event types mapped to normalised types; unmapped types become unknown."),
    ),
    managed: managedAccount().optional(),
  });
}

const providers = () =>
  section(
    Object.fromEntries(PROVIDER_IDS.map((id) => [id, provider(id).optional()])) as {
      [K in ProviderId]: z.ZodOptional<ReturnType<typeof provider>>;
    },
    'unknown provider',
  ).describe('Enabled providers: {} takes every default.');

const waf = () =>
  section({
    rateLimitWindowSeconds: oneOf([60, 120, 300, 600])
      .default(DEFAULT_WAF.rateLimitWindowSeconds)
      .describe('Window of the rate-based rules, seconds.'),
    rateLimit: wholeNumber(10, 2_000_000_000)
      .default(DEFAULT_WAF.rateLimit)
      .describe('Requests per source IP per window over all webhook paths.'),
    logRetentionDays: oneOf(LOG_RETENTION_DAYS)
      .default(DEFAULT_WAF.logRetentionDays as (typeof LOG_RETENTION_DAYS)[number])
     .describe('WAF log retention, days.'),
  }).describe('AWS WAF in front of the API.');

const ipRanges = () =>
  section({
    refreshHours: wholeNumber(1, 24, 'hours')
      .default(DEFAULT_IP_RANGES.refreshHours)
      .describe('Hours between two refreshes of the published lists ("published" in allowedCidrs).'),
    minPrefixIpv4: wholeNumber(8, 32)
      .default(DEFAULT_IP_RANGES.minPrefixIpv4)
      .describe('Floor: a published IPv4 block broader than this prefix is refused.'),
    minPrefixIpv6: wholeNumber(16, 128)
      .default(DEFAULT_IP_RANGES.minPrefixIpv6)
      .describe('Floor: a published IPv6 block broader than this prefix is refused.'),
    maxChangeShare: decimal(0, 1)
      .default(DEFAULT_IP_RANGES.maxChangeShare)
      .describe(
        'Largest change of a published list applied without confirmation: (added + removed) / entries of the old and new lists together.',
      ),
  }).describe('The refresher of the published IP ranges (docs/ip-ranges.md).');

const auth = () =>
  section({
    username: text(USERNAME, 'letters, digits, ., _ or - (1 to 64)')
      .default(DEFAULT_AUTH.username)
      .describe('User name of the generated Basic credential.'),
    rotationDays: wholeNumber(1, 365).default(DEFAULT_AUTH.rotationDays).describe('Days between automatic rotations.'),
    gracePeriodHours: wholeNumber(0, 365 * 24)
      .default(DEFAULT_AUTH.gracePeriodHours)
      .describe('Hours the previous credential keeps working after a rotation (at most the rotation interval).'),
    authorizerCacheTtlSeconds: wholeNumber(0, 3600)
      .default(DEFAULT_AUTH.authorizerCacheTtlSeconds)
      .describe('API Gateway authorizer result cache, seconds.'),
    secretCacheTtlSeconds: wholeNumber(1, 3600)
      .default(DEFAULT_AUTH.secretCacheTtlSeconds)
      .describe("How long a container caches the secrets' values, seconds."),
    refreshMinIntervalSeconds: wholeNumber(1, 3600)
      .default(DEFAULT_AUTH.refreshMinIntervalSeconds)
      .describe('Least time between two refreshes triggered by unknown credentials, seconds.'),
  }).describe('Basic credentials, their rotation and the authorizer.');

const dedupe = () =>
  section({
    windowHours: wholeNumber(1, 8760)
      .default(DEFAULT_DEDUPE.windowHours)
      .describe("How long a published event's id is remembered, hours."),
    leaseSeconds: wholeNumber(30, 900)
      .default(DEFAULT_DEDUPE.leaseSeconds)
      .describe('How long an in-progress claim holds before a retry may take it over, seconds.'),
  }).describe('The dedupe ledger.');

const monitoring = () =>
  section({
    detailedMetrics: flag()
      .default(DEFAULT_MONITORING.detailedMetrics)
      .describe('Per-method API Gateway metrics (7 custom metrics per method with traffic).'),
    tracing: section({
      reservoirPerSecond: wholeNumber(0, MAX_TRACE_RESERVOIR_PER_SECOND)
        .default(DEFAULT_MONITORING.tracing.reservoirPerSecond)
        .describe('Requests traced each second before the rate applies.'),
      fixedRate: decimal(0, 1)
        .default(DEFAULT_MONITORING.tracing.fixedRate)
        .describe('Share of the requests beyond the reservoir that are traced, 0 to 1.'),
    })
      .prefault({})
      .describe('X-Ray sampling of the API stage (tracing itself is always on).'),
    // Alarm topic, alarms and canary: their rules and messages live in alerting.ts (see load.ts).
    ...alertingSchema.shape,
  }).describe('Metrics, tracing and alerting.');

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An EventBridge pattern: a tree whose leaves are non-empty lists of values or matchers. */
const eventPattern = z
  .record(z.string(), z.unknown(), {
    error: (issue) => `must be a non-empty EventBridge event pattern object, got ${show(issue.input)}`,
  })
  .superRefine((pattern, context) => {
    if (Object.keys(pattern).length === 0) {
      const message = 'must be a non-empty EventBridge event pattern object, got {}';
      context.addIssue({ code: 'custom', message, input: pattern });
    }
    // A bare value instead of a list is the commonest mistake.
    const walk = (node: Json, path: (string | number)[]) => {
      for (const [key, child] of Object.entries(node)) {
        if (key === '$or') {
          if (!Array.isArray(child) || child.length === 0 || !child.every(isObject)) {
            const message = 'must be a non-empty list of patterns';
            context.addIssue({ code: 'custom', path: [...path, key], message, input: child });
          } else child.forEach((branch, index) => walk(branch, [...path, key, index]));
        } else if (isObject(child)) walk(child, [...path, key]);
        else if (!Array.isArray(child) || child.length === 0) {
          context.addIssue({
            code: 'custom',
            path: [...path, key],
            message: `must be a non-empty list of values or matchers, got ${show(child)}`,
            input: child,
          });
        }
      }
    };
    walk(pattern, []);
    if (pattern.source !== undefined) {
      const message = 'is set by Hookguard (always "hookguard")';
      context.addIssue({ code: 'custom', path: ['source'], message, input: pattern.source });
    }
  })
  .describe('An EventBridge event pattern; source: ["hookguard"] is added.');

/** The message for a target whose `type` is missing or unknown, reported at `type`. */
const typeError = (types: readonly string[]) => (issue: Issue) => {
  if (!isObject(issue.input)) return `must be an object, got ${show(issue.input)}`;
  const type = issue.input.type;
  return type === undefined
    ? `is required (${types.slice(0, -1).join(', ')} or ${types.at(-1)})`
    : `must be one of ${types.map((item) => show(item)).join(', ')}, got ${show(type)}`;
};

const routeTarget = () =>
  z
    .discriminatedUnion(
      'type',
      [
      section({
        type: z.literal('sqs').describe('An encrypted SQS queue created by the stack (with its own DLQ).'),
        queueName: text(QUEUE_NAME, 'an SQS queue name').optional(),
      }),
      section({
        type: z.literal('lambda').describe('An existing Lambda function.'),
        functionArn: text(LAMBDA_ARN, 'a Lambda function ARN', 'is required for a lambda target'),
      }),
      section({
        type: z.literal('eventBus').describe('Another event bus (same or other account).'),
        eventBusArn: text(EVENT_BUS_ARN, 'an event bus ARN', 'is required for an eventBus target'),
      }),
      section({
        type: z.literal('logs').describe('A CloudWatch Logs group created by the stack.'),
        logGroupName: text(LOG_GROUP_NAME, 'a log group name').optional(),
      }),
      ],
      { error: typeError(['sqs', 'lambda', 'eventBus', 'logs']) },
    )
    .describe('Where the route delivers in AWS.');

const localTarget = () =>
  z
    .discriminatedUnion(
      'type',
      [
        section({ type: z.literal('file'), path: nonEmptyText('a file path') }),
        section({ type: z.literal('console') }),
        section({ type: z.literal('http'), url: webhookUrl(false) }),
      ],
      { error: typeError(['file', 'console', 'http']) },
    )
    .describe('Local runtime target; default: routes/<name>.jsonl in the data directory.');

const route = () =>
  section({
    name: text(ROUTE_NAME, 'letters, digits, - or _ (1 to 64)').describe('Unique within the stage.'),
    description: z.string({ error: 'must be a string' }).optional(),
    eventPattern,
    target: routeTarget(),
    retryAttempts: wholeNumber(0, 185)
      .default(DEFAULT_ROUTE_RETRY_ATTEMPTS)
      .describe("Retries of the target before the event goes to the route's DLQ."),
    maxEventAgeHours: wholeNumber(1, 24)
      .default(DEFAULT_ROUTE_MAX_EVENT_AGE_HOURS)
      .describe('Oldest event age the target still retries, hours.'),
    local: localTarget().optional(),
  }).describe('An EventBridge rule on the Hookguard bus with one target.');

const events = () =>
  section({
    archiveRetentionDays: wholeNumber(0, 36_500)
      .default(DEFAULT_ARCHIVE_RETENTION_DAYS)
      .describe('Days the archive keeps events for replay; 0 keeps them forever.'),
    routes: list(route(), 'a list of routes')
      .default(() => [])
      .describe('Lists replace: a stage that sets routes replaces the shared list.'),
  }).describe('Event bus, archive and routes.');

const env = () =>
  section({
    account: text(ACCOUNT, 'a 12-digit account id').optional(),
    region: text(REGION, 'an AWS region such as eu-west-1').optional(),
  }).describe("Target account and region of the stage's stack; default: environment-agnostic.");

const customDomain = () =>
  section({
    domainName: text(HOSTNAME, 'a DNS name'),
    certificateArn: text(ACM_ARN, 'an ACM certificate ARN').describe("ACM certificate ARN in the stack's region."),
    hostedZoneId: text(HOSTED_ZONE_ID, 'a Route 53 hosted zone id').optional(),
    hostedZoneName: text(HOSTNAME, 'a DNS name').optional(),
  }).describe('A custom domain for the API (enhanced TLS policy per tlsPolicy; the default execute-api endpoint is disabled).');

// ---------------------------------------------------------------------------------------------------------------
// A stage block (also the `shared` block): every section optional, merged defaults ← shared ← stage.

/** One stage's settings, or the `shared` block under every stage. */
export const stageSchema = section({
  env: env().optional(),
  providers: providers().prefault({}),
  throttling: throttling().prefault({}).describe('Stage throttling (all webhook routes).'),
  customDomain: customDomain().optional(),
  tlsPolicy: oneOf(['provider-compatible', 'tls13-only'] as const)
    .default('provider-compatible')
    .describe(
      'TLS policy of the API and its custom domain (endpoint access mode STRICT): provider-compatible is the strictest ' +
        "every enabled provider's webhook sender negotiates (TLS 1.3 + TLS 1.2 with forward secrecy while any provider " +
        'does not document TLS 1.3); tls13-only is TLS 1.3 only.',
    ),
  waf: waf().prefault({}),
  // Path token (issue 12 §3, docs/path-token.md).
  pathToken: z
    .union([flag(), section({ generation: wholeNumber(1, 1_000_000) })], {
      error: (issue) => `must be true, false or {"generation": <whole number from 1>}, got ${show(issue.input)}`,
    })
    .default(false)
    .describe(
      'Serve webhooks at /webhooks/<token>/<provider>, with a random token generated once per stage (a secret next to ' +
        'the Basic credential; locally the secrets file), so that the guessable /webhooks/<provider> answers 404 at the ' +
        'gateway. true is generation 1; raising {"generation": n} generates a new token (every URL changes). Default off.',
    ),
  ipRanges: ipRanges().prefault({}),
  auth: auth().prefault({}),
  dedupe: dedupe().prefault({}),
  events: events().prefault({}),
  monitoring: monitoring().prefault({}),
  logRetentionDays: oneOf(LOG_RETENTION_DAYS)
    .default(DEFAULT_LOG_RETENTION_DAYS)
    .describe('Lambda and API access log retention, days.'),
});

/** A stage block after validation, defaults applied. */
export type StageBlock = z.output<typeof stageSchema>;

/** Whether `name` can name a stage (it becomes part of stack and resource names). */
export const isStageName = (name: string): boolean => STAGE_NAME.test(name);

const STAGE_NAME_RULE = 'stage names start with a letter and hold letters, digits or - (up to 31)';

/** The top level of the file, with the stage blocks left to {@link stageSchema} (validated after merging). */
export const fileSchema = section({
  $schema: z.string({ error: (issue) => `must be a string, got ${show(issue.input)}` }).optional(),
  shared: z
    .record(z.string(), z.unknown(), { error: (issue) => `must be an object, got ${show(issue.input)}` })
    .optional(),
  stages: z
    .record(z.string().regex(STAGE_NAME), z.unknown(), {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? STAGE_NAME_RULE
          : issue.input === undefined
            ? 'define at least one stage, e.g. "dev"'
            : `must be an object, got ${show(issue.input)}`,
    })
    .refine((stages) => Object.keys(stages).length > 0, { error: 'define at least one stage, e.g. "dev"' }),
});

/** The checked-in JSON Schema, next to `hookguard.config.json`, which names it in `$schema`. */
export const CONFIG_SCHEMA_FILE = 'hookguard.schema.json';

/** The text of {@link CONFIG_SCHEMA_FILE}: {@link configJsonSchema} as indented JSON with a final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/**
 * The JSON Schema of `hookguard.config.json` (what `hookguard.schema.json` holds): the stage block once, under
 * `$defs`, referenced by `shared` and by every stage.
 */
export function configJsonSchema(): Record<string, unknown> {
  const { $schema: dialect, ...stage } = z.toJSONSchema(stageSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  const ref = { $ref: '#/$defs/stage' };
  return {
    $schema: dialect,
    title: 'Hookguard configuration',
    description: 'hookguard.config.json: drives cdk deploy and the local runtime. See docs/configuration.md.',
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'The JSON Schema of this file, for editors.' },
      shared: { ...ref, description: 'Settings under every stage; a stage overrides them key by key (lists replace).' },
      stages: {
        type: 'object',
        description: 'One block per stage (stack Hookguard-<stage>); each is defaults, then shared, then the stage.',
        propertyNames: { pattern: STAGE_NAME.source },
        additionalProperties: ref,
        minProperties: 1,
      },
    },
    required: ['stages'],
    additionalProperties: false,
    $defs: { stage },
  };
}
