/**
 * The fetch adapter of the IP-range refresher: pages from a local fake server (status handling, the loopback-only
 * http rule), and A records through Node's own resolver pointed at a tiny DNS server on 127.0.0.1 that answers in
 * RFC 1035 wire format, so the real resolution path is exercised without the network.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { PublishedRangesFetcher } from '../../../lambda/adapters/published-ranges-fetch';
import { parseDnsAnswer } from '../../../lambda/core/ip-ranges';
import { FetchHttpClient } from '../../../lambda/management/http-client';
import { type FakeApiServer, startFakeApiServer } from '../../support/fake-api-server';

/** A DNS server that answers A queries from `records` (NXDOMAIN for other names), one UDP datagram each. */
async function startDnsServer(records: Record<string, string[]>): Promise<{ port: number; queries: string[]; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, remote) => {
    // Question: labels from byte 12, then QTYPE and QCLASS.
    const labels: string[] = [];
    let offset = 12;
    while (message[offset] !== 0 && offset < message.length) {
      const length = message[offset] as number;
      labels.push(message.subarray(offset + 1, offset + 1 + length).toString('ascii'));
      offset += length + 1;
    }
    const questionEnd = offset + 5;
    const name = labels.join('.').toLowerCase();
    const qtype = message.readUInt16BE(offset + 1);
    queries.push(`${name} ${qtype}`);
    const addresses = qtype === 1 ? records[name] : undefined;
    const known = records[name] !== undefined;
    const header = Buffer.alloc(12);
    message.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // response, recursion desired and available; NOERROR or NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(addresses?.length ?? 0, 6);
    const answers = (addresses ?? []).map((address) => {
      const answer = Buffer.alloc(16);
      answer.writeUInt16BE(0xc00c, 0); // name: pointer to the question
      answer.writeUInt16BE(1, 2); // A
      answer.writeUInt16BE(1, 4); // IN
      answer.writeUInt32BE(300, 6); // TTL
      answer.writeUInt16BE(4, 10);
      address.split('.').forEach((part, index) => answer.writeUInt8(Number(part), 12 + index));
      return answer;
    });
    socket.send(Buffer.concat([header, message.subarray(12, questionEnd), ...answers]), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: (socket.address() as AddressInfo).port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

describe('PublishedRangesFetcher', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer();
    server.route('GET', '/page', () => ({ status: 200, body: '<h2>Webhook IP ranges</h2><ul><li>1.179.112.0/20</li></ul>' }));
  });
  afterAll(() => server.close());

  it('GETs a page and hands back its text; a non-2xx answer is an error naming the host only', async () => {
    const fetcher = new PublishedRangesFetcher({ http: new FetchHttpClient({ timeoutMs: 5000 }) });
    await expect(fetcher.getText(`${server.baseUrl}/page`)).resolves.toContain('1.179.112.0/20');
    expect(server.requests.at(-1)?.headers['user-agent']).toBe('hookguard-ip-ranges');
    server.failNext({ pathPrefix: '/page', status: 502 });
    await expect(fetcher.getText(`${server.baseUrl}/page?token=x`)).rejects.toThrow(/^HTTP 502 from 127\.0\.0\.1:\d+$/);
  });

  it('refuses plain http to anything but loopback', async () => {
    await expect(new PublishedRangesFetcher().getText('http://help.brevo.com/hc/en-us/articles/1')).rejects.toThrow(
      'Refusing http: for help.brevo.com',
    );
  });

  it("resolves SparkPost's A records through Node's resolver (wire format from a local DNS server)", async () => {
    const dns = await startDnsServer({ 'wh.egress.sparkpost.com': ['52.38.191.20', '35.161.2.8'] });
    try {
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([`127.0.0.1:${dns.port}`]);
      const fetcher = new PublishedRangesFetcher({ dns: resolver });
      const answer = await fetcher.resolveA('wh.egress.sparkpost.com');
      expect(parseDnsAnswer(answer).cidrs).toEqual(['35.161.2.8/32', '52.38.191.20/32']);
      expect(dns.queries).toContain('wh.egress.sparkpost.com 1');
      await expect(fetcher.resolveA('nothing.example.net')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    } finally {
      await dns.close();
    }
  });
});
