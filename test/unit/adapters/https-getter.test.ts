import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { NodeHttpsGetter } from '../../../lambda/adapters/https-getter';
import { UpstreamStatusError } from '../../../lambda/core/certificate-cache';
import { DependencyError } from '../../../lambda/errors';

const TLS = join(__dirname, '../../fixtures/verifier/tls');
const cert = readFileSync(join(TLS, 'localhost-cert.pem'), 'utf8');
const key = readFileSync(join(TLS, 'localhost-key.pem'), 'utf8');

describe('NodeHttpsGetter (against a local HTTPS server)', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer({ cert, key }, (request, response) => {
      hits.push(request.url ?? '');
      switch (request.url) {
        case '/cert.pem':
          response.writeHead(200, { 'content-type': 'application/x-pem-file' }).end('-----BEGIN CERTIFICATE-----');
          return;
        case '/missing.pem':
          response.writeHead(404).end('no such key');
          return;
        case '/redirect':
          response.writeHead(302, { location: '/cert.pem' }).end();
          return;
        case '/large':
          response.writeHead(200).end('x'.repeat(10_000));
          return;
        case '/silent':
          // Never answers: the getter must give up on its own.
          return;
        default:
          response.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://localhost:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    hits.length = 0;
  });

  const getter = (options = {}) => new NodeHttpsGetter({ ca: cert, timeoutMs: 2000, ...options });

  it('returns the body of a 2xx answer', async () => {
    await expect(getter().get(`${base}/cert.pem`)).resolves.toBe('-----BEGIN CERTIFICATE-----');
  });

  it.each([
    ['/missing.pem', 404],
    ['/boom', 500],
  ])('throws UpstreamStatusError carrying the status for %s', async (path, status) => {
    const error = await getter()
      .get(`${base}${path}`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamStatusError);
    expect(error).toMatchObject({ upstreamStatus: status, host: expect.stringMatching(/^localhost:\d+$/) });
  });

  it('does not follow redirects', async () => {
    const error = await getter()
      .get(`${base}/redirect`)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ upstreamStatus: 302 });
    expect(hits).toEqual(['/redirect']);
  });

  it('refuses a response larger than the cap', async () => {
    await expect(getter({ maxResponseBytes: 1000 }).get(`${base}/large`)).rejects.toThrow(
      /response exceeds 1000 bytes/,
    );
  });

  it('gives up on a server that never answers', async () => {
    await expect(getter({ timeoutMs: 200 }).get(`${base}/silent`)).rejects.toThrow(/timed out after 200 ms/);
  });

  it('refuses a server whose certificate it does not trust', async () => {
    const error = await new NodeHttpsGetter({ timeoutMs: 2000 })
      .get(`${base}/cert.pem`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).not.toBeInstanceOf(UpstreamStatusError);
  });

  it.each([
    ['http://localhost/cert.pem', /http: is not https/],
    ['https://user:pass@localhost/cert.pem', /URL carries credentials/],
    ['not a url', /not a valid URL/],
  ])('refuses %s without connecting', async (url, message) => {
    await expect(getter().get(url)).rejects.toThrow(message);
    expect(hits).toEqual([]);
  });

  it('keeps tokens in the query out of error messages', async () => {
    const error = (await getter()
      .get(`${base}/missing.pem?Token=secret-token`)
      .catch((caught: unknown) => caught)) as Error;
    expect(error.message).not.toContain('secret-token');
  });
});
