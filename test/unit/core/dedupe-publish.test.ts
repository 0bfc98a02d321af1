import {
  backoffDelayMs,
  type DedupePublishDeps,
  dedupeAndPublish,
  dedupeKeyOf,
  entrySizeOf,
  fitToEntry,
  MAX_ENTRY_BYTES,
  toBusEntry,
} from '../../../lambda/core/dedupe-publish';
import { completeEvent, type NormalisedEvent } from '../../../lambda/core/event';
import { PayloadError } from '../../../lambda/errors';
import { CapturingLogger, FakeBus, FaultyLedger, InMemoryLedger, NOW } from '../../fixtures/verifier/fakes';

function event(id: string, recipient: string | null = `${id}@example.com`, extra = {}): NormalisedEvent {
  return completeEvent('sendgrid', { eventType: 'delivered', eventId: id, recipient, raw: { id }, ...extra }, NOW);
}

function setup(ledgerFaults = {}) {
  const bus = new FakeBus();
  const memory = new InMemoryLedger();
  const ledger = new FaultyLedger(memory, ledgerFaults);
  const logger = new CapturingLogger();
  const sleeps: number[] = [];
  const deps: DedupePublishDeps = {
    ledger,
    bus,
    logger,
    now: () => NOW,
    dedupeWindowSeconds: 604800,
    claimLeaseSeconds: 60,
    options: {
      sleep: async (milliseconds) => {
        sleeps.push(milliseconds);
      },
      random: () => 0.5,
    },
  };
  return { bus, memory, ledger, logger, sleeps, deps };
}

describe('dedupeKeyOf', () => {
  it.each([
    [{ provider: 'sendgrid', eventId: 'abc', recipient: 'a@example.com' }, 'sendgrid#abc#a@example.com'],
    [{ provider: 'mailgun', eventId: 'tok', recipient: null }, 'mailgun#tok#-'],
    [{ provider: 'amazon-ses', eventId: 'm-1', recipient: 'b@example.com' }, 'amazon-ses#m-1#b@example.com'],
  ] as const)('keys %j as %s', (input, key) => {
    expect(dedupeKeyOf(input)).toBe(key);
  });

  it('hashes keys too long for DynamoDB into a stable, distinct key', () => {
    const long = { provider: 'sendgrid' as const, eventId: 'x'.repeat(2000), recipient: 'a@example.com' };
    const other = { ...long, recipient: 'b@example.com' };
    expect(dedupeKeyOf(long)).toMatch(/^sendgrid#sha256:[0-9a-f]{64}$/);
    expect(dedupeKeyOf(long)).toBe(dedupeKeyOf({ ...long }));
    expect(dedupeKeyOf(long)).not.toBe(dedupeKeyOf(other));
  });
});

describe('backoffDelayMs', () => {
  it.each([
    [1, 0.5, 50],
    [2, 0.5, 100],
    [3, 0.5, 200],
    [3, 0.999, 399],
    [10, 0.5, 1000],
    [1, 0, 0],
  ])('attempt %i with random %f waits %i ms (base 100, cap 2000)', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, { baseDelayMs: 100, maxDelayMs: 2000, random: () => random })).toBe(expected);
  });
});

describe('toBusEntry and fitToEntry', () => {
  it('uses the event timestamp as Time, or receivedAt when it has none or an invalid one', () => {
    expect(toBusEntry(event('a', 'a@x', { timestamp: '2026-01-02T03:04:05.000Z' })).time).toEqual(
      new Date('2026-01-02T03:04:05.000Z'),
    );
    expect(toBusEntry(event('a')).time).toEqual(NOW);
    expect(toBusEntry(event('a', 'a@x', { timestamp: 'yesterday' })).time).toEqual(NOW);
  });

  it('leaves an event that fits untouched', () => {
    const small = event('a');
    expect(fitToEntry(small).event).toBe(small);
  });

  it('drops raw and flags it when the event is over the entry limit', () => {
    const big = event('a', 'a@x', { raw: { blob: 'x'.repeat(MAX_ENTRY_BYTES) }, metadata: { campaign: 'c1' } });
    const { event: fitted, entry } = fitToEntry(big);
    expect(fitted.raw).toBeNull();
    expect(fitted.metadata).toEqual({ campaign: 'c1', rawTruncated: true });
    expect(entrySizeOf(entry)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
  });

  it('drops metadata too when raw alone is not enough', () => {
    const big = event('a', 'a@x', { metadata: { blob: 'x'.repeat(MAX_ENTRY_BYTES) } });
    expect(fitToEntry(big).event.metadata).toEqual({ rawTruncated: true, metadataTruncated: true });
  });

  it('refuses an event that cannot fit even without raw and metadata', () => {
    const big = event('a', 'a@x', { description: 'x'.repeat(MAX_ENTRY_BYTES) });
    expect(() => fitToEntry(big)).toThrow(PayloadError);
  });
});

describe('dedupeAndPublish', () => {
  it('re-sends only the entries EventBridge rejected, with backoff, until they are accepted', async () => {
    // Prepare: the first call rejects entries 1 and 3, the retry rejects the second of those again.
    const { bus, deps, sleeps, memory } = setup();
    bus.script.push({ kind: 'fail-indexes', indexes: [1, 3] }, { kind: 'fail-indexes', indexes: [1] });
    const events = ['a', 'b', 'c', 'd', 'e'].map((id) => event(id));

    // Act
    const result = await dedupeAndPublish(events, deps);

    // Assess
    expect(bus.calls.map((call) => call.map((entry) => JSON.parse(entry.detail).eventId))).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['b', 'd'],
      ['d'],
    ]);
    expect(sleeps).toEqual([50, 100]);
    expect(result).toMatchObject({ received: 5, published: 5, failed: 0 });
    expect([...bus.deliveries().values()]).toEqual([1, 1, 1, 1, 1]);
    expect([...memory.items.values()].every((item) => item.status === 'COMPLETED')).toBe(true);
  });

  it('gives up after maxAttempts, releases the claims of the rejected entries and reports them failed', async () => {
    const { bus, deps, memory, logger } = setup();
    bus.rejectWhile = (entry) => JSON.parse(entry.detail).eventId === 'b';
    const result = await dedupeAndPublish([event('a'), event('b')], {
      ...deps,
      options: { ...deps.options, maxAttempts: 3 },
    });
    expect(bus.calls).toHaveLength(3);
    expect(result.outcomes.map((outcome) => outcome.disposition)).toEqual(['published', 'failed']);
    expect(memory.items.has('sendgrid#b#b@example.com')).toBe(false);
    expect(memory.items.get('sendgrid#a#a@example.com')?.status).toBe('COMPLETED');
    expect(logger.entries.filter((entry) => entry.message === 'EventBridge rejected some entries')).toHaveLength(3);
  });

  it('retries a chunk whose PutEvents call threw as a whole', async () => {
    const { bus, deps } = setup();
    bus.script.push({ kind: 'throw' });
    const result = await dedupeAndPublish([event('a'), event('b')], deps);
    expect(bus.calls.map((call) => call.length)).toEqual([2, 2]);
    expect(result.published).toBe(2);
  });

  it('publishes in chunks of at most 10, each chunk retried on its own', async () => {
    const { bus, deps } = setup();
    bus.script.push({ kind: 'fail-indexes', indexes: [9] });
    const events = Array.from({ length: 23 }, (_, index) => event(`e${index}`));
    const result = await dedupeAndPublish(events, deps);
    expect(bus.calls.map((call) => call.length).sort((a, b) => a - b)).toEqual([1, 3, 10, 10]);
    expect(result.published).toBe(23);
    expect([...bus.deliveries().values()].every((count) => count === 1)).toBe(true);
  });

  it('treats keys already completed as duplicates and keys held by another claim as in progress', async () => {
    const { deps, memory, bus } = setup();
    await memory.claim('sendgrid#done#done@example.com', NOW, 60);
    const token = [...memory.items.values()][0]?.token;
    await memory.complete('sendgrid#done#done@example.com', NOW, 600, token);
    await memory.claim('sendgrid#busy#busy@example.com', NOW, 60);

    const result = await dedupeAndPublish([event('done'), event('busy'), event('new')], deps);

    expect(result.outcomes.map((outcome) => outcome.disposition)).toEqual(['duplicate', 'in-progress', 'published']);
    expect(result).toMatchObject({ duplicates: 1, inProgress: 1, published: 1 });
    expect(bus.details().map((detail) => detail.eventId)).toEqual(['new']);
  });

  it('keeps one event per recipient when a provider event fans out, and collapses exact repeats', async () => {
    const { deps, bus } = setup();
    const result = await dedupeAndPublish(
      [event('m', 'a@x'), event('m', 'b@x'), event('m', 'a@x'), event('m', null), event('m', null)],
      deps,
    );
    expect(result.outcomes.map((outcome) => outcome.disposition)).toEqual([
      'published',
      'published',
      'duplicate',
      'published',
      'duplicate',
    ]);
    expect(bus.accepted).toHaveLength(3);
  });

  it('publishes nothing and releases every claim when the ledger fails while claiming', async () => {
    // Prepare: the 3rd claim is throttled.
    const { deps, bus, memory, ledger, logger } = setup({ claim: (_key: string, call: number) => call === 3 });
    const events = Array.from({ length: 6 }, (_, index) => event(`e${index}`));

    // Act
    const result = await dedupeAndPublish(events, { ...deps, options: { ...deps.options, ledgerConcurrency: 1 } });

    // Assess
    expect(bus.calls).toEqual([]);
    expect(result).toMatchObject({ received: 6, published: 0, failed: 6 });
    expect(memory.items.size).toBe(0);
    expect(ledger.calls).toEqual({ claim: 3, complete: 0, release: 2 });
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ causeName: 'ProvisionedThroughputExceededException' }),
      }),
    );
  });

  it('keeps the claim (does not release) when marking a published event completed fails', async () => {
    const { deps, bus, memory, logger } = setup({ complete: () => true });
    const result = await dedupeAndPublish([event('a')], deps);
    expect(result.published).toBe(1);
    expect(bus.accepted).toHaveLength(1);
    expect(memory.items.get('sendgrid#a#a@example.com')?.status).toBe('IN_PROGRESS');
    expect(logger.entries.map((entry) => entry.message)).toContain(
      'Published event could not be marked completed; it stays claimed until its lease lapses',
    );
    expect(logger.text()).not.toContain('a@example.com');
  });

  it('reports the event failed and logs when releasing its claim fails too', async () => {
    const { deps, bus, logger } = setup({ release: () => true });
    bus.outage = true;
    const result = await dedupeAndPublish([event('a')], deps);
    expect(result.failed).toBe(1);
    expect(logger.entries.map((entry) => entry.message)).toContain(
      'Claim of an unpublished event could not be released; retries wait for its lease to lapse',
    );
  });

  it('checks every event fits before claiming anything', async () => {
    const { deps, ledger } = setup();
    const impossible = event('z', 'z@x', { description: 'x'.repeat(MAX_ENTRY_BYTES) });
    await expect(dedupeAndPublish([event('a'), impossible], deps)).rejects.toThrow(PayloadError);
    expect(ledger.calls.claim).toBe(0);
  });

  it('returns empty counts for no events without touching the ledger or the bus', async () => {
    const { deps, ledger, bus } = setup();
    await expect(dedupeAndPublish([], deps)).resolves.toMatchObject({ received: 0, published: 0 });
    expect(ledger.calls.claim).toBe(0);
    expect(bus.calls).toEqual([]);
  });
});
