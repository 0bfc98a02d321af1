/**
 * The deployed stack's resources the newer commands (keys, tail, replay) need, read from the stack outputs with
 * the user's credentials for the resolved region and profile.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { type AwsTarget, awsClientConfig } from './command-kit';
import { CloudFormationStackOutputs, DeployedStackError, deployedStackName } from './deployed-stack';

/** Every output of `Hookguard-<stage>`. */
export async function deployedStackOutputs(target: AwsTarget, stage: string): Promise<Readonly<Record<string, string>>> {
  const client = new CloudFormationClient(awsClientConfig(target));
  try {
    return await new CloudFormationStackOutputs({ client }).outputs(deployedStackName(stage));
  } finally {
    client.destroy();
  }
}

/**
 * Picks outputs by key.
 *
 * @throws {DeployedStackError} naming every missing output.
 */
export function requireOutputs<K extends string>(
  outputs: Readonly<Record<string, string>>,
  stage: string,
  keys: readonly K[],
): Record<K, string> {
  const missing = keys.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new DeployedStackError(
      `Stack ${deployedStackName(stage)} has no output ${missing.join(', ')}; deploy this version of Hookguard first`,
    );
  }
  return Object.fromEntries(keys.map((key) => [key, outputs[key] as string])) as Record<K, string>;
}

/** One output of `Hookguard-<stage>`. */
export async function deployedStackOutput(target: AwsTarget, stage: string, key: string): Promise<string> {
  return requireOutputs(await deployedStackOutputs(target, stage), stage, [key])[key] as string;
}
