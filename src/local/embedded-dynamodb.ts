/**
 * An embedded DynamoDB for the local runtime: dynalite (the real DynamoDB wire protocol over LevelDB) on a loopback
 * port, and a real `DynamoDBClient` pointed at it, so the dedupe ledger is the very adapter the Lambda uses.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { LEDGER_PARTITION_KEY } from '../../lambda/core/ledger-schema';

/** dynalite's factory (the package ships no types). */
type DynaliteFactory = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

/** Options of {@link startEmbeddedDynamoDb}. */
export interface EmbeddedDynamoDbOptions {
  /** LevelDB directory that persists the tables; absent: in memory (gone when closed). */
  readonly path?: string;
  /** The dedupe table, created on first start. */
  readonly tableName: string;
  /** Region the client signs for (dynalite accepts any). */
  readonly region: string;
}

/** A running embedded DynamoDB. */
export interface EmbeddedDynamoDb {
  /** A client for it; closed by {@link close}. */
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  /** Closes the client, stops the server and closes LevelDB once pending writes are done. */
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 (a free port) and creates the dedupe table (partition key
 * `LEDGER_PARTITION_KEY`, on demand) unless it exists. dynalite does not implement TTL; the ledger compares expiry
 * times itself, so nothing depends on it.
 */
export async function startEmbeddedDynamoDb(options: EmbeddedDynamoDbOptions): Promise<EmbeddedDynamoDb> {
  // dynalite is CommonJS without types; loaded here so that only the local runtime pays for it.
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    // Tables become ACTIVE at once instead of after dynalite's default half second.
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: options.region,
    // dynalite checks that requests are signed, not by whom.
    credentials: { accessKeyId: 'hookguard-local', secretAccessKey: 'hookguard-local' },
    maxAttempts: 3,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // The client's keep-alive sockets would keep the server's close waiting.
    client.destroy();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
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
