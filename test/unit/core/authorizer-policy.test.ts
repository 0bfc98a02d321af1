import { AUTHORIZER_PRINCIPAL_ID, buildAllowPolicy, parseMethodArn } from '../../../lambda/core/authorizer-policy';
import { ConfigurationError } from '../../../lambda/errors';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/webhooks/postmark';

describe('parseMethodArn', () => {
  it('splits a method ARN', () => {
    expect(parseMethodArn(METHOD_ARN)).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      stage: 'prod',
      method: 'POST',
      resourcePath: 'webhooks/postmark',
    });
  });

  it.each([
    ['an empty string', ''],
    ['another service', 'arn:aws:lambda:eu-west-1:123456789012:function:x'],
    ['a short account id', 'arn:aws:execute-api:eu-west-1:1234:a1b2c3d4e5/prod/POST/webhooks/postmark'],
    ['no stage and method', 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5'],
  ])('refuses %s with a ConfigurationError', (_name, arn) => {
    expect(() => parseMethodArn(arn)).toThrow(ConfigurationError);
  });
});

describe('buildAllowPolicy', () => {
  it('allows the whole stage for a Basic credential, because the cached result serves every route', () => {
    // Act
    const policy = buildAllowPolicy(METHOD_ARN, {
      scope: 'api',
      credentialVersion: 'v1',
      credentialStage: 'AWSCURRENT',
    });

    // Assess
    expect(policy).toEqual({
      principalId: AUTHORIZER_PRINCIPAL_ID,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: ['arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*/*'],
          },
        ],
      },
      context: { credentialVersion: 'v1', credentialStage: 'AWSCURRENT' },
    });
  });

  it('allows only the provider route for a bearer token', () => {
    const policy = buildAllowPolicy('arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/webhooks/brevo', {
      scope: 'provider',
      provider: 'brevo',
      credentialVersion: 'v1',
      credentialStage: 'AWSPREVIOUS',
    });

    expect(policy.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: [
          'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/webhooks/brevo',
          'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/webhooks/*/brevo',
        ],
      },
    ]);
  });

  it('keeps the partition of other AWS partitions', () => {
    const policy = buildAllowPolicy('arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3d4e5/dev/POST/webhooks/x', {
      scope: 'api',
      credentialVersion: 'v1',
      credentialStage: 'AWSCURRENT',
    });

    expect(policy.policyDocument.Statement[0]?.Resource).toEqual([
      'arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3d4e5/dev/*/*',
    ]);
  });
});
