/**
 * The path token locally (issue 12 §3, docs/path-token.md): the runtime generates it once into the secrets file,
 * serves webhooks only at /webhooks/<token>/<provider>, answers the guessable paths and wrong tokens 404 without
 * running anything behind the gateway, and the CLI (`urls`, `send`, Mandrill's signed URL) follows it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuthorizationHeader } from '../../lambda/core/basic-auth';
import { isPathToken } from '../../lambda/core/webhook-path';
import { runCli } from '../../src/cli/main';
import type { RequestReport } from '../../src/local/local-api';
import { type LocalRuntime, startLocalRuntime } from '../../src/local/runtime';
import { parseCredential, readSecretsFile } from '../../src/local/secrets-file';
import { TEST_STAGE, testConfig } from './test-config';

describe('local runtime with a path token', () => {
  let dir: string;
  let configPath: string;
  let runtime: LocalRuntime;
  let token: string;
  const reports: RequestReport[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-path-token-'));
    const config = testConfig(join(dir, 'custom-routes')) as { stages: Record<string, Record<string, unknown>> };
    (config.stages[TEST_STAGE] as Record<string, unknown>).pathToken = true;
    configPath = join(dir, 'hookguard.config.json');
    await writeFile(configPath, JSON.stringify(config));
    runtime = await startLocalRuntime({
      configPath,
      stage: TEST_STAGE,
      port: 0,
      dataDir: join(dir, 'data'),
      onRequest: (report) => reports.push(report),
      publishing: { sleep: async () => undefined },
    });
    token = (await readSecretsFile(runtime.paths.secrets)).pathToken as string;
  });

  afterAll(async () => {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const common = ['--config', configPath, '--stage', TEST_STAGE, '--data-dir', join(dir, 'data')];
    const code = await runCli([...args, ...common, '--port', String(runtime.port)], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: {},
    });
    return { code, out, err };
  }

  const eventCount = async () =>
    (await readFile(runtime.paths.eventsOut, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

  async function authorization(): Promise<string> {
    const credential = parseCredential((await readSecretsFile(runtime.paths.secrets)).basicAuth.current);
    if (credential === null) throw new Error('no credential');
    return basicAuthorizationHeader(credential);
  }

  it('generates a token once and reports it at start', () => {
    expect(isPathToken(token)).toBe(true);
    expect(token).toHaveLength(40);
    expect(runtime.generatedPathToken).toBe(true);
  });

  it('answers the guessable path and a wrong token 404 before authentication, publishing nothing', async () => {
    const before = await eventCount();
    const count = reports.length;
    for (const path of ['/webhooks/postmark', `/webhooks/${token.slice(0, -1)}X/postmark`, `/webhooks/${token}`]) {
      const response = await fetch(`${runtime.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await authorization() },
        body: '{"RecordType":"Delivery"}',
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
    const refused = reports.slice(count);
    expect(refused.map((report) => report.statusCode)).toEqual([404, 404, 404]);
    // Routed nowhere: no provider, no authorizer decision, no pipeline outcome.
    expect(refused.every((report) => report.provider === undefined && report.outcome === undefined)).toBe(true);
    expect(refused.every((report) => report.authFailure === undefined)).toBe(true);
    expect(await eventCount()).toBe(before);
  });

  it('serves the token path exactly like the deployed API, and never prints the token in request lines', async () => {
    const count = reports.length;
    const response = await fetch(`${runtime.url}/webhooks/${token}/postmark`, { method: 'GET' });
    expect(response.status).toBe(405);
    expect(reports[count]?.path).toBe('/webhooks/<token>/postmark');
  });

  it('prints the token URLs with `urls` and posts to them with `send`', async () => {
    const urls = await cli('urls', '--json', '--provider', 'postmark');
    expect(urls.code).toBe(0);
    const printed = JSON.parse(urls.out[0] as string) as { url: string };
    expect(new URL(printed.url).pathname).toBe(`/webhooks/${token}/postmark`);

    const before = await eventCount();
    const sent = await cli('send', 'postmark', 'delivered');
    expect(sent.code).toBe(0);
    expect(await eventCount()).toBe(before + 1);
  });

  it("verifies Mandrill's signature over the URL with the token", async () => {
    const before = await eventCount();
    const sent = await cli('send', 'mandrill', '--all');
    expect(sent.code).toBe(0);
    expect(sent.out.at(-1)).toBe('12 requests, 12 accepted, 0 refused');
    expect(await eventCount()).toBeGreaterThan(before);
  });

  it('keeps the token across restarts', async () => {
    const secrets = await readSecretsFile(runtime.paths.secrets);
    expect(secrets.pathToken).toBe(token);
  });
});
