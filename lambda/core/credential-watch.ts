/**
 * The state of the Basic credential's rotation, worked out from what Secrets Manager says about the secret
 * (DescribeSecret + ListSecretVersionIds): how old the current credential is, whether its rotation is overdue, and how
 * long the previous credential stays accepted. Shared by the scheduled watch function (which turns it into metrics
 * that alarms read) and `hookguard status`. Pure: no SDK, no clock of its own.
 */

/** One version of the secret, as ListSecretVersionIds returns it. */
export interface SecretVersionInfo {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdDate?: Date;
}

/** What Secrets Manager says about the credential secret. */
export interface SecretRotationInfo {
  readonly rotationEnabled: boolean;
  /** When a rotation last completed (absent: never rotated). */
  readonly lastRotatedDate?: Date;
  /** When the secret was created. */
  readonly createdDate?: Date;
  /** When Secrets Manager plans the next rotation. */
  readonly nextRotationDate?: Date;
  readonly versions: readonly SecretVersionInfo[];
}

/** The rotation state at one moment. */
export interface CredentialRotationState {
  /** Hours since the current credential took over (the later of the last rotation and its version's creation). */
  readonly ageHours: number;
  /**
   * Hours past the moment the credential should have been rotated (age beyond `rotationDays`, or past
   * `nextRotationDate`), 0 when not overdue. Rotation switched off counts as overdue from `rotationDays` on.
   */
  readonly overdueHours: number;
  /** When the next rotation is due (Secrets Manager's date, else last change + `rotationDays`). */
  readonly nextRotationAt: Date;
  /** A rotation is under way (an AWSPENDING version that is not AWSCURRENT). */
  readonly rotationInProgress: boolean;
  /** The previous credential is still accepted, until `previousAcceptedUntil`. */
  readonly previousAccepted: boolean;
  readonly previousAcceptedUntil?: Date;
  /** Hours until the previous credential stops being accepted; absent when it is not accepted any more. */
  readonly previousHoursLeft?: number;
}

/** Rotation settings of the stage. */
export interface RotationPolicy {
  readonly rotationDays: number;
  readonly gracePeriodHours: number;
}

const HOUR_MS = 3_600_000;

const hoursBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / HOUR_MS;

/**
 * Works out the rotation state, with the same grace-period rule as the authorizer
 * (`lambda/adapters/secrets-manager-credentials.ts`): AWSPREVIOUS is accepted until `gracePeriodHours` after the
 * later of `LastRotatedDate` and the AWSCURRENT version's creation.
 *
 * @example
 * credentialRotationState(info, new Date(), { rotationDays: 30, gracePeriodHours: 72 }).previousHoursLeft;
 */
export function credentialRotationState(
  info: SecretRotationInfo,
  now: Date,
  policy: RotationPolicy,
): CredentialRotationState {
  const current = info.versions.find((version) => version.stages.includes('AWSCURRENT'));
  const previous = info.versions.find(
    (version) => version.stages.includes('AWSPREVIOUS') && !version.stages.includes('AWSCURRENT'),
  );
  const pending = info.versions.find(
    (version) => version.stages.includes('AWSPENDING') && !version.stages.includes('AWSCURRENT'),
  );
  const times = [info.lastRotatedDate, current?.createdDate, info.createdDate]
    .filter((date): date is Date => date instanceof Date && !Number.isNaN(date.getTime()))
    .map((date) => date.getTime());
  // With no date at all the credential is treated as brand new: "unknown" must not page anyone as overdue.
  const changedAt = new Date(times.length > 0 ? Math.max(...times) : now.getTime());
  const ageHours = Math.max(0, hoursBetween(changedAt, now));
  const dueBySchedule = new Date(changedAt.getTime() + policy.rotationDays * 24 * HOUR_MS);
  const nextRotationAt =
    info.rotationEnabled && info.nextRotationDate && !Number.isNaN(info.nextRotationDate.getTime())
      ? info.nextRotationDate
      : dueBySchedule;
  // Secrets Manager's own date may lie a little past ours (it rotates within a window); the later one is the due date.
  const dueAt = new Date(Math.max(nextRotationAt.getTime(), dueBySchedule.getTime()));
  const overdueHours = Math.max(0, hoursBetween(dueAt, now));

  let previousAcceptedUntil: Date | undefined;
  if (previous !== undefined) {
    const graceFrom = [info.lastRotatedDate, current?.createdDate]
      .filter((date): date is Date => date instanceof Date && !Number.isNaN(date.getTime()))
      .map((date) => date.getTime());
    if (graceFrom.length > 0) {
      const until = new Date(Math.max(...graceFrom) + policy.gracePeriodHours * HOUR_MS);
      if (until.getTime() > now.getTime()) previousAcceptedUntil = until;
    }
  }
  return {
    ageHours,
    overdueHours,
    nextRotationAt,
    rotationInProgress: pending !== undefined,
    previousAccepted: previousAcceptedUntil !== undefined,
    ...(previousAcceptedUntil
      ? { previousAcceptedUntil, previousHoursLeft: hoursBetween(now, previousAcceptedUntil) }
      : {}),
  };
}

/** Names of the metrics the watch function publishes (namespace `Hookguard`, dimension `Stage`). */
export const WATCH_METRICS = {
  /** Hours since the current credential took over. */
  credentialAge: 'CredentialAgeHours',
  /** Hours the rotation is overdue (0 when on time). */
  rotationOverdue: 'CredentialRotationOverdueHours',
  /** Hours until the previous credential stops being accepted; published only while it is accepted. */
  previousHoursLeft: 'PreviousCredentialHoursLeft',
} as const;

/**
 * One CloudWatch embedded-metric-format record of the rotation state (no API call: the Lambda writes it to its log).
 * Only numbers and the stage name: nothing about the secret's values.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function rotationStateRecord(
  state: CredentialRotationState,
  stage: string,
  now: Date,
  namespace = 'Hookguard',
): Record<string, unknown> {
  const round = (value: number) => Math.round(value * 100) / 100;
  const values: Record<string, number> = {
    [WATCH_METRICS.credentialAge]: round(state.ageHours),
    [WATCH_METRICS.rotationOverdue]: round(state.overdueHours),
  };
  if (state.previousHoursLeft !== undefined) values[WATCH_METRICS.previousHoursLeft] = round(state.previousHoursLeft);
  return {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Stage']],
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: 'None' })),
        },
      ],
    },
    Stage: stage,
    ...values,
  };
}
