import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GENERATED_PASSWORD_LENGTH, WebhookSecrets } from '../../../lib/constructs/webhook-secrets';
import { resourcesOf, testStack } from '../support/infra-fixtures';

describe('WebhookSecrets', () => {
  let template: Template;

  beforeAll(() => {
    const stack = testStack();
    const secrets = new WebhookSecrets(stack, 'Secrets', { stage: 'dev', username: 'hookguard' });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    secrets.grantReadCredentials(reader);
    secrets.grantReadSigningKeys(reader);
    const rotator = new iam.Role(stack, 'Rotator', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    secrets.grantRotateCredentials(rotator);
    template = Template.fromStack(stack);
  });

  it('creates a customer-managed key with automatic rotation, kept when the stack goes', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/hookguard-dev' });
  });

  it('generates the Basic credential at deploy time: the username and 40 alphanumeric characters', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        Name: 'hookguard/dev/basic-credentials',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] },
        GenerateSecretString: {
          SecretStringTemplate: JSON.stringify({ username: 'hookguard' }),
          GenerateStringKey: 'password',
          PasswordLength: GENERATED_PASSWORD_LENGTH,
          ExcludePunctuation: true,
          IncludeSpace: false,
        },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
    });
    expect(GENERATED_PASSWORD_LENGTH).toBe(40);
  });

  it('never puts a credential in the template', () => {
    const [, credentials] = resourcesOf(template, 'AWS::SecretsManager::Secret').find(
      ([, properties]) => properties.Name === 'hookguard/dev/basic-credentials',
    ) as [string, Record<string, unknown>];
    expect(credentials.SecretString).toBeUndefined();
  });

  it('starts the signing keys secret as an empty JSON object under the same key', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        Name: 'hookguard/dev/signing-keys',
        SecretString: '{}',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
    });
  });

  it('lets readers read staged credential versions and the signing keys, and decrypt only through Secrets Manager', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            // Exactly what the credential source calls: no ListSecretVersionIds.
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Effect: 'Allow',
            Resource: { Ref: Match.stringLikeRegexp('^SecretsCredentials') },
          },
          {
            Action: 'kms:Decrypt',
            Condition: {
              StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
            },
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] },
          },
          {
            Action: 'secretsmanager:GetSecretValue',
            Effect: 'Allow',
            Resource: { Ref: Match.stringLikeRegexp('^SecretsSigningKeys') },
          },
        ]),
      },
    });
  });

  it('lets the rotator run the rotation steps on the credential only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Rotator') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: [
              'secretsmanager:DescribeSecret',
              'secretsmanager:GetSecretValue',
              'secretsmanager:PutSecretValue',
              'secretsmanager:UpdateSecretVersionStage',
            ],
            Effect: 'Allow',
            Resource: { Ref: Match.stringLikeRegexp('^SecretsCredentials') },
          },
          Match.objectLike({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] }),
        ]),
      },
    });
    const rotatorPolicy = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith('Rotator'));
    expect(JSON.stringify(rotatorPolicy)).not.toContain('SigningKeys');
    expect(JSON.stringify(rotatorPolicy)).not.toContain('GetRandomPassword');
  });

  it.each([
    [{ stage: 'dev stage', username: 'hookguard' }, /stage must be letters, digits or -/],
    [{ stage: 'dev', username: 'hook:guard' }, /username must be letters, digits, ., _ or -.*"hook:guard"/],
  ])('rejects %p', (props, message) => {
    expect(() => new WebhookSecrets(testStack(), 'Secrets', props)).toThrow(message);
  });
});
