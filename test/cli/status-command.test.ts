import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ManagementModule } from '../../lambda/management/types';
import { runCli } from '../../src/cli/main';
import { formatStatus, parseQueueList, type StatusReport } from '../../src/cli/status-command';
import { type LocalRuntime, startLocalRuntime } from '../../src/local/runtime';
import { parseCredential, readSecretsFile } from '../../src/local/secrets-file';
import { TEST_STAGE, writeTestConfig } from '../local/test-config';
import { createCliKit, type CliKit, recordingIo } from './cli-test-kit';
import { FakeManagedAccount } from './fake-management';

const cloudFormation = mockClient(CloudFormationClient);
const cloudWatch = mockClient(CloudWatchClient);
const sqs = mockClient(SQSClient);
const secretsManager = mockClient(SecretsManagerClient);

const NOW = new Date('2026-12-02T04:00:00Z');
const HOUR = 3_600_000;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard/test/basic-credentials-AbCdEf';
const SUPPRESSION_DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/suppression-dlq';
const QUEUE_DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/suppression-queue-dlq';

/** Metric values by (metric name, provider, outcome/stage): hourly points the fake CloudWatch returns. */
function metricValues(query: MetricDataQuery): { Timestamps: Date[]; Values: number[] } {
  const metric = query.MetricStat?.Metric;
  const dims = Object.fromEntries((metric?.Dimensions ?? []).map((d) => [d.Name, d.Value]));
  const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR);
  if (dims.Stage !== 'test') return { Timestamps: [], Values: [] };
  if (metric?.MetricName === 'Requests' && dims.Provider === 'mailgun' && dims.Outcome === 'accepted') {
    // Newest first (ScanBy TimestampDescending); the 30-hours-ago point is outside the 24-hour counts.
    return { Timestamps: [at(2), at(5), at(30)], Values: [10, 5, 100] };
  }
  if (metric?.MetricName === 'Requests' && dims.Provider === 'mailgun' && dims.Outcome === 'invalid_signature') {
    return { Timestamps: [at(1)], Values: [3] };
  }
  if (metric?.MetricName === 'Requests' && dims.Provider === 'postmark' && dims.Outcome === 'accepted') {
    return { Timestamps: [at(200)], Values: [4] };
  }
  if (metric?.MetricName === 'AuthorizerDecisions' && dims.Provider === 'sendgrid' && dims.CredentialStage === 'previous') {
    return { Timestamps: [at(3)], Values: [7] };
  }
  if (metric?.MetricName === 'AuthorizerDecisions' && dims.Provider === 'mailgun' && dims.CredentialStage === 'unknown') {
    return { Timestamps: [at(3)], Values: [2] };
  }
  if (metric?.MetricName === 'ProviderSyncFailed' && dims.Provider === 'sendgrid') {
    return { Timestamps: [at(3)], Values: [1] };
  }
  if (metric?.MetricName === 'CanaryDelivered') return { Timestamps: [at(1), at(2)], Values: [12, 12] };
  return { Timestamps: [], Values: [] };
}

function fakeDeployedStage() {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Hookguard-test' }).resolves({
    Stacks: [
      {
        StackName: 'Hookguard-test',
        CreationTime: NOW,
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/test/' },
          { OutputKey: 'RestApiId', OutputValue: 'abc' },
          { OutputKey: 'StageName', OutputValue: 'test' },
          { OutputKey: 'CredentialsSecretArn', OutputValue: SECRET_ARN },
          { OutputKey: 'AlarmNamePrefix', OutputValue: 'hookguard-test-' },
          { OutputKey: 'DeadLetterQueueUrls', OutputValue: `route-suppression=${SUPPRESSION_DLQ},route-suppression-queue=${QUEUE_DLQ}` },
        ],
      },
    ],
  });
  // Two pages: the command must read both.
  cloudWatch
    .on(GetMetricDataCommand)
    .callsFake((input: { MetricDataQueries: MetricDataQuery[]; NextToken?: string }) => {
      const half = Math.ceil(input.MetricDataQueries.length / 2);
      const page = input.NextToken === undefined ? input.MetricDataQueries.slice(0, half) : input.MetricDataQueries.slice(half);
      return {
        MetricDataResults: page.map((query) => ({ Id: query.Id, ...metricValues(query) })),
        ...(input.NextToken === undefined ? { NextToken: 'page-2' } : {}),
      };
    });
  cloudWatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      {
        AlarmName: 'hookguard-test-forgery-mailgun',
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 1 datapoint [25.0] was greater than or equal to the threshold (20.0).',
        StateUpdatedTimestamp: new Date(NOW.getTime() - HOUR),
      },
    ],
    CompositeAlarms: [{ AlarmName: 'hookguard-test-health', StateValue: 'ALARM', StateReason: 'forgery', StateUpdatedTimestamp: new Date(NOW.getTime() - HOUR) }],
  });
  sqs.on(GetQueueAttributesCommand, { QueueUrl: SUPPRESSION_DLQ }).resolves({ Attributes: { ApproximateNumberOfMessages: '4' } });
  sqs.on(GetQueueAttributesCommand, { QueueUrl: QUEUE_DLQ }).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  const rotated = new Date(NOW.getTime() - 50 * HOUR);
  secretsManager.on(DescribeSecretCommand).resolves({
    RotationEnabled: true,
    LastRotatedDate: rotated,
    NextRotationDate: new Date(rotated.getTime() + 30 * 24 * HOUR),
  });
  secretsManager.on(ListSecretVersionIdsCommand).resolves({
    Versions: [
      { VersionId: 'v2', VersionStages: ['AWSCURRENT'], CreatedDate: rotated },
      { VersionId: 'v1', VersionStages: ['AWSPREVIOUS'] },
    ],
  });
}

describe('hookguard status --deployed', () => {
  let kit: CliKit;

  beforeEach(async () => {
    cloudFormation.reset();
    cloudWatch.reset();
    sqs.reset();
    secretsManager.reset();
    kit = await createCliKit();
    fakeDeployedStage();
  });

  afterEach(() => kit.cleanUp());

  async function status(...args: string[]) {
    const io = recordingIo();
    const code = await runCli(['status', '--deployed', '--region', 'eu-west-1', ...args, ...kit.commonArgs], io, { now: () => NOW });
    return { code, io };
  }

  it('reports traffic, alarms, DLQs, credential and canary as one JSON document', async () => {
    const { code, io } = await status('--json');
    expect(io.errors).toEqual([]);
    expect(code).toBe(0);
    expect(io.lines).toHaveLength(1);
    const report = JSON.parse(io.lines[0] as string) as StatusReport;
    expect(report).toMatchObject({ stage: 'test', source: 'deployed', generatedAt: NOW.toISOString() });
    const mailgun = report.providers.find((entry) => entry.provider === 'mailgun');
    expect(mailgun).toEqual({
      provider: 'mailgun',
      lastAcceptedAt: new Date(NOW.getTime() - 2 * HOUR).toISOString(),
      last24h: { accepted: 15, invalid_signature: 3 },
      refusedLast24h: 2,
      previousCredentialLast24h: 0,
    });
    expect(report.providers.find((entry) => entry.provider === 'postmark')).toMatchObject({
      lastAcceptedAt: new Date(NOW.getTime() - 200 * HOUR).toISOString(),
      last24h: {},
    });
    expect(report.providers.find((entry) => entry.provider === 'brevo')?.lastAcceptedAt).toBeNull();
    expect(report.providers).toHaveLength(14);
    expect(report.alarmsInAlarm?.map((alarm) => alarm.name)).toEqual(['hookguard-test-forgery-mailgun', 'hookguard-test-health']);
    expect(report.deadLetterQueues).toEqual([
      { name: 'route-suppression', depth: 4 },
      { name: 'route-suppression-queue', depth: 0 },
    ]);
    expect(report.credential).toEqual({
      ageHours: 50,
      nextRotationAt: new Date(NOW.getTime() - 50 * HOUR + 30 * 24 * HOUR).toISOString(),
      overdueHours: 0,
      rotationInProgress: false,
      previousAcceptedUntil: new Date(NOW.getTime() + 22 * HOUR).toISOString(),
      previousInUseBy: ['sendgrid'],
    });
    // Stage test has no canary (the name has no "prod"); the metric is still read and shown.
    expect(report.canary).toEqual({ enabled: false, provider: null, lastSuccessAt: new Date(NOW.getTime() - HOUR).toISOString() });
  });

  it('asks CloudWatch for the contract metrics of the stage over 14 days and the alarms by the stack prefix', async () => {
    await status('--json');
    const calls = cloudWatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    const input = calls[0]?.args[0].input;
    expect(input?.StartTime).toEqual(new Date(NOW.getTime() - 14 * 24 * HOUR));
    expect(input?.EndTime).toEqual(NOW);
    const queries = input?.MetricDataQueries ?? [];
    // 14 providers x (13 outcomes + refused + previous) + the canary.
    expect(queries).toHaveLength(14 * 15 + 1);
    // The canary in 5-minute periods, so its last success is known to within one default interval.
    expect(queries.find((query) => query.MetricStat?.Metric?.MetricName === 'CanaryDelivered')?.MetricStat?.Period).toBe(300);
    for (const query of queries) {
      expect(query.MetricStat?.Metric?.Namespace).toBe('Hookguard');
      expect(query.MetricStat?.Metric?.Dimensions).toContainEqual({ Name: 'Stage', Value: 'test' });
    }
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toMatchObject({
      AlarmNamePrefix: 'hookguard-test-',
      StateValue: 'ALARM',
    });
    // Dates only: the secret's value is never read.
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('prints one screen: alarms first, a line per provider, DLQs, credential, canary', async () => {
    const { code, io } = await status();
    expect(code).toBe(0);
    const text = io.lines.join('\n');
    expect(io.lines[0]).toBe(`Hookguard test (deployed) at ${NOW.toISOString()}`);
    expect(io.lines[1]).toBe('Alarms in ALARM: 2');
    expect(text).toMatch(/ {2}hookguard-test-forgery-mailgun since .*: Threshold Crossed/);
    expect(text).toMatch(/ {2}mailgun +last accepted 2026-12-02T02:00:00\.000Z {2}accepted 15, invalid_signature 3, refused 2/);
    expect(text).toMatch(/ {2}sendgrid +never accepted {2}previous credential 7/);
    expect(text).toContain('  route-suppression: 4');
    expect(text).toContain('Credential: 50 h old, next rotation');
    expect(text).toContain('still used by sendgrid');
    expect(text).toContain('Canary: off (monitoring.canary)');
  });

  it('names the canary provider and its interval, or why the stage has none', async () => {
    const { io } = await status('--json');
    const report = JSON.parse(io.lines[0] as string) as StatusReport;
    const at = new Date(NOW.getTime() - HOUR).toISOString();
    const on = formatStatus({ ...report, canary: { enabled: true, provider: 'mailgun', intervalMinutes: 5, lastSuccessAt: at } });
    expect(on).toContain(`Canary: as mailgun every 5 min, last success ${at}`);
    const none = formatStatus({ ...report, canary: { enabled: false, provider: null, problem: 'no enabled provider can carry the canary', lastSuccessAt: null } });
    expect(none).toContain('Canary: none (no enabled provider can carry the canary)');
  });

  it('says which stack is missing', async () => {
    cloudFormation.reset();
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id Hookguard-test does not exist'));
    const { code, io } = await status();
    expect(code).toBe(1);
    expect(io.errors).toEqual(['hookguard status: Stack Hookguard-test does not exist in this account and region']);
  });

  it('shows an unreadable queue instead of failing the whole report', async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: QUEUE_DLQ }).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const { io } = await status('--json');
    const report = JSON.parse(io.lines[0] as string) as StatusReport;
    expect(report.deadLetterQueues[1]).toEqual({ name: 'route-suppression-queue', depth: null, error: 'AccessDenied' });
  });

  describe('provider webhooks and rotation (provider sync)', () => {
    const modules = new Map<ProviderId, ManagementModule>([
      ['sendgrid', new FakeManagedAccount('sendgrid').module()],
      ['mailersend', new FakeManagedAccount('mailersend').module('none')],
    ]);

    async function statusWithModules(...args: string[]) {
      const io = recordingIo();
      const code = await runCli(['status', '--deployed', '--region', 'eu-west-1', ...args, ...kit.commonArgs], io, {
        now: () => NOW,
        managementModules: modules,
      });
      return { code, io };
    }

    it('says per provider whether its webhook is managed or updated by hand, and why', async () => {
      const { io } = await statusWithModules('--json');
      const report = JSON.parse(io.lines[0] as string) as StatusReport;
      const byProvider = Object.fromEntries(report.providerSync.providers.map((entry) => [entry.provider, entry]));
      expect(byProvider.postal).toEqual({ provider: 'postal', mode: 'manual', reason: 'Hookguard has no management client for its API' });
      expect(byProvider.sendgrid).toMatchObject({ mode: 'manual', reason: expect.stringContaining('providers.sendgrid.managed') });
      expect(byProvider.mailersend).toMatchObject({ mode: 'manual', reason: expect.stringContaining('cannot carry the Basic credential') });
      expect(report.providerSync.incompleteRotation).toBeNull();
      const text = (await statusWithModules()).io.lines.join('\n');
      expect(text).toContain('Provider webhooks (docs/provider-sync.md):');
      expect(text).toMatch(/ {2}postal +manual: Hookguard has no management client for its API/);
      expect(text).not.toContain('Rotation incomplete');
    });

    it('shows a managed provider with its last sync failure, from ProviderSyncFailed of the last 14 days', async () => {
      const config = join(kit.dir, 'managed.config.json');
      await writeFile(
        config,
        JSON.stringify({
          stages: { test: { providers: { sendgrid: { managed: {} }, mailgun: { managed: { options: { domain: 'mg.example.com' } } }, postal: {} } } },
        }),
      );
      const run = async (...args: string[]) => {
        const io = recordingIo();
        await runCli(['status', '--deployed', '--region', 'eu-west-1', '--config', config, '--stage', 'test', ...args], io, { now: () => NOW });
        return io;
      };
      const report = JSON.parse((await run('--json')).lines[0] as string) as StatusReport;
      expect(report.providerSync.providers).toEqual([
        { provider: 'mailgun', mode: 'managed', lastSyncFailureAt: null },
        { provider: 'postal', mode: 'manual', reason: 'Hookguard has no management client for its API' },
        { provider: 'sendgrid', mode: 'managed', lastSyncFailureAt: new Date(NOW.getTime() - 3 * HOUR).toISOString() },
      ]);
      const queries = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries ?? [];
      expect(queries.filter((query) => query.MetricStat?.Metric?.MetricName === 'ProviderSyncFailed')).toHaveLength(2);
      const text = (await run()).lines.join('\n');
      expect(text).toMatch(/ {2}sendgrid +managed, last sync failure 2026-12-02T01:00:00\.000Z \(hookguard providers sync --dry-run --deployed\)/);
      expect(text).toMatch(/ {2}mailgun +managed, no sync failure in 14 days/);
    });

    it('flags a rotation whose AWSPENDING has not become AWSCURRENT for over an hour as incomplete', async () => {
      const rotated = new Date(NOW.getTime() - 50 * HOUR);
      secretsManager.on(ListSecretVersionIdsCommand).resolves({
        Versions: [
          { VersionId: 'v3', VersionStages: ['AWSPENDING'], CreatedDate: new Date(NOW.getTime() - 5 * HOUR) },
          { VersionId: 'v2', VersionStages: ['AWSCURRENT'], CreatedDate: rotated },
          { VersionId: 'v1', VersionStages: ['AWSPREVIOUS'] },
        ],
      });
      const { io } = await statusWithModules('--json');
      const report = JSON.parse(io.lines[0] as string) as StatusReport;
      expect(report.providerSync.incompleteRotation).toEqual({
        pendingSince: new Date(NOW.getTime() - 5 * HOUR).toISOString(),
        stalled: true,
      });
      const text = (await statusWithModules()).io.lines.join('\n');
      expect(text).toContain(
        `Rotation incomplete since ${new Date(NOW.getTime() - 5 * HOUR).toISOString()}: AWSPENDING is not AWSCURRENT`,
      );
    });

    it('calls a pending version of a few minutes a rotation under way, and AWSPENDING on AWSCURRENT nothing', async () => {
      secretsManager.on(ListSecretVersionIdsCommand).resolves({
        Versions: [
          { VersionId: 'v3', VersionStages: ['AWSPENDING'], CreatedDate: new Date(NOW.getTime() - 5 * 60_000) },
          { VersionId: 'v2', VersionStages: ['AWSCURRENT'], CreatedDate: new Date(NOW.getTime() - 50 * HOUR) },
        ],
      });
      expect((await statusWithModules()).io.lines.join('\n')).toContain('Rotation under way since');
      // After finishSecret, Secrets Manager may leave AWSPENDING on the new AWSCURRENT version: complete.
      secretsManager.on(ListSecretVersionIdsCommand).resolves({
        Versions: [{ VersionId: 'v3', VersionStages: ['AWSCURRENT', 'AWSPENDING'], CreatedDate: NOW }],
      });
      const report = JSON.parse((await statusWithModules('--json')).io.lines[0] as string) as StatusReport;
      expect(report.providerSync.incompleteRotation).toBeNull();
    });
  });
});

describe('parseQueueList', () => {
  it('reads name=url pairs and none', () => {
    expect(parseQueueList('none')).toEqual([]);
    expect(parseQueueList(undefined)).toEqual([]);
    expect(parseQueueList('bus=https://q/1,route-a=https://q/2')).toEqual([
      { name: 'bus', url: 'https://q/1' },
      { name: 'route-a', url: 'https://q/2' },
    ]);
  });
});

describe('hookguard status (local runtime)', () => {
  let dir: string;
  let configPath: string;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-status-'));
    configPath = await writeTestConfig(dir);
    runtime = await startLocalRuntime({ configPath, stage: TEST_STAGE, port: 0, dataDir: join(dir, 'data'), publishing: { sleep: async () => undefined } });
  });

  afterAll(async () => {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const io = recordingIo();
    const code = await runCli([...args, '--config', configPath, '--stage', TEST_STAGE, '--data-dir', join(dir, 'data'), '--port', String(runtime.port)], io);
    return { code, io };
  };

  it('answers GET /healthz with the counters, and status reads them', async () => {
    expect((await cli('send', 'mailgun', 'delivered')).code).toBe(0);
    expect((await cli('send', 'mailgun', 'delivered')).code).toBe(0);
    const credential = parseCredential((await readSecretsFile(runtime.paths.secrets)).basicAuth.current);
    if (credential === null) throw new Error('the runtime wrote no usable credential');
    const wrong = await fetch(`${runtime.url}/webhooks/postmark`, {
      method: 'POST',
      headers: { authorization: basicAuthorizationHeader({ username: credential.username, password: 'wrong-password' }), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    const invalid = await fetch(`${runtime.url}/webhooks/postmark`, {
      method: 'POST',
      headers: { authorization: basicAuthorizationHeader(credential), 'content-type': 'application/json' },
      body: 'not json',
    });
    expect(invalid.status).toBe(400);
    expect((await fetch(`${runtime.url}/nowhere`)).status).toBe(404);

    const health = await fetch(`${runtime.url}/healthz`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { providers: { mailgun: { lastAcceptedAt: string } } };
    expect(body).toMatchObject({
      status: 'ok',
      stage: TEST_STAGE,
      providers: {
        mailgun: { last24h: { accepted: 2 }, refusedLast24h: 0 },
        postmark: { lastAcceptedAt: null, last24h: { invalid_payload: 1 }, refusedLast24h: 1 },
      },
      unroutedLast24h: { not_found: 1 },
    });
    expect(Date.parse(body.providers.mailgun.lastAcceptedAt)).not.toBeNaN();

    const { code, io } = await cli('status', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(io.lines[0] as string) as StatusReport;
    expect(report.source).toBe('local');
    expect(report.providers.find((entry) => entry.provider === 'mailgun')).toMatchObject({ last24h: { accepted: 2 } });
    expect(report.providers.find((entry) => entry.provider === 'postmark')).toMatchObject({ refusedLast24h: 1 });
    const text = await cli('status');
    expect(text.io.lines.join('\n')).toMatch(/mailgun +last accepted .* {2}accepted 2/);
  });

  it('says how to start the runtime when none answers', async () => {
    const io = recordingIo();
    const code = await runCli(['status', '--config', configPath, '--stage', TEST_STAGE, '--port', '1'], io);
    expect(code).toBe(1);
    expect(io.errors[0]).toMatch(/No local runtime answers at http:\/\/127\.0\.0\.1:1\/healthz: start it with npm start/);
  });
});
