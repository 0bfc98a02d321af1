/**
 * Shared fixtures of the infra tests: apps configured like `cdk synth` (cdk.json's feature flags), stage configs
 * built through the real config parser, and small template helpers.
 */
import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import cdkJson from '../../../cdk.json';
import { parseConfig } from '../../../lib/config';
import type { StageConfig } from '../../../lib/config/types';

/** Options of {@link testApp}. */
export interface TestAppOptions {
  /** Run esbuild for NodejsFunctions (slow); default false: assets are staged unbundled. */
  readonly bundle?: boolean;
  /** Run aws-cdk-lib's built-in CloudFormation schema validation at synth (slow); default false. */
  readonly validateTemplates?: boolean;
}

/** An App with cdk.json's context, so tests synthesise what `cdk synth` does. */
export function testApp(options: TestAppOptions = {}): App {
  return new App({
    context: { ...cdkJson.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    builtinCloudFormationValidation: options.validateTemplates ?? false,
  });
}

/** A bare stack in a fixed environment, for construct tests. */
export function testStack(app: App = testApp(), id = 'Test'): Stack {
  return new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** A tiny inline function, for constructs that only need an `IFunction`. */
export function inlineFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
}

/** The configuration of stage `test`, parsed and defaulted by the real loader. */
export function stageConfig(stage: Record<string, unknown>): StageConfig {
  const config = parseConfig({ stages: { test: stage } }, 'test');
  const resolved = config.stages.test;
  if (resolved === undefined) throw new Error('parseConfig lost stage "test"');
  return resolved;
}

/**
 * Every provider enabled, with a mix of settings: IPv4-only, IPv6-only and mixed allow-lists, providers without
 * one, per-provider throttling, signature-only auth, and one route of each target type.
 */
export const EVERY_PROVIDER_STAGE = {
  providers: {
    'amazon-ses': { snsTopicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-events'], auth: 'signature' },
    brevo: { allowedCidrs: ['1.179.112.0/20', '172.246.240.0/20'] },
    mailersend: {},
    mailgun: { allowedCidrs: ['2001:db8::/32'], rateLimit: 500 },
    mailjet: { allowedCidrs: ['87.253.232.0/21', '2a01:db8::/32'] },
    mailtrap: { auth: 'signature' },
    mandrill: { signedUrl: 'https://hooks.example.com/webhooks/mandrill' },
    postal: {},
    postmark: { allowedCidrs: ['3.134.147.250/32', '50.31.156.6/32'], throttling: { rateLimit: 20, burstLimit: 40 } },
    resend: { maxBodyBytes: 262144 },
    sendgrid: { throttling: { rateLimit: 50, burstLimit: 100 } },
    sparkpost: {},
    'standard-webhooks': { eventTypeMap: { 'email.sent': 'sent' } },
    'unisender-go': {},
  },
  auth: { rotationDays: 14, gracePeriodHours: 48, authorizerCacheTtlSeconds: 120 },
  waf: { rateLimit: 3000, rateLimitWindowSeconds: 120, logRetentionDays: 90 },
  throttling: { rateLimit: 150, burstLimit: 300 },
  logRetentionDays: 14,
  events: {
    archiveRetentionDays: 45,
    routes: [
      {
        name: 'suppression',
        eventPattern: { 'detail-type': ['email.bounced', 'email.complained'] },
        target: { type: 'sqs' },
      },
      {
        name: 'to-lambda',
        eventPattern: { detail: { provider: ['sendgrid'] } },
        target: { type: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:consumer' },
        retryAttempts: 3,
        maxEventAgeHours: 2,
      },
      {
        name: 'to-bus',
        eventPattern: { 'detail-type': ['email.delivered'] },
        target: { type: 'eventBus', eventBusArn: 'arn:aws:events:eu-west-1:210987654321:event-bus/analytics' },
      },
      { name: 'audit', eventPattern: { 'detail-type': [{ prefix: 'email.' }] }, target: { type: 'logs' } },
    ],
  },
} as const;

/** Every resource of a type, as `[logicalId, properties]`. */
export function resourcesOf(template: Template, type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(template.findResources(type)).map(([id, resource]) => [
    id,
    (resource as { Properties?: Record<string, unknown> }).Properties ?? {},
  ]);
}

/** The one resource of a type; fails when there is not exactly one. */
export function onlyResourceOf(template: Template, type: string): Record<string, unknown> {
  const found = resourcesOf(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return (found[0] as [string, Record<string, unknown>])[1];
}
