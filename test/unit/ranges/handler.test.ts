/**
 * The refresher end to end through its real adapters: WAF (wafv2 client mocked statefully with aws-sdk-client-mock:
 * lock tokens that change on every update, WAFOptimisticLockException on a stale one), the default bus (EventBridge
 * client mocked), the published pages served by a local fake server from the documented-format fixtures, and a DNS
 * port fake for SparkPost's A records.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetIPSetCommand, UpdateIPSetCommand, WAFOptimisticLockException, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeBus } from '../../../lambda/adapters/eventbridge-bus';
import { type DnsResolverPort, PublishedRangesFetcher } from '../../../lambda/adapters/published-ranges-fetch';
import { WafIpSets } from '../../../lambda/adapters/wafv2-ip-sets';
import { DEFAULT_RANGE_POLICY } from '../../../lambda/core/ip-ranges';
import { PUBLISHED_RANGE_SOURCES, type PublishedRangeProvider, type PublishedRangeSource } from '../../../lambda/core/ip-ranges-sources';
import { FetchHttpClient } from '../../../lambda/management/http-client';
import { createHandler, defaultDeps, parseRangesRequest, type RangesHandlerDeps } from '../../../lambda/ranges/handler';
import { type FakeApiServer, startFakeApiServer } from '../../support/fake-api-server';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'ip-ranges', name), 'utf8');

const waf = mockClient(WAFV2Client);
const eventBridge = mockClient(EventBridgeClient);

/** A stateful stand-in for WAF's IP sets behind the mocked client. */
class WafState {
  readonly sets = new Map<string, { addresses: string[]; token: number; description: string }>();
  readonly updates: Array<{ Name?: string; Addresses?: string[]; LockToken?: string; Description?: string }> = [];
  /** Writes by someone else that land between our GetIPSet and UpdateIPSet. */
  interleavedWrites = 0;

  constructor() {
    waf.on(GetIPSetCommand).callsFake(async (input: { Name: string; Id: string; Scope: string }) => {
      const set = this.sets.get(input.Id);
      if (!set || input.Scope !== 'REGIONAL') throw new Error('WAFNonexistentItemException');
      return { IPSet: { Name: input.Name, Id: input.Id, ARN: `arn:${input.Id}`, IPAddressVersion: 'IPV4', Addresses: [...set.addresses], Description: set.description }, LockToken: `lock-${set.token}` };
    });
    waf.on(UpdateIPSetCommand).callsFake(async (input: { Id: string; Name: string; Addresses: string[]; LockToken: string; Description?: string }) => {
      const set = this.sets.get(input.Id);
      if (!set) throw new Error('WAFNonexistentItemException');
      if (this.interleavedWrites > 0) {
        this.interleavedWrites -= 1;
        set.token += 1;
      }
      if (input.LockToken !== `lock-${set.token}`) {
        throw new WAFOptimisticLockException({ message: 'AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it.', $metadata: {} });
      }
      set.addresses = [...input.Addresses];
      set.token += 1;
      this.updates.push(input);
      return { NextLockToken: `lock-${set.token}` };
    });
  }

  add(provider: string, v4: string[], v6: string[] = []) {
    this.sets.set(`${provider}-ipv4-id`, { addresses: v4, token: 1, description: `Sources allowed to post ${provider} webhooks, IPV4` });
    this.sets.set(`${provider}-ipv6-id`, { addresses: v6, token: 1, description: `Sources allowed to post ${provider} webhooks, IPV6` });
  }

  addresses(provider: string, version: 'ipv4' | 'ipv6') {
    return this.sets.get(`${provider}-${version}-id`)?.addresses;
  }
}

const PAGES = {
  postmark: ['/support/article/800-ips-for-firewalls', 'postmark-800-ips-for-firewalls.html'],
  brevo: ['/hc/en-us/articles/15127404548498-Brevo-IP-ranges-List-of-publicly-exposed-services', 'brevo-ip-ranges.html'],
  resend: ['/docs/dashboard/webhooks/introduction', 'resend-webhooks-introduction.html'],
} as const;

let server: FakeApiServer;
let state: WafState;
let pages: Record<string, string>;
let dnsAnswer: string[] | Error;
let emitted: string[];
let putEntries: Array<Record<string, unknown>>;

/** The sources, with each page's URL moved to the fake server (same path as the provider's). */
function fakeSources(): Record<PublishedRangeProvider, PublishedRangeSource> {
  const moved = { ...PUBLISHED_RANGE_SOURCES } as Record<PublishedRangeProvider, PublishedRangeSource>;
  for (const provider of ['postmark', 'brevo', 'resend'] as const) {
    const source = PUBLISHED_RANGE_SOURCES[provider];
    if (source.location.kind !== 'https') throw new Error('expected a page');
    moved[provider] = { ...source, location: { ...source.location, url: `${server.baseUrl}${PAGES[provider][0]}` } };
  }
  return moved;
}

const dns: DnsResolverPort = {
  async resolve4(hostname) {
    if (hostname !== 'wh.egress.sparkpost.com') throw Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    if (dnsAnswer instanceof Error) throw dnsAnswer;
    return dnsAnswer;
  },
};

function deps(providers: PublishedRangeProvider[], staticCidrs: Partial<Record<PublishedRangeProvider, string[]>> = {}): RangesHandlerDeps {
  return {
    targets: providers.map((provider) => ({
      provider,
      staticCidrs: staticCidrs[provider] ?? [],
      ipv4: { name: `hookguard-dev-${provider}-ipv4`, id: `${provider}-ipv4-id` },
      ipv6: { name: `hookguard-dev-${provider}-ipv6`, id: `${provider}-ipv6-id` },
    })),
    sources: fakeSources(),
    fetch: new PublishedRangesFetcher({ http: new FetchHttpClient({ timeoutMs: 5000 }), dns }),
    ipSets: new WafIpSets({ client: new WAFV2Client({ region: 'eu-west-1' }) }),
    bus: new EventBridgeBus({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'default' }),
    stage: 'dev',
    policy: DEFAULT_RANGE_POLICY,
    now: () => new Date('2026-12-02T06:00:00Z'),
    write: (line) => emitted.push(line),
  };
}

const metricsOf = () =>
  emitted.map((line) => JSON.parse(line) as Record<string, unknown>).map((record) => [record.Provider, record.IpRangesRefreshFailed]);

beforeAll(async () => {
  server = await startFakeApiServer();
  server.route('GET', '/:a/:b/:c/:d', (request) => {
    const page = pages[request.path];
    return page === undefined ? { status: 404, body: 'not found' } : { status: 200, body: page, headers: { 'content-type': 'text/html' } };
  });
  server.route('GET', '/:a/:b/:c', (request) => {
    const page = pages[request.path];
    return page === undefined ? { status: 404, body: 'not found' } : { status: 200, body: page, headers: { 'content-type': 'text/html' } };
  });
});
afterAll(() => server.close());

beforeEach(() => {
  waf.reset();
  eventBridge.reset();
  state = new WafState();
  pages = Object.fromEntries(Object.values(PAGES).map(([route, name]) => [route, fixture(name)]));
  dnsAnswer = ['52.38.191.20', '35.161.2.8'];
  emitted = [];
  putEntries = [];
  eventBridge.on(PutEventsCommand).callsFake(async (input: { Entries: Array<Record<string, unknown>> }) => {
    putEntries.push(...input.Entries);
    return { FailedEntryCount: 0, Entries: input.Entries.map((_, index) => ({ EventId: `e${index}` })) };
  });
});

describe('the IP-range refresher', () => {
  it('a scheduled run brings every provider to its published list, with lock tokens, one event each', async () => {
    state.add('postmark', ['50.31.156.6/32']);
    state.add('brevo', ['1.179.112.0/20', '198.51.100.0/24']);
    state.add('resend', []);
    state.add('sparkpost', []);
    const handler = createHandler(deps(['postmark', 'brevo', 'resend', 'sparkpost'], { brevo: ['198.51.100.0/24'] }));
    const result = await handler({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
    // Postmark grows from 1 to 4 addresses: 75 % of the two lists together, above the 50 % default: it waits.
    expect(result.results.map((entry) => [entry.provider, entry.outcome])).toEqual([
      ['postmark', 'refused'],
      ['brevo', 'updated'],
      ['resend', 'updated'],
      ['sparkpost', 'updated'],
    ]);
    expect(state.addresses('brevo', 'ipv4')).toEqual(['1.179.112.0/20', '172.246.240.0/20', '198.51.100.0/24']);
    expect(state.addresses('resend', 'ipv6')).toEqual(['2600:1f24:64:8000::/52']);
    expect(state.addresses('sparkpost', 'ipv4')).toEqual(['35.161.2.8/32', '52.38.191.20/32']);
    expect(state.addresses('postmark', 'ipv4')).toEqual(['50.31.156.6/32']);
    // Every update carried the token of the read before it and kept the set's description.
    for (const update of state.updates) {
      expect(update.LockToken).toBe('lock-1');
      expect(update.Description).toMatch(/^Sources allowed to post /);
    }
    expect(putEntries.map((entry) => [entry.EventBusName, entry.Source, entry.DetailType])).toEqual([
      ['default', 'hookguard', 'ip-ranges.updated'],
      ['default', 'hookguard', 'ip-ranges.updated'],
      ['default', 'hookguard', 'ip-ranges.updated'],
    ]);
    expect(JSON.parse(String(putEntries[0]?.Detail))).toMatchObject({ provider: 'brevo', added: ['172.246.240.0/20'], removed: [] });
    expect(metricsOf()).toEqual([
      ['postmark', 1],
      ['brevo', 0],
      ['resend', 0],
      ['sparkpost', 0],
    ]);
    expect(JSON.parse(emitted[0] ?? '{}')._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'Hookguard', Dimensions: [['Stage', 'Provider']], Metrics: [{ Name: 'IpRangesRefreshFailed', Unit: 'Count' }] },
    ]);

    // The operator confirms Postmark's change; the other providers are left alone.
    emitted = [];
    const confirmed = await handler({ confirm: true, providers: ['postmark'] });
    expect(confirmed.results).toEqual([expect.objectContaining({ provider: 'postmark', outcome: 'updated', added: ['3.134.147.250/32', '18.217.206.57/32', '50.31.156.77/32'] })]);
    expect(state.addresses('postmark', 'ipv4')).toEqual(['3.134.147.250/32', '18.217.206.57/32', '50.31.156.6/32', '50.31.156.77/32']);
    expect(metricsOf()).toEqual([['postmark', 0]]);
  });

  it('retries an update refused with WAFOptimisticLockException with a fresh token', async () => {
    state.add('brevo', []);
    state.interleavedWrites = 1;
    const result = await createHandler(deps(['brevo']))({});
    expect(result.results[0]?.outcome).toBe('updated');
    expect(waf.commandCalls(UpdateIPSetCommand).map((call) => call.args[0].input.LockToken)).toEqual(['lock-1', 'lock-2']);
    expect(state.addresses('brevo', 'ipv4')).toEqual(['1.179.112.0/20', '172.246.240.0/20']);
  });

  it('a page that fails, or has lost its list, and a DNS name that does not resolve keep the last good lists', async () => {
    state.add('brevo', ['1.179.112.0/20']);
    state.add('resend', ['44.228.126.217/32']);
    state.add('sparkpost', ['52.38.191.20/32']);
    server.failNext({ pathPrefix: PAGES.brevo[0], status: 503 });
    pages[PAGES.resend[0]] = '<html><body><h1>Managing Webhooks</h1><p>We are moving our docs.</p></body></html>';
    dnsAnswer = Object.assign(new Error('queryA ESERVFAIL wh.egress.sparkpost.com'), { code: 'ESERVFAIL' });
    const result = await createHandler(deps(['brevo', 'resend', 'sparkpost']))({});
    expect(result.results.map((entry) => [entry.provider, entry.outcome, entry.reason])).toEqual([
      ['brevo', 'failed', expect.stringContaining('HTTP 503 from 127.0.0.1')],
      ['resend', 'refused', expect.stringContaining('empty')],
      ['sparkpost', 'failed', expect.stringContaining('ESERVFAIL')],
    ]);
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(0);
    expect(putEntries).toHaveLength(0);
    expect(metricsOf()).toEqual([
      ['brevo', 1],
      ['resend', 1],
      ['sparkpost', 1],
    ]);
  });

  it('a dry run reports and changes nothing, and records no metric', async () => {
    state.add('brevo', []);
    const result = await createHandler(deps(['brevo']))({ dryRun: true });
    expect(result).toMatchObject({ dryRun: true, results: [{ provider: 'brevo', outcome: 'would-update' }] });
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(0);
    expect(emitted).toEqual([]);
  });

  it('refuses payloads that are not a schedule event or a refresh request', () => {
    expect(parseRangesRequest(undefined)).toEqual({});
    expect(parseRangesRequest({ source: 'aws.cloudformation', 'detail-type': 'CloudFormation Stack Status Change', detail: { 'status-details': { status: 'UPDATE_COMPLETE' } } })).toEqual({});
    expect(parseRangesRequest({ confirm: true, providers: ['brevo'] })).toEqual({ confirm: true, providers: ['brevo'] });
    expect(() => parseRangesRequest({ confirm: 'yes' })).toThrow('confirm must be true or false');
    expect(() => parseRangesRequest({ providers: ['sendgrid'] })).toThrow('providers must be a list of');
    expect(() => parseRangesRequest({ force: true })).toThrow('Unknown request fields: force');
    expect(() => parseRangesRequest('refresh')).toThrow('The payload must be an object');
  });

  it('records a failure for every asked provider when the run itself breaks, then fails', async () => {
    state.add('brevo', []);
    state.add('sparkpost', []);
    const logger = { debug() {}, warn() {}, error() {}, info() { throw new Error('log sink gone'); } };
    await expect(createHandler({ ...deps(['brevo', 'sparkpost']), logger })({})).rejects.toThrow('log sink gone');
    expect(metricsOf()).toEqual([
      ['brevo', 1],
      ['sparkpost', 1],
    ]);
  });

  it('reads its targets and policy from the environment the construct sets', () => {
    const env = {
      HOOKGUARD_STAGE: 'prod',
      IP_RANGES_TARGETS: JSON.stringify([
        { provider: 'brevo', staticCidrs: ['198.51.100.0/24'], ipv4: { name: 'n4', id: 'i4' }, ipv6: { name: 'n6', id: 'i6' } },
      ]),
      IP_RANGES_POLICY: JSON.stringify({ minPrefixIpv4: 20, minPrefixIpv6: 40, maxChangeShare: 0.3 }),
    };
    const resolved = defaultDeps(env);
    expect(resolved.targets).toEqual([{ provider: 'brevo', staticCidrs: ['198.51.100.0/24'], ipv4: { name: 'n4', id: 'i4' }, ipv6: { name: 'n6', id: 'i6' } }]);
    expect(resolved.policy).toEqual({ minPrefixIpv4: 20, minPrefixIpv6: 40, maxChangeShare: 0.3 });
    expect(resolved.stage).toBe('prod');
    expect(() => defaultDeps({ ...env, IP_RANGES_TARGETS: JSON.stringify([{ provider: 'sendgrid' }]) })).toThrow('IP_RANGES_TARGETS[0] must be');
    expect(() => defaultDeps({ IP_RANGES_TARGETS: '[]' })).toThrow('HOOKGUARD_STAGE is required');
  });
});
