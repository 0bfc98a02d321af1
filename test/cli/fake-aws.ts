/** A fake deployed stage for the CLI tests: stack outputs, a credential secret and a recorded rotation. */

import type { RotateCredentialsOptions } from '../../lib/ops/rotate-credentials';
import type { DeployedAws } from '../../src/cli/cli-context';
import type { AwsTarget } from '../../src/cli/command-kit';

export const DEPLOYED_OUTPUTS = {
  ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/test/',
  RestApiId: 'abc123',
  StageName: 'test',
  CredentialsSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard-test-basic-AbCdEf',
};

/** A fake `DeployedAws` and what was asked of it. */
export function fakeDeployedAws(outputs: Record<string, string> = DEPLOYED_OUTPUTS) {
  const calls = {
    stacks: [] as string[],
    secrets: [] as string[],
    rotations: [] as Array<Omit<RotateCredentialsOptions, 'secretsManager' | 'apiGateway' | 'onProgress'>>,
    targets: [] as AwsTarget[],
  };
  const aws: DeployedAws = {
    stackOutputs: {
      async outputs(stackName) {
        calls.stacks.push(stackName);
        return outputs;
      },
    },
    secretValues: {
      async currentValue(secretId) {
        calls.secrets.push(secretId);
        return JSON.stringify({ username: 'hookguard', password: 'DeployedPassword9' });
      },
    },
    async rotate(options) {
      const { onProgress, ...recorded } = options;
      calls.rotations.push(recorded);
      onProgress?.('Rotation started: new version v2');
      return {
        secretArn: options.secretId,
        versionId: 'v2',
        previousVersionId: 'v1',
        revokedVersionId: options.revokePrevious ? 'v1' : null,
        flushes: 1,
      };
    },
  };
  return {
    calls,
    factory: (target: AwsTarget) => {
      calls.targets.push(target);
      return aws;
    },
  };
}
