import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../lambda/ports';
import { DynaliteThread } from '../../src/local/dynalite-thread';
import type { ParsedHttpRequest } from '../../src/local/in-process-http-handler';

/** A request as the SDK would send it (dynalite checks the signature's shape, not its value). */
function dynamoRequest(target: string, body: string): ParsedHttpRequest {
  return {
    method: 'POST',
    url: '/',
    headers: {
      host: '127.0.0.1',
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${target}`,
      'x-amz-date': '20261120T120000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20261120/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: Buffer.from(body, 'utf8'),
  };
}

const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

function recordingLogger() {
  const errors: Array<[string, Record<string, unknown> | undefined]> = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error(message, fields) {
      errors.push([message, fields]);
    },
  };
  return { logger, errors };
}

describe('DynaliteThread', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-dynalite-thread-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("answers requests with dynalite's status, headers and body", async () => {
    // Prepare
    const { thread, port } = await DynaliteThread.start();

    try {
      // Act
      const listed = await thread.exchange(dynamoRequest('ListTables', '{}'));
      const unknown = await thread.exchange(dynamoRequest('NoSuchOperation', '{}'));

      // Assess
      expect(port).toBeGreaterThan(0);
      expect(listed.statusCode).toBe(200);
      expect(listed.headers).toMatchObject({
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': expect.any(String),
      });
      expect(JSON.parse(text(listed.body))).toEqual({ TableNames: [] });
      expect(unknown.statusCode).toBe(400);
      expect(JSON.parse(text(unknown.body))).toEqual({
        __type: 'com.amazon.coral.service#UnknownOperationException',
      });
    } finally {
      await thread.close();
    }
  });

  it('fails only the request during which dynalite throws, and keeps answering', async () => {
    // Prepare
    const { thread } = await DynaliteThread.start();

    try {
      // Act: a JSON body that is not an object makes dynalite's validation throw.
      const failed = thread.exchange(dynamoRequest('GetItem', 'null'));

      // Assess
      await expect(failed).rejects.toThrow(/embedded DynamoDB failed/);
      expect((await thread.exchange(dynamoRequest('ListTables', '{}'))).statusCode).toBe(200);
    } finally {
      await thread.close();
    }
  });

  it('fails waiting and later requests, and says so, when the thread stops unexpectedly', async () => {
    // Prepare: a worker that is ready, then dies on its first request.
    const script = join(dir, 'dying-worker.js');
    await writeFile(
      script,
      "const { parentPort } = require('node:worker_threads');\n" +
        "parentPort.on('message', () => process.exit(3));\n" +
        "parentPort.postMessage({ type: 'ready', port: 1 });\n",
    );
    const { logger, errors } = recordingLogger();
    const { thread } = await DynaliteThread.start({ workerScript: script, logger });

    // Act
    const waiting = thread.exchange(dynamoRequest('ListTables', '{}'));

    // Assess
    await expect(waiting).rejects.toThrow(/exited \(code 3\)/);
    await expect(thread.exchange(dynamoRequest('ListTables', '{}'))).rejects.toThrow(/exited/);
    expect(errors).toEqual([[expect.stringMatching(/stopped/), { error: expect.stringMatching(/exited/) }]]);
    await expect(thread.close()).resolves.toBeUndefined();
  });

  it('rejects the start when the thread cannot start', async () => {
    // Prepare
    const script = join(dir, 'broken-worker.js');
    await writeFile(script, "throw new Error('cannot load dynalite');\n");

    // Act / Assess
    await expect(DynaliteThread.start({ workerScript: script })).rejects.toThrow('cannot load dynalite');
  });

  it('closes once, after which requests are refused', async () => {
    // Prepare
    const { thread } = await DynaliteThread.start({ path: join(dir, 'dynamodb') });

    // Act
    await Promise.all([thread.close(), thread.close()]);

    // Assess
    await expect(thread.exchange(dynamoRequest('ListTables', '{}'))).rejects.toThrow(/closed/);
    // The store was closed cleanly: it opens again at once.
    const again = await DynaliteThread.start({ path: join(dir, 'dynamodb') });
    await again.thread.close();
  });
});
