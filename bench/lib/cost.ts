/**
 * The cost model of one stage, as pure functions: facts read from the synthesized CloudFormation template, inputs
 * (traffic, measured durations, prices, assumptions), and the monthly bill they imply, line by line.
 *
 * Every number that is not read from the template or measured is an input with a default, printed with the result,
 * so that a user can rerun the model for their own traffic (`npx tsx bench/cost-model.ts --help`).
 */

/** Custom metric series every provider with traffic keeps active every hour (see `activeProviders`). */
export const CONTINUOUS_SERIES_PER_PROVIDER = 4;

/** Hours AWS bills a month as (fixed monthly prices are per 730 hours). */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** Lambda gives a function one full vCPU at 1,769 MB; below that, CPU time stretches in proportion. */
export const LAMBDA_MB_PER_VCPU = 1769;
/** API Gateway publishes seven detailed metrics per method (Count, 4XXError, 5XXError, Latency, ...). */
export const API_GATEWAY_METRICS_PER_METHOD = 7;

/** Where a price comes from. */
export type PriceSource = 'aws-facts' | 'aws-pricing-page';

/** A unit price and its source. */
export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: PriceSource;
}

/** List prices, us-east-1. `aws-facts` ones are the project's reference list; the others AWS's public pricing pages. */
export const LIST_PRICES = {
  apiGatewayPerMillion: { usd: 3.5, per: 'million REST requests', source: 'aws-facts' },
  wafPerMillion: { usd: 0.6, per: 'million requests', source: 'aws-facts' },
  wafAclPerMonth: { usd: 5, per: 'web ACL-month', source: 'aws-facts' },
  wafRulePerMonth: { usd: 1, per: 'rule-month', source: 'aws-facts' },
  lambdaPerMillion: { usd: 0.2, per: 'million requests', source: 'aws-facts' },
  lambdaArmPerGbSecond: { usd: 0.0000133334, per: 'GB-second (arm64)', source: 'aws-facts' },
  eventBridgePerMillion: { usd: 1, per: 'million events (64 KB chunks)', source: 'aws-facts' },
  dynamoDbPerMillionWrites: { usd: 0.625, per: 'million write request units', source: 'aws-facts' },
  secretPerMonth: { usd: 0.4, per: 'secret-month', source: 'aws-facts' },
  secretsApiPer10k: { usd: 0.05, per: '10,000 API calls', source: 'aws-facts' },
  kmsKeyPerMonth: { usd: 1, per: 'customer managed key-month', source: 'aws-pricing-page' },
  kmsPer10k: { usd: 0.03, per: '10,000 requests', source: 'aws-pricing-page' },
  logsIngestionPerGb: { usd: 0.5, per: 'GB ingested (Standard class)', source: 'aws-pricing-page' },
  logsInfrequentIngestionPerGb: { usd: 0.25, per: 'GB ingested (Infrequent Access class)', source: 'aws-pricing-page' },
  xrayPerMillionTraces: { usd: 5, per: 'million traces recorded', source: 'aws-pricing-page' },
  metricPerMonth: { usd: 0.3, per: 'custom metric-month (first 10,000)', source: 'aws-pricing-page' },
  alarmMetricPerMonth: { usd: 0.1, per: 'standard-resolution alarm metric-month', source: 'aws-pricing-page' },
  compositeAlarmPerMonth: { usd: 0.5, per: 'composite alarm-month', source: 'aws-pricing-page' },
  dashboardPerMonth: { usd: 3, per: 'dashboard-month', source: 'aws-pricing-page' },
  archivePerGb: { usd: 0.1, per: 'GB of events archived', source: 'aws-pricing-page' },
  sqsPerMillion: { usd: 0.4, per: 'million requests', source: 'aws-pricing-page' },
} as const satisfies Record<string, Price>;

export type PriceList = { readonly [K in keyof typeof LIST_PRICES]: Price };

/** What the template says about the stack (everything the bill depends on that the stack decides). */
export interface TemplateFacts {
  readonly verifierMemoryMb: number;
  readonly authorizerMemoryMb: number;
  readonly wafAcls: number;
  readonly wafRules: number;
  readonly secrets: number;
  readonly kmsKeys: number;
  /** API Gateway authorizer result cache, seconds (0: every request invokes the authorizer). */
  readonly authorizerCacheTtlSeconds: number;
  /** How long a container caches secret values (the functions' `SECRET_CACHE_TTL_SECONDS`). */
  readonly secretCacheTtlSeconds: number;
  /** X-Ray active tracing on the functions or the stage. */
  readonly tracing: boolean;
  /** Detailed CloudWatch metrics on the stage's methods. */
  readonly detailedMetrics: boolean;
  /** POST methods (one per enabled provider): the methods that receive traffic. */
  readonly postMethods: number;
  /** Bytes of one API access log line: the format with each variable replaced by a typical value. */
  readonly accessLogBytes: number;
  /** The access log group is in the Infrequent Access class (half the ingestion price). */
  readonly accessLogInfrequentAccess: boolean;
  /**
   * The verifier writes Lambda's START, END and REPORT lines per invocation (text logs, or JSON logs with a system
   * log level of INFO or DEBUG).
   */
  readonly verifierPlatformLogs: boolean;
  /** Metrics the stack's alarms watch (one per single-metric alarm, one per metric of a metric-math alarm). */
  readonly alarmMetrics: number;
  readonly compositeAlarms: number;
  readonly dashboards: number;
  /** A scheduled function writes hourly rotation-state metrics (the credential watch). */
  readonly credentialWatch: boolean;
  readonly wafLogging: boolean;
  /** The WAF logging filter drops allowed requests (keeps only what WAF blocked or counted). */
  readonly wafLogFilter: boolean;
  /**
   * The X-Ray sampling rule of the API stage (`AWS::XRay::SamplingRule` for `AWS::ApiGateway::Stage`); null: X-Ray's
   * default rule applies.
   */
  readonly traceSampling: { readonly reservoirPerSecond: number; readonly fixedRate: number } | null;
  readonly archive: boolean;
  /** EventBridge rules (routes) on the bus. */
  readonly routes: number;
  /**
   * The scheduled canary (an `AWS::Scheduler::Schedule` invoking a function): minutes between runs, from the
   * schedule's `rate(...)`, and the function's memory. Absent or null: the stage has no canary.
   */
  readonly canary?: { readonly intervalMinutes: number; readonly memoryMb: number } | null;
}

/** The scheduled canary of a template: the schedule's rate and the memory of the function it invokes. */
function canaryOf(resources: Resources): TemplateFacts['canary'] {
  for (const schedule of Object.values(resources)) {
    if (schedule.Type !== 'AWS::Scheduler::Schedule') continue;
    const rate = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(String(schedule.Properties?.ScheduleExpression ?? ''));
    const target = (schedule.Properties?.Target as { Arn?: { 'Fn::GetAtt'?: [string, string] } } | undefined)?.Arn;
    const fn = target?.['Fn::GetAtt'] ? resources[target['Fn::GetAtt'][0]] : undefined;
    const env = fn?.Type === 'AWS::Lambda::Function' ? envOf(fn.Properties ?? {}) : {};
    if (rate === null || env.CANARY_PROVIDER === undefined) continue;
    const minutes = Number(rate[1]) * (rate[2]?.startsWith('hour') ? 60 : 1);
    return { intervalMinutes: minutes, memoryMb: Number(fn?.Properties?.MemorySize ?? 128) };
  }
  return null;
}

type Resources = Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;

function resourcesOf(template: unknown): Resources {
  const resources = (template as { Resources?: Resources } | null)?.Resources;
  if (!resources || typeof resources !== 'object') throw new Error('not a CloudFormation template (no Resources)');
  return resources;
}

function functionProps(resources: Resources, logicalIdPrefix: string): Record<string, unknown> {
  const entry = Object.entries(resources).find(
    ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith(logicalIdPrefix),
  );
  if (!entry) throw new Error(`no Lambda function whose logical id starts with ${logicalIdPrefix}`);
  return entry[1].Properties ?? {};
}

function envOf(props: Record<string, unknown>): Record<string, unknown> {
  return ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<
    string,
    unknown
  >;
}

/**
 * Typical value lengths of API Gateway's `$context` variables in one line (a UUID request id, an IPv4 address, a
 * provider's user agent...); an unknown variable counts as long as its name.
 */
const TYPICAL_CONTEXT_VALUE_BYTES: Readonly<Record<string, number>> = {
  '$context.requestId': 36,
  '$context.extendedRequestId': 16,
  '$context.requestTime': 26,
  '$context.requestTimeEpoch': 13,
  '$context.identity.sourceIp': 13,
  '$context.identity.userAgent': 30,
  '$context.httpMethod': 4,
  '$context.resourcePath': 18,
  '$context.protocol': 8,
  '$context.status': 3,
  '$context.responseLength': 3,
  '$context.responseLatency': 3,
  '$context.integration.requestId': 36,
  '$context.integration.status': 3,
  '$context.integration.latency': 3,
  '$context.integration.error': 1,
  '$context.waf.status': 3,
  '$context.wafResponseCode': 9,
  '$context.authorizer.status': 3,
  '$context.authorizer.latency': 1,
  '$context.authorizer.error': 1,
  '$context.authorizer.credentialVersion': 36,
  '$context.authorizer.credentialStage': 10,
  '$context.error.responseType': 1,
  '$context.error.message': 1,
  '$context.xrayTraceId': 1,
  '$context.tlsVersion': 7,
  '$context.cipherSuite': 22,
};

/** Bytes of one access log line of `format`: every `$context.x` replaced by a typical value's length. */
export function accessLogLineBytes(format: string): number {
  return format.replace(/\$context(?:\.[A-Za-z]+)+/g, (variable) => 'x'.repeat(TYPICAL_CONTEXT_VALUE_BYTES[variable] ?? variable.length)).length;
}

/** Alarm metrics of one `AWS::CloudWatch::Alarm`: its metric-math inputs, or 1. */
function alarmMetricsOf(properties: Record<string, unknown> | undefined): number {
  const metrics = properties?.Metrics as Array<{ MetricStat?: unknown }> | undefined;
  if (!Array.isArray(metrics)) return 1;
  return Math.max(1, metrics.filter((metric) => metric.MetricStat !== undefined).length);
}

/** Reads the {@link TemplateFacts} of a synthesized Hookguard stack template. */
export function readTemplateFacts(template: unknown): TemplateFacts {
  const resources = resourcesOf(template);
  const all = Object.values(resources);
  const ofType = (type: string) => all.filter((resource) => resource.Type === type);
  const verifier = functionProps(resources, 'Verifier');
  const authorizer = functionProps(resources, 'Authorizer');
  const acls = ofType('AWS::WAFv2::WebACL');
  const stage = ofType('AWS::ApiGateway::Stage')[0]?.Properties ?? {};
  const methodSettings = (stage.MethodSettings as Array<{ MetricsEnabled?: boolean }> | undefined) ?? [];
  const accessLogSetting = stage.AccessLogSetting as { Format?: string; DestinationArn?: unknown } | undefined;
  const accessLogFormat = accessLogSetting?.Format ?? '';
  // The destination names its log group by `Ref` (inside an `Fn::Join`) or `Fn::GetAtt`, whichever CDK wrote.
  const referenced = JSON.stringify(accessLogSetting?.DestinationArn ?? null).match(/"(?:Ref|Fn::GetAtt)":\[?"([^"]+)"/g) ?? [];
  const accessLogGroup = referenced
    .map((match) => resources[(/"([^"]+)"$/.exec(match) as RegExpExecArray)[1] as string])
    .find((resource) => resource?.Type === 'AWS::Logs::LogGroup');
  const verifierLogging = verifier.LoggingConfig as { LogFormat?: string; SystemLogLevel?: string } | undefined;
  const authorizerResource = ofType('AWS::ApiGateway::Authorizer')[0]?.Properties ?? {};
  const lambdaTracing = ofType('AWS::Lambda::Function').some(
    (fn) => (fn.Properties?.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active',
  );
  const ttl = Number(envOf(verifier).SECRET_CACHE_TTL_SECONDS ?? envOf(authorizer).SECRET_CACHE_TTL_SECONDS ?? 0);
  const wafLogging = ofType('AWS::WAFv2::LoggingConfiguration')[0]?.Properties;
  const filter = wafLogging?.LoggingFilter as
    | { DefaultBehavior?: string; Filters?: Array<{ Behavior?: string; Conditions?: unknown[] }> }
    | undefined;
  // Only a filter that drops by default and keeps nothing but blocked or counted requests counts as filtering.
  type Condition = { ActionCondition?: { Action?: string } };
  const keptActions = (filter?.Filters ?? []).flatMap((entry) =>
    entry.Behavior === 'KEEP'
      ? (entry.Conditions ?? []).map((condition) => (condition as Condition).ActionCondition?.Action)
      : [],
  );
  const wafLogFilter =
    filter?.DefaultBehavior === 'DROP' &&
    keptActions.length > 0 &&
    keptActions.every((action) => action === 'BLOCK' || action === 'COUNT' || action === 'EXCLUDED_AS_COUNT');
  type SamplingRule = { ServiceType?: string; ReservoirSize?: number; FixedRate?: number };
  const samplingRule = ofType('AWS::XRay::SamplingRule')
    .map((rule) => rule.Properties?.SamplingRule as SamplingRule | undefined)
    .find((rule) => rule?.ServiceType === 'AWS::ApiGateway::Stage');
  return {
    verifierMemoryMb: Number(verifier.MemorySize ?? 128),
    authorizerMemoryMb: Number(authorizer.MemorySize ?? 128),
    wafAcls: acls.length,
    wafRules: acls.reduce((sum, acl) => sum + ((acl.Properties?.Rules as unknown[] | undefined)?.length ?? 0), 0),
    secrets: ofType('AWS::SecretsManager::Secret').length,
    kmsKeys: ofType('AWS::KMS::Key').length,
    authorizerCacheTtlSeconds: Number(authorizerResource.AuthorizerResultTtlInSeconds ?? 300),
    secretCacheTtlSeconds: ttl,
    tracing: lambdaTracing || stage.TracingEnabled === true,
    detailedMetrics: methodSettings.some((setting) => setting.MetricsEnabled === true),
    postMethods: ofType('AWS::ApiGateway::Method').filter((method) => method.Properties?.HttpMethod === 'POST').length,
    accessLogBytes: accessLogLineBytes(accessLogFormat),
    accessLogInfrequentAccess: accessLogGroup?.Properties?.LogGroupClass === 'INFREQUENT_ACCESS',
    verifierPlatformLogs: !(
      verifierLogging?.LogFormat === 'JSON' &&
      (verifierLogging.SystemLogLevel === 'WARN' || verifierLogging.SystemLogLevel === 'ERROR')
    ),
    alarmMetrics: ofType('AWS::CloudWatch::Alarm').reduce((sum, alarm) => sum + alarmMetricsOf(alarm.Properties), 0),
    compositeAlarms: ofType('AWS::CloudWatch::CompositeAlarm').length,
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    credentialWatch: Object.entries(resources).some(
      ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && /Watch/.test(id),
    ),
    wafLogging: wafLogging !== undefined,
    wafLogFilter,
    traceSampling: samplingRule
      ? { reservoirPerSecond: Number(samplingRule.ReservoirSize ?? 0), fixedRate: Number(samplingRule.FixedRate ?? 0) }
      : null,
    archive: ofType('AWS::Events::Archive').length > 0,
    routes: ofType('AWS::Events::Rule').length,
    canary: canaryOf(resources),
  };
}

/** Traffic, measured durations and assumptions. */
export interface CostInputs {
  /** Webhook requests per month (the volume fixed costs are spread over). */
  readonly requestsPerMonth: number;
  readonly eventsPerRequest: number;
  /** Share of requests that re-post events already published (provider retries): billed, deduplicated. */
  readonly retryFraction: number;
  /** Verifier CPU time per request on the benchmark machine, ms (measured). */
  readonly verifierCpuMs: number;
  /** Authorizer CPU time per decision on the benchmark machine, ms (measured). */
  readonly authorizerCpuMs: number;
  /** One DynamoDB conditional write, round trip, ms (assumed, same region). */
  readonly dynamoDbWriteMs: number;
  /** One EventBridge PutEvents, round trip, ms (assumed). */
  readonly putEventsMs: number;
  /** Secrets Manager round trip when a cache refreshes, ms (assumed). */
  readonly secretsManagerMs: number;
  /** Share of verifier invocations that are cold starts (billed init). */
  readonly coldStartFraction: number;
  /** Init duration of a cold start on the benchmark machine's CPU, ms (measured module load). */
  readonly coldInitCpuMs: number;
  /** Distinct Authorization headers in use (2 during a rotation's grace period). */
  readonly acceptedCredentials: number;
  /** Peak-to-average traffic ratio, for how many verifier containers stay warm. */
  readonly peakFactor: number;
  /** Bytes of one WAF log record (headers, rule matches; assumed). */
  readonly wafLogBytes: number;
  /**
   * Share of requests WAF blocks or counts, the only ones a logging filter keeps (assumed: probes and attacks blocked,
   * bodies over 8 KB counted by the core rule set's size rule; single-event posts are smaller).
   */
  readonly wafLoggedFraction: number;
  /**
   * Bytes the verifier itself writes per request besides its EMF metric lines (measured by the cost figure: nothing
   * for an accepted request, whose only trace is the API access log line).
   */
  readonly verifierLogBytes: number;
  /** Bytes of one EMF metrics line of the verifier (one provider and outcome; measured by the cost figure). */
  readonly metricsLineBytes: number;
  /**
   * Seconds a warm verifier sums its metric counts before writing them (`METRICS_AGGREGATE_MS` of the verifier
   * handler); 0: one metrics line per request. With it, a warm container writes at most one line per provider with
   * traffic (two with retries: accepted and duplicate) per period; refusals and failures add theirs when they happen.
   */
  readonly metricsAggregateSeconds: number;
  /** Bytes of Lambda's START, END and REPORT lines per invocation, when the template keeps them (assumed). */
  readonly platformLogBytes: number;
  /**
   * Providers sending traffic. Each keeps 4 custom metrics active every hour (Requests accepted and duplicate,
   * EventsPublished, AuthorizerDecisions current); rarer series (rejections, retries, refusals) are billed only for
   * the hours they have data and are left out.
   */
  readonly activeProviders: number;
  /**
   * Minutes between two scheduled canaries, overriding the template's schedule (0: no canary, for a what-if).
   * @default - the template's (`TemplateFacts.canary`); none when the template has no canary
   */
  readonly canaryIntervalMinutes?: number;
  /** Billed duration of one canary run: post, then wait for the delivery to be confirmed (assumed). */
  readonly canaryBilledMs: number;
  /** Memory of the canary function when the template has none (a what-if with `canaryIntervalMinutes`). */
  readonly canaryMemoryMb: number;
  /** Whether CloudWatch Logs ingestion is part of the total. */
  readonly includeLogs: boolean;
  /** Bytes of one event as archived (the EventBridge envelope). */
  readonly eventBytes: number;
  /** Share of events matching a route (delivered to its SQS queue). */
  readonly routeMatchFraction: number;
  /**
   * X-Ray's default sampling, used when the template has no sampling rule for the stage: traces per second always
   * recorded, then this share of the rest.
   */
  readonly xrayReservoirPerSecond: number;
  readonly xrayRate: number;
  readonly prices: PriceList;
}

/** Defaults of the assumptions; traffic and measured durations have no meaningful default and are overridden. */
export const DEFAULT_INPUTS: CostInputs = {
  requestsPerMonth: 10_000_000,
  eventsPerRequest: 1,
  retryFraction: 0,
  verifierCpuMs: 0.5,
  authorizerCpuMs: 0.05,
  dynamoDbWriteMs: 6,
  putEventsMs: 20,
  secretsManagerMs: 25,
  coldStartFraction: 0.001,
  coldInitCpuMs: 60,
  acceptedCredentials: 1,
  peakFactor: 3,
  wafLogBytes: 2000,
  wafLoggedFraction: 0.01,
  verifierLogBytes: 0,
  metricsLineBytes: 390,
  metricsAggregateSeconds: 10,
  platformLogBytes: 330,
  activeProviders: 3,
  canaryBilledMs: 1500,
  canaryMemoryMb: 256,
  includeLogs: true,
  eventBytes: 1500,
  routeMatchFraction: 0.03,
  xrayReservoirPerSecond: 1,
  xrayRate: 0.05,
  prices: LIST_PRICES,
};

/** One line of the bill. */
export interface CostLine {
  readonly service: string;
  readonly item: string;
  /** Quantity per month, in `unit`. */
  readonly quantity: number;
  readonly unit: string;
  readonly monthlyUsd: number;
  /** Fixed per month whatever the traffic (amortised over the volume), or proportional to it. */
  readonly kind: 'fixed' | 'variable';
  /** In the architecture's floor (API Gateway + WAF + EventBridge + Lambda requests). */
  readonly floor: boolean;
  readonly source: PriceSource | 'template';
  readonly basis: string;
}

/** The model's answer. */
export interface CostBreakdown {
  readonly lines: readonly CostLine[];
  readonly monthlyUsd: number;
  /** All-in cost per million requests at the given volume. */
  readonly perMillionUsd: number;
  /** Variable cost per million requests (what remains at any volume; fixed costs excluded). */
  readonly variablePerMillionUsd: number;
  /** The floor items per million requests. */
  readonly floorPerMillionUsd: number;
  /** Billed duration of one verifier invocation, ms. */
  readonly verifierBilledMs: number;
  readonly authorizerInvocationsPerMonth: number;
  readonly warmVerifierContainers: number;
  readonly xrayTracesPerMonth: number;
  /** EMF metrics lines the verifier writes a month. */
  readonly metricsLinesPerMonth: number;
}

/** Lambda bills whole milliseconds; CPU time stretches below one full vCPU. */
export function billedLambdaMs(cpuMsOnOneVcpu: number, ioMs: number, memoryMb: number): number {
  const cpuShare = Math.min(1, memoryMb / LAMBDA_MB_PER_VCPU);
  return Math.max(1, Math.ceil(cpuMsOnOneVcpu / cpuShare + ioMs));
}

/** Traces recorded per month under X-Ray's default rule (a reservoir per second, then a fixed rate). */
export function xrayTracesPerMonth(requestsPerMonth: number, reservoirPerSecond: number, rate: number): number {
  const perSecond = requestsPerMonth / SECONDS_PER_MONTH;
  const traced =
    perSecond <= reservoirPerSecond ? perSecond : reservoirPerSecond + rate * (perSecond - reservoirPerSecond);
  return traced * SECONDS_PER_MONTH;
}

/** `0.01` as `1 %`, `0.005` as `0.5 %`. */
function formatPercent(share: number): string {
  return `${Number((share * 100).toPrecision(3))} %`;
}

/** 1,300,000 as `1.3M`. */
function formatNumberShort(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (value >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Math.round(value));
}

/** Bytes with at most one decimal. */
function formatBytes(bytes: number): string {
  return String(Number(bytes.toFixed(1)));
}

/** Computes the monthly bill, line by line. */
export function computeCost(facts: TemplateFacts, inputs: CostInputs): CostBreakdown {
  const p = inputs.prices;
  const requests = inputs.requestsPerMonth;
  const million = requests / 1e6;
  const newEvents = requests * (1 - inputs.retryFraction) * inputs.eventsPerRequest;
  const retriedEvents = requests * inputs.retryFraction * inputs.eventsPerRequest;
  const putCalls = Math.ceil(inputs.eventsPerRequest / 10);

  // Verifier: claim (parallel writes), PutEvents (parallel chunks of 10), complete (parallel writes).
  const verifierIoMs = inputs.dynamoDbWriteMs + inputs.putEventsMs + inputs.dynamoDbWriteMs;
  const verifierBilledMs = billedLambdaMs(
    inputs.verifierCpuMs * inputs.eventsPerRequest,
    verifierIoMs,
    facts.verifierMemoryMb,
  );
  const coldInitMs = billedLambdaMs(inputs.coldInitCpuMs, 0, facts.verifierMemoryMb);
  const verifierGbSeconds =
    ((requests * verifierBilledMs + requests * inputs.coldStartFraction * coldInitMs) / 1000) *
    (facts.verifierMemoryMb / 1024);

  // Authorizer: API Gateway caches each Authorization header's policy for the TTL, so it runs about once per
  // credential per TTL; each run finds its secret cache expired (TTL 60 s < 300 s) and reloads it.
  const authorizerInvocations =
    facts.authorizerCacheTtlSeconds > 0
      ? Math.min(requests, (inputs.acceptedCredentials * SECONDS_PER_MONTH) / facts.authorizerCacheTtlSeconds)
      : requests;
  const authorizerBilledMs = billedLambdaMs(inputs.authorizerCpuMs, inputs.secretsManagerMs, facts.authorizerMemoryMb);
  const authorizerGbSeconds = ((authorizerInvocations * authorizerBilledMs) / 1000) * (facts.authorizerMemoryMb / 1024);

  // Warm verifier containers at peak (Little's law), each refreshing the signing keys once per cache TTL.
  const peakPerSecond = (requests / SECONDS_PER_MONTH) * inputs.peakFactor;
  const warmVerifierContainers = Math.max(1, Math.ceil((peakPerSecond * verifierBilledMs) / 1000));
  const verifierSecretCalls =
    facts.secretCacheTtlSeconds > 0
      ? (warmVerifierContainers * SECONDS_PER_MONTH) / facts.secretCacheTtlSeconds
      : requests;
  // DescribeSecret plus one GetSecretValue per staged version (current, and previous during a grace period).
  const authorizerSecretCalls = authorizerInvocations * (1 + inputs.acceptedCredentials);
  const secretCalls = verifierSecretCalls + authorizerSecretCalls;
  const getSecretValueCalls = verifierSecretCalls + authorizerInvocations * inputs.acceptedCredentials;

  const reservoirPerSecond = facts.traceSampling?.reservoirPerSecond ?? inputs.xrayReservoirPerSecond;
  const traceRate = facts.traceSampling?.fixedRate ?? inputs.xrayRate;
  const traces = facts.tracing ? xrayTracesPerMonth(requests, reservoirPerSecond, traceRate) : 0;
  const wafLogBytesPerRequest = facts.wafLogging
    ? inputs.wafLogBytes * (facts.wafLogFilter ? inputs.wafLoggedFraction : 1)
    : 0;
  const accessLogGb = (requests * facts.accessLogBytes) / 1e9;
  const accessLogPrice = facts.accessLogInfrequentAccess ? p.logsInfrequentIngestionPerGb : p.logsIngestionPerGb;
  const verifierLogBytesPerRequest = inputs.verifierLogBytes + (facts.verifierPlatformLogs ? inputs.platformLogBytes : 0);
  // EMF lines: one per request, or, summed in the warm containers, at most one per container, provider with traffic
  // (and outcome: accepted, plus duplicate when there are retries) and period; never more than one per request.
  const linesPerFlush = Math.max(1, inputs.activeProviders) * (inputs.retryFraction > 0 ? 2 : 1);
  const metricsLines =
    inputs.metricsAggregateSeconds > 0
      ? Math.min(requests, (warmVerifierContainers * linesPerFlush * SECONDS_PER_MONTH) / inputs.metricsAggregateSeconds)
      : requests;
  const standardLogGb =
    (requests * (wafLogBytesPerRequest + verifierLogBytesPerRequest) + metricsLines * inputs.metricsLineBytes) / 1e9;

  // Custom metrics (EMF): continuously active series per provider with traffic, the credential watch's three, and
  // the canary's two. A series is billed for the hours it has data, so rarer ones cost next to nothing.
  const canaryMinutes = inputs.canaryIntervalMinutes ?? facts.canary?.intervalMinutes ?? 0;
  const canaryMemoryMb = facts.canary?.memoryMb ?? inputs.canaryMemoryMb;
  const canaryRuns = canaryMinutes > 0 ? (HOURS_PER_MONTH * 60) / canaryMinutes : 0;
  const metricSeries =
    inputs.activeProviders * CONTINUOUS_SERIES_PER_PROVIDER + (facts.credentialWatch ? 3 : 0) + (canaryRuns > 0 ? 2 : 0);

  const lines: CostLine[] = [
    {
      service: 'API Gateway',
      item: 'REST requests',
      quantity: requests,
      unit: 'requests',
      monthlyUsd: million * p.apiGatewayPerMillion.usd,
      kind: 'variable',
      floor: true,
      source: p.apiGatewayPerMillion.source,
      basis: `$${p.apiGatewayPerMillion.usd} per ${p.apiGatewayPerMillion.per}`,
    },
    {
      service: 'WAF',
      item: 'requests inspected',
      quantity: requests,
      unit: 'requests',
      monthlyUsd: million * p.wafPerMillion.usd,
      kind: 'variable',
      floor: true,
      source: p.wafPerMillion.source,
      basis: `$${p.wafPerMillion.usd} per ${p.wafPerMillion.per}`,
    },
    {
      service: 'WAF',
      item: `web ACL (${facts.wafAcls}) and rules (${facts.wafRules}, from the template)`,
      quantity: facts.wafAcls + facts.wafRules,
      unit: 'ACL/rule-months',
      monthlyUsd: facts.wafAcls * p.wafAclPerMonth.usd + facts.wafRules * p.wafRulePerMonth.usd,
      kind: 'fixed',
      floor: false,
      source: 'template',
      basis: `$${p.wafAclPerMonth.usd} per ${p.wafAclPerMonth.per} + $${p.wafRulePerMonth.usd} per ${p.wafRulePerMonth.per}`,
    },
    {
      service: 'Lambda',
      item: 'verifier requests',
      quantity: requests,
      unit: 'invocations',
      monthlyUsd: million * p.lambdaPerMillion.usd,
      kind: 'variable',
      floor: true,
      source: p.lambdaPerMillion.source,
      basis: `$${p.lambdaPerMillion.usd} per ${p.lambdaPerMillion.per}`,
    },
    {
      service: 'Lambda',
      item: `verifier duration (${facts.verifierMemoryMb} MB arm64, ${verifierBilledMs} ms billed)`,
      quantity: verifierGbSeconds,
      unit: 'GB-s',
      monthlyUsd: verifierGbSeconds * p.lambdaArmPerGbSecond.usd,
      kind: 'variable',
      floor: false,
      source: p.lambdaArmPerGbSecond.source,
      basis:
        `${inputs.verifierCpuMs.toFixed(3)} ms CPU x ${(LAMBDA_MB_PER_VCPU / facts.verifierMemoryMb).toFixed(2)} (vCPU share) + ` +
        `${verifierIoMs} ms I/O; ${(inputs.coldStartFraction * 100).toFixed(2)} % cold starts of ${coldInitMs} ms`,
    },
    {
      service: 'Lambda',
      item: `authorizer (${Math.round(authorizerInvocations).toLocaleString('en-US')} runs: cache TTL ${facts.authorizerCacheTtlSeconds} s)`,
      quantity: authorizerInvocations,
      unit: 'invocations',
      monthlyUsd:
        (authorizerInvocations / 1e6) * p.lambdaPerMillion.usd + authorizerGbSeconds * p.lambdaArmPerGbSecond.usd,
      kind: 'fixed',
      floor: false,
      source: 'template',
      basis: `${inputs.acceptedCredentials} credential(s) x one run per TTL, ${authorizerBilledMs} ms billed each`,
    },
    {
      service: 'EventBridge',
      item: 'events published',
      quantity: newEvents,
      unit: 'events',
      monthlyUsd: (newEvents / 1e6) * p.eventBridgePerMillion.usd,
      kind: 'variable',
      floor: true,
      source: p.eventBridgePerMillion.source,
      basis: `$${p.eventBridgePerMillion.usd} per ${p.eventBridgePerMillion.per}; ${putCalls} PutEvents call(s) per request`,
    },
    ...(facts.archive
      ? [
          {
            service: 'EventBridge',
            item: 'archive (every event, for replay)',
            quantity: (newEvents * inputs.eventBytes) / 1e9,
            unit: 'GB',
            monthlyUsd: ((newEvents * inputs.eventBytes) / 1e9) * p.archivePerGb.usd,
            kind: 'variable' as const,
            floor: false,
            source: p.archivePerGb.source,
            basis: `${inputs.eventBytes} B per event; $${p.archivePerGb.usd} per ${p.archivePerGb.per} (storage not counted)`,
          },
        ]
      : []),
    ...(facts.routes > 0
      ? [
          {
            service: 'SQS',
            item: `route deliveries (${facts.routes} route(s))`,
            quantity: newEvents * inputs.routeMatchFraction,
            unit: 'messages',
            monthlyUsd: ((newEvents * inputs.routeMatchFraction) / 1e6) * p.sqsPerMillion.usd,
            kind: 'variable' as const,
            floor: false,
            source: p.sqsPerMillion.source,
            basis: `${(inputs.routeMatchFraction * 100).toFixed(1)} % of events match; consumers' reads not counted`,
          },
        ]
      : []),
    {
      service: 'DynamoDB',
      item: 'dedupe writes (claim + complete per new event; a failed claim per retried one)',
      quantity: newEvents * 2 + retriedEvents,
      unit: 'write units',
      monthlyUsd: ((newEvents * 2 + retriedEvents) / 1e6) * p.dynamoDbPerMillionWrites.usd,
      kind: 'variable',
      floor: false,
      source: p.dynamoDbPerMillionWrites.source,
      basis: `$${p.dynamoDbPerMillionWrites.usd} per ${p.dynamoDbPerMillionWrites.per}; items under 1 KB`,
    },
    {
      service: 'Secrets Manager',
      item: `secrets (${facts.secrets}, from the template)`,
      quantity: facts.secrets,
      unit: 'secret-months',
      monthlyUsd: facts.secrets * p.secretPerMonth.usd,
      kind: 'fixed',
      floor: false,
      source: 'template',
      basis: `$${p.secretPerMonth.usd} per ${p.secretPerMonth.per}`,
    },
    {
      service: 'Secrets Manager',
      item: `API calls (cache TTL ${facts.secretCacheTtlSeconds} s, ${warmVerifierContainers} warm verifier container(s))`,
      quantity: secretCalls,
      unit: 'calls',
      monthlyUsd: (secretCalls / 1e4) * p.secretsApiPer10k.usd,
      kind: 'fixed',
      floor: false,
      source: p.secretsApiPer10k.source,
      basis: `$${p.secretsApiPer10k.usd} per ${p.secretsApiPer10k.per}`,
    },
    {
      service: 'KMS',
      item: `customer managed keys (${facts.kmsKeys}) and decrypts of secret reads`,
      quantity: getSecretValueCalls,
      unit: 'requests',
      monthlyUsd: facts.kmsKeys * p.kmsKeyPerMonth.usd + (getSecretValueCalls / 1e4) * p.kmsPer10k.usd,
      kind: 'fixed',
      floor: false,
      source: p.kmsKeyPerMonth.source,
      basis: `$${p.kmsKeyPerMonth.usd} per key-month + $${p.kmsPer10k.usd} per ${p.kmsPer10k.per}; EventBridge caches its data keys`,
    },
    ...(facts.tracing
      ? [
          {
            service: 'X-Ray',
            item: 'traces recorded (active tracing in the template)',
            quantity: traces,
            unit: 'traces',
            monthlyUsd: (traces / 1e6) * p.xrayPerMillionTraces.usd,
            kind: 'variable' as const,
            floor: false,
            source: p.xrayPerMillionTraces.source,
            basis:
              `${facts.traceSampling ? "the stage's sampling rule" : 'default sampling'}: ${reservoirPerSecond}/s then ` +
              `${formatPercent(traceRate)}, traffic spread evenly; free tier not counted`,
          },
        ]
      : []),
    ...(facts.detailedMetrics
      ? [
          {
            service: 'CloudWatch',
            item: `detailed API metrics (${facts.postMethods} POST methods x ${API_GATEWAY_METRICS_PER_METHOD})`,
            quantity: facts.postMethods * API_GATEWAY_METRICS_PER_METHOD,
            unit: 'metric-months',
            monthlyUsd: facts.postMethods * API_GATEWAY_METRICS_PER_METHOD * p.metricPerMonth.usd,
            kind: 'fixed' as const,
            floor: false,
            source: p.metricPerMonth.source,
            basis: `$${p.metricPerMonth.usd} per ${p.metricPerMonth.per}; only methods that get traffic publish`,
          },
        ]
      : []),
    ...(inputs.includeLogs
      ? [
          {
            service: 'CloudWatch Logs',
            item: `API access log ingestion (${facts.accessLogInfrequentAccess ? 'Infrequent Access' : 'Standard'} class)`,
            quantity: accessLogGb,
            unit: 'GB',
            monthlyUsd: accessLogGb * accessLogPrice.usd,
            kind: 'variable' as const,
            floor: false,
            source: accessLogPrice.source,
            basis: `${formatBytes(facts.accessLogBytes)} B per request (the template's format, typical values); $${accessLogPrice.usd} per ${accessLogPrice.per}; storage not counted`,
          },
          {
            service: 'CloudWatch Logs',
            item: 'verifier and WAF log ingestion (Standard class: EMF needs it)',
            quantity: standardLogGb,
            unit: 'GB',
            monthlyUsd: standardLogGb * p.logsIngestionPerGb.usd,
            kind: 'variable' as const,
            floor: false,
            source: p.logsIngestionPerGb.source,
            basis:
              (inputs.metricsAggregateSeconds > 0
                ? `verifier metrics ${formatNumberShort(metricsLines)} EMF lines of ${formatBytes(inputs.metricsLineBytes)} B ` +
                  `(counts summed ${inputs.metricsAggregateSeconds} s in each of ${warmVerifierContainers} warm ` +
                  `container(s), one line per provider with traffic) + ${formatBytes(inputs.verifierLogBytes)} B per request`
                : `verifier ${formatBytes(inputs.verifierLogBytes + inputs.metricsLineBytes)} B per request (one metrics line each)`) +
              (facts.verifierPlatformLogs ? ` + ${inputs.platformLogBytes} B of START/END/REPORT lines` : ', no platform lines (system log level WARN)') +
              ` + WAF ${formatBytes(wafLogBytesPerRequest)} B` +
              (facts.wafLogging && facts.wafLogFilter
                ? ` (only blocked or counted requests: ${formatPercent(inputs.wafLoggedFraction)} of ${inputs.wafLogBytes} B)`
                : '') +
              `; $${p.logsIngestionPerGb.usd} per ${p.logsIngestionPerGb.per}; storage not counted`,
          },
        ]
      : []),
    {
      service: 'CloudWatch',
      item: `custom metrics (EMF): ${metricSeries} series`,
      quantity: metricSeries,
      unit: 'metric-months',
      monthlyUsd: metricSeries * p.metricPerMonth.usd,
      kind: 'fixed',
      floor: false,
      source: p.metricPerMonth.source,
      basis:
        `${inputs.activeProviders} provider(s) with traffic x ${CONTINUOUS_SERIES_PER_PROVIDER} always-active series` +
        `${facts.credentialWatch ? ' + 3 credential-watch series' : ''}${canaryRuns > 0 ? ' + 2 canary series' : ''}; ` +
        `$${p.metricPerMonth.usd} per ${p.metricPerMonth.per}; rarer series are billed only for hours with data`,
    },
    {
      service: 'CloudWatch',
      item: `alarms (${facts.alarmMetrics} alarm metrics, ${facts.compositeAlarms} composite, from the template) and dashboards (${facts.dashboards})`,
      quantity: facts.alarmMetrics + facts.compositeAlarms + facts.dashboards,
      unit: 'alarm/dashboard-months',
      monthlyUsd:
        facts.alarmMetrics * p.alarmMetricPerMonth.usd +
        facts.compositeAlarms * p.compositeAlarmPerMonth.usd +
        facts.dashboards * p.dashboardPerMonth.usd,
      kind: 'fixed',
      floor: false,
      source: 'template',
      basis: `$${p.alarmMetricPerMonth.usd} per ${p.alarmMetricPerMonth.per}, $${p.compositeAlarmPerMonth.usd} per ${p.compositeAlarmPerMonth.per}, $${p.dashboardPerMonth.usd} per ${p.dashboardPerMonth.per}`,
    },
  ];
  if (canaryRuns > 0) {
    // Each canary is one more webhook request through the whole stage (billed like any other), plus its own run.
    const variablePerRequest =
      lines.filter((line) => line.kind === 'variable').reduce((sum, line) => sum + line.monthlyUsd, 0) / requests;
    const canaryGbSeconds = ((canaryRuns * inputs.canaryBilledMs) / 1000) * (canaryMemoryMb / 1024);
    // From the template, its alarm is among the template's alarms already; a what-if adds it here.
    const fromTemplate = facts.canary !== undefined && facts.canary !== null && inputs.canaryIntervalMinutes === undefined;
    lines.push({
      service: 'Canary',
      item: `scheduled canary every ${canaryMinutes} min (${Math.round(canaryRuns).toLocaleString('en-US')} runs${fromTemplate ? ', from the template' : ''})`,
      quantity: canaryRuns,
      unit: 'runs',
      monthlyUsd:
        canaryRuns * variablePerRequest +
        (canaryRuns / 1e6) * p.lambdaPerMillion.usd +
        canaryGbSeconds * p.lambdaArmPerGbSecond.usd +
        (fromTemplate ? 0 : p.alarmMetricPerMonth.usd),
      kind: 'fixed',
      floor: false,
      source: fromTemplate ? 'template' : 'aws-facts',
      basis:
        `each run: one webhook request through the stage at its variable cost, one Lambda run of ` +
        `${inputs.canaryBilledMs} ms at ${canaryMemoryMb} MB${fromTemplate ? '' : ', plus its alarm'}; its 2 metrics ` +
        `are counted above; EventBridge Scheduler invocations are free up to 14 million a month`,
    });
  }

  const monthlyUsd = lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
  const variable = lines.filter((line) => line.kind === 'variable').reduce((sum, line) => sum + line.monthlyUsd, 0);
  const floor = lines.filter((line) => line.floor).reduce((sum, line) => sum + line.monthlyUsd, 0);
  return {
    lines,
    monthlyUsd,
    perMillionUsd: monthlyUsd / million,
    variablePerMillionUsd: variable / million,
    floorPerMillionUsd: floor / million,
    verifierBilledMs,
    authorizerInvocationsPerMonth: authorizerInvocations,
    warmVerifierContainers,
    xrayTracesPerMonth: traces,
    metricsLinesPerMonth: metricsLines,
  };
}
