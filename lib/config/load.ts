/**
 * Loads and validates the configuration file. Every problem is collected and reported at once, each with its path
 * and the offending value, so one run tells the user everything to fix.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { EVENT_TYPES } from '../../lambda/core/event';
import { isProviderId, PROVIDER_IDS, type ProviderId, UNSIGNED_PROVIDERS } from '../../lambda/core/provider-ids';
import { ALERTING_KEYS, type AlertingConfig, readAlerting, readSilenceAlarmHours } from './alerting';
import {
  DEFAULT_ARCHIVE_RETENTION_DAYS,
  DEFAULT_AUTH,
  DEFAULT_CONFIG_FILE,
  DEFAULT_DEDUPE,
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
import type {
  AuthConfig,
  CustomDomainConfig,
  DedupeConfig,
  EventsConfig,
  HookguardConfig,
  LocalRouteTarget,
  MonitoringConfig,
  ProviderConfig,
  RouteConfig,
  RouteTarget,
  StageConfig,
  ThrottlingConfig,
  WafConfig,
} from './types';

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** Where, e.g. `stages.prod.providers.sendgrid.allowedCidrs[1]`. */
  readonly path: string;
  readonly message: string;
}

/** The configuration is invalid; `problems` lists every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid Hookguard configuration (${source}): ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((problem) => `  - ${problem.path}: ${problem.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Shows an offending value in a message: short, quoted, never more than 80 characters. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Collects problems while reading one stage. */
class Reader {
  readonly problems: ConfigProblem[] = [];

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Reports keys of `value` that are not in `allowed` (typos would otherwise be silently ignored). */
  knownKeys(value: Json, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.problem(`${path}.${key}`, `unknown setting (expected one of: ${allowed.join(', ')})`);
      }
    }
  }

  object(value: unknown, path: string): Json {
    if (value === undefined) return {};
    if (!isObject(value)) {
      this.problem(path, `must be an object, got ${show(value)}`);
      return {};
    }
    return value;
  }

  integer(value: unknown, path: string, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problem(path, `must be a whole number from ${min} to ${max}, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  /** A number (not necessarily whole) from `min` to `max`. */
  number(value: unknown, path: string, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.problem(path, `must be a number from ${min} to ${max}, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  boolean(value: unknown, path: string, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.problem(path, `must be true or false, got ${show(value)}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string | number>(value: unknown, path: string, fallback: T, allowed: readonly T[]): T {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) {
      this.problem(path, `must be one of ${allowed.map((item) => show(item)).join(', ')}, got ${show(value)}`);
      return fallback;
    }
    return value as T;
  }

  string(value: unknown, path: string, pattern: RegExp, description: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) {
      this.problem(path, `must be ${description}, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  stringList(value: unknown, path: string, check: (item: string, itemPath: string) => boolean): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.problem(path, `must be a list, got ${show(value)}`);
      return [];
    }
    const valid: string[] = [];
    value.forEach((item, index) => {
      const itemPath = `${path}[${index}]`;
      if (typeof item !== 'string') this.problem(itemPath, `must be a string, got ${show(item)}`);
      else if (check(item, itemPath)) valid.push(item);
    });
    return valid;
  }
}

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

/**
 * Checks a CIDR: an IPv4 or IPv6 address, a prefix length in range, and no host bits set (WAF IP sets reject those,
 * and a set host bit usually means a typo in the prefix).
 */
export function cidrProblem(cidr: string): string | undefined {
  const [address, prefixText, extra] = cidr.split('/');
  if (address === undefined || prefixText === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefixText)) {
    return 'is not a CIDR (address/prefix)';
  }
  const version = isIP(address);
  if (version === 0) return 'has an invalid IP address';
  const bits = version === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > bits) return `has a prefix longer than ${bits}`;
  const value = version === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) return `has host bits set beyond /${prefix}`;
  return undefined;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // Embedded IPv4 (::ffff:192.0.2.1): turn its 32 bits into two hex groups.
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) + BigInt(Number.parseInt(group, 16)), 0n);
}

/** Recursively merges `override` over `base`: objects merge key by key; anything else (lists too) replaces. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isObject(base) || !isObject(override)) return override;
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

const PROVIDER_KEYS = [
  'enabled',
  'auth',
  'allowedCidrs',
  'rateLimit',
  'throttling',
  'timestampToleranceSeconds',
  'maxBodyBytes',
  'snsTopicArns',
  'signedUrl',
  'eventTypeMap',
  'silenceAlarmHours',
] as const;

function readThrottling(reader: Reader, value: unknown, path: string, fallback: ThrottlingConfig): ThrottlingConfig {
  const raw = reader.object(value, path);
  reader.knownKeys(raw, ['rateLimit', 'burstLimit'], path);
  const rateLimit = reader.integer(raw.rateLimit, `${path}.rateLimit`, fallback.rateLimit, 1, 100_000);
  const burstLimit = reader.integer(raw.burstLimit, `${path}.burstLimit`, fallback.burstLimit, 0, 100_000);
  return { rateLimit, burstLimit };
}

function readProvider(
  reader: Reader,
  id: ProviderId,
  raw: Json,
  path: string,
  waf: WafConfig,
  dedupe: DedupeConfig,
): ProviderConfig {
  reader.knownKeys(raw, PROVIDER_KEYS, path);
  const unsigned = UNSIGNED_PROVIDERS.includes(id);
  const auth = reader.oneOf(raw.auth, `${path}.auth`, defaultAuthMode(id), ['basic', 'signature', 'both'] as const);
  if (unsigned && auth !== 'basic') {
    reader.problem(`${path}.auth`, `${id} signs nothing, so only "basic" is possible, got ${show(auth)}`);
  }
  const allowedCidrs = reader.stringList(raw.allowedCidrs, `${path}.allowedCidrs`, (cidr, itemPath) => {
    const problem = cidrProblem(cidr);
    if (problem) reader.problem(itemPath, `${show(cidr)} ${problem}`);
    return problem === undefined;
  });
  const config: {
    -readonly [K in keyof ProviderConfig]: ProviderConfig[K];
  } = {
    auth,
    allowedCidrs,
    rateLimit: reader.integer(raw.rateLimit, `${path}.rateLimit`, waf.rateLimit, 10, 2_000_000_000),
    maxBodyBytes: reader.integer(
      raw.maxBodyBytes,
      `${path}.maxBodyBytes`,
      defaultMaxBodyBytes(id),
      1,
      MAX_BODY_BYTES_LIMIT,
    ),
  };
  // Alerting (lib/config/alerting.ts): the silent-provider alarm, off unless set.
  const silence = readSilenceAlarmHours(raw.silenceAlarmHours);
  if (silence.problem) reader.problem(`${path}.silenceAlarmHours`, silence.problem);
  if (silence.value !== undefined) config.silenceAlarmHours = silence.value;
  if (raw.throttling !== undefined) {
    config.throttling = readThrottling(reader, raw.throttling, `${path}.throttling`, DEFAULT_THROTTLING);
  }
  if (raw.timestampToleranceSeconds !== undefined) {
    const windowSeconds = dedupe.windowHours * 3600;
    config.timestampToleranceSeconds = reader.integer(
      raw.timestampToleranceSeconds,
      `${path}.timestampToleranceSeconds`,
      0,
      0,
      windowSeconds,
    );
  }
  const onlyFor = (key: string, owner: ProviderId) => {
    if (raw[key] !== undefined && id !== owner) reader.problem(`${path}.${key}`, `applies only to ${owner}`);
  };
  onlyFor('snsTopicArns', 'amazon-ses');
  onlyFor('signedUrl', 'mandrill');
  onlyFor('eventTypeMap', 'standard-webhooks');
  if (id === 'amazon-ses') {
    // Without the SNS signature nothing checks the topic, and a SubscribeURL would be fetched on Basic alone.
    if (auth === 'basic') {
      reader.problem(`${path}.auth`, 'amazon-ses needs the SNS signature: use "both" (default) or "signature"');
    }
    config.snsTopicArns = reader.stringList(raw.snsTopicArns, `${path}.snsTopicArns`, (arn, itemPath) => {
      const ok = SNS_TOPIC_ARN.test(arn);
      if (!ok) reader.problem(itemPath, `must be an SNS topic ARN, got ${show(arn)}`);
      return ok;
    });
    if (auth !== 'basic' && raw.snsTopicArns === undefined) {
      reader.problem(`${path}.snsTopicArns`, 'is required: list the SNS topics allowed to deliver SES events');
    }
  }
  if (id === 'mandrill') {
    if (raw.signedUrl !== undefined) {
      const url = parseWebhookUrl(raw.signedUrl);
      if (url === undefined) {
        reader.problem(`${path}.signedUrl`, `must be an http(s) URL without credentials, got ${show(raw.signedUrl)}`);
      } else config.signedUrl = url;
    } else if (auth !== 'basic') {
      reader.problem(
        `${path}.signedUrl`,
        'is required: the webhook URL exactly as entered at Mandrill, without credentials',
      );
    }
  }
  if (id === 'standard-webhooks' && raw.eventTypeMap !== undefined) {
    const map = reader.object(raw.eventTypeMap, `${path}.eventTypeMap`);
    const eventTypeMap: Record<string, (typeof EVENT_TYPES)[number]> = {};
    for (const [name, type] of Object.entries(map)) {
      eventTypeMap[name] = reader.oneOf(type, `${path}.eventTypeMap.${name}`, 'unknown', EVENT_TYPES);
    }
    config.eventTypeMap = eventTypeMap;
  }
  return config;
}

function parseWebhookUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
      return undefined;
    }
    return value;
  } catch {
    return undefined;
  }
}

function readRouteTarget(reader: Reader, value: unknown, path: string): RouteTarget {
  const raw = reader.object(value, path);
  const type = reader.oneOf(raw.type, `${path}.type`, 'sqs', ['sqs', 'lambda', 'eventBus', 'logs'] as const);
  if (raw.type === undefined) reader.problem(`${path}.type`, 'is required (sqs, lambda, eventBus or logs)');
  switch (type) {
    case 'sqs': {
      reader.knownKeys(raw, ['type', 'queueName'], path);
      const queueName = reader.string(raw.queueName, `${path}.queueName`, QUEUE_NAME, 'an SQS queue name');
      return queueName === undefined ? { type } : { type, queueName };
    }
    case 'lambda': {
      reader.knownKeys(raw, ['type', 'functionArn'], path);
      const functionArn = reader.string(raw.functionArn, `${path}.functionArn`, LAMBDA_ARN, 'a Lambda function ARN');
      if (raw.functionArn === undefined) reader.problem(`${path}.functionArn`, 'is required for a lambda target');
      return { type, functionArn: functionArn ?? '' };
    }
    case 'eventBus': {
      reader.knownKeys(raw, ['type', 'eventBusArn'], path);
      const eventBusArn = reader.string(raw.eventBusArn, `${path}.eventBusArn`, EVENT_BUS_ARN, 'an event bus ARN');
      if (raw.eventBusArn === undefined) reader.problem(`${path}.eventBusArn`, 'is required for an eventBus target');
      return { type, eventBusArn: eventBusArn ?? '' };
    }
    case 'logs': {
      reader.knownKeys(raw, ['type', 'logGroupName'], path);
      const logGroupName = reader.string(raw.logGroupName, `${path}.logGroupName`, LOG_GROUP_NAME, 'a log group name');
      return logGroupName === undefined ? { type } : { type, logGroupName };
    }
  }
}

function readLocalTarget(reader: Reader, value: unknown, path: string): LocalRouteTarget | undefined {
  if (value === undefined) return undefined;
  const raw = reader.object(value, path);
  const type = reader.oneOf(raw.type, `${path}.type`, 'console', ['file', 'console', 'http'] as const);
  if (type === 'file') {
    reader.knownKeys(raw, ['type', 'path'], path);
    if (typeof raw.path !== 'string' || raw.path === '') {
      reader.problem(`${path}.path`, `must be a file path, got ${show(raw.path)}`);
      return undefined;
    }
    return { type, path: raw.path };
  }
  if (type === 'http') {
    reader.knownKeys(raw, ['type', 'url'], path);
    const url = parseWebhookUrl(raw.url);
    if (url === undefined) {
      reader.problem(`${path}.url`, `must be an http(s) URL, got ${show(raw.url)}`);
      return undefined;
    }
    return { type, url };
  }
  reader.knownKeys(raw, ['type'], path);
  return { type };
}

function readEventPattern(reader: Reader, value: unknown, path: string): Json {
  if (!isObject(value) || Object.keys(value).length === 0) {
    reader.problem(path, `must be a non-empty EventBridge event pattern object, got ${show(value)}`);
    return {};
  }
  // EventBridge patterns are trees whose leaves are lists of matchers; a bare value is the commonest mistake.
  const walk = (node: Json, nodePath: string) => {
    for (const [key, child] of Object.entries(node)) {
      if (key === '$or') {
        if (!Array.isArray(child) || child.length === 0 || !child.every(isObject)) {
          reader.problem(`${nodePath}.$or`, 'must be a non-empty list of patterns');
        } else {
          child.forEach((branch, index) => {
            walk(branch as Json, `${nodePath}.$or[${index}]`);
          });
        }
      } else if (isObject(child)) walk(child, `${nodePath}.${key}`);
      else if (!Array.isArray(child) || child.length === 0) {
        reader.problem(`${nodePath}.${key}`, `must be a non-empty list of values or matchers, got ${show(child)}`);
      }
    }
  };
  walk(value, path);
  if (value.source !== undefined) reader.problem(`${path}.source`, 'is set by Hookguard (always "hookguard")');
  return value;
}

function readRoutes(reader: Reader, value: unknown, path: string): RouteConfig[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    reader.problem(path, `must be a list of routes, got ${show(value)}`);
    return [];
  }
  const names = new Set<string>();
  return value.map((item, index) => {
    const routePath = `${path}[${index}]`;
    const raw = reader.object(item, routePath);
    reader.knownKeys(
      raw,
      ['name', 'description', 'eventPattern', 'target', 'retryAttempts', 'maxEventAgeHours', 'local'],
      routePath,
    );
    const name = reader.string(raw.name, `${routePath}.name`, ROUTE_NAME, 'letters, digits, - or _ (1 to 64)') ?? '';
    if (raw.name === undefined) reader.problem(`${routePath}.name`, 'is required');
    if (name !== '' && names.has(name)) reader.problem(`${routePath}.name`, `duplicates another route: ${show(name)}`);
    names.add(name);
    const route: { -readonly [K in keyof RouteConfig]: RouteConfig[K] } = {
      name,
      eventPattern: readEventPattern(reader, raw.eventPattern, `${routePath}.eventPattern`),
      target: readRouteTarget(reader, raw.target, `${routePath}.target`),
      retryAttempts: reader.integer(
        raw.retryAttempts,
        `${routePath}.retryAttempts`,
        DEFAULT_ROUTE_RETRY_ATTEMPTS,
        0,
        185,
      ),
      maxEventAgeHours: reader.integer(
        raw.maxEventAgeHours,
        `${routePath}.maxEventAgeHours`,
        DEFAULT_ROUTE_MAX_EVENT_AGE_HOURS,
        1,
        24,
      ),
    };
    if (typeof raw.description === 'string') route.description = raw.description;
    else if (raw.description !== undefined) reader.problem(`${routePath}.description`, 'must be a string');
    const local = readLocalTarget(reader, raw.local, `${routePath}.local`);
    if (local) route.local = local;
    return route;
  });
}

const STAGE_KEYS = [
  'env',
  'providers',
  'throttling',
  'customDomain',
  'waf',
  'auth',
  'dedupe',
  'events',
  'monitoring',
  'logRetentionDays',
] as const;

/** Largest X-Ray reservoir accepted, traces per second (far above what a webhook receiver needs). */
const MAX_TRACE_RESERVOIR_PER_SECOND = 10_000;

/** The alarm topic, alarms and canary: the alerting keys of `monitoring` (lib/config/alerting.ts). */
function readStageAlerting(reader: Reader, value: unknown, stage: string, path: string): AlertingConfig {
  const raw = isObject(value) ? value : {};
  const { value: alerting, problems } = readAlerting(raw, stage);
  for (const problem of problems) reader.problem(`${path}${problem.path}`, problem.message);
  return alerting;
}

function readMonitoring(reader: Reader, value: unknown, path: string): MonitoringConfig {
  const raw = reader.object(value, path);
  reader.knownKeys(raw, ['detailedMetrics', 'tracing', ...ALERTING_KEYS], path);
  const tracingRaw = reader.object(raw.tracing, `${path}.tracing`);
  reader.knownKeys(tracingRaw, ['reservoirPerSecond', 'fixedRate'], `${path}.tracing`);
  const tracing = {
    reservoirPerSecond: reader.integer(
      tracingRaw.reservoirPerSecond,
      `${path}.tracing.reservoirPerSecond`,
      DEFAULT_MONITORING.tracing.reservoirPerSecond,
      0,
      MAX_TRACE_RESERVOIR_PER_SECOND,
    ),
    fixedRate: reader.number(
      tracingRaw.fixedRate,
      `${path}.tracing.fixedRate`,
      DEFAULT_MONITORING.tracing.fixedRate,
      0,
      1,
    ),
  };
  if (tracing.reservoirPerSecond === 0 && tracing.fixedRate === 0) {
    reader.problem(
      `${path}.tracing`,
      'reservoirPerSecond 0 and fixedRate 0 would trace nothing; tracing stays on: set either above 0',
    );
  }
  return {
    detailedMetrics: reader.boolean(
      raw.detailedMetrics,
      `${path}.detailedMetrics`,
      DEFAULT_MONITORING.detailedMetrics,
    ),
    tracing,
  };
}

function readStage(reader: Reader, stage: string, raw: Json, path: string): StageConfig {
  reader.knownKeys(raw, STAGE_KEYS, path);

  const wafRaw = reader.object(raw.waf, `${path}.waf`);
  reader.knownKeys(wafRaw, ['rateLimitWindowSeconds', 'rateLimit', 'logRetentionDays'], `${path}.waf`);
  const waf: WafConfig = {
    rateLimitWindowSeconds: reader.oneOf(
      wafRaw.rateLimitWindowSeconds,
      `${path}.waf.rateLimitWindowSeconds`,
      DEFAULT_WAF.rateLimitWindowSeconds,
      [60, 120, 300, 600] as const,
    ),
    rateLimit: reader.integer(wafRaw.rateLimit, `${path}.waf.rateLimit`, DEFAULT_WAF.rateLimit, 10, 2_000_000_000),
    logRetentionDays: reader.oneOf(
      wafRaw.logRetentionDays,
      `${path}.waf.logRetentionDays`,
      DEFAULT_WAF.logRetentionDays,
      LOG_RETENTION_DAYS,
    ),
  };

  const dedupeRaw = reader.object(raw.dedupe, `${path}.dedupe`);
  reader.knownKeys(dedupeRaw, ['windowHours', 'leaseSeconds'], `${path}.dedupe`);
  const dedupe: DedupeConfig = {
    windowHours: reader.integer(
      dedupeRaw.windowHours,
      `${path}.dedupe.windowHours`,
      DEFAULT_DEDUPE.windowHours,
      1,
      8760,
    ),
    leaseSeconds: reader.integer(
      dedupeRaw.leaseSeconds,
      `${path}.dedupe.leaseSeconds`,
      DEFAULT_DEDUPE.leaseSeconds,
      30,
      900,
    ),
  };

  const authRaw = reader.object(raw.auth, `${path}.auth`);
  reader.knownKeys(authRaw, Object.keys(DEFAULT_AUTH), `${path}.auth`);
  const rotationDays = reader.integer(
    authRaw.rotationDays,
    `${path}.auth.rotationDays`,
    DEFAULT_AUTH.rotationDays,
    1,
    365,
  );
  const auth: AuthConfig = {
    username:
      reader.string(authRaw.username, `${path}.auth.username`, USERNAME, 'letters, digits, ., _ or - (1 to 64)') ??
      DEFAULT_AUTH.username,
    rotationDays,
    gracePeriodHours: reader.integer(
      authRaw.gracePeriodHours,
      `${path}.auth.gracePeriodHours`,
      DEFAULT_AUTH.gracePeriodHours,
      0,
      rotationDays * 24,
    ),
    authorizerCacheTtlSeconds: reader.integer(
      authRaw.authorizerCacheTtlSeconds,
      `${path}.auth.authorizerCacheTtlSeconds`,
      DEFAULT_AUTH.authorizerCacheTtlSeconds,
      0,
      3600,
    ),
    secretCacheTtlSeconds: reader.integer(
      authRaw.secretCacheTtlSeconds,
      `${path}.auth.secretCacheTtlSeconds`,
      DEFAULT_AUTH.secretCacheTtlSeconds,
      1,
      3600,
    ),
    refreshMinIntervalSeconds: reader.integer(
      authRaw.refreshMinIntervalSeconds,
      `${path}.auth.refreshMinIntervalSeconds`,
      DEFAULT_AUTH.refreshMinIntervalSeconds,
      1,
      3600,
    ),
  };

  const providersRaw = reader.object(raw.providers, `${path}.providers`);
  const providers: Partial<Record<ProviderId, ProviderConfig>> = {};
  for (const [id, value] of Object.entries(providersRaw)) {
    const providerPath = `${path}.providers.${id}`;
    if (!isProviderId(id)) {
      reader.problem(providerPath, `unknown provider (expected one of: ${PROVIDER_IDS.join(', ')})`);
      continue;
    }
    const providerRaw = reader.object(value, providerPath);
    if (providerRaw.enabled === false) continue;
    if (providerRaw.enabled !== undefined && providerRaw.enabled !== true) {
      reader.problem(`${providerPath}.enabled`, `must be true or false, got ${show(providerRaw.enabled)}`);
    }
    providers[id] = readProvider(reader, id, providerRaw, providerPath, waf, dedupe);
  }
  if (Object.keys(providers).length === 0) reader.problem(`${path}.providers`, 'enable at least one provider');

  const eventsRaw = reader.object(raw.events, `${path}.events`);
  reader.knownKeys(eventsRaw, ['archiveRetentionDays', 'routes'], `${path}.events`);
  const events: EventsConfig = {
    archiveRetentionDays: reader.integer(
      eventsRaw.archiveRetentionDays,
      `${path}.events.archiveRetentionDays`,
      DEFAULT_ARCHIVE_RETENTION_DAYS,
      0,
      36_500,
    ),
    routes: readRoutes(reader, eventsRaw.routes, `${path}.events.routes`),
  };

  const config: { -readonly [K in keyof StageConfig]: StageConfig[K] } = {
    stage,
    providers,
    throttling: readThrottling(reader, raw.throttling, `${path}.throttling`, DEFAULT_THROTTLING),
    waf,
    auth,
    dedupe,
    events,
    monitoring: readMonitoring(reader, raw.monitoring, `${path}.monitoring`),
    alerting: readStageAlerting(reader, raw.monitoring, stage, `${path}.monitoring`),
    logRetentionDays: reader.oneOf(
      raw.logRetentionDays,
      `${path}.logRetentionDays`,
      DEFAULT_LOG_RETENTION_DAYS,
      LOG_RETENTION_DAYS,
    ),
  };

  if (raw.env !== undefined) {
    const envRaw = reader.object(raw.env, `${path}.env`);
    reader.knownKeys(envRaw, ['account', 'region'], `${path}.env`);
    const account = reader.string(envRaw.account, `${path}.env.account`, ACCOUNT, 'a 12-digit account id');
    const region = reader.string(envRaw.region, `${path}.env.region`, REGION, 'an AWS region such as eu-west-1');
    config.env = { ...(account ? { account } : {}), ...(region ? { region } : {}) };
  }

  if (raw.customDomain !== undefined) {
    const domainRaw = reader.object(raw.customDomain, `${path}.customDomain`);
    reader.knownKeys(
      domainRaw,
      ['domainName', 'certificateArn', 'hostedZoneId', 'hostedZoneName'],
      `${path}.customDomain`,
    );
    const domainName = reader.string(domainRaw.domainName, `${path}.customDomain.domainName`, HOSTNAME, 'a DNS name');
    const certificateArn = reader.string(
      domainRaw.certificateArn,
      `${path}.customDomain.certificateArn`,
      ACM_ARN,
      'an ACM certificate ARN',
    );
    if (domainRaw.domainName === undefined) reader.problem(`${path}.customDomain.domainName`, 'is required');
    if (domainRaw.certificateArn === undefined) reader.problem(`${path}.customDomain.certificateArn`, 'is required');
    const hostedZoneId = reader.string(
      domainRaw.hostedZoneId,
      `${path}.customDomain.hostedZoneId`,
      HOSTED_ZONE_ID,
      'a Route 53 hosted zone id',
    );
    const hostedZoneName = reader.string(
      domainRaw.hostedZoneName,
      `${path}.customDomain.hostedZoneName`,
      HOSTNAME,
      'a DNS name',
    );
    if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
      reader.problem(`${path}.customDomain`, 'hostedZoneId and hostedZoneName go together');
    }
    if (domainName && certificateArn) {
      const domain: CustomDomainConfig = {
        domainName,
        certificateArn,
        ...(hostedZoneId && hostedZoneName ? { hostedZoneId, hostedZoneName } : {}),
      };
      config.customDomain = domain;
    }
  }
  return config;
}

/**
 * Validates a parsed configuration document and resolves every stage (defaults, then `shared`, then the stage).
 *
 * @param raw the parsed JSON document.
 * @param source where it came from, for the error message.
 * @throws ConfigError listing every problem, each with its path and offending value.
 * @example
 * const config = parseConfig({ stages: { dev: { providers: { sendgrid: {} } } } });
 * config.stages.dev.providers.sendgrid?.auth; // 'both'
 */
export function parseConfig(raw: unknown, source = DEFAULT_CONFIG_FILE): HookguardConfig {
  const reader = new Reader();
  const stages: Record<string, StageConfig> = {};
  if (!isObject(raw)) {
    throw new ConfigError(source, [{ path: '(root)', message: `must be a JSON object, got ${show(raw)}` }]);
  }
  reader.knownKeys(raw, ['$schema', 'shared', 'stages'], '(root)');
  const shared = reader.object(raw.shared, 'shared');
  const stagesRaw = reader.object(raw.stages, 'stages');
  if (Object.keys(stagesRaw).length === 0) reader.problem('stages', 'define at least one stage, e.g. "dev"');
  for (const [name, value] of Object.entries(stagesRaw)) {
    if (!STAGE_NAME.test(name)) {
      reader.problem(`stages.${name}`, 'stage names start with a letter and hold letters, digits or - (up to 31)');
      continue;
    }
    const stageRaw = reader.object(value, `stages.${name}`);
    stages[name] = readStage(
      reader,
      name,
      reader.object(deepMerge(shared, stageRaw), `stages.${name}`),
      `stages.${name}`,
    );
  }
  // A problem in `shared` shows up once per stage; report it once.
  const unique = [
    ...new Map(reader.problems.map((problem) => [`${problem.path}|${problem.message}`, problem])).values(),
  ];
  if (unique.length > 0) throw new ConfigError(source, unique);
  return { stages };
}

/**
 * Reads and validates a configuration file.
 *
 * @param path the JSON file; default `hookguard.config.json` in the working directory.
 * @throws ConfigError when the file is missing, not JSON, or invalid (every problem listed).
 */
export function loadConfig(path: string = DEFAULT_CONFIG_FILE): HookguardConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'file not readable';
    throw new ConfigError(path, [{ path: '(file)', message: reason }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [{ path: '(file)', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  return parseConfig(raw, path);
}

/**
 * The configuration of one stage.
 *
 * @throws ConfigError when the stage does not exist (naming the ones that do).
 */
export function stageOf(config: HookguardConfig, stage: string, source = DEFAULT_CONFIG_FILE): StageConfig {
  const found = config.stages[stage];
  if (found === undefined) {
    throw new ConfigError(source, [
      { path: `stages.${stage}`, message: `no such stage (defined: ${Object.keys(config.stages).join(', ')})` },
    ]);
  }
  return found;
}
