/**
 * An in-memory model of one Secrets Manager secret, installed behind aws-sdk-client-mock so the real
 * SecretsManagerClient is used and staging labels evolve the way the service moves them (AWSPREVIOUS follows
 * AWSCURRENT; a label lives on one version at a time; an empty AWSPENDING version exists before createSecret).
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';

interface Version {
  value: string | undefined;
  readonly createdDate: Date;
  readonly stages: Set<string>;
}

const metadata = { $metadata: {} };

/** A credential JSON value. */
export function credentialJson(username: string, password: string): string {
  return JSON.stringify({ username, password });
}

/** The fake secret. */
export class CredentialSecretFake {
  readonly arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard-test-credentials-AbCdEf';
  rotationEnabled = true;
  lastRotatedDate: Date | undefined;
  /** DescribeSecret's `RotationLambdaARN`. */
  rotationLambdaArn: string | undefined;
  /** Called after RotateSecret created the empty AWSPENDING version (the service then invokes the Lambda). */
  onRotate: ((versionId: string) => void) | undefined;
  /** Called on every DescribeSecret, before answering (lets a test finish a rotation "in the background"). */
  onDescribe: (() => Promise<void>) | undefined;
  private readonly versions = new Map<string, Version>();
  private nextRotationId = 1;

  constructor(private readonly now: () => Date) {}

  /** Adds a version with a value and labels. */
  addVersion(versionId: string, value: string | undefined, stages: string[], createdDate: Date = this.now()): this {
    this.versions.set(versionId, { value, createdDate, stages: new Set() });
    for (const stage of stages) this.attach(stage, versionId);
    return this;
  }

  /** The labels of a version, sorted (empty when it has none or does not exist). */
  stagesOf(versionId: string): string[] {
    return [...(this.versions.get(versionId)?.stages ?? [])].sort();
  }

  /** The value of a version. */
  valueOf(versionId: string): string | undefined {
    return this.versions.get(versionId)?.value;
  }

  /** The version carrying a label. */
  versionWith(stage: string): string | undefined {
    return [...this.versions].find(([, version]) => version.stages.has(stage))?.[0];
  }

  /** What Secrets Manager does when a rotation starts: an empty version labelled AWSPENDING. */
  startRotation(versionId: string): void {
    this.versions.set(versionId, { value: undefined, createdDate: this.now(), stages: new Set() });
    this.attach('AWSPENDING', versionId);
  }

  /** Routes the mocked client's commands to this model. */
  install(mock: AwsClientStub<SecretsManagerClient>): this {
    mock.on(DescribeSecretCommand).callsFake(async () => {
      if (this.onDescribe) await this.onDescribe();
      const versionIdsToStages: Record<string, string[]> = {};
      for (const [id, version] of this.versions)
        if (version.stages.size > 0) versionIdsToStages[id] = [...version.stages];
      return {
        ARN: this.arn,
        Name: 'hookguard-test-credentials',
        RotationEnabled: this.rotationEnabled,
        LastRotatedDate: this.lastRotatedDate,
        RotationLambdaARN: this.rotationLambdaArn,
        VersionIdsToStages: versionIdsToStages,
      };
    });
    mock.on(GetSecretValueCommand).callsFake(async (input: { VersionId?: string; VersionStage?: string }) => {
      const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
      const id = input.VersionId ?? (stage === undefined ? undefined : this.versionWith(stage));
      const version = id === undefined ? undefined : this.versions.get(id);
      if (id === undefined || version === undefined || (stage !== undefined && !version.stages.has(stage))) {
        throw new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret value",
          ...metadata,
        });
      }
      if (version.value === undefined) {
        throw new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret value",
          ...metadata,
        });
      }
      return {
        ARN: this.arn,
        VersionId: id,
        SecretString: version.value,
        VersionStages: [...version.stages],
        CreatedDate: version.createdDate,
      };
    });
    mock
      .on(PutSecretValueCommand)
      .callsFake(async (input: { ClientRequestToken?: string; SecretString?: string; VersionStages?: string[] }) => {
        const id = input.ClientRequestToken ?? `put-${this.versions.size + 1}`;
        const existing = this.versions.get(id);
        if (existing?.value !== undefined && existing.value !== input.SecretString) {
          throw new ResourceExistsException({ message: 'A version with this token already exists', ...metadata });
        }
        if (existing === undefined) {
          this.versions.set(id, { value: input.SecretString, createdDate: this.now(), stages: new Set() });
        } else {
          existing.value = input.SecretString;
        }
        for (const stage of input.VersionStages ?? ['AWSCURRENT']) this.attach(stage, id);
        return { ARN: this.arn, VersionId: id, VersionStages: this.stagesOf(id) };
      });
    mock
      .on(UpdateSecretVersionStageCommand)
      .callsFake(async (input: { VersionStage?: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) => {
        const stage = input.VersionStage ?? '';
        const holder = this.versionWith(stage);
        if (input.RemoveFromVersionId !== undefined && holder !== input.RemoveFromVersionId) {
          throw new InvalidParameterException({ message: `${stage} is not attached to that version`, ...metadata });
        }
        if (input.MoveToVersionId !== undefined && holder !== undefined && input.RemoveFromVersionId === undefined) {
          throw new InvalidParameterException({
            message: `${stage} is attached elsewhere; say where from`,
            ...metadata,
          });
        }
        if (input.MoveToVersionId === undefined) {
          if (holder !== undefined) this.versions.get(holder)?.stages.delete(stage);
        } else {
          if (!this.versions.has(input.MoveToVersionId)) {
            throw new ResourceNotFoundException({ message: 'No such version', ...metadata });
          }
          this.attach(stage, input.MoveToVersionId);
        }
        return { ARN: this.arn };
      });
    mock.on(RotateSecretCommand).callsFake(async (input: { ClientRequestToken?: string }) => {
      if (!this.rotationEnabled) throw new InvalidRequestException({ message: 'No rotation function', ...metadata });
      const pending = this.versionWith('AWSPENDING');
      if (pending !== undefined && pending !== this.versionWith('AWSCURRENT')) {
        throw new InvalidRequestException({ message: 'A previous rotation isn’t complete', ...metadata });
      }
      const id = input.ClientRequestToken ?? `rotation-${this.nextRotationId++}`;
      this.startRotation(id);
      this.onRotate?.(id);
      return { ARN: this.arn, VersionId: id };
    });
    return this;
  }

  /** Attaches a label, removing it from its holder; moving AWSCURRENT moves AWSPREVIOUS to the old holder. */
  private attach(stage: string, versionId: string): void {
    const holder = this.versionWith(stage);
    if (holder === versionId) {
      return;
    }
    if (holder !== undefined) this.versions.get(holder)?.stages.delete(stage);
    this.versions.get(versionId)?.stages.add(stage);
    if (stage === 'AWSCURRENT' && holder !== undefined) this.attach('AWSPREVIOUS', holder);
  }
}
