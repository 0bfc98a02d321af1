import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ALARM_IDS, type AlarmId, DEFAULT_ALARMS, defaultAlerting } from '../../../lib/config/alerting';
import type { StageConfig } from '../../../lib/config/types';
import {
  HookguardMonitoring,
  type HookguardMonitoringProps,
  MONITORING_OUTPUT_KEYS,
  RUNBOOK_ANCHORS,
} from '../../../lib/constructs/monitoring';
import { InvalidPropsError } from '../../../lib/constructs/props-validation';
import { HookguardStack, stackNameOf } from '../../../lib/stacks/hookguard-stack';
import { EVERY_PROVIDER_STAGE, inlineFunction, resourcesOf, stageConfig, testApp, testStack } from '../support/infra-fixtures';

const ENV = { account: '123456789012', region: 'eu-west-1' };
type Properties = Record<string, unknown>;
type MetricQuery = {
  Id: string;
  Expression?: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> }; Stat: string; Period: number };
  Period?: number;
};

function stackOf(stage: Record<string, unknown>): { stack: HookguardStack; template: Template; config: StageConfig } {
  const config = stageConfig(stage);
  const stack = new HookguardStack(testApp(), stackNameOf(config.stage), { config, env: ENV });
  return { stack, template: Template.fromStack(stack), config };
}

/** Every CloudWatch alarm as `[AlarmName, properties]`. */
function alarmsByName(template: Template): Map<string, Properties> {
  return new Map(resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, properties]) => [properties.AlarmName as string, properties]));
}

function alarm(template: Template, name: string): Properties {
  const found = alarmsByName(template).get(name);
  if (!found) throw new Error(`no alarm ${name}; have ${[...alarmsByName(template).keys()].join(', ')}`);
  return found;
}

/** Dimensions of a metric stat as a plain record. */
function dimensionsOf(stat: MetricQuery['MetricStat']): Record<string, unknown> {
  return Object.fromEntries((stat?.Metric.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value]));
}

const TOPIC_ACTION = { Ref: expect.stringMatching(/^MonitoringAlarmTopic/) };

/** Flattens an Fn::Join of the dashboard body into text, tokens rendered as JSON. */
function bodyText(body: unknown): string {
  const join = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  if (!join) return String(body);
  return join[1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(join[0]);
}

describe('HookguardMonitoring in a stage with every provider', () => {
  const stage = {
    ...EVERY_PROVIDER_STAGE,
    providers: {
      ...EVERY_PROVIDER_STAGE.providers,
      sendgrid: { ...EVERY_PROVIDER_STAGE.providers.sendgrid, silenceAlarmHours: 6 },
    },
    monitoring: {
      alarmEmails: ['oncall@example.com', 'security@example.com'],
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:pager',
      runbookUrl: 'https://git.example.com/hookguard/blob/main/docs/operations.md',
      alarms: { wafBlocks: { threshold: 2000 }, previousCredential: { threshold: 36 } },
    },
  };
  let template: Template;
  let stack: HookguardStack;

  beforeAll(() => {
    ({ template, stack } = stackOf(stage));
  });

  it('has a KMS-encrypted alarm topic that refuses plain HTTP, with the configured e-mail subscriptions', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'hookguard-test-alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MonitoringTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    const emails = resourcesOf(template, 'AWS::SNS::Subscription').map(([, properties]) => [properties.Protocol, properties.Endpoint]);
    expect(emails).toEqual([
      ['email', 'oncall@example.com'],
      ['email', 'security@example.com'],
    ]);
  });

  it('notifies the stage topic and the named existing topic from every alarm, on ALARM and on OK', () => {
    const alarms = [...alarmsByName(template).values()];
    expect(alarms.length).toBeGreaterThan(ALARM_IDS.length);
    for (const properties of alarms) {
      expect(properties.AlarmActions).toEqual([TOPIC_ACTION, 'arn:aws:sns:eu-west-1:123456789012:pager']);
      expect(properties.OKActions).toEqual([TOPIC_ACTION, 'arn:aws:sns:eu-west-1:123456789012:pager']);
    }
  });

  it('alarms on the API 5XX rate, counting only periods with at least 10 requests', () => {
    const properties = alarm(template, 'hookguard-test-api-errors');
    const metrics = properties.Metrics as MetricQuery[];
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('IF(requests >= 10, 100 * errors / requests, 0)');
    const errors = metrics.find((metric) => metric.Id === 'errors')?.MetricStat;
    expect(errors?.Metric).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError' });
    expect(dimensionsOf(errors)).toEqual({ ApiName: 'hookguard-test', Stage: 'test' });
    expect(properties).toMatchObject({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
  });

  it.each([
    ['authorizer-errors', 'Errors', /^Authorizer/],
    ['verifier-errors', 'Errors', /^Verifier/],
    ['verifier-throttles', 'Throttles', /^Verifier/],
  ])('alarms on %s from the function metric %s', (name, metricName, fn) => {
    const properties = alarm(template, `hookguard-test-${name}`);
    expect(properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: metricName, Statistic: 'Sum', Period: 300 });
    expect(properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(fn) } }]);
  });

  it('alarms when the verifier p99 duration reaches 80 % of its 25 s timeout', () => {
    expect(alarm(template, 'hookguard-test-verifier-duration')).toMatchObject({
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: 20_000,
    });
  });

  it('alarms on every dead-letter queue: each route DLQ, each SQS route queue DLQ, and the bus DLQ', () => {
    const names = [...alarmsByName(template).keys()].filter((name) => name.startsWith('hookguard-test-dead-letters-'));
    // The bus's own DLQ too, where the bus has one.
    const busDlq = (stack.events as { deadLetterQueue?: unknown }).deadLetterQueue !== undefined;
    expect(names.sort()).toEqual(
      [
        ...(busDlq ? ['hookguard-test-dead-letters-bus'] : []),
        'hookguard-test-dead-letters-route-audit',
        'hookguard-test-dead-letters-route-suppression',
        'hookguard-test-dead-letters-route-suppression-queue',
        'hookguard-test-dead-letters-route-to-bus',
        'hookguard-test-dead-letters-route-to-lambda',
      ].sort(),
    );
    const properties = alarm(template, 'hookguard-test-dead-letters-route-suppression');
    expect(properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(properties.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^RoutesuppressionDeadLetterQueue/), 'QueueName'] } },
    ]);
  });

  it('alarms on signature and timestamp failures per signed provider, never for unsigned ones', () => {
    const forgery = [...alarmsByName(template).keys()].filter((name) => name.startsWith('hookguard-test-forgery-'));
    expect(forgery.map((name) => name.replace('hookguard-test-forgery-', '')).sort()).toEqual(
      ['amazon-ses', 'mailersend', 'mailgun', 'mailtrap', 'mandrill', 'postal', 'resend', 'sendgrid', 'standard-webhooks', 'unisender-go'].sort(),
    );
    const metrics = alarm(template, 'hookguard-test-forgery-mailgun').Metrics as MetricQuery[];
    const stats = metrics.filter((metric) => metric.MetricStat).map((metric) => metric.MetricStat);
    expect(stats.map((stat) => dimensionsOf(stat))).toEqual([
      { Stage: 'test', Provider: 'mailgun', Outcome: 'invalid_signature' },
      { Stage: 'test', Provider: 'mailgun', Outcome: 'stale_timestamp' },
      { Stage: 'test', Provider: 'mailgun', Outcome: 'future_timestamp' },
    ]);
    for (const stat of stats) expect(stat?.Metric).toMatchObject({ Namespace: 'Hookguard', MetricName: 'Requests' });
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('FILL(f0, 0) + FILL(f1, 0) + FILL(f2, 0)');
  });

  it('alarms on authorizer refusals summed over every path with a Metrics Insights query', () => {
    const properties = alarm(template, 'hookguard-test-brute-force');
    const [query] = properties.Metrics as MetricQuery[];
    expect(query?.Expression).toBe(
      "SELECT SUM(AuthorizerDecisions) FROM SCHEMA(Hookguard, CredentialStage, Provider, Stage) WHERE Stage = 'test' AND CredentialStage = 'unknown'",
    );
    expect(query?.Period).toBe(300);
    expect(properties.Threshold).toBe(100);
  });

  it('alarms on WAF blocks of the web ACL with the configured threshold', () => {
    const properties = alarm(template, 'hookguard-test-waf-blocks');
    expect(properties).toMatchObject({ Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests', Threshold: 2000 });
    expect(Object.fromEntries((properties.Dimensions as Array<{ Name: string; Value: unknown }>).map((d) => [d.Name, d.Value]))).toEqual({
      WebACL: 'hookguard-test',
      Region: 'eu-west-1',
      Rule: 'ALL',
    });
  });

  it('alarms on a failed rotation step (RotationFailed or the rotation function failing)', () => {
    const metrics = alarm(template, 'hookguard-test-rotation-failed').Metrics as MetricQuery[];
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('FILL(failed, 0) + FILL(errors, 0)');
    expect(metrics.find((metric) => metric.Id === 'failed')?.MetricStat?.Metric).toMatchObject({
      Namespace: 'Hookguard',
      MetricName: 'RotationFailed',
      Dimensions: [{ Name: 'Stage', Value: 'test' }],
    });
    expect(dimensionsOf(metrics.find((metric) => metric.Id === 'errors')?.MetricStat)).toEqual({
      FunctionName: { Ref: expect.stringMatching(/^Rotation/) },
    });
  });

  it('alarms on an overdue rotation from the watch metric, hourly', () => {
    expect(alarm(template, 'hookguard-test-rotation-overdue')).toMatchObject({
      Namespace: 'Hookguard',
      MetricName: 'CredentialRotationOverdueHours',
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 24,
      Dimensions: [{ Name: 'Stage', Value: 'test' }],
    });
  });

  it('alarms per provider when it uses the previous credential within N hours of the grace end', () => {
    const properties = alarm(template, 'hookguard-test-previous-credential-postmark');
    const metrics = properties.Metrics as MetricQuery[];
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe(
      'IF(FILL(previous, 0) > 0 AND FILL(hoursLeft, 1000000) <= 36, 1, 0)',
    );
    expect(dimensionsOf(metrics.find((metric) => metric.Id === 'previous')?.MetricStat)).toEqual({
      Stage: 'test',
      Provider: 'postmark',
      CredentialStage: 'previous',
    });
    expect(metrics.find((metric) => metric.Id === 'hoursLeft')?.MetricStat).toMatchObject({
      Metric: { MetricName: 'PreviousCredentialHoursLeft' },
      Stat: 'Minimum',
      Period: 3600,
    });
    expect(properties.Threshold).toBe(1);
    const perProvider = [...alarmsByName(template).keys()].filter((name) => name.includes('-previous-credential-'));
    expect(perProvider).toHaveLength(Object.keys(EVERY_PROVIDER_STAGE.providers).length);
  });

  it('alarms on a silent provider only where silenceAlarmHours is set, after that many hours without data', () => {
    const silent = [...alarmsByName(template).keys()].filter((name) => name.includes('-silent-provider-'));
    expect(silent).toEqual(['hookguard-test-silent-provider-sendgrid']);
    expect(alarm(template, 'hookguard-test-silent-provider-sendgrid')).toMatchObject({
      MetricName: 'Requests',
      Dimensions: [
        { Name: 'Outcome', Value: 'accepted' },
        { Name: 'Provider', Value: 'sendgrid' },
        { Name: 'Stage', Value: 'test' },
      ],
      Period: 3600,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it.each([
    ['lambda-concurrency', { Namespace: 'AWS/Lambda', MetricName: 'ClaimedAccountConcurrency', Statistic: 'Maximum', Threshold: 800 }],
    ['put-events-retried', { Namespace: 'Hookguard', MetricName: 'PutEventsEntriesRetried', Threshold: 50 }],
    ['put-events-failed', { Namespace: 'Hookguard', MetricName: 'PutEventsEntriesFailed', Threshold: 1 }],
    ['eventbridge-throttled', { Namespace: 'AWS/Events', MetricName: 'PutEventsApproximateThrottledCount' }],
    ['dynamodb-throttled', { Namespace: 'AWS/DynamoDB', MetricName: 'WriteThrottleEvents' }],
  ])('alarms before a quota binds: %s', (name, expected) => {
    expect(alarm(template, `hookguard-test-${name}`)).toMatchObject(expected);
  });

  it('links every alarm description to a runbook section that exists in docs/operations.md', () => {
    const runbook = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'operations.md'), 'utf8');
    for (const anchor of Object.values(RUNBOOK_ANCHORS)) expect(runbook).toContain(`<a id="${anchor}"></a>`);
    for (const [name, properties] of alarmsByName(template)) {
      expect([name, properties.AlarmDescription]).toEqual([
        name,
        expect.stringMatching(/ Runbook: https:\/\/git\.example\.com\/hookguard\/blob\/main\/docs\/operations\.md#alarm-[a-z-]+$/),
      ]);
    }
  });

  it('has one composite alarm over every alarm of the stage, notifying the topic', () => {
    const [composite] = resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm');
    const properties = composite?.[1] as Properties;
    expect(properties.AlarmName).toBe('hookguard-test-health');
    expect(properties.AlarmActions).toEqual([TOPIC_ACTION, 'arn:aws:sns:eu-west-1:123456789012:pager']);
    const rule = JSON.stringify(stack.resolve(properties.AlarmRule));
    const alarmIds = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    for (const id of alarmIds) expect(rule).toContain(`"${id}","Arn"`);
    expect(rule.match(/ALARM\(/g)).toHaveLength(alarmIds.length);
  });

  it('has a dashboard whose first widget is the status of every alarm, then traffic, latency, security, DLQs', () => {
    const dashboard = resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0]?.[1] as Properties;
    expect(dashboard.DashboardName).toBe('hookguard-test');
    const text = bodyText(dashboard.DashboardBody);
    const firstWidget = text.indexOf('"type":"alarm"');
    expect(firstWidget).toBeGreaterThan(-1);
    expect(firstWidget).toBeLessThan(text.indexOf('"type":"metric"'));
    for (const id of resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([logicalId]) => logicalId)) {
      expect(text).toContain(`"${id}","Arn"`);
    }
    for (const expected of [
      "SELECT SUM(Requests) FROM SCHEMA(Hookguard, Outcome, Provider, Stage) WHERE Stage = 'test' AND Outcome = 'accepted' GROUP BY Provider",
      "SELECT SUM(EventsPublished) FROM SCHEMA(Hookguard, Provider, Stage) WHERE Stage = 'test' GROUP BY Provider",
      "WHERE Stage = 'test' AND CredentialStage != 'unknown' GROUP BY CredentialStage",
      'MetricName=\\"CountedRequests\\"',
      'MetricName=\\"BlockedRequests\\"',
      '"IntegrationLatency"',
      '"ApproximateNumberOfMessagesVisible"',
      'route-suppression-queue',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toContain('"stat":"p99"');
    expect(text).toContain('"stat":"p50"');
  });

  it('runs the credential watch hourly with DescribeSecret and ListSecretVersionIds on the credential secret only', () => {
    const watch = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('MonitoringWatch'));
    expect(watch?.[1].Environment).toEqual({
      Variables: expect.objectContaining({
        CREDENTIALS_SECRET_ARN: { Ref: expect.stringMatching(/^SecretsCredentials/) },
        HOOKGUARD_STAGE: 'test',
        ROTATION_DAYS: '14',
        GRACE_PERIOD_HOURS: '48',
      }),
    });
    const schedule = resourcesOf(template, 'AWS::Events::Rule').find(([id]) => id.startsWith('MonitoringWatchSchedule'));
    expect(schedule?.[1].ScheduleExpression).toBe('rate(1 hour)');
    const statements = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('MonitoringWatch'))
      .flatMap(([, properties]) => (properties.PolicyDocument as { Statement: Properties[] }).Statement);
    const secretStatements = statements.filter((statement) => JSON.stringify(statement.Action).includes('secretsmanager'));
    expect(secretStatements).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
        Resource: { Ref: expect.stringMatching(/^SecretsCredentials/) },
      }),
    ]);
    expect(JSON.stringify(statements)).not.toContain('GetSecretValue');
    expect(JSON.stringify(statements)).not.toContain('kms:Decrypt');
  });

  it('publishes the outputs hookguard status reads', () => {
    for (const key of MONITORING_OUTPUT_KEYS) expect(template.findOutputs(key)).not.toEqual({});
    template.hasOutput('AlarmNamePrefix', { Value: 'hookguard-test-' });
    const queues = JSON.stringify(stack.resolve(template.findOutputs('DeadLetterQueueUrls').DeadLetterQueueUrls?.Value));
    expect(queues).toContain('route-suppression=');
    expect(queues).toContain('route-suppression-queue=');
  });
});

describe('HookguardMonitoring configuration', () => {
  it('creates no alarm that the configuration switches off, and takes overridden periods', () => {
    const { template } = stackOf({
      providers: { mailgun: {}, postmark: {} },
      monitoring: {
        alarms: {
          wafBlocks: false,
          forgery: { enabled: false },
          bruteForce: { threshold: 7, evaluationPeriods: 3, datapointsToAlarm: 2 },
        },
      },
    });
    const names = [...alarmsByName(template).keys()];
    expect(names.some((name) => name.includes('waf-blocks'))).toBe(false);
    expect(names.some((name) => name.includes('forgery'))).toBe(false);
    expect(alarm(template, 'hookguard-test-brute-force')).toMatchObject({ Threshold: 7, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    // Unconfigured: only the stage topic, no subscription.
    expect(resourcesOf(template, 'AWS::SNS::Subscription')).toEqual([]);
    expect(alarm(template, 'hookguard-test-api-errors').AlarmActions).toEqual([TOPIC_ACTION]);
  });

  it('keeps a quiet stage quiet: every default threshold needs something to happen', () => {
    for (const id of ALARM_IDS) {
      const setting = DEFAULT_ALARMS[id];
      expect([id, setting.threshold > 0]).toEqual([id, true]);
    }
  });
});

describe('HookguardMonitoring props', () => {
  function props(stack: Stack, overrides: Partial<HookguardMonitoringProps> = {}): HookguardMonitoringProps {
    return {
      stage: 'dev',
      namePrefix: 'hookguard-dev',
      alerting: defaultAlerting('dev'),
      providers: [{ id: 'mailgun', signed: true }],
      restApiName: 'hookguard-dev',
      apiStageName: 'dev',
      authorizer: inlineFunction(stack, 'A'),
      verifier: inlineFunction(stack, 'V'),
      verifierTimeout: Duration.seconds(25),
      rotation: inlineFunction(stack, 'R'),
      webAclName: 'hookguard-dev',
      dedupeTable: new dynamodb.Table(stack, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
      credentialsSecret: new secretsmanager.Secret(stack, 'S'),
      rotationDays: 30,
      gracePeriodHours: 72,
      logRetentionDays: 30,
      ...overrides,
    };
  }

  it('names every problem at once', () => {
    const stack = testStack();
    let error: unknown;
    try {
      new HookguardMonitoring(
        stack,
        'M',
        props(stack, {
          stage: 'bad stage',
          rotationDays: 0,
          logRetentionDays: 2,
          providers: [
            { id: 'mailgun', signed: true, silenceAlarmHours: 200 },
            { id: 'mailgun', signed: true },
          ],
        }),
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidPropsError);
    const problems = (error as InvalidPropsError).problems.join('\n');
    expect(problems).toContain('stage must be');
    expect(problems).toContain('rotationDays');
    expect(problems).toContain('logRetentionDays');
    expect(problems).toContain('silenceAlarmHours');
    expect(problems).toContain('"mailgun" twice');
  });

  it('takes dead-letter queues added after construction into its alarms, composite, dashboard and outputs', () => {
    const stack = testStack();
    const monitoring = new HookguardMonitoring(stack, 'M', props(stack));
    const bus = new sqs.Queue(stack, 'BusDlq');
    const added = monitoring.addDeadLetterQueue({ name: 'bus', queue: bus });
    expect(added).toBeDefined();
    expect(() => monitoring.addDeadLetterQueue({ name: 'bus', queue: bus })).toThrow(/already monitored/);
    expect(() => monitoring.addDeadLetterQueue({ name: 'bad name', queue: bus })).toThrow(/letters, digits/);
    const template = Template.fromStack(stack);
    expect(alarm(template, 'hookguard-dev-dead-letters-bus')).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible' });
    const logicalId = stack.getLogicalId(added?.node.defaultChild as never);
    const composite = resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm')[0]?.[1] as Properties;
    expect(JSON.stringify(stack.resolve(composite.AlarmRule))).toContain(`"${logicalId}","Arn"`);
    const dashboard = resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0]?.[1] as Properties;
    expect(bodyText(dashboard.DashboardBody)).toContain('"label":"bus"');
    expect(monitoring.alarmsOf('deadLetters').map((entry) => entry.subject)).toEqual(['bus']);
  });

  it('alarms when no canary is confirmed, only once the canary is wired with addCanaryAlarm', () => {
    const stack = testStack();
    const monitoring = new HookguardMonitoring(stack, 'M', props(stack));
    expect(monitoring.alarmsOf('canary')).toEqual([]);
    const added = monitoring.addCanaryAlarm();
    expect(() => monitoring.addCanaryAlarm()).toThrow(/already exists/);
    const template = Template.fromStack(stack);
    expect(alarm(template, 'hookguard-dev-canary')).toMatchObject({
      Namespace: 'Hookguard',
      MetricName: 'CanaryDelivered',
      Dimensions: [{ Name: 'Stage', Value: 'dev' }],
      Statistic: 'Sum',
      Period: 600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    const logicalId = stack.getLogicalId(added?.node.defaultChild as never);
    const composite = resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm')[0]?.[1] as Properties;
    expect(JSON.stringify(stack.resolve(composite.AlarmRule))).toContain(`"${logicalId}","Arn"`);
    const dashboard = resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0]?.[1] as Properties;
    expect(bodyText(dashboard.DashboardBody)).toContain('"CanaryLatency"');
  });

  it('creates the canary alarm with the canary function only, its period two runs when they are rarer than 5 minutes', () => {
    const off = stackOf({ providers: { mailgun: {} } });
    expect([...alarmsByName(off.template).keys()].some((name) => name.endsWith('-canary'))).toBe(false);
    // On, but no provider can carry it (SendGrid signs with a private key only it holds): no function, no alarm.
    const none = stackOf({ providers: { sendgrid: {} }, monitoring: { canary: true } });
    expect([...alarmsByName(none.template).keys()].some((name) => name.endsWith('-canary'))).toBe(false);
    const on = stackOf({ providers: { mailgun: {} }, monitoring: { canary: { enabled: true, intervalMinutes: 20 } } });
    expect(alarm(on.template, 'hookguard-test-canary')).toMatchObject({ MetricName: 'CanaryDelivered', Period: 2400 });
  });

  it('covers every alarm id with a runbook anchor and a default', () => {
    for (const id of ALARM_IDS) {
      expect(RUNBOOK_ANCHORS[id as AlarmId]).toMatch(/^alarm-/);
      expect(DEFAULT_ALARMS[id].periodSeconds).toBeGreaterThan(0);
    }
  });
});
