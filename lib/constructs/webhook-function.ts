/**
 * One Hookguard Lambda function with the project's defaults: newest Node.js runtime, arm64, local esbuild bundling
 * ({@link hookguardBundling}: the AWS SDK clients bundled and tree-shaken), JSON logs without Lambda's per-invocation
 * platform lines, its own log group with a retention, active X-Ray tracing, and a role that starts with nothing but
 * the right to write to that log group.
 *
 * Where the published package ships a pre-bundled handler (`npm run build` bundles every `lambda/<name>/handler.ts`
 * with {@link hookguardBundling} into `dist/bundles/<name>/`), that bundle is deployed as it is, so a consumer
 * synthesizes without esbuild, tsx or the TypeScript sources.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambda/core/metrics';
import { PropsProblems, show, VALID_LOG_RETENTION_DAYS } from './props-validation';

/** Lambda's limit on the total size of a function's environment variables, bytes. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * The newest Node.js runtime this aws-cdk-lib knows (`nodejs24.x` with 2.276), picked from `Runtime.ALL` so that an
 * upgrade of aws-cdk-lib moves the functions forward, as cdk-nag's "latest runtime" rule (AwsSolutions-L1) expects.
 */
export function newestNodeRuntime(): lambda.Runtime {
  const versioned = lambda.Runtime.ALL.map((runtime) => ({ runtime, match: /^nodejs(\d+)\.x$/.exec(runtime.name) }))
    // NODEJS_LATEST also says nodejs24.x but may move under the functions' feet: only pinned versions count.
    .filter((entry) => entry.match !== null && entry.runtime.family === lambda.RuntimeFamily.NODEJS)
    .filter((entry) => !entry.runtime.isVariable)
    .map((entry) => ({ runtime: entry.runtime, major: Number(entry.match?.[1]) }))
    .sort((a, b) => b.major - a.major);
  const newest = versioned[0];
  if (newest === undefined) throw new Error('aws-cdk-lib lists no nodejsNN.x runtime');
  return newest.runtime;
}

/**
 * The esbuild options every Hookguard Lambda is bundled with: by `NodejsFunction` when the sources are at hand (this
 * repository), and by `npm run build` (`scripts/bundle-lambdas.ts` runs this same bundling) for the published
 * package. Chosen by module load time (`npm run bench -- --only cold-start`, docs/benchmarks.md), not bundle size:
 * - the AWS SDK clients are bundled, not left to the runtime's copy: requiring the runtime's SDK v3 from its
 *   node_modules loads every command of each client and resolves hundreds of files, slower than one tree-shaken file;
 * - `mainFields: module, main` makes esbuild read the ESM builds of the SDK and Powertools, which tree-shake down to
 *   the commands Hookguard sends (CommonJS builds keep every command);
 * - no source map, and so no `--enable-source-maps`: Node would read and parse the map of the whole bundle at every
 *   cold start, and Hookguard logs error names and messages, never stack traces (except at debug level);
 * - CommonJS output: no `createRequire` banner needed, and every dependency accepts it;
 * - the SDK's default credential chain (`@aws-sdk/credential-provider-node`, with the SSO/STS clients of
 *   `@aws-sdk/nested-clients` and the INI, process, container and instance-metadata providers) is swapped for
 *   `lambda/adapters/lambda-environment-credentials.ts` by an esbuild alias: Lambda always hands the role's
 *   credentials over in the environment, the chain's first link, so the rest is code every cold start parses for
 *   nothing (about 140 KB of the authorizer's bundle).
 *
 * @example
 * new NodejsFunction(this, 'Fn', { entry, runtime, bundling: hookguardBundling(runtime) });
 */
export function hookguardBundling(runtime: lambda.Runtime = newestNodeRuntime()): BundlingOptions {
  const aliases = Object.entries(BUNDLE_ALIASES).map(([module, replacement]) => `${module}=${replacement}`);
  return {
    minify: true,
    sourceMap: false,
    target: runtime.name.replace('nodejs', 'node').replace('.x', ''),
    format: OutputFormat.CJS,
    mainFields: ['module', 'main'],
    // Nothing external: NodejsFunction would otherwise leave `@aws-sdk/*` to the runtime.
    externalModules: [],
    forceDockerBundling: false,
    ...(aliases.length > 0 ? { esbuildArgs: { '--alias': aliases } } : {}),
  };
}

/** A module of this package, as a TypeScript source (this repository) or its compiled JavaScript (the package). */
function ownModule(relativeToRoot: string): string | undefined {
  const base = path.join(__dirname, '..', '..', relativeToRoot);
  return [`${base}.ts`, `${base}.js`].find((file) => existsSync(file));
}

/**
 * Modules the bundles replace (esbuild `--alias`): the AWS SDK's default credential chain by the Lambda
 * environment's credentials (see {@link hookguardBundling}). Empty when the replacement is not at hand (a package
 * without sources, whose bundles are pre-built with it).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  [['@aws-sdk/credential-provider-node', ownModule('lambda/adapters/lambda-environment-credentials')]].filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  ),
);

/** Folder of the pre-bundled handlers, relative to the package root (`dist/` in the published package). */
export const BUNDLES_DIRECTORY = 'bundles';

/** File name of a pre-bundled handler inside its folder; the function's handler is `index.handler`. */
export const BUNDLE_FILE = 'index.js';

/**
 * The pre-bundled code of a handler entry, if the package ships it: for `<root>/lambda/<name>/handler.ts` that is
 * `<root>/bundles/<name>/index.js`. In this repository `<root>` is the project (no bundles: the TypeScript entry is
 * bundled at synth); in the published package it is `dist/` (bundles, no TypeScript).
 */
export function prebundledDirectory(entry: string): string | undefined {
  const root = path.resolve(path.dirname(entry), '..', '..');
  const directory = path.join(root, BUNDLES_DIRECTORY, path.basename(path.dirname(entry)));
  return existsSync(path.join(directory, BUNDLE_FILE)) ? directory : undefined;
}

/** Props of {@link WebhookFunction}. */
export interface WebhookFunctionProps {
  /**
   * Absolute path of the TypeScript entry file (`.../lambda/<name>/handler.ts`); it must export `handler`. When the
   * package ships a pre-bundled copy (see {@link prebundledDirectory}) that copy is used and the file need not exist.
   */
  readonly entry: string;
  /** The stage the function serves: its metrics' `Stage` dimension (`HOOKGUARD_STAGE`). */
  readonly stageName: string;
  /** Days the function's log group keeps logs (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /**
   * Why this function needs no dead-letter queue (a DLQ only catches failed asynchronous invocations); recorded as
   * the acknowledgement of cdk-nag's Serverless-LambdaDLQ.
   */
  readonly noDeadLetterQueueReason: string;
  /**
   * What the function is for (shown in the console).
   * @default - no description
   */
  readonly description?: string;
  /**
   * Environment variables (at most 4 KB in total, Lambda's limit).
   * @default - none besides the construct's own (`HOOKGUARD_STAGE`, `POWERTOOLS_METRICS_NAMESPACE`)
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Invocation timeout.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Memory, MB (128 to 10240).
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: kept on deletion, removed when a failed create rolls back
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A Hookguard Lambda function. Grant it access with the resources' own `grant*` methods (`fn.function` is the
 * grantable); its role has no AWS managed policy and no permission it was not given explicitly.
 *
 * @example
 * const verifier = new WebhookFunction(this, 'Verifier', {
 *   entry: path.join(__dirname, '../../lambda/verifier/handler.ts'),
 *   logRetentionDays: 30,
 *   noDeadLetterQueueReason: 'API Gateway invokes it synchronously and returns every failure to the sender.',
 *   timeout: Duration.seconds(25),
 * });
 * table.grantReadWriteData(verifier.function);
 */
export class WebhookFunction extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /**
   * The policy holding X-Ray's actions, kept apart from the role's default policy: X-Ray's PutTraceSegments and
   * PutTelemetryRecords have no resource-level permissions, and only this policy is acknowledged to use `*`.
   */
  public readonly tracingPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: WebhookFunctionProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(10);
    const memorySize = props.memorySize ?? 256;
    const prebundled = Token.isUnresolved(props.entry) ? undefined : prebundledDirectory(props.entry);
    validate(props, timeout, memorySize, prebundled);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);

    const runtime = newestNodeRuntime();
    const functionProps: lambda.FunctionOptions = {
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        HOOKGUARD_STAGE: props.stageName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      // JSON logs let Lambda filter by level: system level WARN drops the START, END and REPORT lines Lambda writes
      // for every invocation (about 300 bytes, the largest part of the verifier's log volume), while Lambda still
      // publishes Duration, Errors and Throttles as metrics. Application level INFO keeps the EMF lines, which have no
      // `level` key and count as INFO. https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html
      loggingFormat: lambda.LoggingFormat.JSON,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    };
    this.function =
      prebundled === undefined
        ? new NodejsFunction(this, 'Function', {
            ...functionProps,
            entry: props.entry,
            handler: 'handler',
            runtime,
            bundling: hookguardBundling(runtime),
          })
        : new lambda.Function(this, 'Function', {
            ...functionProps,
            runtime,
            code: lambda.Code.fromAsset(prebundled),
            handler: `${path.basename(BUNDLE_FILE, '.js')}.handler`,
          });

    // Active tracing set on the resource directly: the `tracing` prop would add X-Ray's wildcard statement to the
    // role's default policy, where an acknowledgement of `Resource::*` would also hide any later wildcard grant.
    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.tracingConfig = { mode: lambda.Tracing.ACTIVE };
    this.tracingPolicy = new iam.Policy(this, 'TracingPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
          resources: ['*'],
        }),
      ],
    });
    this.function.node.addDependency(this.tracingPolicy);
    Validations.of(this.tracingPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; this policy holds only them.',
    });
    Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaDLQ', reason: props.noDeadLetterQueueReason });
  }
}

/** Variables the construct sets itself (NODE_OPTIONS: source maps stay off, see {@link hookguardBundling}). */
const CONSTRUCT_ENVIRONMENT = ['NODE_OPTIONS', 'HOOKGUARD_STAGE', 'POWERTOOLS_METRICS_NAMESPACE'];

function validate(
  props: WebhookFunctionProps,
  timeout: Duration,
  memorySize: number,
  prebundled: string | undefined,
): void {
  const problems = new PropsProblems('WebhookFunction');
  if (!Token.isUnresolved(props.entry) && prebundled === undefined && !existsSync(props.entry)) {
    problems.add(`entry must be an existing file, got ${show(props.entry)}`);
  }
  problems.oneOf('logRetentionDays', props.logRetentionDays, VALID_LOG_RETENTION_DAYS);
  if (props.noDeadLetterQueueReason.trim().length < 20) {
    problems.add(
      `noDeadLetterQueueReason must explain the choice (20+ characters), got ${show(props.noDeadLetterQueueReason)}`,
    );
  }
  problems.integer('memorySize', memorySize, { min: 128, max: 10_240 });
  const seconds = timeout.toSeconds();
  if (seconds < 1 || seconds > 900) problems.add(`timeout must be 1 to 900 seconds, got ${seconds}`);
  const environment = props.environment ?? {};
  if (!Token.isUnresolved(props.stageName) && !/^[A-Za-z0-9_-]{1,128}$/.test(props.stageName)) {
    problems.add(`stageName must be 1-128 letters, digits, '-' or '_', got ${show(props.stageName)}`);
  }
  for (const [name, value] of Object.entries(environment)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
      problems.add(`environment name ${show(name)} is not a valid variable name`);
    if (CONSTRUCT_ENVIRONMENT.includes(name)) {
      problems.add(`environment must not set ${name} (the construct owns it)`);
    }
    if (typeof value !== 'string') problems.add(`environment.${name} must be a string, got ${show(value)}`);
  }
  // Tokens resolve to ARNs and names of a few dozen bytes; count them as their placeholder length, a fair estimate.
  const size = Object.entries(environment).reduce(
    (total, [name, value]) => total + Buffer.byteLength(name) + Buffer.byteLength(String(value)),
    Buffer.byteLength(`HOOKGUARD_STAGE${props.stageName}POWERTOOLS_METRICS_NAMESPACE${METRICS_NAMESPACE}`),
  );
  if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    problems.add(`environment is ${size} bytes, above Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit`);
  }
  problems.throwIfAny();
}
