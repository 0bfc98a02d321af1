/**
 * Fault injection through the ports: the real DynamoDB ledger (on dynalite) behind a fault-injecting wrapper, and a
 * fake bus with scripted failures. After the provider's retries, every event must be on the bus exactly once.
 */
import { DynamoDbLedger } from '../../../lambda/adapters/dynamodb-ledger';
import { createWebhookProcessor, type WebhookProcessor } from '../../../lambda/core/pipeline';
import type { WebhookRequest } from '../../../lambda/providers/types';
import { startTestDynamoDb, type TestDynamoDb } from '../../fixtures/verifier/dynalite';
import {
  type FakeBus,
  FaultyLedger,
  fakeWorld,
  fanOutRequest,
  manyEvents,
  NOW,
  signedRequest,
} from '../../fixtures/verifier/fakes';

describe('exactly-once delivery under faults (DynamoDB ledger on dynalite)', () => {
  let db: TestDynamoDb;

  beforeAll(async () => {
    db = await startTestDynamoDb();
  });

  afterAll(async () => {
    await db.close();
  });

  async function setup() {
    const tableName = await db.createTable();
    const ledger = new FaultyLedger(new DynamoDbLedger({ client: db.client, tableName }));
    const world = fakeWorld({ ledger });
    return { ...world, ledger, tableName, process: createWebhookProcessor(world.deps) };
  }

  /** Sends `request` like a provider: again after every non-2xx answer, up to `attempts` times. */
  async function deliverWithRetries(process: WebhookProcessor, request: WebhookRequest, attempts = 5) {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < attempts; attempt++) {
      const { response } = await process(request);
      statuses.push(response.statusCode);
      if (response.statusCode === 200) break;
    }
    return statuses;
  }

  const expectEachExactlyOnce = (bus: FakeBus, expectedKeys: string[]) => {
    const deliveries = bus.deliveries();
    expect([...deliveries.keys()].sort()).toEqual([...expectedKeys].sort());
    expect([...deliveries.values()].every((count) => count === 1)).toBe(true);
  };

  const keysOf = (count: number) => manyEvents(count).map((event) => `${event.id}#${event.to}`);

  it('survives EventBridge partial failures: only the rejected entries are re-sent, each lands once', async () => {
    // Prepare: in the 25-event batch, chunk calls reject some entries on their first attempts.
    const { process, bus } = await setup();
    bus.script.push(
      { kind: 'fail-indexes', indexes: [0, 4, 9] },
      { kind: 'fail-indexes', indexes: [2, 3] },
      { kind: 'fail-indexes', indexes: [1] },
    );

    // Act
    const statuses = await deliverWithRetries(process, signedRequest(manyEvents(25)));

    // Assess
    expect(statuses).toEqual([200]);
    expectEachExactlyOnce(bus, keysOf(25));
  });

  it('answers 503 in a full EventBridge outage, releases the claims, and the retry publishes each event once', async () => {
    const { process, bus, ledger } = await setup();
    bus.outage = true;
    const request = signedRequest(manyEvents(14));

    const first = await process(request);
    expect(first.response.statusCode).toBe(503);
    expect(bus.accepted).toHaveLength(0);
    expect(ledger.log.filter((entry) => entry.op === 'release' && !entry.failed)).toHaveLength(14);

    bus.outage = false;
    expect(await deliverWithRetries(process, request)).toEqual([200]);
    expectEachExactlyOnce(bus, keysOf(14));
  });

  it('answers 503 when DynamoDB throttles mid-batch, loses nothing, and the retry publishes each event once', async () => {
    const { process, bus, ledger } = await setup();
    ledger.faults = { claim: (_key, call) => call === 7 };
    const request = signedRequest(manyEvents(12));

    const statuses = await deliverWithRetries(process, request);

    expect(statuses).toEqual([503, 200]);
    expectEachExactlyOnce(bus, keysOf(12));
  });

  it('waits out a crashed invocation: 503 in_progress while its lease lives, then the retry publishes each event once', async () => {
    // Prepare: an invocation claimed e2 and e5 and then died without releasing them.
    const { process, bus, tableName, clock } = await setup();
    const crashed = new DynamoDbLedger({ client: db.client, tableName });
    await crashed.claim('resend#e2#user2@example.com', NOW, 60);
    await crashed.claim('resend#e5#user5@example.com', NOW, 60);
    const request = signedRequest(manyEvents(6), { signedAt: NOW });

    // Act
    const whileHeld = await process(request);
    clock.advance(61);
    const afterLapse = await process({ ...request, receivedAt: clock.now() });

    // Assess
    expect(whileHeld.response.statusCode).toBe(503);
    expect(whileHeld.response.headers['retry-after']).toBe('30');
    expect(whileHeld.outcome).toMatchObject({ published: 4, inProgress: 2 });
    expect(afterLapse.response.statusCode).toBe(200);
    expect(afterLapse.outcome).toMatchObject({ published: 2, duplicates: 4 });
    expectEachExactlyOnce(bus, keysOf(6));
  });

  it('publishes each event once when the same request arrives twice at the same moment', async () => {
    const { process, bus } = await setup();
    const request = signedRequest(manyEvents(15));

    const answers = await Promise.all([process(request), process(request)]);
    const statuses = answers.map((answer) => answer.response.statusCode);
    if (statuses.includes(503)) expect(await deliverWithRetries(process, request)).toEqual([200]);

    expectEachExactlyOnce(bus, keysOf(15));
  });

  it('does not publish again on an immediate retry when marking completed failed after the publish', async () => {
    const { process, bus, ledger } = await setup();
    ledger.faults = { complete: (_key, call) => call === 1 };
    const request = signedRequest(manyEvents(3));

    const first = await process(request);
    const retry = await process(request);

    expect(first.response.statusCode).toBe(200);
    expect(retry.response.statusCode).toBe(503);
    expect(retry.outcome).toMatchObject({ inProgress: 1, duplicates: 2, published: 0 });
    expectEachExactlyOnce(bus, keysOf(3));
  });

  it('publishes a fanned-out event once per recipient across a partial failure and the retry', async () => {
    const { process, bus } = await setup();
    bus.script.push({ kind: 'fail-indexes', indexes: [1] }, { kind: 'throw' }, { kind: 'throw' }, { kind: 'throw' });
    const request = fanOutRequest({
      Type: 'Notification',
      MessageId: 'sns-1',
      Timestamp: NOW.toISOString(),
      recipients: ['a@example.com', 'b@example.com', 'c@example.com'],
    });

    const statuses = await deliverWithRetries(process, request);

    expect(statuses).toEqual([503, 200]);
    expectEachExactlyOnce(bus, ['sns-1#a@example.com', 'sns-1#b@example.com', 'sns-1#c@example.com']);
  });
});
