/**
 * The IAM policy a Lambda REQUEST authorizer returns to API Gateway for an authenticated request.
 */
import { ConfigurationError } from '../errors';
import type { CredentialStage } from '../ports';
import type { ProviderId } from './provider-ids';

/** The principal of every allowed request: a constant, because the user name is not needed and could be sensitive. */
export const AUTHORIZER_PRINCIPAL_ID = 'hookguard-webhook-sender';

/** The parts of an execute-api method ARN (`arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>`). */
export interface MethodArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly method: string;
  /** The resource path without its leading slash (`webhooks/postmark`). */
  readonly resourcePath: string;
}

const METHOD_ARN = /^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)\/([^/]+)\/([A-Z*]+)\/(.*)$/;

/**
 * Splits a method ARN. Throws a {@link ConfigurationError} for anything else: API Gateway never sends one, so the
 * authorizer is wired wrongly and must fail closed (500, never cached) rather than guess a resource.
 */
export function parseMethodArn(methodArn: string): MethodArnParts {
  // A container serves one API, so the same few ARNs repeat: remember the last one.
  if (lastParsed !== null && lastParsed.methodArn === methodArn) return lastParsed.parts;
  const parts = parseMethodArnUncached(methodArn);
  lastParsed = { methodArn, parts };
  return parts;
}

let lastParsed: { readonly methodArn: string; readonly parts: MethodArnParts } | null = null;

function parseMethodArnUncached(methodArn: string): MethodArnParts {
  const match = METHOD_ARN.exec(methodArn);
  if (!match) throw new ConfigurationError('The authorizer event has no valid execute-api method ARN');
  const [, partition = '', region = '', accountId = '', apiId = '', stage = '', method = '', resourcePath = ''] = match;
  return { partition, region, accountId, apiId, stage, method, resourcePath };
}

/** What an authenticated credential may reach (see `AuthenticationResult` in `basic-auth.ts`). */
export type AuthorizerGrant =
  | { readonly scope: 'api'; readonly credentialVersion: string; readonly credentialStage: CredentialStage }
  | {
      readonly scope: 'provider';
      readonly provider: ProviderId;
      readonly credentialVersion: string;
      readonly credentialStage: CredentialStage;
    };

/** The authorizer's answer; the shape API Gateway expects. */
export interface AuthorizerPolicy {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: ReadonlyArray<{
      readonly Action: 'execute-api:Invoke';
      readonly Effect: 'Allow';
      readonly Resource: readonly string[];
    }>;
  };
  /** Passed to the integration (`$context.authorizer.*`): labels only, never the secret. */
  readonly context: { readonly credentialVersion: string; readonly credentialStage: CredentialStage };
}

/**
 * Builds the Allow policy for an authenticated request.
 *
 * API Gateway caches the result by the Authorization header and reuses it for EVERY method of the API, so a Basic
 * credential (scope `api`) is allowed on the whole stage (`<api>/<stage>/*\/*`); a policy for just `methodArn`
 * would make the cached answer deny the next provider's route. A bearer token (scope `provider`, Brevo) is allowed
 * only on its provider's `POST /webhooks/<id>` (or `/webhooks/<path token>/<id>`), so the same token cannot open
 * other routes through the cache.
 * Denials are never returned as policies: the handler throws `Unauthorized` instead (401, with the challenge).
 *
 * @example
 * buildAllowPolicy(event.methodArn, { scope: 'api', credentialVersion: 'v1', credentialStage: 'AWSCURRENT' });
 */
export function buildAllowPolicy(methodArn: string, grant: AuthorizerGrant): AuthorizerPolicy {
  const arn = parseMethodArn(methodArn);
  const apiArn = `arn:${arn.partition}:execute-api:${arn.region}:${arn.accountId}:${arn.apiId}/${arn.stage}`;
  // A bearer token opens its provider's POST with or without a path token segment (the stage has one of the two
  // resources; `*` in an execute-api ARN matches any characters, so the second names exactly `/webhooks/<t>/<id>`).
  const resource =
    grant.scope === 'api'
      ? [`${apiArn}/*/*`]
      : [`${apiArn}/POST/webhooks/${grant.provider}`, `${apiArn}/POST/webhooks/*/${grant.provider}`];
  return {
    principalId: AUTHORIZER_PRINCIPAL_ID,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
    },
    context: { credentialVersion: grant.credentialVersion, credentialStage: grant.credentialStage },
  };
}
