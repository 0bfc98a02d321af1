import { Match, Template } from 'aws-cdk-lib/assertions';
import { toRuntimeSettings } from '../../../lib/config';
import { MONITORING_OUTPUT_KEYS } from '../../../lib/constructs/monitoring';
import type { StageConfig } from '../../../lib/config/types';
import { HookguardStack, STACK_OUTPUT_KEYS, stackNameOf } from '../../../lib/stacks/hookguard-stack';
import { EVERY_PROVIDER_STAGE, resourcesOf, stageConfig, testApp } from '../support/infra-fixtures';

const ENV = { account: '123456789012', region: 'eu-west-1' };

type Properties = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function synth(config: StageConfig): { stack: HookguardStack; template: Template } {
  const stack = new HookguardStack(testApp(), stackNameOf(config.stage), { config, env: ENV });
  return { stack, template: Template.fromStack(stack) };
}

/** The environment variables of the function whose logical id starts with `prefix`. */
function environmentOf(template: Template, prefix: string): Record<string, unknown> {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one function ${prefix}, found ${found.length}`);
  return ((found[0] as [string, Properties])[1].Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Every statement of every identity policy in the template. */
function identityStatements(template: Template): Array<{ policy: string; statement: Statement }> {
  return resourcesOf(template, 'AWS::IAM::Policy').flatMap(([policy, properties]) =>
    (properties.PolicyDocument as { Statement: Statement[] }).Statement.map((statement) => ({ policy, statement })),
  );
}

describe('HookguardStack', () => {
  const config = stageConfig(EVERY_PROVIDER_STAGE);
  let stack: HookguardStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = synth(config));
  });

  it('is named Hookguard-<stage>', () => {
    expect(stack.stackName).toBe('Hookguard-test');
  });

  it('publishes exactly the outputs the operator CLI reads', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([...STACK_OUTPUT_KEYS, ...MONITORING_OUTPUT_KEYS].sort());
    template.hasOutput('StageName', { Value: 'test' });
    template.hasOutput('RestApiId', { Value: { Ref: Match.stringLikeRegexp('^ApiRestApi') } });
    template.hasOutput('CredentialsSecretArn', { Value: { Ref: Match.stringLikeRegexp('^SecretsCredentials') } });
    template.hasOutput('SigningKeysSecretArn', { Value: { Ref: Match.stringLikeRegexp('^SecretsSigningKeys') } });
    template.hasOutput('EventBusName', { Value: { Ref: Match.stringLikeRegexp('^EventsBus') } });
    template.hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsBus'), 'Arn'] } });
    template.hasOutput('DedupeTableName', { Value: { Ref: Match.stringLikeRegexp('^DedupeTable') } });
    template.hasOutput('ArchiveName', { Value: { Ref: Match.stringLikeRegexp('^EventsArchive') } });
    template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: Match.stringLikeRegexp('^ApiRestApi[0-9A-F]{8}$') },
            '.execute-api.eu-west-1.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            { Ref: Match.stringLikeRegexp('^ApiRestApiDeploymentStagetest') },
            '/',
          ],
        ],
      },
    });
  });

  it('gives the verifier its settings, table, bus, secrets and cache settings', () => {
    const environment = environmentOf(template, 'VerifierFunction');
    expect(JSON.parse(environment.HOOKGUARD_SETTINGS as string)).toEqual(toRuntimeSettings(config));
    expect(environment).toMatchObject({
      DEDUPE_TABLE_NAME: { Ref: expect.stringMatching(/^DedupeTable/) },
      EVENT_BUS_NAME: { Ref: expect.stringMatching(/^EventsBus/) },
      SIGNING_KEYS_SECRET_ARN: { Ref: expect.stringMatching(/^SecretsSigningKeys/) },
      CREDENTIALS_SECRET_ARN: { Ref: expect.stringMatching(/^SecretsCredentials/) },
      GRACE_PERIOD_SECONDS: String(48 * 3600),
      SECRET_CACHE_TTL_SECONDS: String(config.auth.secretCacheTtlSeconds),
    });
  });

  it('gives the authorizer the credential secret, grace period and cache settings', () => {
    expect(environmentOf(template, 'AuthorizerFunction')).toEqual({
      HOOKGUARD_STAGE: 'test',
      POWERTOOLS_METRICS_NAMESPACE: 'Hookguard',
      CREDENTIALS_SECRET_ARN: { Ref: expect.stringMatching(/^SecretsCredentials/) },
      GRACE_PERIOD_SECONDS: String(48 * 3600),
      SECRET_CACHE_TTL_SECONDS: String(config.auth.secretCacheTtlSeconds),
      REFRESH_MIN_INTERVAL_SECONDS: String(config.auth.refreshMinIntervalSeconds),
    });
  });

  it('tells the rotation which API and stage to flush', () => {
    expect(environmentOf(template, 'RotationFunction')).toEqual({
      HOOKGUARD_STAGE: 'test',
      POWERTOOLS_METRICS_NAMESPACE: 'Hookguard',
      REST_API_ID: { Ref: expect.stringMatching(/^ApiRestApi/) },
      STAGE_NAME: 'test',
    });
  });

  it('answers within API Gateway integration limit: verifier timeout 25 s, 256 MB', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOOKGUARD_SETTINGS: Match.anyValue() }) },
      Timeout: 25,
      MemorySize: 256,
    });
  });

  it('runs every function on Node.js 24, arm64, traced, with a log retention', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    // Authorizer, verifier, rotation, and monitoring's credential watch.
    expect(functions).toHaveLength(4);
    for (const [, properties] of functions) {
      expect(properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
    for (const [, properties] of resourcesOf(template, 'AWS::Logs::LogGroup')) {
      expect(properties.RetentionInDays).toEqual(expect.any(Number));
    }
  });

  it.each([
    ['AWS::DynamoDB::Table', 1],
    ['AWS::SecretsManager::Secret', 2],
    ['AWS::KMS::Key', 2],
    ['AWS::Events::EventBus', 1],
    ['AWS::Events::Archive', 1],
  ])('retains every %s', (type, count) => {
    const resources = Object.values(template.findResources(type)) as Array<{
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    }>;
    expect(resources).toHaveLength(count);
    for (const resource of resources) {
      expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('grants no wildcard resource except the X-Ray actions, which have no resource-level permissions', () => {
    const wildcards = identityStatements(template).filter(({ statement }) =>
      [statement.Resource].flat().some((resource) => resource === '*'),
    );
    expect(wildcards.length).toBeGreaterThan(0);
    for (const { policy, statement } of wildcards) {
      expect({ policy, actions: [statement.Action].flat().sort() }).toEqual({
        policy: expect.stringMatching(/TracingPolicy/),
        actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
      });
    }
  });

  it('grants no wildcard action', () => {
    for (const { statement } of identityStatements(template)) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
    }
  });

  it('lets the verifier touch only its table, its bus and the two secrets', () => {
    const verifier = identityStatements(template).filter(({ policy }) =>
      policy.startsWith('VerifierRoleDefaultPolicy'),
    );
    const byAction = (action: string) =>
      verifier.filter(({ statement }) => [statement.Action].flat().includes(action)).map(({ statement }) => statement);
    expect(byAction('dynamodb:PutItem')).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DedupeTable/), 'Arn'] } }),
    ]);
    expect(byAction('events:PutEvents')).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EventsBus/), 'Arn'] } }),
    ]);
    const secretReads = byAction('secretsmanager:GetSecretValue').flatMap((statement) => [statement.Resource].flat());
    expect(secretReads).toEqual(
      expect.arrayContaining([
        { Ref: expect.stringMatching(/^SecretsCredentials/) },
        { Ref: expect.stringMatching(/^SecretsSigningKeys/) },
      ]),
    );
    expect(secretReads).toHaveLength(2);
    const actions = verifier.flatMap(({ statement }) => [statement.Action].flat());
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:Query');
  });

  it('lets the authorizer read the credential secret and nothing else of value', () => {
    const authorizer = identityStatements(template).filter(({ policy }) =>
      policy.startsWith('AuthorizerRoleDefaultPolicy'),
    );
    const resources = JSON.stringify(authorizer.map(({ statement }) => statement.Resource));
    expect(resources).toContain('SecretsCredentials');
    expect(resources).not.toMatch(/SigningKeys|DedupeTable|EventsBus/);
  });

  it('associates the web ACL with this stack stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            { Ref: Match.stringLikeRegexp('^ApiRestApi[0-9A-F]{8}$') },
            { Ref: Match.stringLikeRegexp('^ApiRestApiDeploymentStage') },
          ]),
        ],
      },
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Name: 'hookguard-test' });
  });

  it('keeps the web ACL to one rule per protection and per distinct limit, within the included capacity', () => {
    const acl = resourcesOf(template, 'AWS::WAFv2::WebACL')[0] as [string, Properties];
    const names = (acl[1].Rules as Array<{ Name: string }>).map((rule) => rule.Name);
    // mailgun has a rate limit of its own (500); every other provider takes waf.rateLimit (3000).
    expect(names).toEqual([
      'allowed-sources',
      'rate-limit-per-ip',
      'rate-limit-500',
      'rate-limit-3000',
      'body-size',
      'AWS-AWSManagedRulesAmazonIpReputationList',
      'AWS-AWSManagedRulesKnownBadInputsRuleSet',
      'AWS-AWSManagedRulesCommonRuleSet',
      'managed-rules-counted',
    ]);
    expect(stack.firewall.capacity).toBeLessThanOrEqual(1500);
  });

  it('logs only the requests WAF blocked or counted', () => {
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LoggingFilter: Match.objectLike({ DefaultBehavior: 'DROP' }),
    });
  });

  it('publishes stage-level metrics only and samples 1 % of traces by default', () => {
    const [, stage] = resourcesOf(template, 'AWS::ApiGateway::Stage')[0] as [string, Properties];
    for (const setting of stage.MethodSettings as Properties[]) expect(setting.MetricsEnabled).toBe(false);
    template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ RuleName: 'hookguard-test', ReservoirSize: 0, FixedRate: 0.01 }),
    });
  });

  it('applies the monitoring settings of the configuration', () => {
    const { template: monitored } = synth(
      stageConfig({
        providers: { sendgrid: {} },
        monitoring: { detailedMetrics: true, tracing: { reservoirPerSecond: 1, fixedRate: 0.05 } },
      }),
    );
    const [, stage] = resourcesOf(monitored, 'AWS::ApiGateway::Stage')[0] as [string, Properties];
    for (const setting of stage.MethodSettings as Properties[]) expect(setting.MetricsEnabled).toBe(true);
    monitored.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ ReservoirSize: 1, FixedRate: 0.05 }),
    });
  });

  it('routes every enabled provider and only those', () => {
    const posts = resourcesOf(template, 'AWS::ApiGateway::Method').filter(
      ([, properties]) => properties.HttpMethod === 'POST',
    );
    expect(posts).toHaveLength(Object.keys(EVERY_PROVIDER_STAGE.providers).length);
    const open = posts.filter(([, properties]) => properties.AuthorizationType === 'NONE');
    // amazon-ses and mailtrap are configured "signature".
    expect(open).toHaveLength(2);
  });

  it('creates one rule with a DLQ per configured route', () => {
    // Rules on the Hookguard bus (monitoring's hourly schedule runs on the default bus).
    const rules = resourcesOf(template, 'AWS::Events::Rule').filter(([, properties]) => properties.EventBusName);
    // The routes, plus the canary destination's rule.
    expect(rules).toHaveLength(EVERY_PROVIDER_STAGE.events.routes.length + 1);
    for (const [, properties] of rules) {
      for (const target of properties.Targets as Properties[]) expect(target.DeadLetterConfig).toBeDefined();
    }
  });

  it('archives with the configured retention and rotates on the configured schedule', () => {
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 45, ArchiveName: 'hookguard-test' });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { AutomaticallyAfterDays: 14 },
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 120 });
  });

  it('uses the stage env from the configuration when the caller gives none', () => {
    const withEnv = stageConfig({ ...EVERY_PROVIDER_STAGE, env: { account: '123456789012', region: 'eu-west-1' } });
    const envStack = new HookguardStack(testApp(), 'Hookguard-env', { config: withEnv });
    expect([envStack.account, envStack.region]).toEqual(['123456789012', 'eu-west-1']);
  });

  describe('with a custom domain', () => {
    let domainTemplate: Template;

    beforeAll(() => {
      ({ template: domainTemplate } = synth(
        stageConfig({
          providers: { sendgrid: {} },
          customDomain: {
            domainName: 'hooks.example.com',
            certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
            hostedZoneId: 'Z0123456789ABCDEFGHIJ',
            hostedZoneName: 'example.com',
          },
        }),
      ));
    });

    it('publishes the domain as ApiUrl and closes the execute-api endpoint', () => {
      domainTemplate.hasOutput('ApiUrl', { Value: 'https://hooks.example.com/' });
      domainTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
      domainTemplate.hasResourceProperties('AWS::ApiGateway::DomainName', {
        SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
        EndpointAccessMode: 'STRICT',
      });
      domainTemplate.resourceCountIs('AWS::Route53::RecordSet', 1);
    });
  });

  it('keeps the logical ids its stateful resources had before the stack became a user of the Hookguard construct', () => {
    // A changed logical id would replace the resource on the next deploy: a new key, new secrets (new credential in
    // every provider URL), an empty ledger, a new bus and archive. These ids were synthesised by the stack before.
    const stateful = [
      ['SecretsKey9BF95D68', 'AWS::KMS::Key'],
      ['SecretsKeyAlias7844D2A4', 'AWS::KMS::Alias'],
      ['SecretsCredentialsE782A45C', 'AWS::SecretsManager::Secret'],
      ['SecretsSigningKeys20695C0E', 'AWS::SecretsManager::Secret'],
      ['DedupeTable49DB3553', 'AWS::DynamoDB::Table'],
      ['EventsBus45DE4339', 'AWS::Events::EventBus'],
      ['EventsArchive5A2DBDD8', 'AWS::Events::Archive'],
      ['RoutesuppressionDeadLetterQueue127FD06B', 'AWS::SQS::Queue'],
      ['ApiRestApiE35FEAFE', 'AWS::ApiGateway::RestApi'],
      ['FirewallWebAcl5A849C4E', 'AWS::WAFv2::WebACL'],
    ];
    const resources = template.toJSON().Resources as Record<string, { Type: string }>;
    expect(stateful.map(([id]) => [id, resources[id as string]?.Type])).toEqual(stateful);
    expect(stack.hookguard.node.id).toBe('Default');
  });
});
