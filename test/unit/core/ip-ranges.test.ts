import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalCidr, isNonPublic, parseCidr, sortCidrs } from '../../../lambda/core/ip-ranges-cidr';
import {
  DEFAULT_RANGE_POLICY,
  type IpSetPort,
  type IpSetRef,
  IpSetLockConflictError,
  judgeRanges,
  parseDnsAnswer,
  parsePageSection,
  type RangeFetchPort,
  type RangeRefreshDeps,
  refreshMetricRecords,
  refreshPublishedRanges,
  resolveAllowedCidrs,
} from '../../../lambda/core/ip-ranges';
import { PUBLISHED_RANGE_SOURCES, type PublishedRangeProvider } from '../../../lambda/core/ip-ranges-sources';
import type { BusEntry, EventBusPort, PutEventsResult } from '../../../lambda/ports';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'ip-ranges', name), 'utf8');
const section = (provider: 'postmark' | 'brevo' | 'resend') => {
  const location = PUBLISHED_RANGE_SOURCES[provider].location;
  if (location.kind !== 'https') throw new Error('not a page');
  return location;
};

describe('CIDR helpers', () => {
  it('writes one canonical form for every spelling', () => {
    expect(canonicalCidr('2600:1F24:0064:8000:0:0:0:0/52')).toBe('2600:1f24:64:8000::/52');
    expect(canonicalCidr('3.134.147.250')).toBe('3.134.147.250/32');
    expect(canonicalCidr('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1/128');
    expect(canonicalCidr('10.0.0.1/8')).toBeUndefined();
    expect(parseCidr('1.2.3.4/33')).toBe('has a prefix longer than 32');
  });

  it('knows space that is never a public source', () => {
    expect(isNonPublic(parseCidr('10.1.0.0/16') as never)).toBe(true);
    expect(isNonPublic(parseCidr('8.0.0.0/7') as never)).toBe(false);
    expect(isNonPublic(parseCidr('0.0.0.0/1') as never)).toBe(true);
    expect(isNonPublic(parseCidr('fd00::/8') as never)).toBe(true);
  });

  it('sorts IPv4 before IPv6, by address', () => {
    expect(sortCidrs(['2600::/16', '50.1.1.1/32', '3.1.1.1/32'])).toEqual(['3.1.1.1/32', '50.1.1.1/32', '2600::/16']);
  });
});

describe('published formats', () => {
  it('Postmark: the #webhooks section of the support article, not its API addresses', () => {
    const { section: heading, cidrOnly } = section('postmark');
    expect(parsePageSection(fixture('postmark-800-ips-for-firewalls.html'), heading, cidrOnly)).toEqual({
      cidrs: ['3.134.147.250/32', '18.217.206.57/32', '50.31.156.6/32', '50.31.156.77/32'],
      problems: [],
    });
  });

  it('Brevo: the "Webhook IP ranges" CIDRs, not the range ends and not the SMTP section', () => {
    const { section: heading, cidrOnly } = section('brevo');
    const page = fixture('brevo-ip-ranges.html').replace(
      '<li>For SMTP traffic in Europe: 172.246.240.0/20',
      '<li>For SMTP traffic in Europe: 185.41.28.0/22',
    );
    expect(parsePageSection(page, heading, cidrOnly)).toEqual({ cidrs: ['1.179.112.0/20', '172.246.240.0/20'], problems: [] });
  });

  it('Resend: the answer to "What IPs do webhooks POST from?", IPv6 block included', () => {
    const { section: heading, cidrOnly } = section('resend');
    expect(parsePageSection(fixture('resend-webhooks-introduction.html'), heading, cidrOnly).cidrs).toEqual([
      '44.228.126.217/32',
      '50.112.21.217/32',
      '52.24.126.164/32',
      '54.148.139.208/32',
      '2600:1f24:64:8000::/52',
    ]);
  });

  it('the embedded seeds are what the fixtures of the documented pages parse to', () => {
    for (const [provider, name] of [
      ['postmark', 'postmark-800-ips-for-firewalls.html'],
      ['brevo', 'brevo-ip-ranges.html'],
      ['resend', 'resend-webhooks-introduction.html'],
    ] as const) {
      const { section: heading, cidrOnly } = section(provider);
      expect(parsePageSection(fixture(name), heading, cidrOnly).cidrs).toEqual(sortCidrs(PUBLISHED_RANGE_SOURCES[provider].known.cidrs));
      expect(PUBLISHED_RANGE_SOURCES[provider].known.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('finds a renamed webhook heading, and ignores punctuation that looks like IPv6', () => {
    const { section: heading, cidrOnly } = section('postmark');
    const page = '<h1>IPs for firewalls</h1><h2>SMTP</h2><p>3.137.63.180</p><h3>IPs for webhooks</h3><p>Use :: or 50.31.156.6 and 3.134.147.250.</p><h3>API</h3><p>18.216.134.80</p>';
    expect(parsePageSection(page, heading, cidrOnly)).toEqual({ cidrs: ['3.134.147.250/32', '50.31.156.6/32'], problems: [] });
  });

  it('a page without the section gives nothing; a broken CIDR in it is reported', () => {
    const { section: heading, cidrOnly } = section('brevo');
    expect(parsePageSection('<h1>Maintenance</h1><p>Back soon</p>', heading, cidrOnly)).toEqual({ cidrs: [], problems: [] });
    const broken = fixture('brevo-ip-ranges.html').replace('<li>172.246.240.0/20, which', '<li>172.246.241.0/20, which');
    expect(parsePageSection(broken, heading, cidrOnly).problems).toEqual(['172.246.241.0/20 has host bits set beyond /20']);
  });

  it('SparkPost: A records become /32s; anything else is a problem', () => {
    expect(parseDnsAnswer(['52.38.191.20', '35.161.2.8'])).toEqual({ cidrs: ['35.161.2.8/32', '52.38.191.20/32'], problems: [] });
    expect(parseDnsAnswer(['nope']).problems).toEqual(['nope is not an IP address']);
  });
});

describe('judgeRanges', () => {
  const list = (...cidrs: string[]) => ({ cidrs, problems: [] });
  const previous = ['3.134.147.250/32', '18.217.206.57/32', '50.31.156.6/32', '50.31.156.77/32'];

  it('accepts a plausible change and a first list', () => {
    expect(judgeRanges(list(...previous.slice(1), '3.134.147.251/32'), previous, DEFAULT_RANGE_POLICY, false)).toEqual({ accepted: true });
    expect(judgeRanges(list('52.38.191.20/32'), [], DEFAULT_RANGE_POLICY, false)).toEqual({ accepted: true });
  });

  it('refuses an empty list, a block broader than the floor, non-public space and broken entries, even confirmed', () => {
    const refused = (parsed: { cidrs: string[]; problems: string[] }) => judgeRanges(parsed, previous, DEFAULT_RANGE_POLICY, true);
    expect(refused(list())).toMatchObject({ accepted: false, needsConfirmation: false, reason: expect.stringContaining('empty') });
    expect(refused(list('3.0.0.0/8'))).toMatchObject({ accepted: false, reason: expect.stringContaining('3.0.0.0/8 is broader than the floor (/16 IPv4, /32 IPv6)') });
    expect(refused(list('2600::/16'))).toMatchObject({ accepted: false, reason: expect.stringContaining('2600::/16 is broader') });
    expect(refused(list('192.168.1.0/24'))).toMatchObject({ accepted: false, reason: expect.stringContaining('private') });
    expect(refused({ cidrs: ['3.1.1.1/32'], problems: ['x/40 has a prefix longer than 32'] })).toMatchObject({ accepted: false });
  });

  it('refuses a change above the share unless confirmed', () => {
    const replaced = list('44.1.1.1/32', '44.1.1.2/32', '44.1.1.3/32', '44.1.1.4/32');
    expect(judgeRanges(replaced, previous, DEFAULT_RANGE_POLICY, false)).toMatchObject({
      accepted: false,
      needsConfirmation: true,
      reason: expect.stringContaining('4 added, 4 removed; 8 entries in the old and new lists together) is 100 %'),
    });
    expect(judgeRanges(replaced, previous, DEFAULT_RANGE_POLICY, true)).toEqual({ accepted: true });
    expect(judgeRanges(replaced, previous, { ...DEFAULT_RANGE_POLICY, maxChangeShare: 1 }, false)).toEqual({ accepted: true });
  });
});

/** An in-memory WAF: sets with lock tokens that change on every update; can inject lock conflicts. */
class FakeIpSets implements IpSetPort {
  readonly sets = new Map<string, { addresses: string[]; token: number }>();
  readonly updates: Array<{ name: string; addresses: readonly string[] }> = [];
  conflicts = 0;
  failReads = false;

  constructor(initial: Record<string, string[]>) {
    for (const [name, addresses] of Object.entries(initial)) this.sets.set(name, { addresses, token: 1 });
  }

  async get(ref: IpSetRef) {
    if (this.failReads) throw new Error('AccessDeniedException');
    const set = this.sets.get(ref.name);
    if (!set) throw new Error(`WAFNonexistentItemException ${ref.name}`);
    return { addresses: [...set.addresses], lockToken: `token-${set.token}` };
  }

  async update(ref: IpSetRef, addresses: readonly string[], lockToken: string) {
    const set = this.sets.get(ref.name);
    if (!set) throw new Error('WAFNonexistentItemException');
    if (this.conflicts > 0) {
      this.conflicts -= 1;
      set.token += 1; // someone else wrote in between
      throw new IpSetLockConflictError();
    }
    if (lockToken !== `token-${set.token}`) throw new IpSetLockConflictError();
    set.addresses = [...addresses];
    set.token += 1;
    this.updates.push({ name: ref.name, addresses });
  }
}

class RecordingBus implements EventBusPort {
  readonly entries: BusEntry[] = [];
  fail = false;
  async putEvents(entries: readonly BusEntry[]): Promise<PutEventsResult> {
    if (this.fail) return { failed: entries.map((_, index) => ({ index, errorCode: 'InternalException' })) };
    this.entries.push(...entries);
    return { failed: [] };
  }
}

describe('refreshPublishedRanges', () => {
  const ref = (provider: string, version: string): IpSetRef => ({ name: `hookguard-dev-${provider}-${version}`, id: `${provider}-${version}-id` });
  const target = (provider: PublishedRangeProvider, staticCidrs: string[] = []) => ({
    provider,
    staticCidrs,
    ipv4: ref(provider, 'ipv4'),
    ipv6: ref(provider, 'ipv6'),
  });
  const pages: Record<string, string> = {
    [section('postmark').url]: fixture('postmark-800-ips-for-firewalls.html'),
    [section('brevo').url]: fixture('brevo-ip-ranges.html'),
    [section('resend').url]: fixture('resend-webhooks-introduction.html'),
  };
  let fetched: Record<string, string>;
  let dns: readonly string[] | Error;
  const fetch: RangeFetchPort = {
    async getText(url) {
      const page = fetched[url];
      if (page === undefined) throw new Error(`HTTP 503 from ${new URL(url).host}`);
      return page;
    },
    async resolveA() {
      if (dns instanceof Error) throw dns;
      return dns;
    },
  };
  beforeEach(() => {
    fetched = { ...pages };
    dns = ['52.38.191.20', '35.161.2.8'];
  });
  const deps = (ipSets: FakeIpSets, bus: RecordingBus, targets = [target('brevo', ['198.51.100.0/24'])]): RangeRefreshDeps => ({
    targets,
    fetch,
    ipSets,
    bus,
    stage: 'dev',
    policy: DEFAULT_RANGE_POLICY,
    now: () => new Date('2026-12-02T06:00:00Z'),
  });

  it('replaces a drifted list, keeps the operator CIDRs, and publishes the difference', async () => {
    const ipSets = new FakeIpSets({
      'hookguard-dev-brevo-ipv4': ['198.51.100.0/24', '1.179.112.0/20', '185.107.232.0/24'],
      'hookguard-dev-brevo-ipv6': [],
    });
    const bus = new RecordingBus();
    // 1 added and 1 removed of 3 entries together: 67 %, accepted under a 70 % share.
    const [result] = await refreshPublishedRanges({ ...deps(ipSets, bus), policy: { ...DEFAULT_RANGE_POLICY, maxChangeShare: 0.7 } });
    expect(result).toMatchObject({
      provider: 'brevo',
      outcome: 'updated',
      added: ['172.246.240.0/20'],
      removed: ['185.107.232.0/24'],
      published: ['1.179.112.0/20', '172.246.240.0/20'],
      inForce: ['1.179.112.0/20', '172.246.240.0/20', '198.51.100.0/24'],
    });
    expect(ipSets.sets.get('hookguard-dev-brevo-ipv4')?.addresses).toEqual(['1.179.112.0/20', '172.246.240.0/20', '198.51.100.0/24']);
    expect(ipSets.updates.map((update) => update.name)).toEqual(['hookguard-dev-brevo-ipv4']);
    expect(bus.entries).toHaveLength(1);
    expect(bus.entries[0]).toMatchObject({ source: 'hookguard', detailType: 'ip-ranges.updated' });
    expect(JSON.parse(bus.entries[0]?.detail ?? '{}')).toEqual({
      stage: 'dev',
      provider: 'brevo',
      added: ['172.246.240.0/20'],
      removed: ['185.107.232.0/24'],
      published: ['1.179.112.0/20', '172.246.240.0/20'],
      source: section('brevo').url,
      confirmed: false,
      updatedAt: '2026-12-02T06:00:00.000Z',
    });
  });

  it('a second run changes nothing and publishes nothing', async () => {
    const ipSets = new FakeIpSets({ 'hookguard-dev-brevo-ipv4': ['1.179.112.0/20'], 'hookguard-dev-brevo-ipv6': [] });
    const bus = new RecordingBus();
    await refreshPublishedRanges(deps(ipSets, bus, [target('brevo')]));
    const [again] = await refreshPublishedRanges(deps(ipSets, bus, [target('brevo')]));
    expect(again?.outcome).toBe('unchanged');
    expect(ipSets.updates).toHaveLength(1);
    expect(bus.entries).toHaveLength(1);
  });

  it('splits IPv4 and IPv6 into their sets, whatever spelling WAF hands back', async () => {
    const ipSets = new FakeIpSets({
      'hookguard-dev-resend-ipv4': ['44.228.126.217/32', '50.112.21.217/32', '52.24.126.164/32', '54.148.139.208/32'],
      'hookguard-dev-resend-ipv6': ['2600:1F24:64:8000:0:0:0:0/52'],
    });
    const [same] = await refreshPublishedRanges(deps(ipSets, new RecordingBus(), [target('resend')]));
    expect(same?.outcome).toBe('unchanged');
    ipSets.sets.set('hookguard-dev-resend-ipv6', { addresses: [], token: 7 });
    const [updated] = await refreshPublishedRanges(deps(ipSets, new RecordingBus(), [target('resend')]));
    expect(updated).toMatchObject({ outcome: 'updated', added: ['2600:1f24:64:8000::/52'], removed: [] });
    expect(ipSets.updates).toEqual([{ name: 'hookguard-dev-resend-ipv6', addresses: ['2600:1f24:64:8000::/52'] }]);
  });

  it('retries on a lock conflict with a fresh token, and gives up after the attempts', async () => {
    const ipSets = new FakeIpSets({ 'hookguard-dev-postmark-ipv4': [], 'hookguard-dev-postmark-ipv6': [] });
    ipSets.conflicts = 2;
    const [result] = await refreshPublishedRanges(deps(ipSets, new RecordingBus(), [target('postmark')]));
    expect(result?.outcome).toBe('updated');
    expect(ipSets.sets.get('hookguard-dev-postmark-ipv4')?.addresses).toHaveLength(4);

    const stuck = new FakeIpSets({ 'hookguard-dev-postmark-ipv4': [], 'hookguard-dev-postmark-ipv6': [] });
    stuck.conflicts = 3;
    const bus = new RecordingBus();
    const [failed] = await refreshPublishedRanges(deps(stuck, bus, [target('postmark')]));
    expect(failed).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('optimistic lock'), published: [] });
    expect(stuck.sets.get('hookguard-dev-postmark-ipv4')?.addresses).toEqual([]);
    expect(bus.entries).toHaveLength(0);
  });

  it('a failed fetch keeps the last good list and does not stop the other providers', async () => {
    delete fetched[section('postmark').url];
    dns = new Error('queryA ENOTFOUND wh.egress.sparkpost.com');
    const ipSets = new FakeIpSets({
      'hookguard-dev-postmark-ipv4': ['50.31.156.6/32'],
      'hookguard-dev-postmark-ipv6': [],
      'hookguard-dev-sparkpost-ipv4': ['52.38.191.20/32'],
      'hookguard-dev-sparkpost-ipv6': [],
      'hookguard-dev-brevo-ipv4': [],
      'hookguard-dev-brevo-ipv6': [],
    });
    const results = await refreshPublishedRanges(
      deps(ipSets, new RecordingBus(), [target('postmark'), target('sparkpost'), target('brevo')]),
    );
    expect(results.map((result) => [result.provider, result.outcome])).toEqual([
      ['postmark', 'failed'],
      ['sparkpost', 'failed'],
      ['brevo', 'updated'],
    ]);
    expect(results[0]).toMatchObject({ published: ['50.31.156.6/32'], reason: expect.stringContaining('HTTP 503') });
    expect(ipSets.sets.get('hookguard-dev-postmark-ipv4')?.addresses).toEqual(['50.31.156.6/32']);
    expect(ipSets.sets.get('hookguard-dev-sparkpost-ipv4')?.addresses).toEqual(['52.38.191.20/32']);
    expect(refreshMetricRecords(results, 'dev', new Date(0)).map((record) => [record.Provider, record.IpRangesRefreshFailed])).toEqual([
      ['postmark', 1],
      ['sparkpost', 1],
      ['brevo', 0],
    ]);
  });

  it('a large change waits for confirmation; confirmed, it is applied and the event says so', async () => {
    dns = ['44.1.1.1', '44.1.1.2'];
    const ipSets = new FakeIpSets({ 'hookguard-dev-sparkpost-ipv4': ['52.38.191.20/32', '35.161.2.8/32'], 'hookguard-dev-sparkpost-ipv6': [] });
    const bus = new RecordingBus();
    const [refused] = await refreshPublishedRanges(deps(ipSets, bus, [target('sparkpost')]));
    expect(refused).toMatchObject({ outcome: 'refused', needsConfirmation: true, published: ['35.161.2.8/32', '52.38.191.20/32'] });
    expect(ipSets.updates).toHaveLength(0);
    const [dry] = await refreshPublishedRanges(deps(ipSets, bus, [target('sparkpost')]), { confirm: true, dryRun: true });
    expect(dry).toMatchObject({ outcome: 'would-update', added: ['44.1.1.1/32', '44.1.1.2/32'] });
    expect(ipSets.updates).toHaveLength(0);
    const [confirmed] = await refreshPublishedRanges(deps(ipSets, bus, [target('sparkpost')]), { confirm: true });
    expect(confirmed?.outcome).toBe('updated');
    expect(JSON.parse(bus.entries[0]?.detail ?? '{}')).toMatchObject({ confirmed: true, source: 'dns:wh.egress.sparkpost.com' });
  });

  it('an update the bus did not take is reported as a failure (the alarm must tell)', async () => {
    const ipSets = new FakeIpSets({ 'hookguard-dev-brevo-ipv4': [], 'hookguard-dev-brevo-ipv6': [] });
    const bus = new RecordingBus();
    bus.fail = true;
    const [result] = await refreshPublishedRanges(deps(ipSets, bus, [target('brevo')]));
    expect(result).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('ip-ranges.updated was not published (InternalException)') });
    expect(ipSets.sets.get('hookguard-dev-brevo-ipv4')?.addresses).toEqual(['1.179.112.0/20', '172.246.240.0/20']);
  });

  it('unreadable sets fail the provider without fetching anything', async () => {
    const ipSets = new FakeIpSets({});
    ipSets.failReads = true;
    const [result] = await refreshPublishedRanges(deps(ipSets, new RecordingBus(), [target('brevo', ['198.51.100.0/24'])]));
    expect(result).toMatchObject({ outcome: 'failed', inForce: ['198.51.100.0/24'], reason: expect.stringContaining('AccessDenied') });
  });
});

describe('resolveAllowedCidrs', () => {
  it('replaces "published" with the embedded list beside the operator CIDRs', () => {
    expect(resolveAllowedCidrs('brevo', ['198.51.100.0/24', 'published'])).toEqual({
      cidrs: ['198.51.100.0/24', '1.179.112.0/20', '172.246.240.0/20'],
      staticCidrs: ['198.51.100.0/24'],
      published: true,
    });
    expect(resolveAllowedCidrs('sparkpost', ['published']).cidrs).toEqual([]);
    expect(resolveAllowedCidrs('sendgrid', ['192.0.2.0/24'])).toEqual({ cidrs: ['192.0.2.0/24'], staticCidrs: ['192.0.2.0/24'], published: false });
    expect(() => resolveAllowedCidrs('sendgrid', ['published'])).toThrow('sendgrid publishes no webhook source list');
  });
});
