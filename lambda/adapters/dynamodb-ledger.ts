/**
 * The dedupe ledger on DynamoDB (low-level client). One item per event key:
 * `{ pk, status: IN_PROGRESS | COMPLETED, leaseExpiresAt, expiresAt, claimToken }`, epoch seconds, `expiresAt` being
 * the table's TTL attribute. TTL deletes lazily, so every condition compares `expiresAt` with now: an expired item
 * that is still present counts as absent.
 */

import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { LEDGER_PARTITION_KEY, LEDGER_TTL_ATTRIBUTE } from '../core/ledger-schema';
import { DependencyError } from '../errors';
import type { ClaimOutcome, DedupeLedger } from '../ports';

/** Item status while a claim is held. */
export const STATUS_IN_PROGRESS = 'IN_PROGRESS';
/** Item status once the event was published. */
export const STATUS_COMPLETED = 'COMPLETED';

const NAMES = {
  '#pk': LEDGER_PARTITION_KEY,
  '#status': 'status',
  '#lease': 'leaseExpiresAt',
  '#expires': LEDGER_TTL_ATTRIBUTE,
  '#token': 'claimToken',
} as const;

/** Free = absent, expired (TTL not yet run), or an in-progress claim whose lease lapsed (its holder crashed). */
const KEY_IS_FREE = 'attribute_not_exists(#pk) OR #expires < :now OR (#status = :inProgress AND #lease < :now)';

/**
 * The claim was lost before it could be completed: its lease lapsed and another invocation claimed (or completed)
 * the key. The event this invocation published may be published again by that invocation: the documented
 * at-least-once window of an over-long request.
 */
export class ClaimLostError extends Error {
  constructor(readonly key: string) {
    super('The claim lapsed and another invocation took the key over');
    this.name = 'ClaimLostError';
  }
}

/** Options of {@link DynamoDbLedger}. */
export interface DynamoDbLedgerOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/**
 * {@link DedupeLedger} on a DynamoDB table whose partition key is `pk` (string) and TTL attribute `expiresAt`.
 *
 * - `claim`: ONE conditional PutItem, with `ReturnValuesOnConditionCheckFailure: ALL_OLD` so a refused claim tells
 *   duplicate (COMPLETED) from in-progress without a second read. (Emulators that do not return the old item get
 *   one strongly consistent GetItem instead.) Each claim writes a fresh random `claimToken`.
 * - `complete`: COMPLETED, kept for the dedupe window, conditional on this claim's token, or, if the lease lapsed
 *   and nobody took the key over, on the key being free (the event is on the bus, so the record must say so).
 * - `release`: DeleteItem conditional on IN_PROGRESS AND this claim's token: never a completed record, never
 *   another invocation's claim (the lock-deletion bug of Powertools' middleware, issue 5675).
 *
 * SDK failures become `DependencyError` (cause kept).
 *
 * @example
 * const ledger = new DynamoDbLedger({ client: new DynamoDBClient({}), tableName: 'hookguard-dedupe' });
 * const outcome = await ledger.claim('sendgrid#abc#a@example.com', new Date(), 60);
 */
export class DynamoDbLedger implements DedupeLedger {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  /** Tokens of claims made through this instance, for callers that do not pass the token back. */
  private readonly heldTokens = new Map<string, string>();

  constructor(options: DynamoDbLedgerOptions) {
    if (options.tableName.trim() === '') throw new RangeError('tableName must not be empty');
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /** Claims `key` for `leaseSeconds`; see {@link ClaimOutcome}. */
  async claim(key: string, now: Date, leaseSeconds: number): Promise<ClaimOutcome> {
    const nowSeconds = epochSeconds(now);
    const leaseEnd = nowSeconds + leaseSeconds;
    const claimToken = randomUUID();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [LEDGER_PARTITION_KEY]: { S: key },
            status: { S: STATUS_IN_PROGRESS },
            leaseExpiresAt: { N: String(leaseEnd) },
            // The in-progress item expires with its lease, so an abandoned claim is also cleaned up by TTL.
            [LEDGER_TTL_ATTRIBUTE]: { N: String(leaseEnd) },
            claimToken: { S: claimToken },
          },
          ConditionExpression: KEY_IS_FREE,
          ExpressionAttributeNames: omitToken(NAMES),
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) }, ':inProgress': { S: STATUS_IN_PROGRESS } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw new DependencyError('DynamoDB PutItem (claim) failed', { cause: error });
      const existing = error.Item ?? (await this.read(key));
      return classifyHeld(existing, nowSeconds);
    }
    this.heldTokens.set(key, claimToken);
    return { status: 'claimed', claimToken };
  }

  /** Marks `key` completed for `retainSeconds` from `now`. */
  async complete(key: string, now: Date, retainSeconds: number, claimToken?: string): Promise<void> {
    const token = claimToken ?? this.heldTokens.get(key);
    const nowSeconds = epochSeconds(now);
    const condition = token === undefined ? KEY_IS_FREE : `#token = :token OR ${KEY_IS_FREE}`;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [LEDGER_PARTITION_KEY]: { S: key } },
          UpdateExpression: 'SET #status = :completed, #expires = :expires REMOVE #lease',
          ConditionExpression: condition,
          ExpressionAttributeNames: token === undefined ? omitToken(NAMES) : NAMES,
          ExpressionAttributeValues: {
            ':completed': { S: STATUS_COMPLETED },
            ':expires': { N: String(nowSeconds + retainSeconds) },
            ':now': { N: String(nowSeconds) },
            ':inProgress': { S: STATUS_IN_PROGRESS },
            ...(token === undefined ? {} : { ':token': { S: token } }),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ClaimLostError(key);
      throw new DependencyError('DynamoDB UpdateItem (complete) failed', { cause: error });
    } finally {
      if (token !== undefined && this.heldTokens.get(key) === token) this.heldTokens.delete(key);
    }
  }

  /** Deletes this invocation's in-progress claim on `key`; a no-op when the claim is not (or no longer) ours. */
  async release(key: string, claimToken?: string): Promise<void> {
    const token = claimToken ?? this.heldTokens.get(key);
    // Without a token there is no way to prove the claim is ours: deleting anyway could free another's claim.
    if (token === undefined) return;
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [LEDGER_PARTITION_KEY]: { S: key } },
          ConditionExpression: '#status = :inProgress AND #token = :token',
          ExpressionAttributeNames: { '#status': NAMES['#status'], '#token': NAMES['#token'] },
          ExpressionAttributeValues: { ':inProgress': { S: STATUS_IN_PROGRESS }, ':token': { S: token } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error))
        throw new DependencyError('DynamoDB DeleteItem (release) failed', { cause: error });
    } finally {
      if (this.heldTokens.get(key) === token) this.heldTokens.delete(key);
    }
  }

  private async read(key: string): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const result = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [LEDGER_PARTITION_KEY]: { S: key } },
          ConsistentRead: true,
        }),
      );
      return result.Item;
    } catch (error) {
      throw new DependencyError('DynamoDB GetItem (claim check) failed', { cause: error });
    }
  }
}

function omitToken(names: typeof NAMES): Record<string, string> {
  const { '#token': _token, ...rest } = names;
  return rest;
}

/**
 * Why a claim was refused. A completed record is a duplicate; anything else (a live lease, or an item that vanished
 * between the write and the read) is reported in progress, so the provider retries rather than losing the event.
 */
function classifyHeld(item: Record<string, AttributeValue> | undefined, nowSeconds: number): ClaimOutcome {
  const status = item?.status?.S;
  const expiresAt = Number(item?.[LEDGER_TTL_ATTRIBUTE]?.N);
  if (status === STATUS_COMPLETED && Number.isFinite(expiresAt) && expiresAt >= nowSeconds) {
    return { status: 'duplicate' };
  }
  return { status: 'in-progress' };
}
