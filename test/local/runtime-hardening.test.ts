/**
 * Issue 11 section 3 and 7 on the local runtime over real HTTP: the same answers as the deployed path for two
 * Authorization headers and a trailing slash, a bounded time to receive a request, and a warning for a secrets file
 * others can read.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import type { RequestReport } from '../../src/local/local-api';
import { secretsFilePermissionProblem } from '../../src/local/local-secrets';
import { type LocalRuntime, startLocalRuntime } from '../../src/local/runtime';
import { parseCredential, readSecretsFile } from '../../src/local/secrets-file';
import { SIMULATORS } from '../../src/simulate';
import { CapturingLogger } from '../fixtures/verifier/fakes';
import { TEST_STAGE, writeTestConfig } from './test-config';

const REQUEST_TIMEOUT_MS = 400;

describe('local runtime hardening', () => {
  let dir: string;
  let configPath: string;
  let runtime: LocalRuntime;
  let authorization: string;
  const reports: RequestReport[] = [];
  const logger = new CapturingLogger();

  const start = () =>
    startLocalRuntime({
      configPath,
      stage: TEST_STAGE,
      port: 0,
      dataDir: join(dir, 'data'),
      logger,
      onRequest: (report) => reports.push(report),
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      publishing: { sleep: async () => undefined },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-hardening-'));
    configPath = await writeTestConfig(dir);
    runtime = await start();
    const secrets = await readSecretsFile(runtime.paths.secrets);
    const credential = parseCredential(secrets.basicAuth.current);
    if (credential === null) throw new Error('the generated secrets file has no usable credential');
    authorization = basicAuthorizationHeader(credential);
  });

  afterAll(async () => {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  function post(
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${runtime.url}${path}`, { method: 'POST', headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  const postmarkBody = () =>
    SIMULATORS.get('postmark')?.simulate({ eventName: 'Delivery', now: new Date(), uniqueId: `h-${Date.now()}` });

  it('answers 401 to two Authorization headers, as the authorizer does, even when both are valid', async () => {
    const simulated = postmarkBody();
    if (!simulated) throw new Error('no postmark simulator');
    const answer = await post(
      '/webhooks/postmark',
      { ...simulated.headers, authorization: [authorization, authorization] },
      simulated.body,
    );
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'unauthorized', message: 'Unauthorized' } });
    expect(reports.at(-1)).toMatchObject({ statusCode: 401, authFailure: 'ambiguous-header' });
  });

  it('accepts /webhooks/<provider>/ with a trailing slash, as API Gateway REST does', async () => {
    const simulated = postmarkBody();
    if (!simulated) throw new Error('no postmark simulator');
    const answer = await post('/webhooks/postmark/', { ...simulated.headers, authorization }, simulated.body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ received: 1, published: 1 });
    const notFound = await post('/webhooks/postmark//', { ...simulated.headers, authorization }, simulated.body);
    expect(notFound.status).toBe(404);
  });

  it('cuts a body that never finishes after the request timeout (408), without reaching the pipeline', async () => {
    const socket = connect(runtime.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      [
        'POST /webhooks/postmark HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        `Authorization: ${authorization}`,
        'Content-Length: 1000',
        '',
        '[{"RecordType":',
      ].join('\r\n'),
    );
    const started = Date.now();
    await closed;
    const elapsed = Date.now() - started;
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408/);
    // Well under Node's 300 s default; the bound is the timeout plus node:http's check interval.
    expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS * 10);
    expect(reports.at(-1)).toMatchObject({ statusCode: 408, path: '/webhooks/postmark' });
  });

  it('warns at start when the secrets file is readable by group or others', async () => {
    expect(logger.entries.filter((entry) => entry.message.includes('chmod 600'))).toEqual([]);
    await runtime.close();
    await chmod(runtime.paths.secrets, 0o644);
    runtime = await start();
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('readable by group and others') }),
    );
  });
});

describe('secretsFilePermissionProblem', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-mode-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [0o600, null],
    [0o400, null],
    [0o640, 'readable by group'],
    [0o604, 'readable by others'],
    [0o620, 'accessible by group or others'],
  ])('mode %o: %s', async (mode, expected) => {
    const path = join(dir, `secrets-${mode.toString(8)}.json`);
    await writeFile(path, '{}');
    await chmod(path, mode);
    const problem = secretsFilePermissionProblem(path, 'linux');
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toContain(expected);
    expect(secretsFilePermissionProblem(path, 'win32')).toBeNull();
  });
});
