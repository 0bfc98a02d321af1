/**
 * What every `hookguard` command shares: its output, its dependencies (injectable for tests), and loading the
 * stage's configuration and the local secrets file.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { RuntimeSettings } from '../../lambda/core/settings';
import { pathTokenGeneration } from '../../lambda/core/webhook-path';
import type { ManagementModule } from '../../lambda/management/types';
import { PROVIDERS } from '../../lambda/providers';
import type { ProviderModule } from '../../lambda/providers/types';
import { loadConfig, stageOf, toRuntimeSettings } from '../../lib/config';
import type { StageConfig } from '../../lib/config/types';
import {
  type RotateCredentialsOptions,
  type RotateCredentialsReport,
  rotateCredentials,
} from '../../lib/ops/rotate-credentials';
import type { CommonOptions } from '../local/options';
import { type LocalSecrets, readSecretsFile, SecretsFileError } from '../local/secrets-file';
import {
  CloudFormationStackOutputs,
  LambdaFunctionInvoker,
  SecretsManagerSecretValues,
  type SecretValueSource,
  type StackOutputsSource,
} from './deployed-stack';
import { type AwsTarget, awsClientConfig } from './command-kit';

/** Where a command writes and what it reads from the environment. */
export interface CliIo {
  /** Results (URLs, responses). */
  readonly out: (line: string) => void;
  /** Errors and warnings. */
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stdout is a terminal (colour allowed unless NO_COLOR). @default false */
  readonly isTTY?: boolean;
  /** Aborted on Ctrl-C, SIGTERM or a closed stdout: long-running commands clean up and return. */
  readonly signal?: AbortSignal;
}

/** The AWS side of the commands that act on a deployed stage. */
export interface DeployedAws {
  readonly stackOutputs: StackOutputsSource;
  readonly secretValues: SecretValueSource;
  /** `lib/ops/rotate-credentials.ts` with this account's clients. */
  rotate(
    options: Omit<RotateCredentialsOptions, 'secretsManager' | 'apiGateway' | 'lambda'>,
  ): Promise<RotateCredentialsReport>;
  /** Invokes a function synchronously with a JSON payload and resolves its JSON result (`hookguard ranges`). */
  invokeFunction?(functionName: string, payload: unknown): Promise<unknown>;
}

/** Injectable dependencies of the CLI. */
export interface CliDeps {
  /** @default PROVIDERS */
  readonly providers?: ReadonlyMap<ProviderId, ProviderModule>;
  /** Provider webhook-management modules (`providers sync`, `urls --changed`, `status`). @default MANAGEMENT_MODULES */
  readonly managementModules?: ReadonlyMap<ProviderId, ManagementModule>;
  /** Builds the AWS adapters for a resolved region and profile. */
  readonly aws?: (target: AwsTarget) => DeployedAws;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** How often long-running deployed operations (replay, message moves) are polled, ms. @default 5000 */
  readonly pollMs?: number;
}

/** Real AWS adapters over SDK clients using the user's credentials (default chain). */
export function defaultDeployedAws(target: AwsTarget): DeployedAws {
  const config = awsClientConfig(target);
  const secretsManager = new SecretsManagerClient(config);
  return {
    stackOutputs: new CloudFormationStackOutputs({ client: new CloudFormationClient(config) }),
    secretValues: new SecretsManagerSecretValues({ client: secretsManager }),
    rotate: (options) =>
      rotateCredentials({
        ...options,
        secretsManager,
        apiGateway: new APIGatewayClient(config),
        lambda: new LambdaClient(config),
      }),
    invokeFunction: (functionName, payload) =>
      new LambdaFunctionInvoker({ client: new LambdaClient(config) }).invoke(functionName, payload),
  };
}

/** The stage a command acts on. */
export interface StageContext {
  readonly stage: StageConfig;
  readonly settings: RuntimeSettings;
  readonly providers: ReadonlyMap<ProviderId, ProviderModule>;
}

/** Loads and validates the configuration and picks the stage (ConfigError lists every problem). */
export function loadStage(options: CommonOptions, deps: CliDeps): StageContext {
  const stage = stageOf(loadConfig(options.configPath), options.stage, options.configPath);
  return { stage, settings: toRuntimeSettings(stage), providers: deps.providers ?? PROVIDERS };
}

/**
 * Reads the local secrets file.
 *
 * @throws {SecretsFileError} with a hint to start the runtime once when it does not exist yet.
 */
export async function readLocalSecrets(path: string): Promise<LocalSecrets> {
  try {
    return await readSecretsFile(path);
  } catch (error) {
    if (error instanceof SecretsFileError && error.problems[0] === 'does not exist') {
      throw new SecretsFileError(path, ['does not exist: start the local runtime once (npm start) to create it']);
    }
    throw error;
  }
}

/**
 * The local stage's path token (docs/path-token.md): null when the stage has none; the secrets file's when it has
 * one.
 *
 * @throws {SecretsFileError} when the stage has a path token but the file holds none yet (the runtime generates it).
 */
export function localPathToken(stage: StageConfig, secrets: LocalSecrets, path: string): string | null {
  if (pathTokenGeneration(stage.pathToken) === null) return null;
  if (secrets.pathToken === undefined) {
    throw new SecretsFileError(path, [
      `holds no pathToken, which stage ${stage.stage} uses: start the local runtime once (npm start) to generate it`,
    ]);
  }
  return secrets.pathToken;
}

/** The local runtime's base URL for a port. */
export function localBaseUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}
