import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Hookguard, type HookguardProps } from '../../../lib';
import { HookguardStack, stackNameOf } from '../../../lib/stacks/hookguard-stack';
import { EVERY_PROVIDER_STAGE, resourcesOf, stageConfig, testApp, testStack } from '../support/infra-fixtures';

const MINIMAL: HookguardProps = { stage: 'dev', providers: { sendgrid: {} } };

/** Names that AWS requires to be unique per account and region, by resource type and property. */
const FIXED_NAMES: ReadonlyArray<[type: string, property: string]> = [
  ['AWS::Events::EventBus', 'Name'],
  ['AWS::Events::Archive', 'ArchiveName'],
  ['AWS::SecretsManager::Secret', 'Name'],
  ['AWS::KMS::Alias', 'AliasName'],
  ['AWS::WAFv2::WebACL', 'Name'],
  ['AWS::WAFv2::IPSet', 'Name'],
  ['AWS::Logs::LogGroup', 'LogGroupName'],
  ['AWS::SQS::Queue', 'QueueName'],
  ['AWS::XRay::SamplingRule', 'SamplingRule'],
  ['AWS::ApiGateway::RestApi', 'Name'],
];

function fixedNames(template: Template): string[] {
  return FIXED_NAMES.flatMap(([type, property]) =>
    resourcesOf(template, type)
      .map(([, properties]) => properties[property])
      .filter((name) => name !== undefined)
      .map((name) => `${type} ${JSON.stringify(name)}`),
  );
}

function countsByType(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

describe('Hookguard', () => {
  it('builds in a plain stack exactly what the standalone Hookguard-<stage> stack builds', () => {
    const config = stageConfig(EVERY_PROVIDER_STAGE);
    const standalone = new HookguardStack(testApp(), stackNameOf('test'), {
      config,
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const userStack = testStack();
    new Hookguard(userStack, 'Webhooks', { stage: 'test', ...EVERY_PROVIDER_STAGE } as HookguardProps);
    expect(countsByType(Template.fromStack(userStack))).toEqual(countsByType(Template.fromStack(standalone)));
  });

  it('exposes the bus, API and URL, ledger, both secrets, key and web ACL', () => {
    const stack = testStack();
    const hooks = new Hookguard(stack, 'Webhooks', MINIMAL);
    const template = Template.fromStack(stack);
    const resolve = (value: unknown) => stack.resolve(value) as unknown;
    const logicalId = (value: unknown) => (resolve(value) as { Ref?: string; 'Fn::GetAtt'?: string[] }).Ref;
    expect(logicalId(hooks.eventBus.eventBusName)).toMatch(/^WebhooksEventsBus/);
    expect(logicalId(hooks.archive.archiveName)).toMatch(/^WebhooksEventsArchive/);
    expect(logicalId(hooks.restApi.restApiId)).toMatch(/^WebhooksApiRestApi/);
    expect(logicalId(hooks.apiStage.stageName)).toMatch(/^WebhooksApiRestApiDeploymentStage/);
    expect(logicalId(hooks.dedupeTable.tableName)).toMatch(/^WebhooksDedupeTable/);
    expect(logicalId(hooks.credentialsSecret.secretArn)).toMatch(/^WebhooksSecretsCredentials/);
    expect(logicalId(hooks.signingKeysSecret.secretArn)).toMatch(/^WebhooksSecretsSigningKeys/);
    expect(logicalId(hooks.encryptionKey.keyArn)).toBeUndefined();
    expect(resolve(hooks.encryptionKey.keyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebhooksSecretsKey/), 'Arn'] });
    expect(resolve(hooks.webAcl.attrArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebhooksFirewallWebAcl/), 'Arn'] });
    expect(JSON.stringify(resolve(hooks.url))).toContain('execute-api');
    expect(logicalId(hooks.alarmTopic.topicArn)).toMatch(/^WebhooksMonitoringAlarmTopic/);
    expect(hooks.stageName).toBe('dev');
    expect(hooks.config.providers.sendgrid?.auth).toBe('both');
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('tags its resources with app and stage', () => {
    const stack = testStack();
    new Hookguard(stack, 'Webhooks', MINIMAL);
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: Match.arrayWith([
        { Key: 'app', Value: 'hookguard' },
        { Key: 'stage', Value: 'dev' },
      ]),
    });
  });

  it('lets two stages live in one stack without a single shared fixed name', () => {
    const stack = testStack();
    new Hookguard(stack, 'Dev', { ...EVERY_PROVIDER_STAGE, stage: 'dev' } as HookguardProps);
    new Hookguard(stack, 'Prod', { ...EVERY_PROVIDER_STAGE, stage: 'prod' } as HookguardProps);
    const names = fixedNames(Template.fromStack(stack));
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it('refuses a second Hookguard of the same stage in one stack, naming the first', () => {
    const stack = testStack();
    new Hookguard(stack, 'One', MINIMAL);
    expect(() => new Hookguard(stack, 'Two', MINIMAL)).toThrow(/stage "dev" is already used by Test\/One/);
  });

  it.each([
    ['environment-agnostic', new Stack(testApp(), 'Agnostic')],
    ['explicit account and region', testStack()],
  ])('synthesizes in an %s stack', (_case, stack) => {
    new Hookguard(stack, 'Webhooks', MINIMAL);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::Events::EventBus', 1);
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('is %s-clean in a user stack with two stages, acknowledgements inside the construct', (_pack, pack) => {
    const stack = new Stack(testApp(), 'UserStack');
    new Hookguard(stack, 'Dev', { ...EVERY_PROVIDER_STAGE, stage: 'dev' } as HookguardProps);
    new Hookguard(stack, 'Prod', MINIMAL.providers ? { ...MINIMAL, stage: 'prod' } : MINIMAL);
    const report = pack().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('validates with the configuration code and reports every problem at once, at the prop path', () => {
    const bad = {
      stage: '9lives',
      providers: { sendgrid: { rateLimit: 1, allowedCidrs: ['10.0.0.1/8'] }, nope: {} },
      waf: { rateLimitWindowSeconds: 30 },
      env: { region: 'eu-west-1' },
    } as unknown as HookguardProps;
    let message = '';
    try {
      new Hookguard(testStack(), 'Webhooks', bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid Hookguard Test\/Webhooks props: \d+ problems/);
    expect(message).toContain('- env is not a Hookguard prop');
    expect(message).toContain('- stage: stage names start with a letter');
    for (const problem of [
      '- providers.sendgrid.rateLimit: must be a whole number from 10',
      '- providers.sendgrid.allowedCidrs[0]: "10.0.0.1/8" has host bits set',
      '- providers.nope: unknown provider',
      '- waf.rateLimitWindowSeconds: must be one of 60, 120, 300, 600, got 30',
    ]) {
      expect(message).toContain(problem);
    }
  });

  it('needs at least one provider', () => {
    expect(() => new Hookguard(testStack(), 'Webhooks', { stage: 'dev', providers: {} })).toThrow(
      /providers: enable at least one provider/,
    );
  });

  describe('addRoute', () => {
    it('adds a rule on the Hookguard bus, narrowed to Hookguard events, with the target', () => {
      const stack = testStack();
      const hooks = new Hookguard(stack, 'Webhooks', MINIMAL);
      const queue = new sqs.Queue(stack, 'Bounces');
      const rule = hooks.addRoute('bounces', { detailType: ['email.bounced'] }, new targets.SqsQueue(queue));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: Match.stringLikeRegexp('^WebhooksEventsBus') },
        EventPattern: { 'detail-type': ['email.bounced'], source: ['hookguard'] },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bounces'), 'Arn'] } })],
      });
      expect(stack.resolve(rule.ruleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebhooksCodeRoutebounces/), 'Arn'] });
    });

    it('refuses a taken name, a bad name, an empty pattern and a source of its own, all at once', () => {
      const stack = testStack();
      const hooks = new Hookguard(stack, 'Webhooks', {
        ...MINIMAL,
        events: { routes: [{ name: 'audit', eventPattern: { 'detail-type': ['email.sent'] }, target: { type: 'sqs' } }] },
      });
      const target = new targets.SqsQueue(new sqs.Queue(stack, 'Queue'));
      expect(() => hooks.addRoute('audit', { detailType: ['x'] }, target)).toThrow(/name "audit" is already a route/);
      expect(() => hooks.addRoute('no spaces', {}, target)).toThrow(
        /2 problems[\s\S]*name must be letters[\s\S]*pattern must be a non-empty/,
      );
      expect(() => hooks.addRoute('mine', { source: ['other'] }, target)).toThrow(/pattern.source is set by Hookguard/);
    });
  });

  describe('grants', () => {
    function statementsOf(build: (hooks: Hookguard, role: iam.Role) => void): unknown[] {
      const stack = testStack();
      const hooks = new Hookguard(stack, 'Webhooks', MINIMAL);
      const role = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
      build(hooks, role);
      const policies = resourcesOf(Template.fromStack(stack), 'AWS::IAM::Policy').filter(([id]) =>
        id.startsWith('ConsumerDefaultPolicy'),
      );
      return policies.flatMap(([, properties]) => (properties.PolicyDocument as { Statement: unknown[] }).Statement);
    }

    it('grantPutEvents: PutEvents on this bus only, and its key through EventBridge only', () => {
      expect(statementsOf((hooks, role) => hooks.grantPutEvents(role))).toEqual([
        expect.objectContaining({
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^WebhooksEventsBus/), 'Arn'] },
        }),
        expect.objectContaining({
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Condition: { StringEquals: { 'kms:ViaService': 'events.eu-west-1.amazonaws.com' } },
        }),
      ]);
    });

    it('grantReadCredentials and grantReadSigningKeys: read one secret each, decrypt through Secrets Manager', () => {
      const credentials = statementsOf((hooks, role) => hooks.grantReadCredentials(role));
      expect(JSON.stringify(credentials)).toMatch(/WebhooksSecretsCredentials/);
      expect(JSON.stringify(credentials)).not.toMatch(/SigningKeys|PutSecretValue/);
      const signingKeys = statementsOf((hooks, role) => hooks.grantReadSigningKeys(role));
      expect(JSON.stringify(signingKeys)).toMatch(/WebhooksSecretsSigningKeys/);
      expect(JSON.stringify(signingKeys)).not.toMatch(/Credentials|PutSecretValue/);
      expect(JSON.stringify(signingKeys)).toContain('secretsmanager.eu-west-1.amazonaws.com');
    });

    it('grantWriteSigningKeys: read and put the signing keys, nothing on the credential', () => {
      const statements = statementsOf((hooks, role) => hooks.grantWriteSigningKeys(role));
      expect(statements[0]).toEqual(
        expect.objectContaining({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
          Resource: { Ref: expect.stringMatching(/^WebhooksSecretsSigningKeys/) },
        }),
      );
      expect(JSON.stringify(statements)).not.toMatch(/Credentials/);
    });
  });
});
