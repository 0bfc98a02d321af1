import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { forwardEvent } from '../../src/cli/listen-command';
import { runCli } from '../../src/cli/main';
import type { EventEnvelope } from '../../src/local/local-event-bus';
import { type LocalRuntime, startLocalRuntime } from '../../src/local/runtime';
import { TEST_STAGE } from '../local/test-config';
import { type CliKit, createCliKit, recordingIo } from './cli-test-kit';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!check()) throw new Error('condition not reached');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const ENVELOPE: EventEnvelope = {
  version: '0',
  id: 'evt-1',
  'detail-type': 'email.bounced',
  source: 'hookguard',
  account: '000000000000',
  time: '2026-02-01T11:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { provider: 'postmark', eventType: 'bounced' },
};

describe('hookguard listen', () => {
  let kit: CliKit;
  let dataDir: string;
  let app: Server;
  let received: Array<{ headers: Record<string, unknown>; body: EventEnvelope }>;
  let statuses: number[];

  beforeEach(async () => {
    kit = await createCliKit();
    dataDir = join(kit.dir, 'data');
    received = [];
    statuses = [];
    app = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body: JSON.parse(body) });
        response.statusCode = statuses.shift() ?? 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await new Promise((resolve) => app.close(resolve));
    await kit.cleanUp();
  });

  const appUrl = () => `http://127.0.0.1:${(app.address() as AddressInfo).port}/hooks`;

  it('starts the local runtime and forwards the matching events of requests sent to it', async () => {
    // Prepare
    const port = String(await freePort());
    const io = recordingIo();
    const stop = new AbortController();
    const running = runCli(
      ['listen', '--forward-to', appUrl(), '--type', 'bounced', ...kit.commonArgs, '--data-dir', dataDir, '--port', port],
      { ...io, signal: stop.signal },
    );
    await until(() => io.errors.some((line) => line.startsWith('Forwarding')));

    // Act: a delivery (not matching) and a bounce (matching).
    const common = [...kit.commonArgs, '--data-dir', dataDir, '--port', port];
    expect(await runCli(['send', 'postmark', 'Delivery', ...common], recordingIo())).toBe(0);
    expect(await runCli(['send', 'postmark', 'Bounce', ...common], recordingIo())).toBe(0);
    await until(() => received.length > 0 && io.lines.length > 0);
    stop.abort();

    // Assess
    expect(await running).toBe(0);
    expect(io.errors[0]).toMatch(/^Started the local runtime \(stage test\) on http:\/\/127\.0\.0\.1:\d+/);
    expect(received).toHaveLength(1);
    expect(received[0]?.body['detail-type']).toBe('email.bounced');
    expect(received[0]?.headers['x-hookguard-event-id']).toBe(received[0]?.body.id);
    expect(io.lines).toEqual([`--> 200 email.bounced postmark ${received[0]?.body.id}`]);
  });

  describe('with a runtime already running', () => {
    let runtime: LocalRuntime;

    beforeEach(async () => {
      runtime = await startLocalRuntime({ configPath: kit.configPath, stage: TEST_STAGE, port: 0, dataDir, secretsPath: kit.secretsPath });
    });

    afterEach(async () => {
      await runtime.close();
    });

    it('attaches to it and retries a refused delivery', async () => {
      // Prepare
      statuses = [503];
      const io = recordingIo();
      const stop = new AbortController();
      const running = runCli(['listen', '--forward-to', appUrl(), ...kit.commonArgs, '--data-dir', dataDir], { ...io, signal: stop.signal });
      await until(() => io.errors.some((line) => line.startsWith('Forwarding')));

      // Act
      expect(await runCli(['send', 'postmark', 'Open', ...kit.commonArgs, '--port', String(runtime.port)], recordingIo())).toBe(0);
      await until(() => io.lines.length > 0);
      stop.abort();

      // Assess
      expect(await running).toBe(0);
      expect(io.errors[0]).toMatch(/^Attached to the local runtime running on .* \(pid \d+\)$/);
      expect(received).toHaveLength(2);
      expect(io.lines).toEqual([expect.stringMatching(/^--> 200 email\.opened postmark \S+ \(attempt 2\)$/)]);
    });
  });

  it('gives up after the bounded retries and says so', async () => {
    statuses = [500, 500, 500];
    const result = await forwardEvent(ENVELOPE, { url: appUrl(), retries: 2, fetch, backoffMs: () => 1 });
    expect(result).toEqual({ delivered: false, attempts: 3, outcome: '500' });
    expect(received).toHaveLength(3);
  });

  it('reports an unreachable URL by its network error', async () => {
    const port = await freePort();
    const result = await forwardEvent(ENVELOPE, { url: `http://127.0.0.1:${port}/`, retries: 0, fetch });
    expect(result).toEqual({ delivered: false, attempts: 1, outcome: 'ECONNREFUSED' });
  });

  it.each([
    [[], /listen needs --forward-to <url>/],
    [['--forward-to', 'ftp://x'], /--forward-to must be an http\(s\) URL, got "ftp:"/],
    [['--forward-to', 'http://x', '--retries', '99'], /--retries must be a whole number from 0 to 20/],
  ])('refuses %j with one line', async (argv, message) => {
    const io = recordingIo();
    expect(await runCli(['listen', ...argv, ...kit.commonArgs], io)).toBe(1);
    expect(io.errors).toEqual([expect.stringMatching(message)]);
  });
});
