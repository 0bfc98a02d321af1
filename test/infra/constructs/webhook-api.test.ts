import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GATEWAY_ERROR_BODIES, THROTTLED_RETRY_AFTER_SECONDS, WWW_AUTHENTICATE } from '../../../lambda/core/http';
import { DEFAULT_MONITORING } from '../../../lib/config/defaults';
import {
  ACCESS_LOG_FIELDS,
  CLIENT_ERROR_BODY,
  MOCK_TEMPLATE_CONTENT_TYPES,
  samplingRuleName,
  TRACE_SAMPLING_RULE_PRIORITY,
  WebhookApi,
  type WebhookApiProps,
} from '../../../lib/constructs/webhook-api';
import { TLS12_PFS_POLICY, TLS13_ONLY_POLICY } from '../../../lib/constructs/tls-policy';
import { inlineFunction, onlyResourceOf, resourcesOf, testStack } from '../support/infra-fixtures';

function apiProps(stack: Stack, overrides: Partial<WebhookApiProps> = {}): WebhookApiProps {
  return {
    stageName: 'dev',
    providers: [
      { id: 'sendgrid', auth: 'both', throttling: { rateLimit: 50, burstLimit: 100 } },
      { id: 'mailgun', auth: 'basic' },
      { id: 'mailtrap', auth: 'signature' },
      { id: 'mandrill', auth: 'both' },
      { id: 'unisender-go', auth: 'basic' },
    ],
    verifier: inlineFunction(stack, 'Verifier'),
    authorizer: inlineFunction(stack, 'Authorizer'),
    authorizerCacheTtlSeconds: 120,
    throttling: { rateLimit: 200, burstLimit: 400 },
    logRetentionDays: 30,
    ...overrides,
  };
}

type Properties = Record<string, unknown>;

describe('WebhookApi', () => {
  let template: Template;
  let resourcePaths: Map<string, string>;
  const methodsOn = (path: string): Properties[] => {
    const resourceId = [...resourcePaths.entries()].find(([, candidate]) => candidate === path)?.[0];
    if (resourceId === undefined) throw new Error(`no resource ${path}`);
    return resourcesOf(template, 'AWS::ApiGateway::Method')
      .map(([, properties]) => properties)
      .filter((properties) => (properties.ResourceId as { Ref?: string }).Ref === resourceId);
  };
  const method = (path: string, httpMethod: string): Properties => {
    const found = methodsOn(path).find((properties) => properties.HttpMethod === httpMethod);
    if (!found) throw new Error(`no ${httpMethod} ${path}`);
    return found;
  };

  beforeAll(() => {
    const stack = testStack();
    new WebhookApi(stack, 'Api', apiProps(stack));
    template = Template.fromStack(stack);
    // Logical id -> full path, from the parent links.
    const resources = new Map(resourcesOf(template, 'AWS::ApiGateway::Resource'));
    const pathOf = (id: string): string => {
      const properties = resources.get(id) as Properties;
      const parent = properties.ParentId as { Ref?: string };
      const prefix = parent.Ref && resources.has(parent.Ref) ? pathOf(parent.Ref) : '';
      return `${prefix}/${properties.PathPart as string}`;
    };
    resourcePaths = new Map([...resources.keys()].map((id) => [id, pathOf(id)]));
  });

  it('is a regional REST API that passes every body through as binary', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'hookguard-dev',
      BinaryMediaTypes: ['*/*'],
      EndpointConfiguration: { Types: ['REGIONAL'] },
      DisableExecuteApiEndpoint: false,
    });
  });

  it('has exactly /webhooks and one resource per provider', () => {
    expect([...resourcePaths.values()].sort()).toEqual(
      [
        '/webhooks',
        '/webhooks/mailgun',
        '/webhooks/mailtrap',
        '/webhooks/mandrill',
        '/webhooks/sendgrid',
        '/webhooks/unisender-go',
      ].sort(),
    );
    expect(methodsOn('/webhooks')).toEqual([]);
  });

  it.each(['sendgrid', 'mailgun', 'mandrill', 'unisender-go'])(
    'puts the Basic authorizer on POST /webhooks/%s',
    (id) => {
      expect(method(`/webhooks/${id}`, 'POST')).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: expect.stringMatching(/BasicAuthorizer/) },
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
    },
  );

  it('leaves POST of a signature-only provider to the verifier', () => {
    const post = method('/webhooks/mailtrap', 'POST');
    expect(post).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'AWS_PROXY' } });
    expect(post.AuthorizerId).toBeUndefined();
  });

  it('proxies every POST to the verifier function', () => {
    for (const id of ['sendgrid', 'mailgun', 'mailtrap', 'mandrill', 'unisender-go']) {
      const uri = JSON.stringify((method(`/webhooks/${id}`, 'POST').Integration as Properties).Uri);
      expect(uri).toMatch(/"Fn::GetAtt":\["Verifier[0-9A-F]+","Arn"\]/);
      expect(uri).toContain('/invocations');
    }
  });

  it.each([
    ['mandrill', 'HEAD'],
    ['unisender-go', 'GET'],
  ])('answers the %s URL check (%s) with a mock 200 and no authorization', (id, httpMethod) => {
    expect(method(`/webhooks/${id}`, httpMethod)).toMatchObject({
      AuthorizationType: 'NONE',
      Integration: {
        Type: 'MOCK',
        // The API's binary media types are */*: without conversion the mock answers 500 "Unable to transform
        // request" (aws/serverless-application-model#553, aws/chalice#1310).
        ContentHandling: 'CONVERT_TO_TEXT',
        PassthroughBehavior: 'WHEN_NO_MATCH',
        RequestTemplates: Object.fromEntries(MOCK_TEMPLATE_CONTENT_TYPES.map((type) => [type, '{"statusCode":200}'])),
        IntegrationResponses: [{ StatusCode: '200', ContentHandling: 'CONVERT_TO_TEXT' }],
      },
      MethodResponses: [{ StatusCode: '200' }],
    });
  });

  it('serves nothing but POST (and the URL check) on a provider route', () => {
    expect(
      methodsOn('/webhooks/sendgrid')
        .map((properties) => properties.HttpMethod)
        .sort(),
    ).toEqual(['ANY', 'POST']);
    expect(
      methodsOn('/webhooks/mandrill')
        .map((properties) => properties.HttpMethod)
        .sort(),
    ).toEqual(['ANY', 'HEAD', 'POST']);
  });

  it.each([
    ['sendgrid', 'POST'],
    ['mailtrap', 'POST'],
    ['mandrill', 'POST, HEAD'],
    ['unisender-go', 'POST, GET'],
  ])('answers any other method on /webhooks/%s with 405, Allow: %s and the JSON body', (id, allow) => {
    expect(method(`/webhooks/${id}`, 'ANY')).toMatchObject({
      AuthorizationType: 'NONE',
      Integration: {
        Type: 'MOCK',
        ContentHandling: 'CONVERT_TO_TEXT',
        PassthroughBehavior: 'WHEN_NO_MATCH',
        RequestTemplates: Object.fromEntries(MOCK_TEMPLATE_CONTENT_TYPES.map((type) => [type, '{"statusCode":405}'])),
        IntegrationResponses: [
          {
            StatusCode: '405',
            ContentHandling: 'CONVERT_TO_TEXT',
            ResponseParameters: {
              'method.response.header.Allow': `'${allow}'`,
              'method.response.header.Content-Type': "'application/json'",
            },
            ResponseTemplates: { 'application/json': JSON.stringify(GATEWAY_ERROR_BODIES.methodNotAllowed.body) },
          },
        ],
      },
      MethodResponses: [{ StatusCode: '405' }],
    });
  });

  it.each([
    ['UNAUTHORIZED', '401', GATEWAY_ERROR_BODIES.unauthorized.body],
    ['ACCESS_DENIED', '403', GATEWAY_ERROR_BODIES.forbidden.body],
    ['WAF_FILTERED', '403', GATEWAY_ERROR_BODIES.wafFiltered.body],
    ['MISSING_AUTHENTICATION_TOKEN', '404', GATEWAY_ERROR_BODIES.notFound.body],
    ['RESOURCE_NOT_FOUND', '404', GATEWAY_ERROR_BODIES.notFound.body],
    ['REQUEST_TOO_LARGE', '413', GATEWAY_ERROR_BODIES.payloadTooLarge.body],
    ['THROTTLED', '503', GATEWAY_ERROR_BODIES.throttled.body],
    ['QUOTA_EXCEEDED', '503', GATEWAY_ERROR_BODIES.throttled.body],
    ['DEFAULT_4XX', undefined, CLIENT_ERROR_BODY],
    ['DEFAULT_5XX', undefined, GATEWAY_ERROR_BODIES.defaultServerError.body],
  ])('answers %s with status %s and a JSON error body', (type, statusCode, body) => {
    const responses = resourcesOf(template, 'AWS::ApiGateway::GatewayResponse').filter(
      ([, properties]) => properties.ResponseType === type,
    );
    expect(responses).toHaveLength(1);
    const [, properties] = responses[0] as [string, Properties];
    expect(properties.StatusCode).toBe(statusCode);
    expect(properties.ResponseTemplates).toEqual({ 'application/json': JSON.stringify(body) });
    expect(properties.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Content-Type': "'application/json'",
    });
  });

  it.each(['THROTTLED', 'QUOTA_EXCEEDED'])('answers %s 503 with Retry-After (Amazon SNS never retries a 429)', (type) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: '503',
      ResponseParameters: { 'gatewayresponse.header.Retry-After': `'${THROTTLED_RETRY_AFTER_SECONDS}'` },
    });
  });

  it('puts the REST API itself on the enhanced TLS 1.3 + 1.2 forward-secrecy policy, STRICT (L1 escape hatch)', () => {
    expect(onlyResourceOf(template, 'AWS::ApiGateway::RestApi')).toMatchObject({
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    expect(TLS12_PFS_POLICY).toBe('SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09');
  });

  it('takes TLS 1.3 only when asked', () => {
    const stack = testStack();
    new WebhookApi(stack, 'Api', apiProps(stack, { securityPolicy: TLS13_ONLY_POLICY }));
    expect(onlyResourceOf(Template.fromStack(stack), 'AWS::ApiGateway::RestApi')).toMatchObject({
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'STRICT',
    });
  });

  it('challenges for Basic credentials on 401', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'${WWW_AUTHENTICATE}'` },
    });
    expect(WWW_AUTHENTICATE).toBe('Basic realm="hookguard"');
  });

  it('uses a REQUEST authorizer on the Authorization header with the configured cache TTL', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 120,
      AuthorizerUri: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    expect(JSON.stringify(onlyAuthorizerUri(template))).toMatch(/"Authorizer[0-9A-F]+","Arn"/);
  });

  it('lets API Gateway invoke the verifier for POST /webhooks/* of this stage only', () => {
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(([, properties]) =>
      JSON.stringify(properties.FunctionName).includes('Verifier'),
    );
    expect(permissions).toHaveLength(1);
    const [, permission] = permissions[0] as [string, Properties];
    expect(permission.Principal).toBe('apigateway.amazonaws.com');
    expect(JSON.stringify(permission.SourceArn)).toMatch(/\/dev\/POST\/webhooks\/\*"\]\]\}$/);
  });

  it('traces, logs errors without data, and throttles the stage and the configured methods', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 200,
          ThrottlingBurstLimit: 400,
        }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1webhooks~1sendgrid',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ]),
    });
    const [, stage] = resourcesOf(template, 'AWS::ApiGateway::Stage')[0] as [string, Properties];
    for (const setting of stage.MethodSettings as Properties[]) expect(setting.DataTraceEnabled).toBe(false);
  });

  it('publishes no per-method detailed metrics by default, on the stage nor on a throttled method', () => {
    const [, stage] = resourcesOf(template, 'AWS::ApiGateway::Stage')[0] as [string, Properties];
    const settings = stage.MethodSettings as Properties[];
    const where = settings.map((setting) => `${setting.HttpMethod as string} ${setting.ResourcePath as string}`);
    expect(where.sort()).toEqual(['* /*', 'POST /~1webhooks~1sendgrid']);
    for (const setting of settings) expect(setting.MetricsEnabled).toBe(false);
  });

  it('publishes detailed metrics on every method, throttled ones included, when asked', () => {
    const stack = testStack();
    new WebhookApi(stack, 'Api', apiProps(stack, { detailedMetrics: true }));
    const [, stage] = resourcesOf(Template.fromStack(stack), 'AWS::ApiGateway::Stage')[0] as [string, Properties];
    const settings = stage.MethodSettings as Properties[];
    expect(settings).toHaveLength(2);
    for (const setting of settings) expect(setting.MetricsEnabled).toBe(true);
  });

  it('samples traces with a rule of its own scoped to this stage: no reservoir, 1 % by default', () => {
    expect(DEFAULT_MONITORING.tracing).toEqual({ reservoirPerSecond: 0, fixedRate: 0.01 });
    const rules = resourcesOf(template, 'AWS::XRay::SamplingRule');
    expect(rules).toHaveLength(1);
    const [, properties] = rules[0] as [string, Properties];
    expect(properties.SamplingRule).toEqual({
      RuleName: 'hookguard-dev',
      Priority: TRACE_SAMPLING_RULE_PRIORITY,
      ReservoirSize: 0,
      FixedRate: 0.01,
      ResourceARN: {
        'Fn::Join': [
          '',
          [
            'arn:aws:apigateway:eu-west-1::/restapis/',
            { Ref: expect.stringMatching(/^ApiRestApi[0-9A-F]{8}$/) },
            '/stages/',
            { Ref: expect.stringMatching(/^ApiRestApiDeploymentStagedev/) },
          ],
        ],
      },
      ServiceName: '*',
      ServiceType: 'AWS::ApiGateway::Stage',
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      Version: 1,
    });
  });

  it('samples with the configured reservoir and rate', () => {
    const stack = testStack();
    new WebhookApi(stack, 'Api', apiProps(stack, { traceSampling: { reservoirPerSecond: 2, fixedRate: 0.05 } }));
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ ReservoirSize: 2, FixedRate: 0.05 }),
    });
  });

  it.each([
    ['dev', 'hookguard-dev'],
    ['a'.repeat(22), `hookguard-${'a'.repeat(22)}`],
  ])('names the sampling rule of stage %s %s', (stage, expected) => {
    expect(samplingRuleName(stage)).toBe(expected);
  });

  it('shortens a sampling rule name to X-Ray 32 characters, keeping long stage names apart', () => {
    const long = samplingRuleName('a'.repeat(40));
    expect(long).toMatch(/^hg-a{20}-[0-9a-f]{8}$/);
    expect(long).toHaveLength(32);
    expect(samplingRuleName(`${'a'.repeat(39)}b`)).not.toBe(long);
  });

  it('logs execution at INFO when asked, still without data', () => {
    const stack = testStack();
    new WebhookApi(stack, 'Api', apiProps(stack, { executionLogLevel: 'INFO' }));
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'INFO', DataTraceEnabled: false }),
      ]),
    });
  });

  it('writes short JSON access logs with what an investigation uses, never the Authorization header or the body', () => {
    const [, stage] = resourcesOf(template, 'AWS::ApiGateway::Stage')[0] as [string, Properties];
    const setting = stage.AccessLogSetting as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(setting.Format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(Object.keys(format)).toEqual(
      expect.arrayContaining(['extendedRequestId', 'ip', 'method', 'resourcePath', 'status', 'latency', 'integrationError']),
    );
    expect(Object.keys(format)).toEqual(expect.arrayContaining(['waf', 'authorizerError', 'errorType', 'userAgent']));
    // The verifier's request id (the `requestId` of its log lines), and the credential stage, never the secret.
    expect(format).toMatchObject({
      lambdaRequestId: '$context.integration.requestId',
      credentialStage: '$context.authorizer.credentialStage',
    });
    // Issue 13: what each provider negotiates.
    expect(format).toMatchObject({ tlsVersion: '$context.tlsVersion', cipherSuite: '$context.cipherSuite' });
    expect(setting.Format.toLowerCase()).not.toMatch(/authorization|\$input|requestoverride|\.header\./);
    expect(JSON.stringify(setting.DestinationArn)).toMatch(/ApiAccessLogs/);
    // Every byte is paid at every request: 15 fields, where there were 25; no client-settable request id.
    expect(Object.keys(format)).toHaveLength(15);
    expect(format).not.toHaveProperty('requestId');
  });

  it('keeps the access log in the Infrequent Access log class (half the ingestion price; Logs Insights works)', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupClass: 'INFREQUENT_ACCESS' });
  });

  it('creates the execution log group with a retention before the stage writes to it', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: {
        'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('ApiRestApi') }, '/dev']],
      },
      RetentionInDays: 30,
    });
    const [, stage] = Object.entries(template.findResources('AWS::ApiGateway::Stage'))[0] as [
      string,
      { DependsOn: string[] },
    ];
    expect(stage.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ApiExecutionLogs/)]));
  });

  it('keeps the account-level CloudWatch role for execution logs', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  describe('with a custom domain', () => {
    let domainTemplate: Template;

    beforeAll(() => {
      const stack = testStack();
      new WebhookApi(
        stack,
        'Api',
        apiProps(stack, {
          customDomain: {
            domainName: 'hooks.example.com',
            certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
            hostedZoneId: 'Z0123456789ABCDEFGHIJ',
            hostedZoneName: 'example.com',
          },
        }),
      );
      domainTemplate = Template.fromStack(stack);
    });

    it('serves a regional domain on the enhanced TLS policy, STRICT, mapped to the stage at the root', () => {
      domainTemplate.hasResourceProperties('AWS::ApiGateway::DomainName', {
        DomainName: 'hooks.example.com',
        RegionalCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
        EndpointAccessMode: 'STRICT',
      });
      domainTemplate.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
        DomainName: { Ref: Match.stringLikeRegexp('ApiDomainName') },
        RestApiId: { Ref: Match.stringLikeRegexp('ApiRestApi') },
        Stage: { Ref: Match.stringLikeRegexp('ApiRestApiDeploymentStage') },
      });
    });

    it('disables the execute-api endpoint so the WAF-protected domain is the only way in', () => {
      domainTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    });

    it('adds a Route 53 alias in the hosted zone', () => {
      domainTemplate.hasResourceProperties('AWS::Route53::RecordSet', {
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
        Name: 'hooks.example.com.',
        Type: 'A',
        AliasTarget: Match.objectLike({
          DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiDomainName'), 'RegionalDomainName'] },
        }),
      });
    });

    it('creates no DNS record without a hosted zone', () => {
      const stack = testStack();
      new WebhookApi(
        stack,
        'Api',
        apiProps(stack, {
          customDomain: {
            domainName: 'hooks.example.com',
            certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d',
          },
        }),
      );
      Template.fromStack(stack).resourceCountIs('AWS::Route53::RecordSet', 0);
    });
  });

  it('creates no authorizer when every provider authenticates by signature alone', () => {
    const stack = testStack();
    const api = new WebhookApi(stack, 'Api', apiProps(stack, { providers: [{ id: 'mailtrap', auth: 'signature' }] }));
    expect(api.authorizer).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  });

  it.each<[string, (stack: Stack) => Partial<WebhookApiProps>, RegExp]>([
    ['a bad stage name', () => ({ stageName: 'dev stage' }), /stageName must be letters, digits, - or _/],
    ['no providers', () => ({ providers: [] }), /at least one provider/],
    [
      'an unknown provider',
      () => ({ providers: [{ id: 'fakemail' as 'sendgrid', auth: 'basic' }] }),
      /"fakemail" is not a provider id/,
    ],
    [
      'a duplicate provider',
      () => ({
        providers: [
          { id: 'sendgrid', auth: 'basic' },
          { id: 'sendgrid', auth: 'both' },
        ],
      }),
      /"sendgrid" is listed twice/,
    ],
    [
      'an unknown auth mode',
      () => ({ providers: [{ id: 'sendgrid', auth: 'token' as 'basic' }] }),
      /auth must be one of/,
    ],
    [
      'a cache TTL above 3600',
      () => ({ authorizerCacheTtlSeconds: 7200 }),
      /authorizerCacheTtlSeconds must be a whole number from 0 to 3600, got 7200/,
    ],
    ['a negative burst', () => ({ throttling: { rateLimit: 10, burstLimit: -1 } }), /throttling.burstLimit/],
    [
      'a zero rate',
      () => ({ throttling: { rateLimit: 0, burstLimit: 1 } }),
      /throttling.rateLimit must be a positive number/,
    ],
    ['an invalid retention', () => ({ logRetentionDays: 10 }), /logRetentionDays must be one of/],
    [
      'a domain outside its hosted zone',
      () => ({
        customDomain: {
          domainName: 'hooks.example.org',
          certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
          hostedZoneId: 'Z123',
          hostedZoneName: 'example.com',
        },
      }),
      /"hooks.example.org" is not in hosted zone "example.com"/,
    ],
    [
      'a negative trace reservoir',
      () => ({ traceSampling: { reservoirPerSecond: -1, fixedRate: 0.01 } }),
      /traceSampling.reservoirPerSecond must be a whole number at least 0, got -1/,
    ],
    [
      'a trace rate above 1',
      () => ({ traceSampling: { reservoirPerSecond: 0, fixedRate: 5 } }),
      /traceSampling.fixedRate must be a number from 0 to 1, got 5/,
    ],
    [
      'a sampling that traces nothing',
      () => ({ traceSampling: { reservoirPerSecond: 0, fixedRate: 0 } }),
      /traceSampling would trace nothing/,
    ],
    [
      'a certificate that is not an ACM ARN',
      () => ({ customDomain: { domainName: 'hooks.example.com', certificateArn: 'cert-123' } }),
      /certificateArn must be an ACM certificate ARN, got "cert-123"/,
    ],
  ])('rejects %s', (_case, overrides, message) => {
    const stack = testStack();
    expect(() => new WebhookApi(stack, 'Api', apiProps(stack, overrides(stack)))).toThrow(message);
  });
});

function onlyAuthorizerUri(template: Template): unknown {
  const [, properties] = resourcesOf(template, 'AWS::ApiGateway::Authorizer')[0] as [string, Properties];
  return properties.AuthorizerUri;
}
