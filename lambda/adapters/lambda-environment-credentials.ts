/**
 * The credential provider the Lambda bundles use in place of the AWS SDK's default chain
 * (`@aws-sdk/credential-provider-node`, swapped by an esbuild alias in `hookguardBundling()`): the execution role's
 * credentials from the environment, where Lambda puts them (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 *
 * Why: the default chain also carries the SSO, login, web-identity, process, INI-file, container and instance-metadata
 * providers and the SSO/STS clients they call (`@aws-sdk/nested-clients`, about 140 KB of the authorizer's 360 KB
 * bundle), which a Lambda function never reaches: its first link, the environment, always answers. Parsing them
 * is part of every cold start (docs/benchmarks.md).
 *
 * Fails closed: without the two variables every AWS call fails with an error that names the variables (never their
 * values), as the SDK's own chain would after trying the links a Lambda function does not have.
 */

/** What the SDK expects a credential provider to resolve to (`AwsCredentialIdentity` of @smithy/types). */
export interface EnvironmentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** The error of a missing variable; `tryNextLink: false` tells the SDK there is no other link to try. */
export class MissingEnvironmentCredentialsError extends Error {
  readonly tryNextLink = false;

  constructor(missing: readonly string[]) {
    super(`No AWS credentials in the environment: ${missing.join(' and ')} not set (Lambda sets them for the role)`);
    this.name = 'CredentialsProviderError';
  }
}

/**
 * Reads the credentials from `env` on every call (the SDK memoizes them and asks again when they expire; Lambda keeps
 * the variables current for the container's life).
 */
export function fromLambdaEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): () => Promise<EnvironmentCredentials> {
  return async () => {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    const missing = [
      ...(accessKeyId ? [] : ['AWS_ACCESS_KEY_ID']),
      ...(secretAccessKey ? [] : ['AWS_SECRET_ACCESS_KEY']),
    ];
    if (!accessKeyId || !secretAccessKey) throw new MissingEnvironmentCredentialsError(missing);
    const sessionToken = env.AWS_SESSION_TOKEN;
    const expiration = env.AWS_CREDENTIAL_EXPIRATION;
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiration && !Number.isNaN(Date.parse(expiration)) ? { expiration: new Date(expiration) } : {}),
    };
  };
}

/**
 * The export the SDK clients' runtime configuration imports from `@aws-sdk/credential-provider-node`
 * (`defaultProvider(init)`, called once per client); `init` (profile, role assumers...) has nothing to configure here.
 */
export function defaultProvider(_init?: unknown): () => Promise<EnvironmentCredentials> {
  return fromLambdaEnvironment();
}
