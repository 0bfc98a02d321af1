/**
 * Reads what Secrets Manager says about a secret's rotation (DescribeSecret, ListSecretVersionIds): dates, stages
 * and version creation times, never a secret value. Used by the watch function and `hookguard status`.
 */
import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretRotationInfo, SecretVersionInfo } from '../core/credential-watch';

/**
 * The rotation facts of `secretId`. Needs `secretsmanager:DescribeSecret` and `secretsmanager:ListSecretVersionIds`
 * on the secret (no `kms:Decrypt`: no value is read).
 */
export async function readSecretRotationInfo(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SecretRotationInfo> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const versions: SecretVersionInfo[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: secretId, NextToken: nextToken, MaxResults: 100 }),
    );
    for (const version of page.Versions ?? []) {
      if (!version.VersionId) continue;
      versions.push({
        versionId: version.VersionId,
        stages: version.VersionStages ?? [],
        ...(version.CreatedDate ? { createdDate: version.CreatedDate } : {}),
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  // Versions with no stage are deprecated leftovers; only staged ones say anything about the credential.
  const staged = versions.filter((version) => version.stages.length > 0);
  return {
    rotationEnabled: described.RotationEnabled === true,
    ...(described.LastRotatedDate ? { lastRotatedDate: described.LastRotatedDate } : {}),
    ...(described.CreatedDate ? { createdDate: described.CreatedDate } : {}),
    ...(described.NextRotationDate ? { nextRotationDate: described.NextRotationDate } : {}),
    versions: staged,
  };
}
