import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  CloudFormationStackOutputs,
  currentDeployedCredential,
  deployedPathToken,
  DeployedStackError,
  describeDeployedStack,
  SecretsManagerSecretValues,
} from '../../src/cli/deployed-stack';

const cloudFormation = mockClient(CloudFormationClient);
const secretsManager = mockClient(SecretsManagerClient);

afterEach(() => {
  cloudFormation.reset();
  secretsManager.reset();
});

describe('CloudFormationStackOutputs', () => {
  it('reads the outputs of the named stack', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Hookguard-prod' }).resolves({
      Stacks: [
        {
          StackName: 'Hookguard-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/' },
            { OutputKey: 'RestApiId', OutputValue: 'abc' },
            { OutputKey: 'Dangling' },
          ],
        },
      ],
    });
    const source = new CloudFormationStackOutputs({ client: new CloudFormationClient({ region: 'eu-west-1' }) });

    // Act
    const outputs = await source.outputs('Hookguard-prod');

    // Assess
    expect(outputs).toEqual({ ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/', RestApiId: 'abc' });
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Hookguard-prod' });
  });

  it('says the stack does not exist when CloudFormation says so', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: {},
        message: 'Stack with id Hookguard-prod does not exist',
      }),
    );
    const source = new CloudFormationStackOutputs({ client: new CloudFormationClient({ region: 'eu-west-1' }) });

    // Act / Assess
    const failure = source.outputs('Hookguard-prod');
    await expect(failure).rejects.toBeInstanceOf(DeployedStackError);
    await expect(failure).rejects.toThrow('Stack Hookguard-prod does not exist in this account and region');
  });
});

describe('SecretsManagerSecretValues', () => {
  it('reads the AWSCURRENT value', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"u","password":"p"}' });
    const source = new SecretsManagerSecretValues({ client: new SecretsManagerClient({ region: 'eu-west-1' }) });

    // Act
    const value = await source.currentValue('arn:secret');

    // Assess
    expect(value).toBe('{"username":"u","password":"p"}');
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'arn:secret',
      VersionStage: 'AWSCURRENT',
    });
  });

  it('names the failure without any value', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'Secrets Manager can not find the secret' }));
    const source = new SecretsManagerSecretValues({ client: new SecretsManagerClient({ region: 'eu-west-1' }) });

    // Act / Assess
    await expect(source.currentValue('arn:secret')).rejects.toThrow(
      'Could not read secret arn:secret: ResourceNotFoundException',
    );
  });
});

describe('describeDeployedStack', () => {
  it('reads the outputs of Hookguard-<stage>', async () => {
    // Prepare
    const asked: string[] = [];
    const source = {
      async outputs(name: string) {
        asked.push(name);
        return { ApiUrl: 'https://x/', RestApiId: 'r', StageName: 'prod', CredentialsSecretArn: 'arn:c', Extra: 'e' };
      },
    };

    // Act
    const stack = await describeDeployedStack(source, 'prod');

    // Assess
    expect(asked).toEqual(['Hookguard-prod']);
    expect(stack).toEqual({
      stackName: 'Hookguard-prod',
      apiUrl: 'https://x/',
      restApiId: 'r',
      stageName: 'prod',
      credentialsSecretArn: 'arn:c',
      pathTokenSecretArn: null,
    });
  });

  it('reads the path token secret, and none from an older stack or the output "none"', async () => {
    const outputs = { ApiUrl: 'https://x/', RestApiId: 'r', StageName: 'prod', CredentialsSecretArn: 'arn:c' };
    const withToken = await describeDeployedStack({ outputs: async () => ({ ...outputs, PathTokenSecretArn: 'arn:t' }) }, 'prod');
    const off = await describeDeployedStack({ outputs: async () => ({ ...outputs, PathTokenSecretArn: 'none' }) }, 'prod');
    expect(withToken.pathTokenSecretArn).toBe('arn:t');
    expect(off.pathTokenSecretArn).toBeNull();
  });
});

describe('deployedPathToken', () => {
  const stack = {
    stackName: 'Hookguard-prod',
    apiUrl: 'https://x/',
    restApiId: 'r',
    stageName: 'prod',
    credentialsSecretArn: 'arn:c',
    pathTokenSecretArn: 'arn:t',
  };
  const TOKEN = 'Q7rT2vX9zB4nM6kP1sD8fG3hJ5lW0cY2eA4iU6oR';

  it('reads the token from the secret the stack names', async () => {
    const asked: string[] = [];
    const token = await deployedPathToken(
      { currentValue: async (id) => (asked.push(id), JSON.stringify({ token: TOKEN })) },
      stack,
    );
    expect(token).toBe(TOKEN);
    expect(asked).toEqual(['arn:t']);
  });

  it('is null without reading anything when the stack has none', async () => {
    const token = await deployedPathToken(
      {
        currentValue: async () => {
          throw new Error('not read');
        },
      },
      { ...stack, pathTokenSecretArn: null },
    );
    expect(token).toBeNull();
  });

  it('refuses a malformed secret without quoting it', async () => {
    const failure = deployedPathToken({ currentValue: async () => '{"token":"short-secret"}' }, stack);
    await expect(failure).rejects.toThrow(/does not hold/);
    await expect(failure).rejects.not.toThrow(/short-secret/);
  });
});

describe('currentDeployedCredential', () => {
  const stack = {
    stackName: 'Hookguard-prod',
    apiUrl: 'https://x/',
    restApiId: 'r',
    stageName: 'prod',
    credentialsSecretArn: 'arn:c',
    pathTokenSecretArn: null,
  };

  it.each([
    ['not JSON', 'user:pass'],
    ['missing the password', '{"username":"u"}'],
    ['a user name with a colon', '{"username":"u:x","password":"p"}'],
  ])('refuses a secret value that is %s, without quoting it', async (_name, value) => {
    // Act / Assess
    const failure = currentDeployedCredential({ currentValue: async () => value }, stack);
    await expect(failure).rejects.toThrow(
      'The credential secret of Hookguard-prod does not hold {"username","password"}',
    );
  });
});
