/**
 * What the operator CLI reads from a deployed stage: the stack outputs of `Hookguard-<stage>` (CloudFormation) and
 * the current Basic credential (Secrets Manager). Ports with AWS adapters (SDK clients injected), so the commands
 * are tested with fakes and run with the user's own AWS credentials.
 */
import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseBasicCredentialSecret } from '../../lambda/core/basic-auth';
import type { BasicCredentialSecret } from '../../lambda/core/secret-formats';
import { parsePathTokenSecret } from '../../lambda/core/webhook-path';

/** The stack name of a stage, as the CDK app names it. */
export function deployedStackName(stage: string): string {
  return `Hookguard-${stage}`;
}

/** Reads a stack's outputs. */
export interface StackOutputsSource {
  /** Output key -> value. @throws {DeployedStackError} when the stack does not exist. */
  outputs(stackName: string): Promise<Readonly<Record<string, string>>>;
}

/** Reads the current value of a secret. */
export interface SecretValueSource {
  /** The AWSCURRENT version's SecretString. */
  currentValue(secretId: string): Promise<string>;
}

/** A deployed stack cannot be used: missing, incomplete, or its secret unreadable. The message says which. */
export class DeployedStackError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployedStackError';
  }
}

/** The outputs of a deployed Hookguard stage the CLI needs. */
export interface DeployedStack {
  readonly stackName: string;
  /** Base URL; providers post to `<ApiUrl>webhooks/<provider>`. */
  readonly apiUrl: string;
  readonly restApiId: string;
  readonly stageName: string;
  readonly credentialsSecretArn: string;
  /**
   * The path token secret (output `PathTokenSecretArn`); null when the stage has no path token (the output says
   * `none`, or an older stack has no such output).
   */
  readonly pathTokenSecretArn: string | null;
}

const REQUIRED_OUTPUTS = ['ApiUrl', 'RestApiId', 'StageName', 'CredentialsSecretArn'] as const;

/**
 * The deployed stage's outputs.
 *
 * @throws {DeployedStackError} naming every missing output (an older or foreign stack).
 */
export async function describeDeployedStack(source: StackOutputsSource, stage: string): Promise<DeployedStack> {
  const stackName = deployedStackName(stage);
  const outputs = await source.outputs(stackName);
  const missing = REQUIRED_OUTPUTS.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new DeployedStackError(`Stack ${stackName} has no output ${missing.join(', ')}; is it a Hookguard stack?`);
  }
  return {
    stackName,
    apiUrl: outputs.ApiUrl as string,
    restApiId: outputs.RestApiId as string,
    stageName: outputs.StageName as string,
    credentialsSecretArn: outputs.CredentialsSecretArn as string,
    pathTokenSecretArn:
      outputs.PathTokenSecretArn === undefined || outputs.PathTokenSecretArn === 'none'
        ? null
        : outputs.PathTokenSecretArn,
  };
}

/**
 * The deployed stage's path token (docs/path-token.md), what `webhookPath` needs to build its URLs: null when the
 * stack has none. The stack, not the configuration file, is the truth: a stage is served as it was deployed.
 *
 * @throws {DeployedStackError} when the secret holds no valid token (its value is never quoted).
 */
export async function deployedPathToken(secrets: SecretValueSource, stack: DeployedStack): Promise<string | null> {
  if (stack.pathTokenSecretArn === null) return null;
  const token = parsePathTokenSecret(await secrets.currentValue(stack.pathTokenSecretArn));
  if (token === null) {
    throw new DeployedStackError(`The path token secret of ${stack.stackName} does not hold {"token": "<24+ characters>"}`);
  }
  return token;
}

/**
 * The deployed stage's current Basic credential.
 *
 * @throws {DeployedStackError} when the secret does not hold a usable credential (its value is never quoted).
 */
export async function currentDeployedCredential(
  secrets: SecretValueSource,
  stack: DeployedStack,
): Promise<BasicCredentialSecret> {
  const credential = parseBasicCredentialSecret(await secrets.currentValue(stack.credentialsSecretArn));
  if (credential === null) {
    throw new DeployedStackError(`The credential secret of ${stack.stackName} does not hold {"username","password"}`);
  }
  return credential;
}

/** {@link StackOutputsSource} over CloudFormation `DescribeStacks` (needs cloudformation:DescribeStacks). */
export class CloudFormationStackOutputs implements StackOutputsSource {
  constructor(private readonly options: { readonly client: CloudFormationClient }) {}

  async outputs(stackName: string): Promise<Readonly<Record<string, string>>> {
    let stack: Stack | undefined;
    try {
      const result = await this.options.client.send(new DescribeStacksCommand({ StackName: stackName }));
      stack = result.Stacks?.[0];
    } catch (error) {
      if (error instanceof Error && /does not exist/.test(error.message)) {
        throw new DeployedStackError(`Stack ${stackName} does not exist in this account and region`, { cause: error });
      }
      throw new DeployedStackError(`Could not read stack ${stackName}: ${(error as Error).message}`, { cause: error });
    }
    if (stack === undefined)
      throw new DeployedStackError(`Stack ${stackName} does not exist in this account and region`);
    const outputs: Record<string, string> = {};
    for (const output of stack.Outputs ?? []) {
      if (output.OutputKey !== undefined && output.OutputValue !== undefined)
        outputs[output.OutputKey] = output.OutputValue;
    }
    return outputs;
  }
}

/** {@link SecretValueSource} over Secrets Manager `GetSecretValue` (needs GetSecretValue and kms:Decrypt). */
export class SecretsManagerSecretValues implements SecretValueSource {
  constructor(private readonly options: { readonly client: SecretsManagerClient }) {}

  async currentValue(secretId: string): Promise<string> {
    let value: string | undefined;
    try {
      const result = await this.options.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }),
      );
      value = result.SecretString;
    } catch (error) {
      throw new DeployedStackError(`Could not read secret ${secretId}: ${(error as Error).name}`, { cause: error });
    }
    if (value === undefined) throw new DeployedStackError(`Secret ${secretId} has no string value`);
    return value;
  }
}

/**
 * Invokes a deployed function synchronously (`RequestResponse`, needs lambda:InvokeFunction) and returns its JSON
 * result; a function error becomes a {@link DeployedStackError} carrying the function's own error message.
 */
export class LambdaFunctionInvoker {
  constructor(private readonly options: { readonly client: LambdaClient }) {}

  async invoke(functionName: string, payload: unknown): Promise<unknown> {
    let result;
    try {
      result = await this.options.client.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
      );
    } catch (error) {
      throw new DeployedStackError(`Could not invoke ${functionName}: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    }
    const text = result.Payload === undefined ? '' : new TextDecoder().decode(result.Payload);
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      throw new DeployedStackError(`${functionName} answered something that is not JSON`);
    }
    if (result.FunctionError !== undefined) {
      const message = typeof body === 'object' && body !== null && 'errorMessage' in body ? String(body.errorMessage) : result.FunctionError;
      throw new DeployedStackError(`${functionName} failed: ${message}`);
    }
    return body;
  }
}
