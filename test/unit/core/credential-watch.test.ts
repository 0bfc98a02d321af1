import {
  credentialRotationState,
  rotationStateRecord,
  type SecretRotationInfo,
  WATCH_METRICS,
} from '../../../lambda/core/credential-watch';

const HOUR = 3_600_000;
const ROTATED = new Date('2026-11-01T12:00:00Z');
const POLICY = { rotationDays: 30, gracePeriodHours: 72 };

function info(overrides: Partial<SecretRotationInfo> = {}): SecretRotationInfo {
  return {
    rotationEnabled: true,
    lastRotatedDate: ROTATED,
    createdDate: new Date('2026-01-01T00:00:00Z'),
    nextRotationDate: new Date(ROTATED.getTime() + 30 * 24 * HOUR),
    versions: [
      { versionId: 'v2', stages: ['AWSCURRENT'], createdDate: ROTATED },
      { versionId: 'v1', stages: ['AWSPREVIOUS'], createdDate: new Date(ROTATED.getTime() - 30 * 24 * HOUR) },
    ],
    ...overrides,
  };
}

describe('credentialRotationState', () => {
  it('counts the previous credential as accepted until the grace period after the rotation ends', () => {
    const state = credentialRotationState(info(), new Date(ROTATED.getTime() + 50 * HOUR), POLICY);
    expect(state.ageHours).toBeCloseTo(50);
    expect(state.previousAccepted).toBe(true);
    expect(state.previousAcceptedUntil).toEqual(new Date(ROTATED.getTime() + 72 * HOUR));
    expect(state.previousHoursLeft).toBeCloseTo(22);
    expect(state.overdueHours).toBe(0);
  });

  it('stops counting the previous credential once the grace period is over', () => {
    const state = credentialRotationState(info(), new Date(ROTATED.getTime() + 73 * HOUR), POLICY);
    expect(state.previousAccepted).toBe(false);
    expect(state.previousHoursLeft).toBeUndefined();
  });

  it('starts the grace period at the later of the last rotation and the current version creation', () => {
    const putLater = new Date(ROTATED.getTime() + 10 * HOUR);
    const state = credentialRotationState(
      info({ versions: [{ versionId: 'v3', stages: ['AWSCURRENT'], createdDate: putLater }, { versionId: 'v2', stages: ['AWSPREVIOUS'] }] }),
      new Date(ROTATED.getTime() + 80 * HOUR),
      POLICY,
    );
    expect(state.previousHoursLeft).toBeCloseTo(2);
    expect(state.ageHours).toBeCloseTo(70);
  });

  it('says the rotation is overdue by how many hours past the due date', () => {
    const state = credentialRotationState(info(), new Date(ROTATED.getTime() + (30 * 24 + 30) * HOUR), POLICY);
    expect(state.overdueHours).toBeCloseTo(30);
    expect(state.nextRotationAt).toEqual(new Date(ROTATED.getTime() + 30 * 24 * HOUR));
  });

  it('counts a secret with rotation switched off as overdue from rotationDays on', () => {
    const state = credentialRotationState(
      info({ rotationEnabled: false, nextRotationDate: undefined }),
      new Date(ROTATED.getTime() + 31 * 24 * HOUR),
      POLICY,
    );
    expect(state.overdueHours).toBeCloseTo(24);
  });

  it('reports a rotation under way (AWSPENDING on another version)', () => {
    const state = credentialRotationState(
      info({ versions: [...info().versions, { versionId: 'v3', stages: ['AWSPENDING'] }] }),
      new Date(ROTATED.getTime() + HOUR),
      POLICY,
    );
    expect(state.rotationInProgress).toBe(true);
  });

  it('treats a secret without any date as new rather than overdue', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const state = credentialRotationState({ rotationEnabled: true, versions: [{ versionId: 'v1', stages: ['AWSCURRENT'] }] }, now, POLICY);
    expect(state.ageHours).toBe(0);
    expect(state.overdueHours).toBe(0);
    expect(state.previousAccepted).toBe(false);
  });
});

describe('rotationStateRecord', () => {
  it('is an EMF record of the stage with the previous credential hours only while it is accepted', () => {
    const now = new Date(ROTATED.getTime() + 50 * HOUR);
    const record = rotationStateRecord(credentialRotationState(info(), now, POLICY), 'prod', now);
    expect(record).toEqual({
      _aws: {
        Timestamp: now.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: 'Hookguard',
            Dimensions: [['Stage']],
            Metrics: [
              { Name: WATCH_METRICS.credentialAge, Unit: 'None' },
              { Name: WATCH_METRICS.rotationOverdue, Unit: 'None' },
              { Name: WATCH_METRICS.previousHoursLeft, Unit: 'None' },
            ],
          },
        ],
      },
      Stage: 'prod',
      CredentialAgeHours: 50,
      CredentialRotationOverdueHours: 0,
      PreviousCredentialHoursLeft: 22,
    });
    const later = new Date(ROTATED.getTime() + 100 * HOUR);
    const without = rotationStateRecord(credentialRotationState(info(), later, POLICY), 'prod', later);
    expect(without).not.toHaveProperty('PreviousCredentialHoursLeft');
    expect(JSON.stringify(without)).not.toContain('PreviousCredentialHoursLeft');
  });
});
