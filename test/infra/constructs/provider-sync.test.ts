/**
 * What the stack adds for managed providers (docs/provider-sync.md): the provider-API-keys secret under the stage's
 * key, the rotation function's environment, timeout and least-privilege grants, and nothing of it otherwise. The
 * management registry's entries are swapped for fixed ones (this file has its own module registry under jest), so
 * the test does not change as management clients are added.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import { MANAGEMENT_MODULES } from '../../../lambda/management';
import type { ManagementModule } from '../../../lambda/management/types';
import { HookguardStack, stackNameOf } from '../../../lib/stacks/hookguard-stack';
import { resourcesOf, stageConfig, testApp } from '../support/infra-fixtures';

const registry = MANAGEMENT_MODULES as Map<ProviderId, ManagementModule>;
const registered = [...registry.entries()];
const fakeModule = (provider: ProviderId, options: Record<string, string> = {}): ManagementModule => ({
  provider,
  placement: 'url-userinfo',
  keyFields: provider === 'amazon-ses' ? [] : ['apiKey'],
  keyScope: 'webhooks only',
  options,
  sources: [],
  create: () => {
    throw new Error('not used at synth');
  },
});

beforeAll(() => {
  registry.clear();
  registry.set('sendgrid', fakeModule('sendgrid'));
  registry.set('amazon-ses', fakeModule('amazon-ses', { topicArn: 'The SNS topic; default: the only topic of snsTopicArns.' }));
});
afterAll(() => {
  registry.clear();
  for (const [provider, module] of registered) registry.set(provider, module);
});

const ENV = { account: '123456789012', region: 'eu-west-1' };
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-events';
const OTHER_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-other';

function stackWith(providers: Record<string, unknown>): HookguardStack {
  const config = stageConfig({ providers });
  return new HookguardStack(testApp(), stackNameOf(config.stage), { config, env: ENV });
}

function synth(providers: Record<string, unknown>): Template {
  return Template.fromStack(stackWith(providers));
}

function rotationFunction(template: Template): Record<string, unknown> {
  const [, properties] = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) =>
    id.startsWith('RotationFunction'),
  ) as [string, Record<string, unknown>];
  return properties;
}

/** The statements of every policy on the rotation function's role. */
function rotationStatements(template: Template): Array<{ Action: unknown; Resource: unknown }> {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith('RotationRoleDefaultPolicy') || id.startsWith('CredentialRotationSnsSubscriptions'))
    .flatMap(([, policy]) => (policy as { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } }).PolicyDocument.Statement);
}

describe('managed providers in the stack', () => {
  let managed: Template;

  beforeAll(() => {
    managed = synth({
      sendgrid: { managed: { webhookIds: ['wh-1'] } },
      'amazon-ses': { snsTopicArns: [TOPIC, OTHER_TOPIC], managed: { options: { topicArn: TOPIC } } },
      postmark: {},
    });
  });

  it('creates the provider-API-keys secret, empty, under the stage key, and outputs its ARN', () => {
    managed.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'hookguard/test/provider-api-keys',
      SecretString: '{}',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] },
    });
    managed.hasOutput('ProviderApiKeysSecretArn', { Value: { Ref: Match.stringLikeRegexp('^SecretsProviderApiKeys') } });
  });

  it("gives the rotation function the managed blocks, the keys secret and the stage's URL, never a key", () => {
    const properties = rotationFunction(managed);
    const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.parse(variables.MANAGED_PROVIDERS as string)).toEqual({
      'amazon-ses': { options: { topicArn: TOPIC } },
      sendgrid: { webhookIds: ['wh-1'] },
    });
    expect(variables.PROVIDER_API_KEYS_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^SecretsProviderApiKeys/) });
    expect(JSON.stringify(variables.HOOKGUARD_PUBLIC_URL)).toContain('execute-api');
    expect(properties.Timeout).toBe(300);
  });

  it('lets the rotation function read the keys secret and manage subscriptions of the one managed topic only', () => {
    const statements = rotationStatements(managed);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Action: 'secretsmanager:GetSecretValue',
          Effect: 'Allow',
          Resource: { Ref: expect.stringMatching(/^SecretsProviderApiKeys/) },
        },
        { Action: ['sns:ListSubscriptionsByTopic', 'sns:Subscribe'], Effect: 'Allow', Resource: TOPIC },
        { Action: ['sns:GetSubscriptionAttributes', 'sns:Unsubscribe'], Effect: 'Allow', Resource: `${TOPIC}:*` },
      ]),
    );
    expect(JSON.stringify(statements)).not.toContain(OTHER_TOPIC);
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
  });

  it('subscribes the only configured topic when topicArn is left out', () => {
    const template = synth({ 'amazon-ses': { snsTopicArns: [TOPIC], managed: {} } });
    expect(JSON.parse((rotationFunction(template).Environment as { Variables: Record<string, string> }).Variables.MANAGED_PROVIDERS ?? '{}')).toEqual({
      'amazon-ses': { options: { topicArn: TOPIC } },
    });
    expect(rotationStatements(template)).toEqual(
      expect.arrayContaining([
        { Action: ['sns:ListSubscriptionsByTopic', 'sns:Subscribe'], Effect: 'Allow', Resource: TOPIC },
      ]),
    );
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ] as const)('leaves no unacknowledged %s finding', (_pack, pack) => {
    const stack = stackWith({
      sendgrid: { managed: {} },
      'amazon-ses': { snsTopicArns: [TOPIC, OTHER_TOPIC], managed: { options: { topicArn: OTHER_TOPIC } } },
    });
    const report = pack().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('adds none of it when no provider is managed', () => {
    const plain = synth({ sendgrid: {} });
    expect(
      resourcesOf(plain, 'AWS::SecretsManager::Secret').map(([id]) => id).filter((id) => id.includes('ProviderApiKeys')),
    ).toEqual([]);
    plain.hasOutput('ProviderApiKeysSecretArn', { Value: 'none' });
    const properties = rotationFunction(plain);
    const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables)).not.toEqual(expect.arrayContaining(['MANAGED_PROVIDERS']));
    expect(properties.Timeout).toBe(60);
    expect(JSON.stringify(rotationStatements(plain))).not.toContain('sns:');
  });
});
