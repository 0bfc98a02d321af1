/**
 * `hookguard status`: one screen per stage. Per provider the last accepted request and the last 24 hours of requests
 * by outcome; alarms in ALARM; dead-letter queue depths; the credential's age, next rotation and whether the previous
 * credential is still in use; the canary's last success. With `--deployed` from CloudWatch (metrics of the metric
 * contract and alarms), SQS, Secrets Manager (dates only, never a value) and the stack outputs; locally from the
 * running local runtime's `GET /healthz`.
 */
import {
  type MetricAlarm,
  type CompositeAlarm,
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readSecretRotationInfo } from '../../lambda/adapters/secret-rotation-info';
import { credentialRotationState } from '../../lambda/core/credential-watch';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { pathTokenGeneration, WEBHOOKS_PREFIX } from '../../lambda/core/webhook-path';
import { chooseCanaryProvider } from '../../lib/config/canary-provider';
import type { StageConfig } from '../../lib/config/types';
import { COMMON_OPTIONS, COMMON_OPTIONS_HELP, parseCommandLine, resolveCommonOptions } from '../local/options';
import type { HealthReport } from '../local/local-metrics';
import { REQUEST_OUTCOMES } from '../../lambda/core/metrics';
import { type CliDeps, type CliIo, defaultDeployedAws, loadStage, localBaseUrl } from './cli-context';
import {
  type AwsTarget,
  awsClientConfig,
  awsTarget,
  DEPLOYED_OPTIONS,
  DEPLOYED_OPTIONS_HELP,
  JSON_OPTION,
  JSON_OPTION_HELP,
  printJson,
  type Style,
  styleFor,
} from './command-kit';
import { type AllowedSources, allowedSourcesOf, formatAllowedSources } from './allowed-sources';
import { DeployedStackError, deployedStackName } from './deployed-stack';
import { manualReasonText, providerManagement } from './provider-management';

/** `hookguard status --help`. */
export const STATUS_USAGE = [
  'Usage: npx hookguard status [--json] [--deployed] [options]',
  '',
  'One screen on a stage: per provider the last accepted request and the last 24 hours by outcome, alarms in',
  'ALARM, dead-letter queue depths, credential age / next rotation / previous credential in use, the canary.',
  'Locally from the running local runtime (GET /healthz); with --deployed from stack Hookguard-<stage> with your',
  'AWS credentials (cloudformation:DescribeStacks, cloudwatch:GetMetricData and DescribeAlarms,',
  'sqs:GetQueueAttributes on the DLQs, secretsmanager:DescribeSecret and ListSecretVersionIds).',
  '',
  'Options:',
  JSON_OPTION_HELP.replace('print JSON (one document per line) for scripts', 'one JSON document with everything above'),
  ...DEPLOYED_OPTIONS_HELP,
  ...COMMON_OPTIONS_HELP,
].join('\n');


/** One provider's line. */
export interface ProviderStatus {
  readonly provider: ProviderId;
  /** Locally the exact time; deployed the start of the hour (CloudWatch hourly data of the last 14 days). */
  readonly lastAcceptedAt: string | null;
  /** Requests of the last 24 hours by outcome (only outcomes that occurred). */
  readonly last24h: Readonly<Record<string, number>>;
  /** Requests of the last 24 hours refused by the authorizer (wrong or missing credential). */
  readonly refusedLast24h: number;
  /** Requests of the last 24 hours accepted with the previous credential (deployed only). */
  readonly previousCredentialLast24h?: number;
}

/** Everything `status` shows. */
export interface StatusReport {
  readonly stage: string;
  readonly source: 'deployed' | 'local';
  readonly generatedAt: string;
  /**
   * Where providers post: `/webhooks/<token>/<provider>` with a path token (docs/path-token.md; the token itself is
   * never shown: `hookguard urls` prints the URLs), else `/webhooks/<provider>`.
   */
  readonly webhookPath?: string;
  readonly providers: readonly ProviderStatus[];
  /** Alarms of the stage in ALARM; null where there are none to ask (the local runtime). */
  readonly alarmsInAlarm: ReadonlyArray<{ readonly name: string; readonly since: string | null; readonly reason: string }> | null;
  readonly deadLetterQueues: ReadonlyArray<{ readonly name: string; readonly depth: number | null; readonly error?: string }>;
  /** The Basic credential's rotation (deployed only). */
  readonly credential: {
    readonly ageHours: number;
    readonly nextRotationAt: string;
    readonly overdueHours: number;
    readonly rotationInProgress: boolean;
    readonly previousAcceptedUntil: string | null;
    /** Providers whose requests used the previous credential in the last 24 hours. */
    readonly previousInUseBy: readonly ProviderId[];
  } | null;
  readonly canary: {
    readonly enabled: boolean;
    /** The provider it posts as; null when it is off or no provider can carry it (then `problem` says why). */
    readonly provider?: string | null;
    readonly problem?: string;
    /** Minutes between runs. */
    readonly intervalMinutes?: number;
    /** Deployed: the start of the last 5-minute period with a confirmed canary (within the last 14 days). */
    readonly lastSuccessAt: string | null;
  };
  /**
   * The providers' source allow-lists from the configuration, `"published"` as the embedded list (deployed, the
   * refresher may have a newer one: `hookguard ranges --deployed`).
   */
  readonly allowedSources?: readonly AllowedSources[];
  /** How each provider's webhook follows the credential (docs/provider-sync.md). */
  readonly providerSync: ProviderSyncStatus;
}

/** The provider-sync part of {@link StatusReport}. */
export interface ProviderSyncStatus {
  readonly providers: ReadonlyArray<{
    readonly provider: ProviderId;
    readonly mode: 'managed' | 'manual';
    /** Why a manual provider is manual. */
    readonly reason?: string;
    /** Managed, deployed: the hour of the last `ProviderSyncFailed` in 14 days, null when none. */
    readonly lastSyncFailureAt?: string | null;
  }>;
  /**
   * Deployed: an AWSPENDING version that is not AWSCURRENT, i.e. a rotation under way or stopped by a failed step
   * (managed providers updated so far already carry the pending credential); null when there is none or locally.
   */
  readonly incompleteRotation: { readonly pendingSince: string | null; readonly stalled: boolean } | null;
}

/** A pending credential older than this is a rotation that stopped, not one that is still running. */
const STALLED_ROTATION_MS = 3_600_000;

function providerSyncStatus(
  stage: StageConfig,
  modules: CliDeps['managementModules'],
  syncFailures: ReadonlyMap<ProviderId, number | null> | null,
  pending: { readonly createdDate?: Date } | null,
  now: Date,
): ProviderSyncStatus {
  return {
    providers: providerManagement(stage, modules).map((entry) =>
      entry.mode === 'managed'
        ? {
            provider: entry.provider,
            mode: 'managed',
            ...(syncFailures === null
              ? {}
              : { lastSyncFailureAt: toIso(syncFailures.get(entry.provider) ?? null) }),
          }
        : { provider: entry.provider, mode: 'manual', reason: manualReasonText(entry.provider, entry.reason) },
    ),
    incompleteRotation:
      pending === null
        ? null
        : {
            pendingSince: pending.createdDate?.toISOString() ?? null,
            stalled:
              pending.createdDate === undefined || now.getTime() - pending.createdDate.getTime() > STALLED_ROTATION_MS,
          },
  };
}

const toIso = (time: number | null) => (time === null ? null : new Date(time).toISOString());

const HOUR_MS = 3_600_000;
/** How far back the deployed status looks for the last accepted request and canary. */
const LOOKBACK_MS = 14 * 24 * HOUR_MS;
/** GetMetricData takes at most 500 queries a request. */
const MAX_QUERIES = 500;

/** The metric queries of the deployed status, by id. */
interface MetricPlan {
  readonly queries: MetricDataQuery[];
  /** id -> what it counts. */
  readonly meaning: Map<
    string,
    { provider?: ProviderId; kind: 'outcome' | 'refused' | 'previous' | 'canary' | 'sync-failed'; outcome?: string }
  >;
}

function metricPlan(stage: string, providers: readonly ProviderId[], managed: readonly ProviderId[] = []): MetricPlan {
  const queries: MetricDataQuery[] = [];
  const meaning: MetricPlan['meaning'] = new Map();
  const add = (
    id: string,
    metricName: string,
    dimensions: Record<string, string>,
    what: Parameters<MetricPlan['meaning']['set']>[1],
    period = 3600,
  ) => {
    queries.push({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'Hookguard',
          MetricName: metricName,
          Dimensions: Object.entries({ Stage: stage, ...dimensions }).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: period,
        Stat: 'Sum',
      },
      ReturnData: true,
    });
    meaning.set(id, what);
  };
  providers.forEach((provider, p) => {
    REQUEST_OUTCOMES.forEach((outcome, o) => {
      add(`r${p}_${o}`, 'Requests', { Provider: provider, Outcome: outcome }, { provider, kind: 'outcome', outcome });
    });
    add(`u${p}`, 'AuthorizerDecisions', { Provider: provider, CredentialStage: 'unknown' }, { provider, kind: 'refused' });
    add(`p${p}`, 'AuthorizerDecisions', { Provider: provider, CredentialStage: 'previous' }, { provider, kind: 'previous' });
  });
  // 5-minute periods (kept 63 days by CloudWatch): the last success to within one default canary interval.
  add('canary', 'CanaryDelivered', {}, { kind: 'canary' }, 300);
  managed.forEach((provider, m) => {
    add(`s${m}`, 'ProviderSyncFailed', { Provider: provider }, { provider, kind: 'sync-failed' });
  });
  return { queries, meaning };
}

async function metricData(
  client: CloudWatchClient,
  queries: readonly MetricDataQuery[],
  start: Date,
  end: Date,
): Promise<MetricDataResult[]> {
  const results: MetricDataResult[] = [];
  for (let index = 0; index < queries.length; index += MAX_QUERIES) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries.slice(index, index + MAX_QUERIES),
          StartTime: start,
          EndTime: end,
          NextToken: nextToken,
          ScanBy: 'TimestampDescending',
        }),
      );
      results.push(...(page.MetricDataResults ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return results;
}

/** Parses the `DeadLetterQueueUrls` output: `name=url,name=url`, or `none`. */
export function parseQueueList(value: string | undefined): Array<{ name: string; url: string }> {
  if (value === undefined || value === '' || value === 'none') return [];
  return value.split(',').flatMap((pair) => {
    const at = pair.indexOf('=');
    return at > 0 ? [{ name: pair.slice(0, at), url: pair.slice(at + 1) }] : [];
  });
}

async function describeAlarmsInAlarm(client: CloudWatchClient, prefix: string): Promise<StatusReport['alarmsInAlarm']> {
  const found: Array<MetricAlarm | CompositeAlarm> = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new DescribeAlarmsCommand({
        AlarmNamePrefix: prefix,
        StateValue: 'ALARM',
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        NextToken: nextToken,
      }),
    );
    found.push(...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return found
    .map((alarm) => ({
      name: alarm.AlarmName ?? '(unnamed)',
      since: alarm.StateUpdatedTimestamp?.toISOString() ?? null,
      reason: alarm.StateReason ?? '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The status of a deployed stage. */
export async function deployedStatus(
  stage: StageConfig,
  target: AwsTarget,
  deps: CliDeps,
  now: Date,
): Promise<StatusReport> {
  const config = awsClientConfig(target);
  const aws = (deps.aws ?? defaultDeployedAws)(target);
  const stackName = deployedStackName(stage.stage);
  const outputs = await aws.stackOutputs.outputs(stackName);
  const secretArn = outputs.CredentialsSecretArn;
  if (!secretArn) throw new DeployedStackError(`Stack ${stackName} has no output CredentialsSecretArn; is it a Hookguard stack?`);
  const prefix = outputs.AlarmNamePrefix || `hookguard-${stage.stage}-`;
  const providers = Object.keys(stage.providers) as ProviderId[];

  const cloudWatch = new CloudWatchClient(config);
  const sqs = new SQSClient(config);
  const secretsManager = new SecretsManagerClient(config);
  try {
    const managed = providerManagement(stage, deps.managementModules).flatMap((entry) => (entry.mode === 'managed' ? [entry.provider] : []));
    const plan = metricPlan(stage.stage, providers, managed);
    const [results, alarmsInAlarm, deadLetterQueues, rotationInfo] = await Promise.all([
      metricData(cloudWatch, plan.queries, new Date(now.getTime() - LOOKBACK_MS), now),
      describeAlarmsInAlarm(cloudWatch, prefix),
      Promise.all(
        parseQueueList(outputs.DeadLetterQueueUrls).map(async ({ name, url }) => {
          try {
            const attributes = await sqs.send(
              new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
            );
            return { name, depth: Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) };
          } catch (error) {
            return { name, depth: null, error: error instanceof Error ? error.name : 'unknown error' };
          }
        }),
      ),
      readSecretRotationInfo(secretsManager, secretArn),
    ]);

    const dayAgo = now.getTime() - 24 * HOUR_MS;
    const byProvider = new Map<ProviderId, { lastAccepted: number | null; last24h: Record<string, number>; refused: number; previous: number }>(
      providers.map((provider) => [provider, { lastAccepted: null, last24h: {}, refused: 0, previous: 0 }]),
    );
    let canaryLast: number | null = null;
    const syncFailures = new Map<ProviderId, number | null>();
    for (const result of results) {
      const what = result.Id === undefined ? undefined : plan.meaning.get(result.Id);
      if (what === undefined) continue;
      const points = (result.Timestamps ?? []).map((time, index) => ({ time: time.getTime(), value: result.Values?.[index] ?? 0 }));
      const recent = points.filter((point) => point.time >= dayAgo).reduce((sum, point) => sum + point.value, 0);
      const latest = points.filter((point) => point.value > 0).reduce<number | null>((max, point) => (max === null || point.time > max ? point.time : max), null);
      if (what.kind === 'canary') {
        canaryLast = latest;
        continue;
      }
      if (what.kind === 'sync-failed' && what.provider !== undefined) {
        syncFailures.set(what.provider, latest);
        continue;
      }
      const entry = what.provider === undefined ? undefined : byProvider.get(what.provider);
      if (entry === undefined) continue;
      if (what.kind === 'outcome' && what.outcome !== undefined) {
        if (recent > 0) entry.last24h[what.outcome] = (entry.last24h[what.outcome] ?? 0) + recent;
        if (what.outcome === 'accepted' && latest !== null) entry.lastAccepted = Math.max(entry.lastAccepted ?? 0, latest);
      } else if (what.kind === 'refused') entry.refused += recent;
      else if (what.kind === 'previous') entry.previous += recent;
    }

    const pendingVersion = rotationInfo.versions.find(
      (version) => version.stages.includes('AWSPENDING') && !version.stages.includes('AWSCURRENT'),
    );
    const state = credentialRotationState(rotationInfo, now, {
      rotationDays: stage.auth.rotationDays,
      gracePeriodHours: stage.auth.gracePeriodHours,
    });
    return {
      stage: stage.stage,
      source: 'deployed',
      generatedAt: now.toISOString(),
      // The stack, not the configuration file, says how the stage is served.
      webhookPath: pathShown(outputs.PathTokenSecretArn !== undefined && outputs.PathTokenSecretArn !== 'none'),
      providers: providers.map((provider) => {
        const entry = byProvider.get(provider) ?? { lastAccepted: null, last24h: {}, refused: 0, previous: 0 };
        return {
          provider,
          lastAcceptedAt: entry.lastAccepted === null ? null : new Date(entry.lastAccepted).toISOString(),
          last24h: entry.last24h,
          refusedLast24h: entry.refused,
          previousCredentialLast24h: entry.previous,
        };
      }),
      alarmsInAlarm,
      deadLetterQueues,
      credential: {
        ageHours: Math.round(state.ageHours * 10) / 10,
        nextRotationAt: state.nextRotationAt.toISOString(),
        overdueHours: Math.round(state.overdueHours * 10) / 10,
        rotationInProgress: state.rotationInProgress,
        previousAcceptedUntil: state.previousAcceptedUntil?.toISOString() ?? null,
        previousInUseBy: providers.filter((provider) => (byProvider.get(provider)?.previous ?? 0) > 0),
      },
      canary: {
        ...canarySetting(stage),
        lastSuccessAt: canaryLast === null ? null : new Date(canaryLast).toISOString(),
      },
      providerSync: providerSyncStatus(stage, deps.managementModules, syncFailures, pendingVersion ?? null, now),
    };
  } finally {
    cloudWatch.destroy();
    sqs.destroy();
    secretsManager.destroy();
  }
}

/** Whether the stage has a scheduled canary and which provider it posts as (the construct's own choice). */
function canarySetting(stage: StageConfig): Omit<StatusReport['canary'], 'lastSuccessAt'> {
  const { enabled, intervalMinutes, provider } = stage.alerting.canary;
  if (!enabled) return { enabled: false, provider: null };
  const choice = chooseCanaryProvider(stage.providers, provider);
  return 'provider' in choice
    ? { enabled: true, provider: choice.provider, intervalMinutes }
    : { enabled: false, provider: null, problem: choice.problem };
}

/** The webhook path shown by `status`, with the token as a placeholder. */
function pathShown(hasPathToken: boolean): string {
  return hasPathToken ? `${WEBHOOKS_PREFIX}/<token>/<provider>` : `${WEBHOOKS_PREFIX}/<provider>`;
}

/** The local runtime is not answering on its port. */
export class LocalRuntimeUnavailableError extends Error {
  constructor(url: string, options?: ErrorOptions) {
    super(`No local runtime answers at ${url}: start it with npm start (or pass --port)`, options);
    this.name = 'LocalRuntimeUnavailableError';
  }
}

/** The status of the running local runtime, from its `GET /healthz`. */
export async function localStatus(stage: StageConfig, port: number, deps: CliDeps, now: Date): Promise<StatusReport> {
  const url = `${localBaseUrl(port)}/healthz`;
  let health: HealthReport;
  try {
    const response = await (deps.fetch ?? fetch)(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    health = (await response.json()) as HealthReport;
  } catch (error) {
    throw new LocalRuntimeUnavailableError(url, { cause: error });
  }
  if (health.stage !== stage.stage) {
    throw new LocalRuntimeUnavailableError(`${url} (it runs stage ${health.stage}, not ${stage.stage})`);
  }
  return {
    stage: stage.stage,
    source: 'local',
    generatedAt: now.toISOString(),
    webhookPath: pathShown(pathTokenGeneration(stage.pathToken) !== null),
    providers: (Object.keys(stage.providers) as ProviderId[]).map((provider) => ({
      provider,
      lastAcceptedAt: health.providers[provider]?.lastAcceptedAt ?? null,
      last24h: health.providers[provider]?.last24h ?? {},
      refusedLast24h: health.providers[provider]?.refusedLast24h ?? 0,
    })),
    alarmsInAlarm: null,
    // Locally, undeliverable route events go to routes/<name>.dead-letter.jsonl; the runtime does not count them.
    deadLetterQueues: [],
    credential: null,
    canary: { enabled: false, lastSuccessAt: null },
    providerSync: providerSyncStatus(stage, deps.managementModules, null, null, now),
  };
}

/** The report as lines for a terminal. */
export function formatStatus(report: StatusReport, style = styleFor({ env: {} })): string[] {
  const lines: string[] = [];
  lines.push(style.bold(`Hookguard ${report.stage} (${report.source}) at ${report.generatedAt}`));
  if (report.alarmsInAlarm === null) lines.push('Alarms: none locally');
  else if (report.alarmsInAlarm.length === 0) lines.push(`Alarms: ${style.green('none in ALARM')}`);
  else {
    lines.push(style.red(`Alarms in ALARM: ${report.alarmsInAlarm.length}`));
    for (const alarm of report.alarmsInAlarm) lines.push(`  ${style.red(alarm.name)} since ${alarm.since ?? '?'}: ${alarm.reason}`);
  }
  if (report.webhookPath !== undefined) {
    const note = report.webhookPath.includes('<token>') ? ' (path token on; npx hookguard urls prints the URLs)' : '';
    lines.push(`Webhook path: ${report.webhookPath}${note}`);
  }
  lines.push('Providers (last 24 h):');
  const width = Math.max(...report.providers.map((entry) => entry.provider.length), 8);
  for (const entry of report.providers) {
    const counts = Object.entries(entry.last24h)
      .sort(([a], [b]) => REQUEST_OUTCOMES.indexOf(a as never) - REQUEST_OUTCOMES.indexOf(b as never))
      .map(([outcome, count]) => `${outcome} ${count}`);
    if (entry.refusedLast24h > 0) counts.push(style.yellow(`refused ${entry.refusedLast24h}`));
    if ((entry.previousCredentialLast24h ?? 0) > 0) counts.push(style.yellow(`previous credential ${entry.previousCredentialLast24h}`));
    const last = entry.lastAcceptedAt === null ? style.dim('never accepted') : `last accepted ${entry.lastAcceptedAt}`;
    lines.push(`  ${entry.provider.padEnd(width)}  ${last}  ${counts.length > 0 ? counts.join(', ') : style.dim('no requests')}`);
  }
  if (report.source === 'deployed') {
    lines.push('Dead-letter queues:');
    if (report.deadLetterQueues.length === 0) lines.push('  none');
    for (const queue of report.deadLetterQueues) {
      const depth = queue.depth === null ? style.yellow(`unreadable (${queue.error ?? 'error'})`) : queue.depth > 0 ? style.red(String(queue.depth)) : '0';
      lines.push(`  ${queue.name}: ${depth}`);
    }
  }
  if (report.credential !== null) {
    const credential = report.credential;
    const overdue = credential.overdueHours > 0 ? style.red(` (overdue by ${credential.overdueHours} h)`) : '';
    lines.push(`Credential: ${credential.ageHours} h old, next rotation ${credential.nextRotationAt}${overdue}${credential.rotationInProgress ? ', rotation in progress' : ''}`);
    if (credential.previousAcceptedUntil === null) lines.push('  previous credential: no longer accepted');
    else {
      const users = credential.previousInUseBy.length > 0 ? style.yellow(`still used by ${credential.previousInUseBy.join(', ')}`) : 'unused in the last 24 h';
      lines.push(`  previous credential: accepted until ${credential.previousAcceptedUntil}, ${users}`);
    }
  }
  if (report.allowedSources !== undefined && report.allowedSources.length > 0) {
    lines.push(`Source allow-lists${report.source === 'deployed' ? ' (configured; hookguard ranges --deployed shows the WAF)' : ''}:`);
    for (const entry of report.allowedSources) lines.push(`  ${entry.provider.padEnd(width)}  ${formatAllowedSources(entry)}`);
  }
  if (report.source === 'deployed') {
    lines.push(
      report.canary.enabled
        ? `Canary: as ${report.canary.provider ?? '?'} every ${report.canary.intervalMinutes ?? '?'} min, last success ${report.canary.lastSuccessAt ?? style.red('none in 14 days')}`
        : report.canary.problem !== undefined
          ? style.yellow(`Canary: none (${report.canary.problem})`)
          : 'Canary: off (monitoring.canary)',
    );
  }
  lines.push(...formatProviderSync(report, style));
  return lines;
}

/** The provider-sync lines: managed / manual per provider, the last sync failure, an incomplete rotation. */
function formatProviderSync(report: StatusReport, style: Style): string[] {
  const sync = report.providerSync;
  const lines: string[] = [];
  lines.push(
    report.source === 'deployed'
      ? 'Provider webhooks (docs/provider-sync.md):'
      : 'Provider webhooks (docs/provider-sync.md; managed ones are updated on deployed stages only):',
  );
  const width = Math.max(...sync.providers.map((entry) => entry.provider.length), 8);
  for (const entry of sync.providers) {
    let detail: string;
    if (entry.mode === 'managed') {
      detail =
        entry.lastSyncFailureAt === undefined
          ? 'managed'
          : entry.lastSyncFailureAt === null
            ? `managed, ${style.green('no sync failure in 14 days')}`
            : `managed, ${style.red(`last sync failure ${entry.lastSyncFailureAt}`)} (hookguard providers sync --dry-run --deployed)`;
    } else {
      detail = `manual: ${entry.reason ?? ''}`;
    }
    lines.push(`  ${entry.provider.padEnd(width)}  ${detail}`);
  }
  const incomplete = sync.incompleteRotation;
  if (incomplete !== null) {
    const since = incomplete.pendingSince === null ? '' : ` since ${incomplete.pendingSince}`;
    lines.push(
      incomplete.stalled
        ? style.red(
            `Rotation incomplete${since}: AWSPENDING is not AWSCURRENT; managed providers updated so far carry the pending credential (docs/provider-sync.md)`,
          )
        : style.yellow(`Rotation under way${since}: AWSPENDING is not AWSCURRENT yet`),
    );
  }
  return lines;
}

/** Runs `status`; resolves the exit code. */
export async function runStatusCommand(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandLine(argv, { ...COMMON_OPTIONS, ...DEPLOYED_OPTIONS, ...JSON_OPTION }, false);
  if (values.help) {
    io.out(STATUS_USAGE);
    return 0;
  }
  const options = resolveCommonOptions(values, io.env);
  const { stage } = loadStage(options, deps);
  const now = (deps.now ?? (() => new Date()))();
  const report = values.deployed
    ? await deployedStatus(stage, await awsTarget(values, stage, io.env), deps, now)
    : await localStatus(stage, options.port, deps, now);
  const withSources: StatusReport = { ...report, allowedSources: allowedSourcesOf(stage) };
  if (values.json) printJson(io, withSources);
  else for (const line of formatStatus(withSources, styleFor(io))) io.out(line);
  return 0;
}
