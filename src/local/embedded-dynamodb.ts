/**
 * An embedded DynamoDB for the local runtime: dynalite (the real DynamoDB wire protocol over LevelDB) and a real
 * `DynamoDBClient` for it, so the dedupe ledger is the very adapter the Lambda uses.
 *
 * dynalite runs on a worker thread of this process (`dynalite-worker.js`), and the client hands it its HTTP requests
 * as messages ({@link InProcessHttpHandler}): the same signed DynamoDB JSON requests and responses, without a loopback
 * TCP round trip per call, and with the emulator's CPU work off the local API's event loop. dynalite also listens on
 * a loopback port, so other tools can reach the same tables at `endpoint`.
 */

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { LEDGER_PARTITION_KEY } from '../../lambda/core/ledger-schema';
import { type Logger, silentLogger } from '../../lambda/ports';
import { DynaliteThread } from './dynalite-thread';
import { InProcessHttpHandler } from './in-process-http-handler';

/** Options of {@link startEmbeddedDynamoDb}. */
export interface EmbeddedDynamoDbOptions {
  /** LevelDB directory that persists the tables; absent: in memory (gone when closed). */
  readonly path?: string;
  /** The dedupe table, created on first start. */
  readonly tableName: string;
  /** Region the client signs for (dynalite accepts any). */
  readonly region: string;
  /** Told when the store stops unexpectedly (every later request fails). @default silentLogger */
  readonly logger?: Logger;
}

/** A running embedded DynamoDB. */
export interface EmbeddedDynamoDb {
  /** A client for it (in process, no socket); closed by {@link close}. */
  readonly client: DynamoDBClient;
  /** dynalite's loopback address (the client signs for it, but does not connect to it). */
  readonly endpoint: string;
  readonly tableName: string;
  /** Closes the client, stops dynalite and closes LevelDB once pending operations are done. */
  close(): Promise<void>;
}

/**
 * Starts dynalite on its worker thread (listening on 127.0.0.1, a free port) with a client that reaches it in process,
 * and creates the dedupe table (partition key `LEDGER_PARTITION_KEY`, on demand) unless it exists. dynalite does not
 * implement TTL; the ledger compares expiry times itself, so nothing depends on it.
 */
export async function startEmbeddedDynamoDb(options: EmbeddedDynamoDbOptions): Promise<EmbeddedDynamoDb> {
  const { thread, port } = await DynaliteThread.start({
    ...(options.path ? { path: options.path } : {}),
    logger: options.logger ?? silentLogger,
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: options.region,
    // dynalite checks that requests are signed, not by whom.
    credentials: { accessKeyId: 'hookguard-local', secretAccessKey: 'hookguard-local' },
    maxAttempts: 3,
    requestHandler: new InProcessHttpHandler((request) => thread.exchange(request)),
    // The middleware stack is resolved once per command class instead of on every call (the SDK's own option; this
    // client never changes its stack). The same middleware runs on every request.
    cacheMiddleware: true,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // The client refuses further requests; dynalite's close waits for the LevelDB operations already started. (The
    // runtime closes its API first, so no ledger call is in flight by now.)
    client.destroy();
    await thread.close();
  };
  try {
    await ensureTable(client, options.tableName);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { client, endpoint, tableName: options.tableName, close };
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: LEDGER_PARTITION_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LEDGER_PARTITION_KEY, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // With createTableMs 0 the table turns ACTIVE on dynalite's next tick; wait for it rather than race it.
  for (let attempt = 0; attempt < 50; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Dedupe table ${tableName} did not become active`);
}
