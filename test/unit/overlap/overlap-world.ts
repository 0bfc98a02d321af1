/**
 * The deployed request path during a credential rotation's overlap, end to end in one process: the credential
 * secret (a Secrets Manager model behind aws-sdk-client-mock, read by the authorizer's real credential source), the
 * authorizer's Basic check, and the verifier pipeline with the real provider modules, the real DynamoDB dedupe
 * ledger on dynalite and a bus that keeps what it accepts. Each phase of the rotation is reached the way Secrets
 * Manager's rotation moves the labels:
 *
 * - `rotating`: `createSecret` put the new credential as AWSPENDING, `setSecret` pushed it to the providers;
 *   AWSCURRENT is still the old one (the authorizer accepts both: `secrets-manager-credentials.ts`);
 * - `finished`: `finishSecret` moved AWSCURRENT to the new version, AWSPREVIOUS to the old one (accepted until
 *   `gracePeriodHours` after the rotation);
 * - past the grace period the old credential is refused.
 */
import { PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { DynamoDbLedger } from '../../../lambda/adapters/dynamodb-ledger';
import { SecretsManagerCredentialSource } from '../../../lambda/adapters/secrets-manager-credentials';
import { basicAuthorizationHeader, createBasicAuthenticator } from '../../../lambda/core/basic-auth';
import { CachedCredentialSource } from '../../../lambda/core/credential-cache';
import { createWebhookProcessor, type WebhookResult } from '../../../lambda/core/pipeline';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import type { ProviderSettings } from '../../../lambda/core/settings';
import { type HttpsGetter, silentLogger } from '../../../lambda/ports';
import { PROVIDERS } from '../../../lambda/providers';
import type { CertificateSource, WebhookRequest } from '../../../lambda/providers/types';
import type { TestDynamoDb } from '../../fixtures/verifier/dynalite';
import { FakeBus, FakeClock, FakeHttps, FakeSigningKeys } from '../../fixtures/verifier/fakes';
import { CredentialSecretFake, credentialJson } from '../support/credential-secret-fake';

/** A Basic credential as a stage's secret holds it. */
export interface Credential {
  readonly username: string;
  readonly password: string;
}

export const OLD_CREDENTIAL: Credential = { username: 'hookguard', password: 'Old-Passw0rd-2026-11' };
export const NEW_CREDENTIAL: Credential = { username: 'hookguard', password: 'New-Passw0rd-2026-12' };

/** The rotation's grace period for AWSPREVIOUS (the stage default `auth.gracePeriodHours`). */
export const GRACE_HOURS = 72;

/** Options of {@link overlapWorld}. */
export interface OverlapWorldOptions {
  readonly secretsManager: AwsClientStub<SecretsManagerClient>;
  readonly db: TestDynamoDb;
  readonly providers: Partial<Record<ProviderId, ProviderSettings>>;
  readonly signingKeys?: Partial<Record<ProviderId, string[]>>;
  readonly certificates?: CertificateSource;
  /** Where the verifier GETs Amazon SNS SubscribeURLs. @default a FakeHttps that records them */
  readonly https?: HttpsGetter;
  readonly start: Date;
}

/** What one delivery got: the authorizer's refusal (401), or the verifier's answer. */
export interface Delivery {
  readonly status: number;
  readonly result?: WebhookResult;
}

/** The world of one test. */
export async function overlapWorld(options: OverlapWorldOptions) {
  const clock = new FakeClock(options.start.getTime());
  const secret = new CredentialSecretFake(clock.now).install(options.secretsManager);
  secret.addVersion('v-old', credentialJson(OLD_CREDENTIAL.username, OLD_CREDENTIAL.password), ['AWSCURRENT']);
  secret.lastRotatedDate = new Date(clock.now().getTime() - 30 * 24 * 3_600_000);
  const client = new SecretsManagerClient({ region: 'eu-west-1' });
  // The authorizer's and the verifier's credential source; no cache TTL so each phase is seen at once.
  const credentials = new CachedCredentialSource({
    source: new SecretsManagerCredentialSource({
      client,
      secretId: secret.arn,
      gracePeriodSeconds: GRACE_HOURS * 3600,
      now: clock.now,
    }),
    ttlSeconds: 0,
    refreshMinIntervalSeconds: 0,
    now: clock.now,
  });
  const authenticator = createBasicAuthenticator({ credentials });
  const bus = new FakeBus();
  const https = options.https ?? new FakeHttps();
  const tableName = await options.db.createTable();
  const process = createWebhookProcessor({
    providers: PROVIDERS,
    settings: { providers: options.providers, dedupeWindowSeconds: 7 * 24 * 3600, claimLeaseSeconds: 60 },
    ledger: new DynamoDbLedger({ client: options.db.client, tableName }),
    bus,
    signingKeys: new FakeSigningKeys(options.signingKeys ?? {}),
    credentials,
    certificates: options.certificates ?? { certificate: () => Promise.reject(new Error('no certificates here')) },
    https,
    logger: silentLogger,
    now: clock.now,
    publishing: { sleep: async () => undefined, random: () => 0.5 },
  });

  return {
    clock,
    secret,
    bus,
    /** `createSecret` + `setSecret` done: the new credential is AWSPENDING. */
    async startRotation(): Promise<void> {
      secret.startRotation('v-new');
      await client.send(
        new PutSecretValueCommand({
          SecretId: secret.arn,
          ClientRequestToken: 'v-new',
          SecretString: credentialJson(NEW_CREDENTIAL.username, NEW_CREDENTIAL.password),
          VersionStages: ['AWSPENDING'],
        }),
      );
    },
    /** `finishSecret`: AWSCURRENT moves to the new version (AWSPREVIOUS follows to the old one). */
    async finishRotation(): Promise<void> {
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secret.arn,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: 'v-new',
          RemoveFromVersionId: 'v-old',
        }),
      );
      secret.lastRotatedDate = clock.now();
    },
    /**
     * One request as API Gateway runs it: the authorizer checks the Basic credential (401 when refused), then the
     * verifier processes the request.
     */
    async deliver(request: Omit<WebhookRequest, 'receivedAt'>, credential: Credential | null): Promise<Delivery> {
      const authorization = credential === null ? undefined : basicAuthorizationHeader(credential);
      const decision = await authenticator.authenticate(authorization, request.provider);
      if (!decision.ok) return { status: 401 };
      const result = await process({ ...request, receivedAt: clock.now() });
      return { status: result.response.statusCode, result };
    },
  };
}

/** The world's type. */
export type OverlapWorld = Awaited<ReturnType<typeof overlapWorld>>;

/** The credential carried as user info in a webhook URL (how SNS and Mandrill are given it), or null. */
export function credentialOfUrl(url: string): Credential | null {
  const parsed = new URL(url);
  if (parsed.username === '') return null;
  return { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/** `https://user:pass@host/path` for a credential, user info percent-encoded. */
export function urlWithCredential(url: string, credential: Credential): string {
  const match = /^(https?:\/\/)(.+)$/.exec(url);
  if (!match) throw new Error(`not a URL: ${url}`);
  return `${match[1]}${encodeURIComponent(credential.username)}:${encodeURIComponent(credential.password)}@${match[2]}`;
}
