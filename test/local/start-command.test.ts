/**
 * `npm start`: the command line, its banner and console lines, its one-line errors, and a clean stop, in-process
 * (`runStartCommand`) and once as a real process (`src/local/main.ts`) for signals and exit codes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import { PROVIDERS } from '../../lambda/providers';
import { buildSimulatedRequest } from '../../src/cli/simulated-requests';
import { simulatorOf } from '../../src/simulate';
import { parseCredential, readSecretsFile } from '../../src/local/secrets-file';
import { type CommandIo, runStartCommand } from '../../src/local/start-command';
import { TEST_STAGE, writeTestConfig } from './test-config';

const REPO_ROOT = resolve(__dirname, '..', '..');

describe('npm start', () => {
  let dir: string;
  let configPath: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-start-'));
    configPath = await writeTestConfig(dir);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function io(env: Record<string, string> = {}): CommandIo & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line), env };
  }

  const baseArgs = () => [
    '--config',
    configPath,
    '--stage',
    TEST_STAGE,
    '--data-dir',
    join(dir, 'data'),
    '--port',
    '0',
  ];

  describe('start-up', () => {
    it('prints every webhook URL with the credentials, what to set at the provider, and the routes', async () => {
      // Prepare
      const output = io();

      // Act
      const result = await runStartCommand(baseArgs(), output);

      // Assess
      if (!('runtime' in result)) throw new Error(`did not start: ${output.errors.join(' ')}`);
      const { runtime } = result;
      const credential = parseCredential((await readSecretsFile(runtime.paths.secrets)).basicAuth.current);
      const banner = output.lines.join('\n');
      expect(banner).toContain(`listening on ${runtime.url}`);
      expect(banner).toContain('(created)');
      expect(banner).toContain(
        `http://${credential?.username}:${credential?.password}@127.0.0.1:${runtime.port}/webhooks/postmark`,
      );
      expect(banner).toContain(`http://127.0.0.1:${runtime.port}/webhooks/resend`);
      expect(banner).toContain('Settings > Mail Settings > Event Webhook');
      expect(banner).toMatch(/suppression\s+-> file .*routes\/suppression\.jsonl/);
      expect(banner).not.toContain('WARNING');
      await runtime.close();
    });

    it('prints one line per request and one per event, masking recipients and never a secret', async () => {
      // Prepare
      const output = io();
      const result = await runStartCommand(baseArgs(), output);
      if (!('runtime' in result)) throw new Error(`did not start: ${output.errors.join(' ')}`);
      const { runtime } = result;
      const credential = parseCredential((await readSecretsFile(runtime.paths.secrets)).basicAuth.current);
      if (credential === null) throw new Error('no credential');
      const module = PROVIDERS.get('postmark');
      if (!module) throw new Error('no postmark module');
      const request = await buildSimulatedRequest(simulatorOf('postmark'), 'Bounce', undefined, {}, new Date());
      output.lines.length = 0;

      // Act
      for (let attempt = 0; attempt < 2; attempt++) {
        await fetch(`${runtime.url}/webhooks/postmark`, {
          method: 'POST',
          headers: { ...request.headers, authorization: basicAuthorizationHeader(credential) },
          body: request.body,
        });
      }
      await fetch(`${runtime.url}/webhooks/postmark`, { method: 'POST', body: '{}' });
      await runtime.close();

      // Assess
      expect(output.lines).toEqual([
        expect.stringMatching(/^\d\d:\d\d:\d\d POST \/webhooks\/postmark 200 1 event, 1 published, 0 duplicates$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d {3}postmark bounced \w\*\*\*@[\w.-]+ 200 published$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d POST \/webhooks\/postmark 200 1 event, 0 published, 1 duplicate$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d {3}postmark bounced \w\*\*\*@[\w.-]+ 200 duplicate$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d POST \/webhooks\/postmark 401 unauthorized \(missing\)$/),
      ]);
      expect([...output.lines, ...output.errors].join('\n')).not.toContain(credential.password);
    });

    it('takes the port from PORT when --port is absent', async () => {
      // Prepare
      const output = io({ PORT: '0' });
      const args = baseArgs().slice(0, -2);

      // Act
      const result = await runStartCommand(args, output);

      // Assess
      if (!('runtime' in result)) throw new Error(`did not start: ${output.errors.join(' ')}`);
      expect(result.runtime.port).toBeGreaterThan(0);
      await result.runtime.close();
    });
  });

  describe('errors', () => {
    async function expectOneLineError(args: string[], message: RegExp, env: Record<string, string> = {}) {
      const output = io(env);
      const result = await runStartCommand(args, output);
      expect(result).toEqual({ exitCode: 1 });
      expect(output.errors).toEqual([expect.stringMatching(message)]);
      expect(output.errors[0]).not.toMatch(/\n|\s+at /);
    }

    it('lists every problem of a bad configuration on one line', async () => {
      // Prepare
      await writeFile(
        configPath,
        JSON.stringify({ stages: { [TEST_STAGE]: { providers: { sendgird: {}, postmark: { auth: 'signature' } } } } }),
      );

      // Act / Assess
      await expectOneLineError(
        baseArgs(),
        /^hookguard: Invalid configuration .* \(2 problems\): stages\.test\.providers\.sendgird: unknown provider.*; stages\.test\.providers\.postmark\.auth: /,
      );
    });

    it('names the stages that exist when the stage does not', async () => {
      await expectOneLineError([...baseArgs(), '--stage', 'prod'], /stages\.prod: no such stage \(defined: test\)/);
    });

    it('says when the configuration file is missing', async () => {
      await expectOneLineError([...baseArgs(), '--config', join(dir, 'nope.json')], /nope\.json.*file not found/);
    });

    it('says when the port is in use', async () => {
      // Prepare
      const blocker = createServer();
      blocker.listen(0, '127.0.0.1');
      await once(blocker, 'listening');
      const { port } = blocker.address() as AddressInfo;

      // Act / Assess
      try {
        await expectOneLineError(
          [...baseArgs(), '--port', String(port)],
          new RegExp(`^hookguard: Port ${port} on 127\\.0\\.0\\.1 is already in use`),
        );
      } finally {
        blocker.close();
      }
    });

    it.each([
      ['not JSON', '{"basicAuth": {"current": "user:secret-value"'],
      ['malformed', '{"basicAuth": {"current": "no-colon-secret-value"}}'],
    ])('says when the secrets file is %s, without quoting it', async (_name, content) => {
      // Prepare
      const secretsPath = join(dir, 'secrets.json');
      await writeFile(secretsPath, content);

      // Act / Assess
      await expectOneLineError([...baseArgs(), '--secrets', secretsPath], /^hookguard: Secrets file .*secrets\.json/);
      const output = io();
      await runStartCommand([...baseArgs(), '--secrets', secretsPath], output);
      expect(output.errors.join('')).not.toContain('secret-value');
    });

    it('says when another runtime uses the data directory', async () => {
      // Prepare
      const first = await runStartCommand(baseArgs(), io());
      if (!('runtime' in first)) throw new Error('first runtime did not start');

      // Act / Assess
      try {
        await expectOneLineError(baseArgs(), /data directory .* is in use by another Hookguard runtime/i);
      } finally {
        await first.runtime.close();
      }
    });

    it.each([
      ['an unknown option', ['--prot', '3000'], /Unknown option '--prot'/],
      ['a port that is not a port', ['--port', '70000'], /--port must be a port number/],
    ])('refuses %s', async (_name, args, message) => {
      await expectOneLineError([...baseArgs().slice(0, -2), ...args], message);
    });

    it('refuses a PORT that is not a port', async () => {
      await expectOneLineError(baseArgs().slice(0, -2), /PORT must be a port number/, { PORT: 'abc' });
    });
  });

  it('prints its usage with --help', async () => {
    // Prepare
    const output = io();

    // Act
    const result = await runStartCommand(['--help'], output);

    // Assess
    expect(result).toEqual({ exitCode: 0 });
    expect(output.lines.join('\n')).toMatch(/^Usage: npm start -- \[options\]/);
  });

  it('lets an in-flight request finish when closed', async () => {
    // Prepare
    const result = await runStartCommand(baseArgs(), io());
    if (!('runtime' in result)) throw new Error('did not start');
    const { runtime } = result;
    const credential = parseCredential((await readSecretsFile(runtime.paths.secrets)).basicAuth.current);
    if (credential === null) throw new Error('no credential');
    const module = PROVIDERS.get('postmark');
    if (!module) throw new Error('no postmark module');
    const { headers, body } = await buildSimulatedRequest(simulatorOf('postmark'), 'Delivery', undefined, {}, new Date());
    const half = Math.floor(body.length / 2);

    // Act: send half of the body, close the runtime once the server has the request, then send the rest.
    let connected: () => void = () => undefined;
    const connection = new Promise<void>((resolvePromise) => {
      connected = resolvePromise;
    });
    let finish: () => void = () => undefined;
    const answer = new Promise<{ status: number; text: string }>((resolvePromise, reject) => {
      const request = httpRequest(`${runtime.url}/webhooks/postmark`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-length': String(body.length),
          authorization: basicAuthorizationHeader(credential),
        },
      });
      request.on('socket', (socket) => socket.once('connect', connected));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolvePromise({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      request.on('error', reject);
      request.write(body.subarray(0, half));
      finish = () => request.end(body.subarray(half));
    });
    await connection;
    // The server runs in this process: a few turns of the event loop and it is reading the body.
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
    const closing = runtime.close();
    finish();

    // Assess
    expect(await answer).toEqual({ status: 200, text: '{"received":1,"published":1,"duplicates":0}' });
    await closing;
    const events = (await readFile(runtime.paths.eventsOut, 'utf8')).trim().split('\n');
    expect(events).toHaveLength(1);
    await expect(fetch(`${runtime.url}/webhooks/postmark`, { method: 'POST' })).rejects.toThrow();
  });
});

describe('src/local/main.ts (the npm start process)', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-main-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  function run(args: string[]): { process: ChildProcess; stdout: () => string; stderr: () => string } {
    const spawned = spawn(
      process.execPath,
      ['--require', require.resolve('tsx/cjs'), join(REPO_ROOT, 'src/local/main.ts'), ...args],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = spawned;
    let stdout = '';
    let stderr = '';
    spawned.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    spawned.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    return { process: spawned, stdout: () => stdout, stderr: () => stderr };
  }

  it('exits 1 with one line on stderr for a bad configuration', async () => {
    // Prepare
    await writeFile(join(dir, 'hookguard.config.json'), '{"stages": {"dev": {"providers": {}}}}');

    // Act
    const started = run([]);
    const [code] = await once(started.process, 'exit');

    // Assess
    expect(code).toBe(1);
    expect(started.stderr()).toMatch(
      /^hookguard: Invalid configuration hookguard\.config\.json \(1 problem\): [^\n]+\n$/,
    );
  });

  it('stops cleanly on SIGTERM and exits 0', async () => {
    // Prepare
    const configPath = await writeTestConfig(dir);
    const started = run(['--config', configPath, '--stage', TEST_STAGE, '--port', '0']);
    while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(started.stdout())) {
      if (started.process.exitCode !== null) throw new Error(`exited early: ${started.stderr()}`);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
    }

    // Act
    started.process.kill('SIGTERM');
    const [code] = await once(started.process, 'exit');

    // Assess
    expect(code).toBe(0);
    expect(started.stdout()).toContain('Stopping (SIGTERM)');
    expect(started.stdout()).toContain('Stopped.');
    await expect(readFile(join(dir, '.hookguard', 'runtime.lock'))).rejects.toThrow();
  });
});
