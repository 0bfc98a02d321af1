import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbLedger } from '../../../lambda/adapters/dynamodb-ledger';
import { DependencyError } from '../../../lambda/errors';
import { NOW } from '../../fixtures/verifier/fakes';

const dynamo = mockClient(DynamoDBClient);
const ledger = () => new DynamoDbLedger({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: 'dedupe' });
const nowSeconds = Math.floor(NOW.getTime() / 1000);

const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), {
    Item: item,
  });

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
    name: 'ProvisionedThroughputExceededException',
  });

describe('DynamoDbLedger (SDK calls)', () => {
  afterEach(() => {
    dynamo.reset();
  });

  it('claims with ONE conditional PutItem that asks for the old item on failure', async () => {
    dynamo.on(PutItemCommand).resolves({});
    await ledger().claim('k', NOW, 60);
    expect(dynamo).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'dedupe',
      ConditionExpression: 'attribute_not_exists(#pk) OR #expires < :now OR (#status = :inProgress AND #lease < :now)',
      ExpressionAttributeNames: {
        '#pk': 'pk',
        '#status': 'status',
        '#lease': 'leaseExpiresAt',
        '#expires': 'expiresAt',
      },
      ExpressionAttributeValues: { ':now': { N: String(nowSeconds) }, ':inProgress': { S: 'IN_PROGRESS' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it.each([
    ['a completed item', { status: { S: 'COMPLETED' }, expiresAt: { N: String(nowSeconds + 10) } }, 'duplicate'],
    [
      'a live in-progress item',
      { status: { S: 'IN_PROGRESS' }, leaseExpiresAt: { N: String(nowSeconds + 10) } },
      'in-progress',
    ],
  ])('tells %s apart from the returned old item, without a second read', async (_case, old, status) => {
    dynamo.on(PutItemCommand).rejects(conditionFailed({ pk: { S: 'k' }, ...old }));
    await expect(ledger().claim('k', NOW, 60)).resolves.toEqual({ status });
    expect(dynamo).toHaveReceivedCommandTimes(GetItemCommand, 0);
  });

  it.each([
    ['claim', (subject: DynamoDbLedger) => subject.claim('k', NOW, 60)],
    ['complete', (subject: DynamoDbLedger) => subject.complete('k', NOW, 60, 'token')],
    ['release', (subject: DynamoDbLedger) => subject.release('k', 'token')],
  ] as const)('turns an SDK failure in %s into a DependencyError keeping the cause', async (_op, call) => {
    dynamo.onAnyCommand().rejects(throttled());
    const error = await call(ledger()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).cause).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });

  it('conditions release on IN_PROGRESS and the claim token', async () => {
    dynamo.on(DeleteItemCommand).resolves({});
    await ledger().release('k', 'token-1');
    expect(dynamo).toHaveReceivedCommandWith(DeleteItemCommand, {
      ConditionExpression: '#status = :inProgress AND #token = :token',
      ExpressionAttributeValues: { ':inProgress': { S: 'IN_PROGRESS' }, ':token': { S: 'token-1' } },
    });
  });
});
