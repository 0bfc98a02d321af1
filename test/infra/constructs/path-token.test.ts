/**
 * The path token deployed (issue 12 §3, docs/path-token.md): the secret, the token resource whose PathPart is a
 * dynamic reference, the routes under it and nothing at the guessable paths, the stage's method settings, the new
 * deployment per generation, the WAF scoping and the stack output.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { HookguardStack, stackNameOf } from '../../../lib/stacks/hookguard-stack';
import { resourcesOf, stageConfig, testApp } from '../support/infra-fixtures';

type Properties = Record<string, unknown>;

function synth(stage: Record<string, unknown>): Template {
  const stack = new HookguardStack(testApp(), stackNameOf('test'), {
    config: stageConfig(stage),
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  return Template.fromStack(stack);
}

const STAGE = {
  providers: {
    sendgrid: { throttling: { rateLimit: 50, burstLimit: 100 } },
    mandrill: { signedUrl: 'https://hooks.acme.io/webhooks/mandrill' },
  },
};

/** `{{resolve:secretsmanager:<Ref secret>:SecretString:<key>::}}` as CloudFormation sees it (Fn::Join parts). */
function dynamicReferenceTo(secretId: string, key: string): unknown {
  return {
    'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, `:SecretString:${key}::}}`]],
  };
}

function apiResources(template: Template): Array<[string, Properties]> {
  return resourcesOf(template, 'AWS::ApiGateway::Resource');
}

function pathSecretId(template: Template): string {
  const found = resourcesOf(template, 'AWS::SecretsManager::Secret').find(
    ([, properties]) => properties.Name === 'hookguard/test/path-token',
  );
  if (!found) throw new Error('no path token secret');
  return found[0];
}

describe('path token, deployed', () => {
  const template = synth({ ...STAGE, pathToken: true });
  const secretId = pathSecretId(template);

  it('generates the token in its own secret under the stage key, never in the template', () => {
    const secret = template.toJSON().Resources[secretId].Properties;
    expect(secret.GenerateSecretString).toEqual({
      SecretStringTemplate: '{}',
      GenerateStringKey: 'token',
      PasswordLength: 40,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
    expect(secret.KmsKeyId).toBeDefined();
    expect(secret.SecretString).toBeUndefined();
  });

  it('puts every route under /webhooks/<token>/ and nothing at /webhooks/<provider>', () => {
    const resources = apiResources(template);
    const webhooks = resources.find(([, properties]) => properties.PathPart === 'webhooks');
    expect(webhooks).toBeDefined();
    const children = resources.filter(
      ([, properties]) => (properties.ParentId as { Ref?: string }).Ref === webhooks?.[0],
    );
    // One child under /webhooks: the token, as a dynamic reference to the secret.
    expect(children).toHaveLength(1);
    expect(children[0]?.[1].PathPart).toEqual(dynamicReferenceTo(secretId, 'token'));
    const providers = resources
      .filter(([, properties]) => (properties.ParentId as { Ref?: string }).Ref === children[0]?.[0])
      .map(([, properties]) => properties.PathPart)
      .sort();
    expect(providers).toEqual(['mandrill', 'sendgrid']);
  });

  it("names the token in the stage's method settings", () => {
    const [, stage] = resourcesOf(template, 'AWS::ApiGateway::Stage')[0] as [string, Properties];
    const settings = stage.MethodSettings as Properties[];
    const sendgrid = settings.find((setting) => setting.ThrottlingRateLimit === 50);
    expect(sendgrid?.ResourcePath).toEqual({
      'Fn::Join': ['', ['/~1webhooks~1{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:token::}}~1sendgrid']],
    });
  });

  it('lets the canary and sync find the secret through the stack output', () => {
    expect(template.toJSON().Outputs.PathTokenSecretArn.Value).toEqual({ Ref: secretId });
  });

  it('keeps the WAF rules scoped per provider with or without a token segment', () => {
    const acl = JSON.stringify(resourcesOf(template, 'AWS::WAFv2::WebACL')[0]?.[1]);
    expect(acl).toContain('/webhooks/(?:[^/]+/)?');
    expect(acl).not.toContain('resolve:secretsmanager');
  });

  it('answers unknown paths, with or without an Authorization header, 404 at the gateway', () => {
    const responses = resourcesOf(template, 'AWS::ApiGateway::GatewayResponse').map(([, properties]) => properties);
    for (const type of ['MISSING_AUTHENTICATION_TOKEN', 'INVALID_SIGNATURE']) {
      expect(responses.find((response) => response.ResponseType === type)?.StatusCode).toBe('404');
    }
  });
});

describe('path token generations', () => {
  const deploymentId = (template: Template) => resourcesOf(template, 'AWS::ApiGateway::Deployment')[0]?.[0];

  it('uses a new secret key, a new token resource and a new API deployment for a new generation', () => {
    const first = synth({ ...STAGE, pathToken: true });
    const second = synth({ ...STAGE, pathToken: { generation: 2 } });
    const secretId = pathSecretId(second);
    expect(second.toJSON().Resources[secretId].Properties.GenerateSecretString.GenerateStringKey).toBe('token-2');
    expect(apiResources(second).some(([, p]) => JSON.stringify(p.PathPart) === JSON.stringify(dynamicReferenceTo(secretId, 'token-2')))).toBe(true);
    expect(deploymentId(second)).not.toEqual(deploymentId(first));
  });

  it('creates no secret and no token segment when off (the default)', () => {
    const template = synth(STAGE);
    expect(
      resourcesOf(template, 'AWS::SecretsManager::Secret').some(([, p]) => p.Name === 'hookguard/test/path-token'),
    ).toBe(false);
    expect(template.toJSON().Outputs.PathTokenSecretArn.Value).toBe('none');
    const paths = apiResources(template).map(([, p]) => p.PathPart);
    expect(paths).toEqual(expect.arrayContaining(['webhooks', 'sendgrid', 'mandrill']));
    expect(JSON.stringify(template.toJSON()).includes('resolve:secretsmanager')).toBe(false);
  });
});
