/**
 * The public edge: a regional REST API with exactly one `POST /webhooks/<provider>` per enabled provider (Lambda proxy
 * to the verifier, behind the Basic authorizer unless the provider authenticates by signature alone), the URL checks
 * some vendors make, JSON answers for everything else, and logs that never hold credentials or bodies.
 *
 * Monitoring: the stage is traced with X-Ray through a sampling rule of its own (the functions behind it follow the
 * stage's decision), and publishes API Gateway's free stage-level metrics; per-method detailed metrics, billed as
 * custom metrics, are opt-in.
 */
import { createHash } from 'node:crypto';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import {
  type ErrorBody,
  GATEWAY_ERROR_BODIES,
  THROTTLED_RETRY_AFTER_SECONDS,
  WWW_AUTHENTICATE,
} from '../../lambda/core/http';
import { isProviderId, type ProviderId, URL_CHECK_METHODS } from '../../lambda/core/provider-ids';
import { isPathToken, WEBHOOKS_PREFIX } from '../../lambda/core/webhook-path';
import type { AuthMode } from '../../lambda/core/settings';
import { DEFAULT_MONITORING } from '../config/defaults';
import type { CustomDomainConfig, ThrottlingConfig, TraceSamplingConfig } from '../config/types';
import { PropsProblems, show, VALID_LOG_RETENTION_DAYS } from './props-validation';
import { type EnhancedSecurityPolicy, TLS12_PFS_POLICY, TLS13_ONLY_POLICY } from './tls-policy';

/** Path prefix of every webhook route (`webhook-path.ts` builds the whole path). */
export const WEBHOOKS_PATH = WEBHOOKS_PREFIX;

/**
 * Body of API Gateway's own 4xx answers that have no specific entry (malformed request line, unsupported media
 * type...): the status stays API Gateway's, the body says nothing about the request.
 */
export const CLIENT_ERROR_BODY: ErrorBody = { error: { code: 'bad_request', message: 'Request rejected' } };

/** One gateway response: API Gateway's answer when it refuses a request before (or instead of) the verifier. */
export interface GatewayResponseSpec {
  readonly type: apigw.ResponseType;
  /** HTTP status; absent keeps API Gateway's own (the 4xx/5xx catch-alls). */
  readonly statusCode?: string;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Every gateway response the API defines, built from `GATEWAY_ERROR_BODIES` so the local runtime answers alike. */
export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    type: apigw.ResponseType.UNAUTHORIZED,
    statusCode: '401',
    body: GATEWAY_ERROR_BODIES.unauthorized.body,
    // Amazon SNS only sends its Basic credentials after this challenge.
    headers: { 'WWW-Authenticate': WWW_AUTHENTICATE },
  },
  { type: apigw.ResponseType.ACCESS_DENIED, statusCode: '403', body: GATEWAY_ERROR_BODIES.forbidden.body },
  { type: apigw.ResponseType.WAF_FILTERED, statusCode: '403', body: GATEWAY_ERROR_BODIES.wafFiltered.body },
  // API Gateway calls an unknown path "Missing Authentication Token" (403); it is a plain 404.
  {
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    body: GATEWAY_ERROR_BODIES.notFound.body,
  },
  { type: apigw.ResponseType.RESOURCE_NOT_FOUND, statusCode: '404', body: GATEWAY_ERROR_BODIES.notFound.body },
  // No route uses IAM (SigV4) authorisation, so this answer only comes from an unknown path requested with an
  // Authorization header that is not a signature (a provider's Basic credential on an old, tokenless path): reports
  // disagree on whether API Gateway answers that through MISSING_AUTHENTICATION_TOKEN (amazon-archives/
  // aws-cognito-angular-quickstart#50) or not (HumanCellAtlas/data-store#328), so both are a 404. docs/path-token.md
  {
    type: apigw.ResponseType.INVALID_SIGNATURE,
    statusCode: '404',
    body: GATEWAY_ERROR_BODIES.notFound.body,
  },
  { type: apigw.ResponseType.REQUEST_TOO_LARGE, statusCode: '413', body: GATEWAY_ERROR_BODIES.payloadTooLarge.body },
  // 503 + Retry-After, not API Gateway's 429: Amazon SNS never retries a 4xx, every provider retries a 503.
  {
    type: apigw.ResponseType.THROTTLED,
    statusCode: String(GATEWAY_ERROR_BODIES.throttled.statusCode),
    body: GATEWAY_ERROR_BODIES.throttled.body,
    headers: { 'Retry-After': String(THROTTLED_RETRY_AFTER_SECONDS) },
  },
  {
    type: apigw.ResponseType.QUOTA_EXCEEDED,
    statusCode: String(GATEWAY_ERROR_BODIES.throttled.statusCode),
    body: GATEWAY_ERROR_BODIES.throttled.body,
    headers: { 'Retry-After': String(THROTTLED_RETRY_AFTER_SECONDS) },
  },
  { type: apigw.ResponseType.DEFAULT_4XX, body: CLIENT_ERROR_BODY },
  { type: apigw.ResponseType.DEFAULT_5XX, body: GATEWAY_ERROR_BODIES.defaultServerError.body },
];

/**
 * The access log line: one JSON object per request, with the fields an investigation uses (the runbooks' queries in
 * docs/operations.md) and nothing else: every byte is paid for at every request, and counts and latencies by provider
 * are metrics. Deliberately absent: every request header (Authorization among them), the query string and the body.
 *
 * - `extendedRequestId`: API Gateway's own id of the request (the format must hold it or `$context.requestId`);
 *   `$context.requestId` is left out, since the client can set it (`X-Amzn-RequestId`) and it adds 50 bytes.
 * - `lambdaRequestId`: the verifier's request id, the `requestId` of its log lines (refusals and failures).
 * - No request time: CloudWatch stamps every line (`@timestamp`, what the runbooks' queries sort and filter by),
 *   within the request's latency of its start.
 * - `waf`, `authorizerError`, `errorType`, `integrationError`: why WAF, the authorizer, API Gateway or the Lambda
 *   integration refused or failed the request.
 * - `credentialStage`: the credential's stage (current, pending, previous) the authorizer put in its context, never
 *   the secret: which provider still uses the previous credential.
 * - `tlsVersion`, `cipherSuite`: what each provider negotiates, to check before tightening the TLS policy.
 *
 * Variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  extendedRequestId: '$context.extendedRequestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  latency: '$context.responseLatency',
  lambdaRequestId: '$context.integration.requestId',
  waf: '$context.wafResponseCode',
  authorizerError: '$context.authorizer.error',
  credentialStage: '$context.authorizer.credentialStage',
  errorType: '$context.error.responseType',
  integrationError: '$context.integration.error',
  tlsVersion: '$context.tlsVersion',
  cipherSuite: '$context.cipherSuite',
};

/** Priority of the stage's X-Ray sampling rule (X-Ray's default rule is 10000; lower numbers are matched first). */
export const TRACE_SAMPLING_RULE_PRIORITY = 1000;

/** X-Ray's limit on a sampling rule name. */
const SAMPLING_RULE_NAME_MAX_LENGTH = 32;

/**
 * The name of a stage's X-Ray sampling rule, unique per account and region like the stage's other names:
 * `hookguard-<stage>`, or, when that is longer than X-Ray's 32 characters, a shortened name with a hash of the stage.
 */
export function samplingRuleName(stageName: string): string {
  const full = `hookguard-${stageName}`;
  if (full.length <= SAMPLING_RULE_NAME_MAX_LENGTH) return full;
  const hash = createHash('sha256').update(stageName).digest('hex').slice(0, 8);
  return `hg-${stageName.slice(0, SAMPLING_RULE_NAME_MAX_LENGTH - 12)}-${hash}`;
}

/** One provider's route. */
export interface WebhookApiProvider {
  readonly id: ProviderId;
  /** `basic` and `both` put the Basic authorizer on the route; `signature` leaves it to the verifier. */
  readonly auth: AuthMode;
  /**
   * Method-level throttling for this provider's POST.
   * @default - the stage's throttling
   */
  readonly throttling?: ThrottlingConfig;
}

/** Props of {@link WebhookApi}. */
export interface WebhookApiProps {
  /** API Gateway stage name (also the first path segment of the execute-api URL). */
  readonly stageName: string;
  /** Enabled providers; each gets `POST /webhooks/<id>` (`/webhooks/<pathToken>/<id>` with a path token). */
  readonly providers: readonly WebhookApiProvider[];
  /**
   * The path token segment: every route moves under `/webhooks/<pathToken>/`, and `/webhooks/<id>` is an unknown
   * path (404 from API Gateway, nothing invoked). Usually `WebhookSecrets.pathTokenReference`, a CloudFormation
   * dynamic reference resolved at deployment; a literal must be a valid path token (`isPathToken`).
   * @default - no token: `/webhooks/<id>`
   */
  readonly pathToken?: string;
  /** The verifier function (Lambda proxy target of every POST). */
  readonly verifier: lambda.IFunction;
  /** The Basic authorizer function (REQUEST authorizer on the Authorization header). */
  readonly authorizer: lambda.IFunction;
  /** How long API Gateway caches the authorizer's answer per Authorization value, seconds (0 to 3600). */
  readonly authorizerCacheTtlSeconds: number;
  /** Stage-wide throttling. */
  readonly throttling: ThrottlingConfig;
  /** Days access and execution logs are kept. */
  readonly logRetentionDays: number;
  /**
   * Execution log level (`dataTraceEnabled` is always off: request bodies are email data).
   * @default 'ERROR'
   */
  readonly executionLogLevel?: 'ERROR' | 'INFO';
  /**
   * Enhanced TLS security policy of the REST API and of its custom domain, with endpoint access mode STRICT (see
   * `tls-policy.ts`: `securityPolicyFor` picks the strictest every enabled provider negotiates).
   * @default 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09' (TLS 1.3, and TLS 1.2 with forward secrecy)
   */
  readonly securityPolicy?: EnhancedSecurityPolicy;
  /**
   * A custom domain (regional, enhanced TLS policy); when set, the execute-api endpoint is disabled.
   * @default - the execute-api URL only
   */
  readonly customDomain?: CustomDomainConfig;
  /**
   * REST API name.
   * @default `hookguard-<stageName>`
   */
  readonly restApiName?: string;
  /**
   * What happens to the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: kept on deletion, removed when a failed create rolls back
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Per-method ("detailed") CloudWatch metrics. Each method that gets traffic publishes 7 metrics billed as custom
   * metrics ($0.30 a month each: $2.10 a month per method, about one per provider); without them API Gateway still
   * publishes its free stage-level metrics (Count, 4XXError, 5XXError, Latency, IntegrationLatency).
   * @default false
   */
  readonly detailedMetrics?: boolean;
  /**
   * X-Ray sampling of the stage: an `AWS::XRay::SamplingRule` matching this stage's ARN. API Gateway makes the
   * sampling decision and the authorizer and verifier follow it, so this rule sets how many webhook requests are
   * traced end to end. Tracing itself is always on.
   * @default - `DEFAULT_MONITORING.tracing`: no reservoir, 1 % of requests
   */
  readonly traceSampling?: TraceSamplingConfig;
}

/**
 * The REST API, its stage, routes, authorizer, gateway responses, logs and trace sampling rule.
 *
 * @example
 * const api = new WebhookApi(this, 'Api', {
 *   stageName: 'dev', providers: [{ id: 'sendgrid', auth: 'both' }], verifier: verifier.function,
 *   authorizer: authorizer.function, authorizerCacheTtlSeconds: 300, throttling: { rateLimit: 200, burstLimit: 400 },
 *   logRetentionDays: 30,
 * });
 */
export class WebhookApi extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** Its one stage. */
  public readonly stage: apigw.Stage;
  /** The Basic authorizer; absent when every provider authenticates by signature alone. */
  public readonly authorizer?: apigw.RequestAuthorizer;
  /** Access log group (JSON lines). */
  public readonly accessLogGroup: logs.LogGroup;
  /** Execution log group, created up front so that it has a retention (API Gateway would create it without one). */
  public readonly executionLogGroup: logs.LogGroup;
  /** Each provider's `POST /webhooks/<id>` method. */
  public readonly webhookMethods: ReadonlyMap<ProviderId, apigw.Method>;
  /** The custom domain, when configured. */
  public readonly domainName?: apigw.DomainName;
  /** Base URL webhooks are posted under: `https://<domain>/` or the execute-api stage URL. */
  public readonly url: string;
  /** The X-Ray sampling rule of the stage. */
  public readonly traceSamplingRule: xray.CfnSamplingRule;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    validate(props);
    const removalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const securityPolicy = props.securityPolicy ?? TLS12_PFS_POLICY;
    const loggingLevel =
      props.executionLogLevel === 'INFO' ? apigw.MethodLoggingLevel.INFO : apigw.MethodLoggingLevel.ERROR;
    const retention = props.logRetentionDays as logs.RetentionDays;
    const metricsEnabled = props.detailedMetrics ?? false;
    const traceSampling = props.traceSampling ?? DEFAULT_MONITORING.tracing;

    // Infrequent Access: half the ingestion price of Standard, and Logs Insights still queries it; the access log
    // feeds no metric filter, subscription or Live Tail (metrics come from the Lambdas' EMF lines).
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention,
      removalPolicy,
      logGroupClass: logs.LogGroupClass.INFREQUENT_ACCESS,
    });

    // The method settings' resource path carries the token's dynamic reference too (`~1` is CDK's escape of `/`).
    const tokenPrefix = props.pathToken === undefined ? WEBHOOKS_PATH : `${WEBHOOKS_PATH}/${props.pathToken}`;
    const methodOptions: Record<string, apigw.MethodDeploymentOptions> = {};
    for (const provider of props.providers) {
      if (provider.throttling === undefined) continue;
      // A method setting replaces the stage's for that method, so it repeats the logging choices.
      methodOptions[`${tokenPrefix}/${provider.id}/POST`] = {
        throttlingRateLimit: provider.throttling.rateLimit,
        throttlingBurstLimit: provider.throttling.burstLimit,
        loggingLevel,
        dataTraceEnabled: false,
        metricsEnabled,
      };
    }

    this.api = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.restApiName ?? `hookguard-${props.stageName}`,
      description: 'Hookguard: email-provider webhooks',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Every body reaches the verifier as the exact bytes received (base64): signatures cover raw bytes.
      binaryMediaTypes: ['*/*'],
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      // Execution logs need the account-level CloudWatch role (AWS::ApiGateway::Account).
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      retainDeployments: false,
      deployOptions: {
        stageName: props.stageName,
        description: `Hookguard ${props.stageName}`,
        tracingEnabled: true,
        // Detailed (per-method) metrics only when asked: the stage-level metrics are published either way.
        metricsEnabled,
        loggingLevel,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        methodOptions,
      },
    });
    this.stage = this.api.deploymentStage;
    // The RestApi L2 of aws-cdk-lib 2.276 has no security policy yet; its L1 (and CloudFormation) has both
    // properties (AWS::ApiGateway::RestApi SecurityPolicy, EndpointAccessMode). STRICT: only clients that negotiate
    // the policy get through.
    const cfnApi = this.api.node.defaultChild as apigw.CfnRestApi;
    cfnApi.securityPolicy = securityPolicy;
    cfnApi.endpointAccessMode = apigw.EndpointAccessMode.STRICT;
    // RestApi always adds an `Endpoint` output; the stack publishes its own `ApiUrl` (the domain's, when there is one,
    // while this one would point at a disabled endpoint).
    this.api.node.tryRemoveChild('Endpoint');

    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${props.stageName}`,
      retention,
      removalPolicy,
    });
    this.stage.node.addDependency(this.executionLogGroup);

    // Without a rule of its own the stage falls under X-Ray's default rule (the first request each second, then
    // 5 %), which traces about 30 % of the requests of a stage receiving 10 million a month (3.8 a second).
    this.traceSamplingRule = new xray.CfnSamplingRule(this, 'TraceSampling', {
      samplingRule: {
        ruleName: samplingRuleName(props.stageName),
        priority: TRACE_SAMPLING_RULE_PRIORITY,
        reservoirSize: traceSampling.reservoirPerSecond,
        fixedRate: traceSampling.fixedRate,
        // The stage's ARN is what scopes the rule; the service name (`<api>/<stage>`) could exceed X-Ray's 64.
        resourceArn: this.stage.stageArn,
        serviceName: '*',
        serviceType: 'AWS::ApiGateway::Stage',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        version: 1,
      },
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Bodies are opaque provider payloads (JSON, form posts, batches) authenticated by signature in the verifier; a gateway model would reject valid deliveries and prove nothing.',
    });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "Account-wide API Gateway logging role: AWS's managed policy keeps every API of the account logging; a narrower policy would break the others.",
      });
    }

    for (const spec of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(`Gateway${spec.type.responseType}`, {
        type: spec.type,
        statusCode: spec.statusCode,
        responseHeaders: quoteHeaderValues({ 'Content-Type': 'application/json', ...spec.headers }),
        templates: { 'application/json': JSON.stringify(spec.body) },
      });
    }

    if (props.providers.some((provider) => provider.auth !== 'signature')) {
      this.authorizer = new apigw.RequestAuthorizer(this, 'BasicAuthorizer', {
        authorizerName: `hookguard-${props.stageName}-basic`,
        handler: props.authorizer,
        // Without the header API Gateway answers 401 itself, without invoking (or paying for) the authorizer.
        identitySources: [apigw.IdentitySource.header('Authorization')],
        resultsCacheTtl: Duration.seconds(props.authorizerCacheTtlSeconds),
      });
    }

    const stack = Stack.of(this);
    const verifierIntegration = new apigw.Integration({
      type: apigw.IntegrationType.AWS_PROXY,
      integrationHttpMethod: 'POST',
      uri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${props.verifier.functionArn}/invocations`,
    });
    // One permission for every webhook POST of this stage, instead of one per method (Lambda's policy is 20 KB).
    props.verifier.addPermission('InvokeFromWebhookApi', {
      scope: this,
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: this.api.arnForExecuteApi('POST', `${WEBHOOKS_PATH}/*`, props.stageName),
    });

    const webhooks = this.api.root.addResource(WEBHOOKS_PATH.slice(1));
    const parent = props.pathToken === undefined ? webhooks : tokenResource(this.api, webhooks, props.pathToken);
    const methods = new Map<ProviderId, apigw.Method>();
    for (const provider of props.providers) {
      const resource = parent.addResource(provider.id);
      const post =
        provider.auth === 'signature'
          ? resource.addMethod('POST', verifierIntegration, { authorizationType: apigw.AuthorizationType.NONE })
          : resource.addMethod('POST', verifierIntegration, {
              authorizationType: apigw.AuthorizationType.CUSTOM,
              authorizer: this.authorizer,
            });
      if (provider.auth === 'signature') {
        acknowledgeOpenMethod(
          post,
          `${provider.id} is configured with auth "signature": the verifier checks the provider's signature over the raw body, which an authorizer cannot see.`,
        );
      } else {
        Validations.of(post).acknowledge({
          id: 'AwsSolutions-COG4',
          reason:
            'Email providers can only send HTTP Basic credentials (in the webhook URL): a Lambda REQUEST authorizer checks them, Cognito cannot.',
        });
      }
      methods.set(provider.id, post);

      const urlCheck = URL_CHECK_METHODS[provider.id];
      if (urlCheck) {
        const check = resource.addMethod(urlCheck, urlCheckIntegration(), {
          authorizationType: apigw.AuthorizationType.NONE,
          methodResponses: [{ statusCode: '200' }],
        });
        acknowledgeOpenMethod(
          check,
          `${provider.id} checks the webhook URL with ${urlCheck} before it sends credentials; the answer is a fixed 200 with no data.`,
        );
      }
      const allowed = ['POST', ...(urlCheck ? [urlCheck] : [])];
      const other = resource.addMethod('ANY', methodNotAllowedIntegration(allowed), {
        authorizationType: apigw.AuthorizationType.NONE,
        methodResponses: [
          {
            statusCode: '405',
            responseParameters: { 'method.response.header.Allow': true, 'method.response.header.Content-Type': true },
          },
        ],
      });
      acknowledgeOpenMethod(
        other,
        'Catch-all for methods the route does not serve: a fixed 405 from a mock integration, nothing behind it.',
      );
    }
    this.webhookMethods = methods;

    if (props.customDomain) {
      const domain = props.customDomain;
      this.domainName = new apigw.DomainName(this, 'DomainName', {
        domainName: domain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy:
          securityPolicy === TLS13_ONLY_POLICY
            ? apigw.SecurityPolicy.TLS13_1_3_2025_09
            : apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09,
        endpointAccessMode: apigw.EndpointAccessMode.STRICT,
      });
      this.domainName.addBasePathMapping(this.api, { stage: this.stage });
      if (domain.hostedZoneId && domain.hostedZoneName) {
        const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
          hostedZoneId: domain.hostedZoneId,
          zoneName: domain.hostedZoneName,
        });
        new route53.ARecord(this, 'AliasRecord', {
          zone,
          recordName: domain.domainName,
          target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(this.domainName)),
        });
      }
      this.url = `https://${domain.domainName}/`;
    } else {
      this.url = this.api.url;
    }
  }
}

/**
 * The path token's resource under `/webhooks`. CDK's `Resource` accepts only `[A-Za-z0-9:._$-]` (and braces around
 * a parameter) in a path part, which a dynamic reference is not, so the resource gets a placeholder and its
 * CloudFormation `PathPart` is then set to the reference. Its construct path stays `.../webhooks/path-token`. The
 * reference also goes into the deployment's logical id: a new token (generation) makes a new API deployment.
 */
function tokenResource(api: apigw.RestApi, webhooks: apigw.Resource, pathToken: string): apigw.Resource {
  const resource = webhooks.addResource(PATH_TOKEN_PLACEHOLDER);
  (resource.node.defaultChild as apigw.CfnResource).pathPart = pathToken;
  api.latestDeployment?.addToLogicalId({ pathToken });
  return resource;
}

/** The CDK-side path part of the token resource, replaced in the template (see {@link tokenResource}). */
const PATH_TOKEN_PLACEHOLDER = 'path-token';

/** Gateway response header values are mapping expressions: a static value goes in single quotes. */
function quoteHeaderValues(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`]));
}

/**
 * Content types the fixed answers map with a request template; others pass through (as text, see below) to the mock,
 * which then answers with its default integration response.
 */
export const MOCK_TEMPLATE_CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
  'application/octet-stream',
] as const;

/**
 * A fixed answer from a MOCK integration on an API whose binary media types are `*\/*`. Without conversion API
 * Gateway hands the mock a binary body it cannot transform and answers 500 "Unable to transform request"
 * (aws/serverless-application-model#553, aws/chalice#1310), so the integration and its response convert to text,
 * and a request template selects the response by status code.
 */
function fixedAnswer(
  statusCode: string,
  response: Omit<apigw.IntegrationResponse, 'statusCode' | 'contentHandling'>,
): apigw.MockIntegration {
  const selectResponse = JSON.stringify({ statusCode: Number(statusCode) });
  return new apigw.MockIntegration({
    passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_MATCH,
    contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
    requestTemplates: Object.fromEntries(MOCK_TEMPLATE_CONTENT_TYPES.map((type) => [type, selectResponse])),
    integrationResponses: [{ statusCode, contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT, ...response }],
  });
}

function urlCheckIntegration(): apigw.MockIntegration {
  return fixedAnswer('200', { responseTemplates: { 'application/json': '{}' } });
}

function methodNotAllowedIntegration(allowed: readonly string[]): apigw.MockIntegration {
  return fixedAnswer('405', {
    responseParameters: {
      'method.response.header.Allow': `'${allowed.join(', ')}'`,
      'method.response.header.Content-Type': "'application/json'",
    },
    responseTemplates: { 'application/json': JSON.stringify(GATEWAY_ERROR_BODIES.methodNotAllowed.body) },
  });
}

function acknowledgeOpenMethod(method: apigw.Method, reason: string): void {
  Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
}

const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:certificate\/[A-Za-z0-9-]+$/;

function validate(props: WebhookApiProps): void {
  const problems = new PropsProblems('WebhookApi');
  problems.matches('stageName', props.stageName, /^[A-Za-z0-9_-]{1,128}$/, 'letters, digits, - or _ (1 to 128)');
  if (props.providers.length === 0) problems.add('providers must list at least one provider');
  const seen = new Set<string>();
  for (const provider of props.providers) {
    if (!isProviderId(provider.id)) problems.add(`providers: ${show(provider.id)} is not a provider id`);
    if (seen.has(provider.id)) problems.add(`providers: ${show(provider.id)} is listed twice`);
    seen.add(provider.id);
    problems.oneOf(`providers.${provider.id}.auth`, provider.auth, ['basic', 'signature', 'both'] as const);
    if (provider.throttling) checkThrottling(problems, `providers.${provider.id}.throttling`, provider.throttling);
  }
  checkThrottling(problems, 'throttling', props.throttling);
  const token = props.pathToken;
  if (token !== undefined && !Token.isUnresolved(token) && !token.startsWith('{{resolve:') && !isPathToken(token)) {
    problems.add('pathToken must be 24 to 128 letters, digits, - or _ (or a CloudFormation dynamic reference)');
  }
  if (props.traceSampling) {
    const { reservoirPerSecond, fixedRate } = props.traceSampling;
    problems.integer('traceSampling.reservoirPerSecond', reservoirPerSecond, { min: 0 });
    if (!(Number.isFinite(fixedRate) && fixedRate >= 0 && fixedRate <= 1)) {
      problems.add(`traceSampling.fixedRate must be a number from 0 to 1, got ${show(fixedRate)}`);
    }
    if (reservoirPerSecond === 0 && fixedRate === 0) {
      problems.add('traceSampling would trace nothing (reservoirPerSecond and fixedRate both 0); tracing stays on');
    }
  }
  problems.integer('authorizerCacheTtlSeconds', props.authorizerCacheTtlSeconds, { min: 0, max: 3600 });
  problems.oneOf('logRetentionDays', props.logRetentionDays, VALID_LOG_RETENTION_DAYS);
  const domain = props.customDomain;
  if (domain) {
    problems.matches('customDomain.domainName', domain.domainName, HOSTNAME, 'a lower-case DNS name');
    problems.matches('customDomain.certificateArn', domain.certificateArn, ACM_ARN, 'an ACM certificate ARN');
    if ((domain.hostedZoneId === undefined) !== (domain.hostedZoneName === undefined)) {
      problems.add('customDomain.hostedZoneId and customDomain.hostedZoneName go together');
    }
    const zone = domain.hostedZoneName?.replace(/\.$/, '');
    if (zone !== undefined && domain.domainName !== zone && !domain.domainName.endsWith(`.${zone}`)) {
      problems.add(`customDomain.domainName ${show(domain.domainName)} is not in hosted zone ${show(zone)}`);
    }
  }
  problems.throwIfAny();
}

function checkThrottling(problems: PropsProblems, name: string, throttling: ThrottlingConfig): void {
  if (!(Number.isFinite(throttling.rateLimit) && throttling.rateLimit > 0)) {
    problems.add(
      `${name}.rateLimit must be a positive number of requests per second, got ${show(throttling.rateLimit)}`,
    );
  }
  problems.integer(`${name}.burstLimit`, throttling.burstLimit, { min: 0 });
}
