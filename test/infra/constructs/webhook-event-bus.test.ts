import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { WebhookEventBus, type WebhookEventBusProps } from '../../../lib/constructs/webhook-event-bus';
import { testStack } from '../support/infra-fixtures';

function busProps(overrides: Partial<WebhookEventBusProps> = {}): WebhookEventBusProps {
  return { eventBusName: 'hookguard-dev', archiveName: 'hookguard-dev', archiveRetentionDays: 30, ...overrides };
}

describe('WebhookEventBus', () => {
  let template: Template;

  beforeAll(() => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bus = new WebhookEventBus(stack, 'Events', busProps({ encryptionKey: key }));
    const publisher = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    bus.grantPublish(publisher);
    template = Template.fromStack(stack);
  });

  it('creates the named bus encrypted with the given key, retained', () => {
    template.hasResource('AWS::Events::EventBus', {
      Properties: {
        Name: 'hookguard-dev',
        KmsKeyIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
    });
  });

  it('archives every hookguard event for the configured days, encrypted, retained', () => {
    template.hasResource('AWS::Events::Archive', {
      Properties: {
        ArchiveName: 'hookguard-dev',
        EventPattern: { source: ['hookguard'] },
        RetentionDays: 30,
        KmsKeyIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      DependsOn: [Match.stringLikeRegexp('^EventsBus')],
    });
  });

  it('keeps archived events forever when the retention is 0', () => {
    const stack = testStack();
    new WebhookEventBus(stack, 'Events', busProps({ archiveRetentionDays: 0 }));
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', { RetentionDays: 0 });
  });

  it('lets EventBridge use the key for this bus only', () => {
    const busArn = 'arn:aws:events:eu-west-1:123456789012:event-bus/hookguard-dev';
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': '123456789012',
                'aws:SourceArn': busArn,
                'kms:EncryptionContext:aws:events:event-bus:arn': busArn,
              },
            },
          }),
        ]),
      },
    });
  });

  it('grants PutEvents on this bus only, and the key only through EventBridge', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'events:PutEvents',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsBus'), 'Arn'] },
          },
          {
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'kms:ViaService': 'events.eu-west-1.amazonaws.com' } },
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
          },
        ],
      },
    });
  });

  it.each<[Partial<WebhookEventBusProps>, RegExp]>([
    [{ archiveRetentionDays: -1 }, /archiveRetentionDays must be a whole number from 0/],
    [{ archiveRetentionDays: 1.5 }, /archiveRetentionDays/],
    [{ archiveName: 'a'.repeat(49) }, /archiveName must be an archive name \(up to 48\)/],
    [{ eventBusName: 'bad name' }, /eventBusName must be a bus name, got "bad name"/],
  ])('rejects %p', (overrides, message) => {
    expect(() => new WebhookEventBus(testStack(), 'Events', busProps(overrides))).toThrow(message);
  });
});
