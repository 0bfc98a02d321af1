/**
 * The providers that publish the source addresses of their webhook requests, where and in what format, and the
 * list each published when Hookguard last checked (the seed the WAF IP sets start with at synth, so that a new stage
 * is protected before its first refresh). Facts and sources: docs/ip-ranges.md; the ids in brackets are those of the
 * team's provider API notes.
 *
 * Formats differ: Postmark and Brevo publish an HTML help article with a webhook section, Resend a documentation
 * page with a question "What IPs do webhooks POST from?", SparkPost a DNS name whose A records are the addresses.
 * The HTML parsers read only the webhook part of the page (both pages also list SMTP or API addresses that must not
 * be allowed on the webhook path).
 */
import type { ProviderId } from './provider-ids';

/** Providers whose `allowedCidrs` may hold `"published"`. */
export const PUBLISHED_RANGE_PROVIDERS = ['brevo', 'postmark', 'resend', 'sparkpost'] as const satisfies readonly ProviderId[];
/** One of {@link PUBLISHED_RANGE_PROVIDERS}. */
export type PublishedRangeProvider = (typeof PUBLISHED_RANGE_PROVIDERS)[number];

/** The `allowedCidrs` entry that stands for "the provider's current published list". */
export const PUBLISHED = 'published';

/** Narrows a provider id to one that publishes its ranges. */
export function publishesRanges(provider: string): provider is PublishedRangeProvider {
  return (PUBLISHED_RANGE_PROVIDERS as readonly string[]).includes(provider);
}

/** The list a provider published when Hookguard's maintainers last checked it. */
export interface KnownRanges {
  /** Canonical CIDRs (single addresses as /32 or /128). Empty when no list could be read without the network. */
  readonly cidrs: readonly string[];
  /** When the list was checked against its source, `YYYY-MM-DD`. */
  readonly checked: string;
  /** Where the list was read, and how far that is the provider's own word. */
  readonly source: string;
}

/** Where a provider publishes its list. */
export type RangeLocation =
  /** A web page; `section` picks the part of its text that lists webhook sources; `cidrOnly` skips bare addresses. */
  | {
      readonly kind: 'https';
      readonly url: string;
      readonly section: RegExp;
      readonly cidrOnly: boolean;
    }
  /** The A records of a DNS name. */
  | { readonly kind: 'dns'; readonly hostname: string };

/** One publishing provider. */
export interface PublishedRangeSource {
  readonly provider: PublishedRangeProvider;
  readonly location: RangeLocation;
  /** The documentation that says the list is the provider's webhook sources (ids of the provider API notes). */
  readonly documentation: string;
  readonly known: KnownRanges;
}

/** Every publishing provider's source and seed. */
export const PUBLISHED_RANGE_SOURCES: Readonly<Record<PublishedRangeProvider, PublishedRangeSource>> = {
  postmark: {
    provider: 'postmark',
    location: {
      kind: 'https',
      url: 'https://postmarkapp.com/support/article/800-ips-for-firewalls',
      // The article's webhook section (anchor #webhooks, "Webhooks" or "Webhook IPs"), not its SMTP or API sections.
      section: /\bwebhooks?\b/i,
      cidrOnly: false,
    },
    documentation:
      '[PM3] postmarkapp.com/developer/webhooks/webhooks-overview points to the support article ' +
      'postmarkapp.com/support/article/800-ips-for-firewalls#webhooks; "the origin IP address can change for each attempt"',
    known: {
      cidrs: ['3.134.147.250/32', '18.217.206.57/32', '50.31.156.6/32', '50.31.156.77/32'],
      checked: '2026-12-02',
      source:
        '[PM4] public webhook handlers that copy the #webhooks section of postmarkapp.com/support/article/800-ips-for-firewalls ' +
        '(the article itself could not be read here; the first refresh replaces this list with the article\'s)',
    },
  },
  sparkpost: {
    provider: 'sparkpost',
    location: { kind: 'dns', hostname: 'wh.egress.sparkpost.com' },
    documentation:
      '[SP3] support.sparkpost.com/docs/tech-resources/webhook-authentication: the hostname wh.egress.sparkpost.com ' +
      '"lists the egress IPs under the host\'s A record"',
    known: {
      cidrs: [],
      checked: '2026-12-02',
      source:
        '[SP3] publishes the list only as DNS A records, which synth does not resolve: the IP sets start empty ' +
        '(SparkPost requests are blocked, fail closed) until the first refresh, which runs when the deployment completes',
    },
  },
  brevo: {
    provider: 'brevo',
    location: {
      kind: 'https',
      url: 'https://help.brevo.com/hc/en-us/articles/15127404548498-Brevo-IP-ranges-List-of-publicly-exposed-services',
      // "Webhook IP ranges"; the page's "SMTP relay IP ranges" section is egress for mail, not webhooks.
      section: /^webhook ip ranges\b/i,
      // Each bullet is "1.179.112.0/20, which includes 4,096 IPs ranging from 1.179.112.0 to 1.179.127.255": the
      // bare addresses are the range's ends, not sources of their own.
      cidrOnly: true,
    },
    documentation:
      '[BR4] help.brevo.com/hc/en-us/articles/15127404548498 "Webhook IP ranges"; [BR2] developers.brevo.com/docs/secured-webhooks links it',
    known: {
      cidrs: ['1.179.112.0/20', '172.246.240.0/20'],
      checked: '2026-12-02',
      source: '[BR4] help.brevo.com/hc/en-us/articles/15127404548498, section "Webhook IP ranges" (172.246.240.0/20 added in 2025 [BR6])',
    },
  },
  resend: {
    provider: 'resend',
    location: {
      kind: 'https',
      url: 'https://resend.com/docs/dashboard/webhooks/introduction',
      section: /^what ips do webhooks post from\?/i,
      cidrOnly: false,
    },
    documentation: '[RS5] resend.com/docs/dashboard/webhooks/introduction, FAQ "What IPs do webhooks POST from?"',
    known: {
      cidrs: [
        '44.228.126.217/32',
        '50.112.21.217/32',
        '52.24.126.164/32',
        '54.148.139.208/32',
        '2600:1f24:64:8000::/52',
      ],
      checked: '2026-12-02',
      source: '[RS5] resend.com/docs/dashboard/webhooks/introduction (mirror resend.mintlify.app), FAQ "What IPs do webhooks POST from?"',
    },
  },
};
