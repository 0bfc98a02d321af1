import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ClaimLostError, DynamoDbLedger } from '../../../lambda/adapters/dynamodb-ledger';
import type { ClaimOutcome } from '../../../lambda/ports';
import { startTestDynamoDb, type TestDynamoDb } from '../../fixtures/verifier/dynalite';
import { NOW } from '../../fixtures/verifier/fakes';

const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const nowSeconds = Math.floor(NOW.getTime() / 1000);

describe('DynamoDbLedger (against dynalite)', () => {
  let db: TestDynamoDb;
  let ledger: DynamoDbLedger;
  let tableName: string;

  beforeAll(async () => {
    db = await startTestDynamoDb();
  });

  afterAll(async () => {
    await db.close();
  });

  beforeEach(async () => {
    tableName = await db.createTable();
    ledger = new DynamoDbLedger({ client: db.client, tableName });
  });

  const item = async (key: string) =>
    (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true })))
      .Item;

  const tokenOf = (outcome: ClaimOutcome) => (outcome.status === 'claimed' ? outcome.claimToken : undefined);

  describe('claim', () => {
    it('claims a new key with one IN_PROGRESS item whose TTL is the lease end', async () => {
      const outcome = await ledger.claim('k1', NOW, 60);
      expect(outcome).toEqual({ status: 'claimed', claimToken: expect.any(String) });
      expect(await item('k1')).toEqual({
        pk: { S: 'k1' },
        status: { S: 'IN_PROGRESS' },
        leaseExpiresAt: { N: String(nowSeconds + 60) },
        expiresAt: { N: String(nowSeconds + 60) },
        claimToken: { S: tokenOf(outcome) },
      });
    });

    it('lets exactly one of many concurrent claims of the same key win', async () => {
      const ledgers = Array.from({ length: 12 }, () => new DynamoDbLedger({ client: db.client, tableName }));
      const outcomes = await Promise.all(ledgers.map((each) => each.claim('race', NOW, 60)));
      expect(outcomes.filter((outcome) => outcome.status === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === 'in-progress')).toHaveLength(11);
    });

    it('reports a completed key as a duplicate for the whole dedupe window', async () => {
      const claimed = await ledger.claim('k', NOW, 60);
      await ledger.complete('k', NOW, 3600, tokenOf(claimed));
      await expect(ledger.claim('k', at(10), 60)).resolves.toEqual({ status: 'duplicate' });
      await expect(ledger.claim('k', at(3600), 60)).resolves.toEqual({ status: 'duplicate' });
    });

    it('treats a completed item past its expiry as absent although TTL has not deleted it yet', async () => {
      const claimed = await ledger.claim('k', NOW, 60);
      await ledger.complete('k', NOW, 3600, tokenOf(claimed));
      await expect(ledger.claim('k', at(3601), 60)).resolves.toMatchObject({ status: 'claimed' });
    });

    it('reports a live lease held by another invocation as in progress', async () => {
      await new DynamoDbLedger({ client: db.client, tableName }).claim('k', NOW, 60);
      await expect(ledger.claim('k', at(60), 60)).resolves.toEqual({ status: 'in-progress' });
    });

    it('re-claims a key whose holder crashed once its lease lapsed, with a new token', async () => {
      const crashed = await new DynamoDbLedger({ client: db.client, tableName }).claim('k', NOW, 60);
      const taken = await ledger.claim('k', at(61), 60);
      expect(taken.status).toBe('claimed');
      expect(tokenOf(taken)).not.toBe(tokenOf(crashed));
      expect((await item('k'))?.leaseExpiresAt).toEqual({ N: String(nowSeconds + 121) });
    });
  });

  describe('complete', () => {
    it('marks the claim COMPLETED, kept for the window, and drops the lease', async () => {
      const claimed = await ledger.claim('k', NOW, 60);
      await ledger.complete('k', at(5), 604800, tokenOf(claimed));
      const stored = await item('k');
      expect(stored?.status).toEqual({ S: 'COMPLETED' });
      expect(stored?.expiresAt).toEqual({ N: String(nowSeconds + 5 + 604800) });
      expect(stored?.leaseExpiresAt).toBeUndefined();
    });

    it('uses the token it holds when the caller passes none', async () => {
      await ledger.claim('k', NOW, 60);
      await ledger.complete('k', NOW, 600);
      expect((await item('k'))?.status).toEqual({ S: 'COMPLETED' });
    });

    it('still records completion when its lease lapsed but nobody took the key over', async () => {
      const claimed = await ledger.claim('k', NOW, 60);
      await ledger.complete('k', at(120), 600, tokenOf(claimed));
      expect((await item('k'))?.status).toEqual({ S: 'COMPLETED' });
    });

    it('throws ClaimLostError and leaves the new holder alone when another invocation took the key over', async () => {
      const slow = await ledger.claim('k', NOW, 60);
      const other = new DynamoDbLedger({ client: db.client, tableName });
      const taken = await other.claim('k', at(61), 60);
      await expect(ledger.complete('k', at(62), 600, tokenOf(slow))).rejects.toThrow(ClaimLostError);
      expect((await item('k'))?.claimToken).toEqual({ S: tokenOf(taken) });
      expect((await item('k'))?.status).toEqual({ S: 'IN_PROGRESS' });
    });
  });

  describe('release', () => {
    it('deletes its own in-progress claim so the retry can claim the key at once', async () => {
      const claimed = await ledger.claim('k', NOW, 60);
      await ledger.release('k', tokenOf(claimed));
      expect(await item('k')).toBeUndefined();
      await expect(ledger.claim('k', at(1), 60)).resolves.toMatchObject({ status: 'claimed' });
    });

    it('never deletes a completed record', async () => {
      const claimed = await ledger.claim('k', NOW, 60);
      await ledger.complete('k', NOW, 600, tokenOf(claimed));
      await ledger.release('k', tokenOf(claimed));
      expect((await item('k'))?.status).toEqual({ S: 'COMPLETED' });
    });

    it("never deletes another invocation's claim taken over after this lease lapsed (Powertools issue 5675)", async () => {
      const slow = await ledger.claim('k', NOW, 60);
      const taken = await new DynamoDbLedger({ client: db.client, tableName }).claim('k', at(61), 60);
      await ledger.release('k', tokenOf(slow));
      expect((await item('k'))?.claimToken).toEqual({ S: tokenOf(taken) });
    });

    it('does nothing for a key it never claimed', async () => {
      await new DynamoDbLedger({ client: db.client, tableName }).claim('k', NOW, 60);
      await ledger.release('k');
      expect((await item('k'))?.status).toEqual({ S: 'IN_PROGRESS' });
    });

    it('uses the token it holds when the caller passes none', async () => {
      await ledger.claim('k', NOW, 60);
      await ledger.release('k');
      expect(await item('k')).toBeUndefined();
    });
  });

  it('classifies a refused claim with a read when the store does not return the old item', async () => {
    // dynalite ignores ReturnValuesOnConditionCheckFailure, so this exercises the read fallback end to end.
    await db.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: 'k' }, status: { S: 'COMPLETED' }, expiresAt: { N: String(nowSeconds + 100) } },
      }),
    );
    await expect(ledger.claim('k', NOW, 60)).resolves.toEqual({ status: 'duplicate' });
  });
});
