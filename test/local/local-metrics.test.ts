import { InMemoryMetrics } from '../../src/local/local-metrics';

describe('InMemoryMetrics (local counters)', () => {
  it('counts requests, events, PutEvents entries, decisions and rotation failures, in total and over 24 hours', () => {
    // Prepare
    let now = new Date('2026-12-01T00:30:00Z');
    const metrics = new InMemoryMetrics(() => now);
    // Act
    metrics.request('mailgun', 'accepted');
    metrics.eventsPublished('mailgun', 3);
    metrics.putEventsEntries(2, 1);
    metrics.authorizerDecision('mailgun', 'previous');
    metrics.rotationFailed();
    now = new Date('2026-12-02T06:00:00Z');
    metrics.request('mailgun', 'invalid_signature');
    metrics.request('mailgun', 'accepted');
    metrics.authorizerDecision('unknown', 'unknown');
    // Assess
    const snapshot = metrics.snapshot();
    expect(snapshot.since).toBe('2026-12-01T00:30:00.000Z');
    expect(snapshot.total).toEqual({
      requests: { mailgun: { accepted: 2, invalid_signature: 1 } },
      eventsPublished: { mailgun: 3 },
      putEventsEntriesRetried: 2,
      putEventsEntriesFailed: 1,
      authorizerDecisions: { mailgun: { previous: 1 }, unknown: { unknown: 1 } },
      rotationFailed: 1,
    });
    expect(snapshot.last24Hours).toEqual({
      requests: { mailgun: { accepted: 1, invalid_signature: 1 } },
      eventsPublished: {},
      putEventsEntriesRetried: 0,
      putEventsEntriesFailed: 0,
      authorizerDecisions: { unknown: { unknown: 1 } },
      rotationFailed: 0,
    });
    expect(snapshot.lastAccepted).toEqual({ mailgun: '2026-12-02T06:00:00.000Z' });
    expect(snapshot.lastCredentialUse).toEqual({ previous: '2026-12-01T00:30:00.000Z' });
  });

  it('returns copies: a snapshot never changes after it was taken', () => {
    const metrics = new InMemoryMetrics();
    metrics.request('postmark', 'accepted');
    const before = metrics.snapshot();
    metrics.request('postmark', 'accepted');
    expect(before.total.requests.postmark?.accepted).toBe(1);
    expect(metrics.snapshot().total.requests.postmark?.accepted).toBe(2);
  });
});
