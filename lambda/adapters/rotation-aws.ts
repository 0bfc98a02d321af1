/**
 * AWS adapters of the rotation ports: the credential secret (Secrets Manager) and the authorizer cache (API
 * Gateway). Each takes its SDK client in the constructor. The event goes through `EventBridgeBus`
 * (`adapters/eventbridge-bus.ts`) on the default bus.
 */
import { type APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { AuthorizerCacheFlusher, RotationSecretState, RotationSecretStore } from '../core/rotation';

/** {@link RotationSecretStore} over Secrets Manager. */
export class SecretsManagerRotationStore implements RotationSecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  /** DescribeSecret: ARN, whether rotation is on, and every version's labels. */
  async describe(secretId: string): Promise<RotationSecretState> {
    const output = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    const versionStages: Record<string, readonly string[]> = {};
    for (const [versionId, stages] of Object.entries(output.VersionIdsToStages ?? {})) {
      versionStages[versionId] = stages ?? [];
    }
    return { arn: output.ARN ?? secretId, rotationEnabled: output.RotationEnabled === true, versionStages };
  }

  /** GetSecretValue by stage (and version); null on ResourceNotFound, which is how an empty version answers. */
  async getValue(
    secretId: string,
    selector: { readonly stage: 'AWSCURRENT' | 'AWSPENDING'; readonly versionId?: string },
  ): Promise<string | null> {
    try {
      const output = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: selector.stage, VersionId: selector.versionId }),
      );
      return output.SecretString ?? null;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return null;
      throw error;
    }
  }

  /** PutSecretValue with the token as ClientRequestToken, labelled AWSPENDING only (never AWSCURRENT). */
  async putPendingValue(secretId: string, versionId: string, value: string, rotationToken?: string): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: versionId,
        SecretString: value,
        VersionStages: ['AWSPENDING'],
        RotationToken: rotationToken,
      }),
    );
  }

  /** UpdateSecretVersionStage moving AWSCURRENT; Secrets Manager moves AWSPREVIOUS to the old version itself. */
  async moveCurrent(secretId: string, toVersionId: string, fromVersionId: string): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: toVersionId,
        RemoveFromVersionId: fromVersionId,
      }),
    );
  }
}

/** Options of {@link ApiGatewayAuthorizerCacheFlusher}. */
export interface ApiGatewayAuthorizerCacheFlusherOptions {
  /** Needs apigateway:DELETE on `/restapis/<id>/stages/<stage>/cache/authorizers`. */
  readonly client: APIGatewayClient;
  readonly restApiId: string;
  readonly stageName: string;
}

/** {@link AuthorizerCacheFlusher} over API Gateway's FlushStageAuthorizersCache. */
export class ApiGatewayAuthorizerCacheFlusher implements AuthorizerCacheFlusher {
  constructor(private readonly options: ApiGatewayAuthorizerCacheFlusherOptions) {}

  /** Drops every cached authorizer result of the stage, so the next request of each credential is re-checked. */
  async flushAuthorizerCache(): Promise<void> {
    await this.options.client.send(
      new FlushStageAuthorizersCacheCommand({ restApiId: this.options.restApiId, stageName: this.options.stageName }),
    );
  }
}
