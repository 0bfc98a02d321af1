import { CachedCertificateSource, UpstreamStatusError } from '../../../lambda/core/certificate-cache';
import { DependencyError, SignatureError } from '../../../lambda/errors';
import type { HttpsGetter } from '../../../lambda/ports';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const URL_A = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem';
const URL_B = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-b.pem';
const URL_C = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-c.pem';

/** An HttpsGetter whose answers the test controls; `gets` records each call. */
class ScriptedHttps implements HttpsGetter {
  readonly gets: string[] = [];
  answer: (url: string) => Promise<string> = async () => PEM;
  get(url: string): Promise<string> {
    this.gets.push(url);
    return this.answer(url);
  }
}

describe('CachedCertificateSource', () => {
  it('fetches a certificate once and serves it from the cache after', async () => {
    const https = new ScriptedHttps();
    const source = new CachedCertificateSource({ https });
    await expect(source.certificate(URL_A)).resolves.toBe(PEM);
    await expect(source.certificate(URL_A)).resolves.toBe(PEM);
    expect(https.gets).toEqual([URL_A]);
  });

  it('shares one fetch between concurrent callers (single flight)', async () => {
    const https = new ScriptedHttps();
    let release: (pem: string) => void = () => undefined;
    https.answer = () => new Promise((resolve) => (release = resolve));
    const source = new CachedCertificateSource({ https });
    const both = Promise.all([source.certificate(URL_A), source.certificate(URL_A)]);
    release(PEM);
    await expect(both).resolves.toEqual([PEM, PEM]);
    expect(https.gets).toEqual([URL_A]);
  });

  it('evicts the least recently used certificate beyond maxEntries', async () => {
    const https = new ScriptedHttps();
    const source = new CachedCertificateSource({ https, maxEntries: 2 });
    await source.certificate(URL_A);
    await source.certificate(URL_B);
    await source.certificate(URL_A);
    await source.certificate(URL_C);
    await source.certificate(URL_A);
    await source.certificate(URL_B);
    expect(https.gets).toEqual([URL_A, URL_B, URL_C, URL_B]);
  });

  it.each([
    ['a 404 (no such certificate: not signed by Amazon SNS)', new UpstreamStatusError(404, 'sns.test'), SignatureError],
    ['a 403', new UpstreamStatusError(403, 'sns.test'), SignatureError],
    ['a 503', new UpstreamStatusError(503, 'sns.test'), DependencyError],
    ['a redirect', new UpstreamStatusError(302, 'sns.test'), DependencyError],
    ['a network failure', new Error('ECONNRESET'), DependencyError],
  ])('maps %s to the right error and does not cache it', async (_case, failure, expected) => {
    const https = new ScriptedHttps();
    https.answer = async () => {
      throw failure;
    };
    const source = new CachedCertificateSource({ https });
    const error = await source.certificate(URL_A).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(expected);
    if (expected === DependencyError) expect(error).not.toBeInstanceOf(SignatureError);
    https.answer = async () => PEM;
    await expect(source.certificate(URL_A)).resolves.toBe(PEM);
    expect(https.gets).toEqual([URL_A, URL_A]);
  });

  it('refuses (without caching) a body that is not a PEM certificate', async () => {
    const https = new ScriptedHttps();
    https.answer = async () => '<html>captive portal</html>';
    const source = new CachedCertificateSource({ https });
    await expect(source.certificate(URL_A)).rejects.toThrow(DependencyError);
    https.answer = async () => PEM;
    await expect(source.certificate(URL_A)).resolves.toBe(PEM);
  });

  it('rejects a maxEntries that is not a positive integer', () => {
    expect(() => new CachedCertificateSource({ https: new ScriptedHttps(), maxEntries: 0 })).toThrow(RangeError);
  });
});
