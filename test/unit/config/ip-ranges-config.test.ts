import { parseConfig } from '../../../lib/config/load';

const stage = (settings: Record<string, unknown>) => parseConfig({ stages: { prod: settings } }).stages.prod;

describe('"published" and ipRanges in the configuration', () => {
  it('accepts "published" alone or beside CIDRs for the providers that publish, and applies the ipRanges defaults', () => {
    const config = stage({
      providers: {
        brevo: { allowedCidrs: ['published', '198.51.100.0/24'] },
        sparkpost: { allowedCidrs: ['published'] },
        postmark: { allowedCidrs: ['published'] },
        resend: { allowedCidrs: ['published'] },
      },
    });
    expect(config?.providers.brevo?.allowedCidrs).toEqual(['published', '198.51.100.0/24']);
    expect(config?.ipRanges).toEqual({ refreshHours: 6, minPrefixIpv4: 16, minPrefixIpv6: 32, maxChangeShare: 0.5 });
  });

  it('refuses "published" where nothing is published, and ipRanges out of range, each at its path', () => {
    expect(() =>
      stage({
        providers: { mailgun: { allowedCidrs: ['published'] }, brevo: { allowedCidrs: ['publish'] } },
        ipRanges: { refreshHours: 0, maxChangeShare: 1.5, minPrefixIpv4: 4, typo: 1 },
      }),
    ).toThrow(
      [
        '  - stages.prod.providers.mailgun.allowedCidrs[0]: "published" is only for providers that publish their webhook sources (brevo, postmark, resend, sparkpost); mailgun publishes none',
        '  - stages.prod.providers.brevo.allowedCidrs[0]: "publish" is not a CIDR (address/prefix)',
        '  - stages.prod.ipRanges.refreshHours: must be a whole number of hours from 1 to 24, got 0',
        '  - stages.prod.ipRanges.maxChangeShare: must be a number from 0 to 1, got 1.5',
        '  - stages.prod.ipRanges.minPrefixIpv4: must be a whole number from 8 to 32, got 4',
        '  - stages.prod.ipRanges.typo: unknown setting (expected one of: refreshHours, minPrefixIpv4, minPrefixIpv6, maxChangeShare)',
      ].join('\n'),
    );
  });
});
