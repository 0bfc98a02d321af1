import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ApiGatewayAuthorizerCacheFlusher, SecretsManagerRotationStore } from '../../../lambda/adapters/rotation-aws';

const secretsManager = mockClient(SecretsManagerClient);
const apiGateway = mockClient(APIGatewayClient);

afterEach(() => {
  secretsManager.reset();
  apiGateway.reset();
});

describe('SecretsManagerRotationStore', () => {
  const store = () => new SecretsManagerRotationStore(new SecretsManagerClient({ region: 'eu-west-1' }));

  describe('Method: describe', () => {
    it('reports the ARN, the rotation switch and every version’s labels', async () => {
      secretsManager.on(DescribeSecretCommand).resolves({
        ARN: 'arn:secret',
        RotationEnabled: true,
        VersionIdsToStages: { a: ['AWSCURRENT'], b: ['AWSPENDING'] },
      });

      await expect(store().describe('arn:secret')).resolves.toEqual({
        arn: 'arn:secret',
        rotationEnabled: true,
        versionStages: { a: ['AWSCURRENT'], b: ['AWSPENDING'] },
      });
    });

    it('treats an absent rotation flag as disabled', async () => {
      secretsManager.on(DescribeSecretCommand).resolves({ ARN: 'arn:secret' });

      await expect(store().describe('arn:secret')).resolves.toEqual({
        arn: 'arn:secret',
        rotationEnabled: false,
        versionStages: {},
      });
    });
  });

  describe('Method: getValue', () => {
    it('asks for the stage and version', async () => {
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"u","password":"p"}' });

      await expect(store().getValue('arn:secret', { stage: 'AWSPENDING', versionId: 'v2' })).resolves.toBe(
        '{"username":"u","password":"p"}',
      );
      expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, {
        SecretId: 'arn:secret',
        VersionStage: 'AWSPENDING',
        VersionId: 'v2',
      });
    });

    it('answers null for a version without a value', async () => {
      secretsManager
        .on(GetSecretValueCommand)
        .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

      await expect(store().getValue('arn:secret', { stage: 'AWSPENDING', versionId: 'v2' })).resolves.toBeNull();
    });

    it('lets any other failure through, so the step fails and Secrets Manager retries it', async () => {
      secretsManager.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'down', $metadata: {} }));

      await expect(store().getValue('arn:secret', { stage: 'AWSCURRENT' })).rejects.toBeInstanceOf(
        InternalServiceError,
      );
    });
  });
});

describe('ApiGatewayAuthorizerCacheFlusher', () => {
  it('flushes the authorizer cache of the configured stage', async () => {
    apiGateway.on(FlushStageAuthorizersCacheCommand).resolves({});
    const flusher = new ApiGatewayAuthorizerCacheFlusher({
      client: new APIGatewayClient({ region: 'eu-west-1' }),
      restApiId: 'a1b2c3d4e5',
      stageName: 'prod',
    });

    await flusher.flushAuthorizerCache();

    expect(apiGateway).toHaveReceivedCommandWith(FlushStageAuthorizersCacheCommand, {
      restApiId: 'a1b2c3d4e5',
      stageName: 'prod',
    });
  });
});
