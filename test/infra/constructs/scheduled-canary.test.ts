import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SCHEDULED_CANARY_RECIPIENT } from '../../../lambda/core/canary';
import { Hookguard, type HookguardProps } from '../../../lib/constructs/hookguard';
import { InvalidPropsError } from '../../../lib/constructs/props-validation';
import { CANARY_WAIT_SECONDS, chooseCanaryProvider } from '../../../lib/constructs/scheduled-canary';
import { computeCost, DEFAULT_INPUTS, readTemplateFacts } from '../../../bench/lib/cost';
import { parseConfig } from '../../../lib/config';
import { HookguardStack, stackNameOf } from '../../../lib/stacks/hookguard-stack';
import { resourcesOf, testApp, testStack } from '../support/infra-fixtures';

type Properties = Record<string, unknown>;

function synth(props: HookguardProps) {
  const stack = testStack(testApp());
  const hooks = new Hookguard(stack, 'Hooks', props);
  return { stack, hooks, template: Template.fromStack(stack) };
}

/** The canary function's properties (the one whose environment names a canary provider). */
function canaryFunction(template: Template): Properties | undefined {
  return resourcesOf(template, 'AWS::Lambda::Function')
    .map(([, properties]) => properties)
    .find((properties) => (properties.Environment as { Variables?: Properties } | undefined)?.Variables?.CANARY_PROVIDER);
}

describe('the scheduled canary in a Hookguard stage', () => {
  it("reads the stage's path token when it has one, so it posts where the gateway serves", () => {
    const { stack, hooks, template } = synth({ stage: 'prod', pathToken: true, providers: { mailgun: {} } });
    const variables = (canaryFunction(template)?.Environment as { Variables: Properties }).Variables;
    expect(hooks.pathTokenSecret).toBeDefined();
    expect(stack.resolve(variables.PATH_TOKEN_SECRET_ARN)).toEqual(stack.resolve(hooks.pathTokenSecret?.secretArn));
    const tokenArn = JSON.stringify(stack.resolve(hooks.pathTokenSecret?.secretArn));
    const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(
      ([, properties]) => (properties.PolicyDocument as { Statement: Properties[] }).Statement,
    );
    expect(
      statements.some(
        (statement) => JSON.stringify(statement.Action).includes('secretsmanager:GetSecretValue') && JSON.stringify(statement.Resource).includes(tokenArn),
      ),
    ).toBe(true);
  });


  it('is on for a prod stage: a schedule every 5 minutes, the function, its queue and rule, the alarm', () => {
    // Act
    const { stack, hooks, template } = synth({ stage: 'prod', providers: { mailgun: {}, postmark: {} } });

    // Assess: the schedule invokes the function every 5 minutes, without retries
    const fn = canaryFunction(template);
    expect(fn).toBeDefined();
    const fnId = resourcesOf(template, 'AWS::Lambda::Function').find(([, properties]) => properties === fn)?.[0];
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0 },
      },
    });
    // It posts as mailgun (the first provider that can carry it), through the public URL, signed with the stage key
    const variables = (fn?.Environment as { Variables: Properties }).Variables;
    expect(variables).toMatchObject({
      HOOKGUARD_STAGE: 'prod',
      CANARY_PROVIDER: 'mailgun',
      CANARY_WAIT_SECONDS: String(CANARY_WAIT_SECONDS),
      CREDENTIALS_SECRET_ARN: { Ref: expect.stringMatching(/SecretsCredentials/) },
      SIGNING_KEYS_SECRET_ARN: { Ref: expect.stringMatching(/SecretsSigningKeys/) },
    });
    expect(JSON.parse(variables.CANARY_PROVIDER_SETTINGS as string)).toMatchObject({ auth: 'both' });
    expect(JSON.stringify(stack.resolve(variables.CANARY_BASE_URL))).toBe(JSON.stringify(stack.resolve(hooks.url)));
    // Its own queue, fed by a rule that matches scheduled canary events only
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['hookguard.canary'], detail: { recipient: [SCHEDULED_CANARY_RECIPIENT] } },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: Match.anyValue() })],
    });
    // It may read and delete from its queue, read the credential and the signing keys: nothing more on them
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^HooksCanaryFunctionRoleDefaultPolicy'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: Match.stringLikeRegexp('SigningKeys') } }),
          Match.objectLike({
            Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HooksCanaryQueue'), 'Arn'] },
          }),
        ]),
      },
    });
    // The alarm and the dashboard widget
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, properties]) => properties);
    expect(alarms.find((alarm) => alarm.AlarmName === 'hookguard-prod-canary')).toMatchObject({
      MetricName: 'CanaryDelivered',
      Period: 600,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(hooks.canary?.function.function).toBeDefined();
  });

  it("is what the cost model bills: the schedule's rate and the function's memory, read from the stack template", () => {
    const templateOf = (stage: string) => {
      const config = parseConfig({ stages: { [stage]: { providers: { mailgun: {} } } } }).stages[stage];
      if (config === undefined) throw new Error('no stage');
      const stack = new HookguardStack(testApp(), stackNameOf(stage), { config, env: { account: '123456789012', region: 'eu-west-1' } });
      return Template.fromStack(stack).toJSON();
    };
    const facts = readTemplateFacts(templateOf('prod'));
    expect(facts.canary).toEqual({ intervalMinutes: 5, memoryMb: 256 });
    const line = computeCost(facts, DEFAULT_INPUTS).lines.find((entry) => entry.service === 'Canary');
    expect(line).toMatchObject({ quantity: (730 * 60) / 5, source: 'template' });
    expect(readTemplateFacts(templateOf('dev')).canary).toBeNull();
  });

  it('is off for other stages unless configured, and follows intervalMinutes (alarm period at least two runs)', () => {
    const dev = synth({ stage: 'dev', providers: { mailgun: {} } });
    expect(canaryFunction(dev.template)).toBeUndefined();
    expect(resourcesOf(dev.template, 'AWS::Scheduler::Schedule')).toEqual([]);
    expect(dev.hooks.canary).toBeUndefined();

    const { template } = synth({ stage: 'dev', providers: { postmark: {} }, monitoring: { canary: { enabled: true, intervalMinutes: 15 } } });
    expect(canaryFunction(template)).toBeDefined();
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(15 minutes)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'hookguard-dev-canary', Period: 1800 });
    // An unsigned provider: no signing key to read
    const variables = (canaryFunction(template)?.Environment as { Variables: Properties }).Variables;
    expect(variables.SIGNING_KEYS_SECRET_ARN).toBeUndefined();
  });

  it('skips providers behind an IP allow-list or that it cannot sign for, and says so when none is left', () => {
    const { template } = synth({
      stage: 'prod',
      providers: { sendgrid: {}, mailgun: { allowedCidrs: ['203.0.113.0/24'] }, sparkpost: {} },
    });
    expect((canaryFunction(template)?.Environment as { Variables: Properties }).Variables.CANARY_PROVIDER).toBe('sparkpost');

    const stack = testStack(testApp());
    const hooks = new Hookguard(stack, 'Hooks', { stage: 'prod', providers: { sendgrid: {}, 'amazon-ses': { snsTopicArns: ['arn:aws:sns:eu-west-1:123456789012:ses'] } } });
    expect(hooks.canary).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('has no scheduled canary: no enabled provider can carry the canary \\(amazon-ses: only Amazon SNS .*; sendgrid: SendGrid signs'));
    expect(resourcesOf(Template.fromStack(stack), 'AWS::Scheduler::Schedule')).toEqual([]);
  });

  it('uses monitoring.canary.provider when set, and refuses one that cannot carry the canary', () => {
    const { template } = synth({ stage: 'prod', providers: { mailgun: {}, brevo: {} }, monitoring: { canary: { provider: 'brevo' } } });
    expect((canaryFunction(template)?.Environment as { Variables: Properties }).Variables.CANARY_PROVIDER).toBe('brevo');
    expect(() =>
      synth({ stage: 'prod', providers: { mailgun: {}, sendgrid: {} }, monitoring: { canary: { provider: 'sendgrid' } } }),
    ).toThrow(InvalidPropsError);
    expect(() =>
      synth({ stage: 'prod', providers: { mailgun: {} }, monitoring: { canary: { provider: 'brevo' } } }),
    ).toThrow(/monitoring\.canary\.provider brevo is not an enabled provider/);
  });
});

describe('chooseCanaryProvider', () => {
  it('takes the first provider (in the order of the resolved configuration) that can carry the canary', () => {
    const open = { auth: 'both' as const, allowedCidrs: [] as string[] };
    expect(chooseCanaryProvider({ sendgrid: open, postal: open, resend: open })).toEqual({ provider: 'resend' });
    expect(chooseCanaryProvider({ sendgrid: { ...open, auth: 'basic' } })).toEqual({ provider: 'sendgrid' });
    expect(chooseCanaryProvider({ mailgun: { ...open, allowedCidrs: ['192.0.2.0/24'] } })).toEqual({
      problem: expect.stringMatching(/mailgun: its route has an IP allow-list/),
    });
  });
});
