import type { WebhookOutcome } from '../../lambda/core/pipeline';
import type { RequestReport } from '../../src/local/local-api';
import { outcomeOf, RequestCounters } from '../../src/local/request-counters';

const outcome = (overrides: Partial<WebhookOutcome>): WebhookOutcome => ({
  provider: 'mailgun',
  statusCode: 200,
  urlCheck: false,
  subscriptionConfirmed: false,
  received: 1,
  published: 1,
  duplicates: 0,
  inProgress: 0,
  failed: 0,
  events: [],
  ...overrides,
});

const report = (overrides: Partial<RequestReport>): RequestReport => ({
  method: 'POST',
  path: '/webhooks/mailgun',
  statusCode: 200,
  provider: 'mailgun',
  ...overrides,
});

describe('outcomeOf', () => {
  it.each([
    [report({ outcome: outcome({}) }), 'accepted'],
    [report({ outcome: outcome({ published: 0, duplicates: 1 }) }), 'duplicate'],
    [report({ outcome: outcome({ received: 3, published: 2, duplicates: 1 }) }), 'accepted'],
    [report({ statusCode: 401, outcome: outcome({ statusCode: 401, errorCode: 'invalid_signature' }) }), 'invalid_signature'],
    [report({ statusCode: 413, outcome: outcome({ statusCode: 413, errorCode: 'payload_too_large' }) }), 'too_large'],
    [report({ statusCode: 503, outcome: outcome({ statusCode: 503, errorCode: 'dependency_unavailable' }) }), 'dependency_failure'],
    [report({ statusCode: 409, outcome: outcome({ statusCode: 409, errorCode: 'in_progress' }) }), 'in_progress'],
    [report({ statusCode: 500, outcome: outcome({ statusCode: 500, errorCode: '__proto__' }) }), '__proto__'],
    [report({ statusCode: 413 }), 'too_large'],
    [report({ statusCode: 404, provider: undefined, path: '/x' }), 'not_found'],
    [report({ statusCode: 405 }), 'method_not_allowed'],
    [report({ statusCode: 401, authFailure: 'wrong-credentials' }), null],
    [report({ outcome: outcome({ urlCheck: true }) }), null],
  ])('%#: %j is %s', (input, expected) => {
    expect(outcomeOf(input)).toBe(expected);
  });
});

describe('RequestCounters', () => {
  it('keeps 24 hours of counts per provider, the last accepted time and the refusals', () => {
    let now = new Date('2026-12-02T00:30:00Z');
    const counters = new RequestCounters({ stage: 'dev', providers: ['mailgun', 'postmark'], now: () => now });
    counters.record(report({ outcome: outcome({}) }));
    now = new Date('2026-12-02T10:00:00Z');
    counters.record(report({ outcome: outcome({}) }));
    counters.record(report({ outcome: outcome({ published: 0, duplicates: 1 }) }));
    counters.record(report({ statusCode: 401, authFailure: 'wrong-credentials', provider: 'postmark', path: '/webhooks/postmark' }));
    counters.record(report({ statusCode: 404, provider: undefined, path: '/nowhere' }));
    expect(counters.health()).toEqual({
      status: 'ok',
      stage: 'dev',
      startedAt: '2026-12-02T00:30:00.000Z',
      now: '2026-12-02T10:00:00.000Z',
      providers: {
        mailgun: { lastAcceptedAt: '2026-12-02T10:00:00.000Z', last24h: { accepted: 2, duplicate: 1 }, refusedLast24h: 0 },
        postmark: { lastAcceptedAt: null, last24h: {}, refusedLast24h: 1 },
      },
      unroutedLast24h: { not_found: 1 },
    });
    // 24 hours after the first request's hour, it leaves the window; the last accepted time stays.
    now = new Date('2026-12-03T00:10:00Z');
    expect(counters.health().providers.mailgun).toEqual({
      lastAcceptedAt: '2026-12-02T10:00:00.000Z',
      last24h: { accepted: 1, duplicate: 1 },
      refusedLast24h: 0,
    });
  });
});
