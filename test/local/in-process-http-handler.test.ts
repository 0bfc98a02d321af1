import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbLedger } from '../../lambda/adapters/dynamodb-ledger';
import { LEDGER_PARTITION_KEY } from '../../lambda/core/ledger-schema';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../src/local/embedded-dynamodb';
import {
  type HttpExchange,
  InProcessHttpHandler,
  type ListenerResponse,
  type ParsedHttpRequest,
  type SdkHttpRequest,
} from '../../src/local/in-process-http-handler';

const NOW = new Date('2026-11-20T12:00:00.000Z');

/** A request shaped like the ones the SDK hands its request handler. */
function sdkRequest(overrides: Partial<SdkHttpRequest> = {}): SdkHttpRequest {
  return {
    method: 'POST',
    path: '/',
    query: {},
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.ListTables' },
    body: '{}',
    ...overrides,
  };
}

/** An exchange that records what it was handed and answers `answer`. */
function recordingExchange(answer: ListenerResponse = { statusCode: 200, headers: {}, body: new Uint8Array(0) }) {
  const seen: ParsedHttpRequest[] = [];
  const exchange: HttpExchange = async (request) => {
    seen.push(request);
    return answer;
  };
  return { exchange, seen };
}

describe('InProcessHttpHandler', () => {
  describe('with a recording exchange', () => {
    it('hands over the request as node:http would and returns the answer as the SDK expects it', async () => {
      // Prepare
      const body = Buffer.from('{"a":"\u00e9"}', 'utf8');
      const { exchange, seen } = recordingExchange({
        statusCode: 400,
        headers: { 'x-amzn-requestid': 'abc', 'content-length': String(body.length) },
        body,
      });
      const handler = new InProcessHttpHandler(exchange);

      // Act
      const { response } = await handler.handle(
        sdkRequest({ path: '/x', query: { b: 'two words', a: ['1', '2'], flag: null }, body: '{"q":"\u00e9"}' }),
      );

      // Assess
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        method: 'POST',
        url: '/x?b=two%20words&a=1&a=2&flag',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      });
      expect(Buffer.from(seen[0]?.body ?? []).toString('utf8')).toBe('{"q":"\u00e9"}');
      expect(response.statusCode).toBe(400);
      expect(response.headers).toEqual({ 'x-amzn-requestid': 'abc', 'content-length': String(body.length) });
      expect(response.body).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(response.body).toString('utf8')).toBe('{"a":"\u00e9"}');
    });

    it('passes byte bodies and no body unchanged, and refuses streams', async () => {
      // Prepare
      const { exchange, seen } = recordingExchange();
      const handler = new InProcessHttpHandler(exchange);

      // Act
      await handler.handle(sdkRequest({ body: new TextEncoder().encode('bytes') }));
      await handler.handle(sdkRequest({ method: 'GET', path: '', body: undefined }));
      const stream = handler.handle(sdkRequest({ body: { pipe() {} } }));

      // Assess
      expect(seen.map((request) => [request.method, request.url, Buffer.from(request.body).toString('utf8')])).toEqual([
        ['POST', '/', 'bytes'],
        ['GET', '/', ''],
      ]);
      await expect(stream).rejects.toThrow(TypeError);
    });

    it('rejects a request whose exchange fails', async () => {
      // Prepare
      const handler = new InProcessHttpHandler(() => Promise.reject(new Error('listener failed')));

      // Act / Assess
      await expect(handler.handle(sdkRequest())).rejects.toThrow('listener failed');
    });

    it('rejects an aborted request with an AbortError, before or while it is handled', async () => {
      // Prepare: a listener that never answers.
      const handler = new InProcessHttpHandler(() => new Promise<ListenerResponse>(() => undefined));
      const early = new AbortController();
      early.abort();
      const late = new AbortController();

      // Act
      const before = handler.handle(sdkRequest(), { abortSignal: early.signal });
      const during = handler.handle(sdkRequest(), { abortSignal: late.signal });
      late.abort();

      // Assess
      await expect(before).rejects.toMatchObject({ name: 'AbortError' });
      await expect(during).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('refuses requests once destroyed', async () => {
      // Prepare
      const { exchange, seen } = recordingExchange();
      const handler = new InProcessHttpHandler(exchange);

      // Act
      handler.destroy();

      // Assess
      await expect(handler.handle(sdkRequest())).rejects.toThrow(/destroyed/);
      expect(seen).toHaveLength(0);
    });
  });

  describe('with the embedded dynalite and the real SDK client', () => {
    let db: EmbeddedDynamoDb;

    beforeAll(async () => {
      // In memory; the client reaches it through the in-process handler.
      db = await startEmbeddedDynamoDb({ tableName: 'hookguard-test-dedupe', region: 'us-east-1' });
    });

    afterAll(async () => {
      await db.close();
    });

    const putIfAbsent = (key: string, value: string) =>
      new PutItemCommand({
        TableName: db.tableName,
        Item: { [LEDGER_PARTITION_KEY]: { S: key }, value: { S: value } },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': LEDGER_PARTITION_KEY },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });

    it('surfaces a refused conditional write as ConditionalCheckFailedException and keeps the item', async () => {
      // Prepare
      await db.client.send(putIfAbsent('conditional', 'first'));

      // Act
      const failure = await db.client.send(putIfAbsent('conditional', 'second')).catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(ConditionalCheckFailedException);
      // (dynalite does not implement ReturnValuesOnConditionCheckFailure; the ledger reads the item instead.)
      expect(failure).toMatchObject({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } });
      const { Item } = await db.client.send(
        new GetItemCommand({
          TableName: db.tableName,
          Key: { [LEDGER_PARTITION_KEY]: { S: 'conditional' } },
          ConsistentRead: true,
        }),
      );
      expect(Item?.value).toEqual({ S: 'first' });
    });

    it('surfaces a refused conditional update as ConditionalCheckFailedException', async () => {
      // Act
      const failure = await db.client
        .send(
          new UpdateItemCommand({
            TableName: db.tableName,
            Key: { [LEDGER_PARTITION_KEY]: { S: 'never-written' } },
            UpdateExpression: 'SET #v = :v',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': LEDGER_PARTITION_KEY, '#v': 'value' },
            ExpressionAttributeValues: { ':v': { S: 'x' } },
          }),
        )
        .catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(ConditionalCheckFailedException);
    });

    it("surfaces dynalite's other errors as the SDK's modelled exceptions", async () => {
      // Act
      const failure = await db.client
        .send(new GetItemCommand({ TableName: 'no-such-table', Key: { [LEDGER_PARTITION_KEY]: { S: 'k' } } }))
        .catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(ResourceNotFoundException);
    });

    it('opens no socket', async () => {
      // Prepare
      const connect = jest.spyOn(Socket.prototype, 'connect');

      // Act
      await db.client.send(putIfAbsent('no-socket', 'x'));

      // Assess
      expect(connect).not.toHaveBeenCalled();
      connect.mockRestore();
    });

    it('runs the DynamoDbLedger unchanged: claim, in progress, complete, duplicate', async () => {
      // Prepare
      const ledger = new DynamoDbLedger({ client: db.client, tableName: db.tableName });

      // Act
      const first = await ledger.claim('mailgun#e1#r@example.com', NOW, 60);
      const whileHeld = await ledger.claim('mailgun#e1#r@example.com', NOW, 60);
      await ledger.complete('mailgun#e1#r@example.com', NOW, 3600, first.status === 'claimed' ? first.claimToken : '');
      const afterwards = await ledger.claim('mailgun#e1#r@example.com', NOW, 60);

      // Assess
      expect(first).toEqual({ status: 'claimed', claimToken: expect.any(String) });
      expect(whileHeld).toEqual({ status: 'in-progress' });
      expect(afterwards).toEqual({ status: 'duplicate' });
    });

    it('lets exactly one of many concurrent claims of one key win', async () => {
      // Prepare
      const ledger = new DynamoDbLedger({ client: db.client, tableName: db.tableName });

      // Act
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => ledger.claim('mailgun#race#r@example.com', NOW, 60)),
      );

      // Assess
      expect(outcomes.filter((outcome) => outcome.status === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === 'in-progress')).toHaveLength(19);
    });
  });
});

describe('startEmbeddedDynamoDb', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-dynamo-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the items across a clean close and a restart on the same directory', async () => {
    // Prepare
    const path = join(dir, 'dynamodb');
    const first = await startEmbeddedDynamoDb({ path, tableName: 'persisted', region: 'us-east-1' });
    const ledger = new DynamoDbLedger({ client: first.client, tableName: first.tableName });
    const claim = await ledger.claim('sendgrid#e1#r@example.com', NOW, 60);
    await ledger.complete('sendgrid#e1#r@example.com', NOW, 3600, claim.status === 'claimed' ? claim.claimToken : '');

    // Act: close (LevelDB released, or the second start could not open it), then start again.
    await first.close();
    const second = await startEmbeddedDynamoDb({ path, tableName: 'persisted', region: 'us-east-1' });
    try {
      const again = await new DynamoDbLedger({ client: second.client, tableName: second.tableName }).claim(
        'sendgrid#e1#r@example.com',
        NOW,
        60,
      );

      // Assess
      expect(again).toEqual({ status: 'duplicate' });
    } finally {
      await second.close();
    }
  });

  it('gives a client that reaches dynalite in process', async () => {
    // Prepare / Act
    const db = await startEmbeddedDynamoDb({ tableName: 'in-process', region: 'us-east-1' });

    // Assess
    try {
      expect(db.client.config.requestHandler).toBeInstanceOf(InProcessHttpHandler);
      expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await db.close();
    }
  });

  it('refuses requests once closed', async () => {
    // Prepare
    const db = await startEmbeddedDynamoDb({ tableName: 'closing', region: 'us-east-1' });

    // Act
    await db.close();

    // Assess
    await expect(
      db.client.send(new GetItemCommand({ TableName: 'closing', Key: { [LEDGER_PARTITION_KEY]: { S: 'k' } } })),
    ).rejects.toThrow();
  });
});
