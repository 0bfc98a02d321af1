import {
  credentialStageName,
  type HookguardMetrics,
  outcomeOfError,
  recordWebhookOutcome,
  REQUEST_OUTCOMES,
  requestOutcomeOf,
} from '../../../lambda/core/metrics';
import type { WebhookOutcome } from '../../../lambda/core/pipeline';
import {
  AlreadyInProgressError,
  ConfigurationError,
  DependencyError,
  ForbiddenError,
  MethodNotAllowedError,
  PayloadError,
  PayloadTooLargeError,
  RouteNotFoundError,
  SignatureError,
  TimestampOutsideWindowError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../../../lambda/errors';

function outcome(overrides: Partial<WebhookOutcome>): WebhookOutcome {
  return {
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
  };
}

describe('request outcomes', () => {
  it.each([
    [new SignatureError('bad mac'), 'invalid_signature'],
    [new TimestampOutsideWindowError('past', 'old'), 'stale_timestamp'],
    [new TimestampOutsideWindowError('future', 'ahead'), 'future_timestamp'],
    [new UnauthorizedError(), 'unauthorized'],
    [new ForbiddenError(), 'unauthorized'],
    [new PayloadError('not JSON'), 'invalid_payload'],
    [new PayloadTooLargeError('big'), 'too_large'],
    [new UnsupportedMediaTypeError('text/plain'), 'unsupported_media_type'],
    [new AlreadyInProgressError('busy'), 'in_progress'],
    [new DependencyError('ddb down'), 'dependency_failure'],
    [new ConfigurationError('no key'), 'dependency_failure'],
    [new TypeError('bug'), 'dependency_failure'],
    [new RouteNotFoundError(), 'not_found'],
    [new MethodNotAllowedError(['POST']), 'method_not_allowed'],
  ])('maps %p to %s', (error, expected) => {
    expect(outcomeOfError(error)).toBe(expected);
    expect(REQUEST_OUTCOMES).toContain(expected);
  });

  it('tells accepted from duplicate by what a 2xx request published', () => {
    expect(requestOutcomeOf(outcome({}))).toBe('accepted');
    expect(requestOutcomeOf(outcome({ received: 3, published: 1, duplicates: 2 }))).toBe('accepted');
    expect(requestOutcomeOf(outcome({ received: 2, published: 0, duplicates: 2 }))).toBe('duplicate');
    expect(requestOutcomeOf(outcome({ received: 0, published: 0, subscriptionConfirmed: true }))).toBe('accepted');
  });

  it('uses the error a failed request carries', () => {
    const failed = outcome({ statusCode: 409, published: 0, error: new AlreadyInProgressError('busy') });
    expect(requestOutcomeOf(failed)).toBe('in_progress');
  });

  it.each([
    ['AWSCURRENT', 'current'],
    ['AWSPENDING', 'pending'],
    ['AWSPREVIOUS', 'previous'],
    [undefined, 'unknown'],
  ] as const)('names credential stage %p %s', (stage, name) => {
    expect(credentialStageName(stage)).toBe(name);
  });

  it('records the outcome, the events published and the PutEvents retries of one run', () => {
    const calls: unknown[][] = [];
    const metrics: HookguardMetrics = {
      request: (...args) => void calls.push(['request', ...args]),
      eventsPublished: (...args) => void calls.push(['eventsPublished', ...args]),
      putEventsEntries: (...args) => void calls.push(['putEventsEntries', ...args]),
      authorizerDecision: (...args) => void calls.push(['authorizerDecision', ...args]),
      rotationFailed: () => void calls.push(['rotationFailed']),
    };
    recordWebhookOutcome(metrics, outcome({ received: 3, published: 3, putEventsEntriesRetried: 2 }), {
      requestId: 'r1',
    });
    recordWebhookOutcome(metrics, outcome({ received: 1, published: 0, duplicates: 1 }));
    expect(calls).toEqual([
      ['request', 'mailgun', 'accepted', { requestId: 'r1' }],
      ['eventsPublished', 'mailgun', 3],
      ['putEventsEntries', 2, 0],
      ['request', 'mailgun', 'duplicate', undefined],
    ]);
  });
});
