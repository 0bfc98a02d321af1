/**
 * Amazon SNS signing certificates for the local runtime: the real ones over HTTPS (through the same cached source as
 * the Lambda), plus the simulator's test-only certificate for its one URL, so that `hookguard send amazon-ses ...`
 * messages verify locally with the unchanged Amazon SES module. AWS never serves that certificate, so a message
 * signed with the simulator key can only ever pass here.
 */
import { SES_SIMULATOR_CERT_PEM, SES_SIMULATOR_CERT_URL } from '../simulate/amazon-ses-test-keys';
import type { CertificateSource } from '../../lambda/providers/types';

/** Serves the simulator certificate for `SES_SIMULATOR_CERT_URL`, and asks `fallback` for any other URL. */
export class LocalCertificateSource implements CertificateSource {
  constructor(private readonly fallback: CertificateSource) {}

  async certificate(url: string): Promise<string> {
    return url === SES_SIMULATOR_CERT_URL ? SES_SIMULATOR_CERT_PEM : this.fallback.certificate(url);
  }
}
