import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { CredentialRotation, type CredentialRotationProps } from '../../../lib/constructs/credential-rotation';
import { WebhookFunction } from '../../../lib/constructs/webhook-function';
import { WebhookSecrets } from '../../../lib/constructs/webhook-secrets';
import { resourcesOf, testStack } from '../support/infra-fixtures';

const ENTRY = path.join(__dirname, '..', 'fixtures', 'sdk-handler.ts');

function build(overrides: Partial<CredentialRotationProps> = {}): Template {
  const stack = testStack();
  const secrets = new WebhookSecrets(stack, 'Secrets', { stage: 'dev', username: 'hookguard' });
  const rotationFunction = new WebhookFunction(stack, 'Rotation', {
    entry: ENTRY,
    stageName: 'dev',
    logRetentionDays: 30,
    noDeadLetterQueueReason: 'Only Secrets Manager invokes it, step by step.',
  });
  const restApi = apigw.RestApi.fromRestApiId(stack, 'Api', 'abc123');
  new CredentialRotation(stack, 'CredentialRotation', {
    secrets,
    rotationFunction,
    restApi,
    stageName: 'dev',
    rotationDays: 30,
    ...overrides,
  });
  return Template.fromStack(stack);
}

describe('CredentialRotation', () => {
  let template: Template;

  beforeAll(() => {
    template = build();
  });

  it('rotates the Basic credential with the rotation function every configured number of days', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^SecretsCredentials') },
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RotationFunction'), 'Arn'] },
      RotationRules: { AutomaticallyAfterDays: 30 },
    });
  });

  it('does not rotate just because the stack was deployed', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotateImmediatelyOnUpdate: false });
  });

  it('lets Secrets Manager of this account invoke the function before the schedule exists', () => {
    const [permissionId] = resourcesOf(template, 'AWS::Lambda::Permission').find(
      ([, properties]) => properties.Principal === 'secretsmanager.amazonaws.com',
    ) as [string, Record<string, unknown>];
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '123456789012',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RotationFunction'), 'Arn'] },
    });
    template.hasResource('AWS::SecretsManager::RotationSchedule', { DependsOn: Match.arrayWith([permissionId]) });
  });

  it('may flush exactly this stage authorizer cache and announce on the default bus', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^RotationRoleDefaultPolicy'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'apigateway:DELETE',
            Effect: 'Allow',
            Resource: 'arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/dev/cache/authorizers',
          },
          {
            Action: 'events:PutEvents',
            Effect: 'Allow',
            Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
          },
        ]),
      },
    });
  });

  it('may run the rotation steps on the credential, and nothing with a wildcard', () => {
    const [, policy] = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith('RotationRoleDefaultPolicy'),
    ) as [string, { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } }];
    const actions = policy.PolicyDocument.Statement.flatMap((statement) => statement.Action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ]),
    );
    expect(actions).not.toContain('secretsmanager:GetRandomPassword');
    for (const statement of policy.PolicyDocument.Statement) expect(statement.Resource).not.toBe('*');
  });

  it('leaves the secret without the account-wide delete deny the L2 schedule would add', () => {
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });

  it.each<[Partial<CredentialRotationProps>, RegExp]>([
    [{ rotationDays: 0 }, /rotationDays must be a whole number from 1 to 1000, got 0/],
    [{ rotationDays: 1001 }, /rotationDays must be a whole number from 1 to 1000, got 1001/],
    [{ stageName: 'dev/1' }, /stageName must be an API Gateway stage name/],
    [{ managedProviders: {} }, /managedProviders needs the provider-API-keys secret/],
    [
      { managedProviders: { snsTopicArns: ['arn:aws:sqs:eu-west-1:123456789012:queue'] } },
      /managedProviders.snsTopicArns\[0\] must be an SNS topic ARN/,
    ],
  ])('rejects %p', (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});
