import { SES_SIMULATOR_CERT_PEM, SES_SIMULATOR_CERT_URL } from '../../src/simulate/amazon-ses-test-keys';
import { LocalCertificateSource } from '../../src/local/certificate-source';

describe('LocalCertificateSource', () => {
  const asked: string[] = [];
  const source = new LocalCertificateSource({
    async certificate(url) {
      asked.push(url);
      return 'real-certificate';
    },
  });

  beforeEach(() => {
    asked.length = 0;
  });

  it('serves the test-only simulator certificate for its URL without fetching', async () => {
    expect(await source.certificate(SES_SIMULATOR_CERT_URL)).toBe(SES_SIMULATOR_CERT_PEM);
    expect(asked).toEqual([]);
  });

  it('fetches every other certificate as the Lambda does', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem';
    expect(await source.certificate(url)).toBe('real-certificate');
    expect(asked).toEqual([url]);
  });
});
