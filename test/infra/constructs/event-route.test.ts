import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import type { RouteConfig } from '../../../lib/config/types';
import { EventRoute, type EventRouteProps, ROUTE_QUEUE_MAX_RECEIVE_COUNT } from '../../../lib/constructs/event-route';
import { resourcesOf, testStack } from '../support/infra-fixtures';

const BASE_ROUTE = {
  name: 'suppression',
  eventPattern: { 'detail-type': ['email.bounced', 'email.complained'] },
  retryAttempts: 4,
  maxEventAgeHours: 6,
} as const;

function build(route: Partial<RouteConfig>, stack: Stack = testStack()): { template: Template; route: EventRoute } {
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'hookguard-dev' });
  const props: EventRouteProps = {
    eventBus: bus,
    namePrefix: 'hookguard-dev',
    logRetentionDays: 14,
    route: { ...BASE_ROUTE, target: { type: 'sqs' }, ...route } as RouteConfig,
  };
  const built = new EventRoute(stack, 'Route', props);
  return { template: Template.fromStack(stack), route: built };
}

type Properties = Record<string, unknown>;

/** The queue whose logical id is `prefix` plus CDK's hash. */
function queue(template: Template, prefix: string): [string, Properties] {
  const found = resourcesOf(template, 'AWS::SQS::Queue').filter(([id]) =>
    new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
  );
  if (found.length !== 1) throw new Error(`expected one queue ${prefix}, found ${found.length}`);
  return found[0] as [string, Properties];
}

describe('EventRoute', () => {
  describe.each(['sqs', 'lambda', 'eventBus', 'logs'] as const)('with a %s target', (type) => {
    const targets = {
      sqs: { type: 'sqs' },
      lambda: { type: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:consumer' },
      eventBus: { type: 'eventBus', eventBusArn: 'arn:aws:events:eu-west-1:210987654321:event-bus/analytics' },
      logs: { type: 'logs' },
    } as const;
    let template: Template;

    beforeAll(() => {
      template = build({ target: targets[type] }).template;
    });

    it('matches only Hookguard events of the configured pattern', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: Match.stringLikeRegexp('^Bus') },
        EventPattern: { source: ['hookguard'], 'detail-type': ['email.bounced', 'email.complained'] },
        State: 'ENABLED',
      });
    });

    it('retries the target as configured, then dead-letters to an encrypted queue', () => {
      const [dlqId] = queue(template, 'RouteDeadLetterQueue');
      const rule = resourcesOf(template, 'AWS::Events::Rule')[0] as [string, Properties];
      const target = (rule[1].Targets as Properties[])[0] as Properties;
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
      if (type === 'eventBus') {
        // EventBridge takes no retry policy for bus targets.
        expect(target.RetryPolicy).toBeUndefined();
      } else {
        expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 6 * 3600 });
      }
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });

    it('lets only this rule write to the DLQ, over TLS only', () => {
      const [dlqId] = queue(template, 'RouteDeadLetterQueue');
      const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy').filter(([, properties]) =>
        JSON.stringify(properties.Queues).includes(dlqId),
      );
      expect(policies).toHaveLength(1);
      const statements = ((policies[0] as [string, Properties])[1].PolicyDocument as { Statement: Properties[] })
        .Statement;
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^RouteRule/), 'Arn'] } },
            },
          }),
        ]),
      );
    });
  });

  describe('sqs target', () => {
    let template: Template;
    let built: EventRoute;

    beforeAll(() => {
      ({ template, route: built } = build({ target: { type: 'sqs', queueName: 'suppression-list' } }));
    });

    it('delivers to a queue the stack creates, encrypted, TLS-only, with its own DLQ', () => {
      const [queueId, properties] = queue(template, 'RouteQueue');
      const [queueDlqId] = queue(template, 'RouteQueueDeadLetterQueue');
      expect(properties).toMatchObject({
        QueueName: 'suppression-list',
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [queueDlqId, 'Arn'] },
          maxReceiveCount: ROUTE_QUEUE_MAX_RECEIVE_COUNT,
        },
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })],
      });
      expect(built.queue).toBeDefined();
      expect(built.queueDeadLetterQueue).toBeDefined();
    });

    it('lets EventBridge send to the queue for this rule only', () => {
      const [queueId] = queue(template, 'RouteQueue');
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: Match.arrayWith(['sqs:SendMessage']),
              Principal: { Service: 'events.amazonaws.com' },
              Condition: {
                ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^RouteRule'), 'Arn'] } },
              },
            }),
          ]),
        },
      });
    });

    it('retains the queues', () => {
      for (const [, resource] of Object.entries(template.findResources('AWS::SQS::Queue'))) {
        expect((resource as { DeletionPolicy: string }).DeletionPolicy).toBe('RetainExceptOnCreate');
      }
    });
  });

  it('invokes an existing function with permission for this rule only', () => {
    const { template } = build({
      target: { type: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:consumer' },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:consumer' })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:consumer',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RouteRule'), 'Arn'] },
    });
  });

  it('forwards to another bus through a role that may put events on that bus only', () => {
    const arn = 'arn:aws:events:eu-west-1:210987654321:event-bus/analytics';
    const { template } = build({ target: { type: 'eventBus', eventBusArn: arn } });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: arn, RoleArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: arn }] },
    });
  });

  describe('logs target', () => {
    let template: Template;

    beforeAll(() => {
      template = build({ target: { type: 'logs' } }).template;
    });

    it('writes to a log group the stack creates under /aws/events/, with the configured retention', () => {
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: { LogGroupName: '/aws/events/hookguard-dev-suppression', RetentionInDays: 14 },
        DeletionPolicy: 'RetainExceptOnCreate',
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [
          Match.objectLike({
            Arn: {
              'Fn::Join': [
                '',
                ['arn:aws:logs:eu-west-1:123456789012:log-group:', { Ref: Match.stringLikeRegexp('^RouteLogGroup') }],
              ],
            },
          }),
        ],
      });
    });

    it('lets EventBridge write to the group through a native resource policy (no custom resource Lambda)', () => {
      const policy = JSON.stringify(resourcesOf(template, 'AWS::Logs::ResourcePolicy')[0]?.[1].PolicyDocument);
      // The document is a JSON string with the group ARN and the rule ARN joined in.
      expect(policy).toContain('\\"Action\\":[\\"logs:CreateLogStream\\",\\"logs:PutLogEvents\\"]');
      expect(policy).toContain('\\"Principal\\":{\\"Service\\":\\"events.amazonaws.com\\"}');
      expect(policy).toMatch(/aws:SourceArn.*"Fn::GetAtt":\["RouteRule[0-9A-F]{8}","Arn"\]/);
      expect(policy).toMatch(/"Fn::GetAtt":\["RouteLogGroup[0-9A-F]{8}","Arn"\]/);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      template.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
    });

    it('uses the configured log group name when given', () => {
      const named = build({ target: { type: 'logs', logGroupName: '/aws/events/email-audit' } }).template;
      named.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/events/email-audit' });
    });
  });

  it.each<[string, Partial<RouteConfig>, RegExp]>([
    ['a name with spaces', { name: 'my route' }, /route.name must be letters, digits, - or _/],
    ['too many retries', { retryAttempts: 186 }, /route.retryAttempts must be a whole number from 0 to 185, got 186/],
    [
      'an event age over 24 hours',
      { maxEventAgeHours: 25 },
      /route.maxEventAgeHours must be a whole number from 1 to 24/,
    ],
    ['an empty pattern', { eventPattern: {} }, /route.eventPattern must be a non-empty object/],
    [
      'a pattern that sets the source',
      { eventPattern: { source: ['other'] } },
      /route.eventPattern.source is set by Hookguard/,
    ],
    [
      'a function ARN that is not one',
      { target: { type: 'lambda', functionArn: 'consumer' } },
      /route.target.functionArn must be a Lambda function ARN, got "consumer"/,
    ],
    [
      'a function in another region',
      { target: { type: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:consumer' } },
      /functionArn is in us-east-1, the stack in eu-west-1/,
    ],
    [
      'a function in another account',
      { target: { type: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:999999999999:function:consumer' } },
      /functionArn is in account 999999999999, the stack in 123456789012/,
    ],
    [
      'a bus ARN that is not one',
      { target: { type: 'eventBus', eventBusArn: 'arn:aws:sqs:eu-west-1:123456789012:queue' } },
      /route.target.eventBusArn must be an event bus ARN/,
    ],
    [
      'a queue name with dots',
      { target: { type: 'sqs', queueName: 'a.b' } },
      /route.target.queueName must be an SQS queue name/,
    ],
  ])('rejects %s', (_case, route, message) => {
    expect(() => build(route)).toThrow(message);
  });

  it('reports every problem at once', () => {
    expect(() => build({ name: '', retryAttempts: -1, maxEventAgeHours: 0 })).toThrow(/3 problems/);
  });
});
