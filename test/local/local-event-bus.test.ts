import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEntry } from '../../lambda/ports';
import type { RouteConfig } from '../../lib/config/types';
import { JsonLinesFile } from '../../src/local/json-lines-file';
import { type EventEnvelope, envelopeTime, LocalEventBus } from '../../src/local/local-event-bus';
import { buildLocalRoutes, HttpRouteDestination, redactUrl } from '../../src/local/route-destinations';

const FIXED_NOW = new Date('2026-11-22T10:00:00.123Z');

function entry(eventType: string, recipient: string, time?: Date): BusEntry {
  return {
    source: 'hookguard',
    detailType: `email.${eventType}`,
    detail: JSON.stringify({ eventType, recipient, provider: 'sendgrid' }),
    ...(time ? { time } : {}),
  };
}

function route(name: string, eventPattern: Record<string, unknown>, local?: RouteConfig['local']): RouteConfig {
  return {
    name,
    eventPattern,
    target: { type: 'sqs' },
    retryAttempts: 2,
    maxEventAgeHours: 24,
    ...(local ? { local } : {}),
  };
}

async function readLines(path: string): Promise<EventEnvelope[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as EventEnvelope);
}

describe('LocalEventBus', () => {
  let dir: string;
  let ids: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-bus-'));
    ids = 0;
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function createBus(routes: readonly RouteConfig[] = [], output: string[] = []) {
    return new LocalEventBus({
      eventsFile: new JsonLinesFile(join(dir, 'events.jsonl')),
      routes: buildLocalRoutes(routes, {
        dataDir: dir,
        write: (line) => output.push(line),
        httpBackoffMs: () => 1,
      }),
      account: '123456789012',
      region: 'eu-west-1',
      now: () => FIXED_NOW,
      newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    });
  }

  describe('putEvents', () => {
    it('appends every entry as a full EventBridge envelope before resolving', async () => {
      // Prepare
      const bus = createBus();

      // Act
      const result = await bus.putEvents([
        entry('bounced', 'jane@example.com', new Date('2026-11-21T08:30:15.999Z')),
        entry('delivered', 'joe@example.com'),
      ]);

      // Assess
      expect(result.failed).toEqual([]);
      expect(await readLines(join(dir, 'events.jsonl'))).toEqual([
        {
          version: '0',
          id: '00000000-0000-4000-8000-000000000001',
          'detail-type': 'email.bounced',
          source: 'hookguard',
          account: '123456789012',
          time: '2026-11-21T08:30:15Z',
          region: 'eu-west-1',
          resources: [],
          detail: { eventType: 'bounced', recipient: 'jane@example.com', provider: 'sendgrid' },
        },
        {
          version: '0',
          id: '00000000-0000-4000-8000-000000000002',
          'detail-type': 'email.delivered',
          source: 'hookguard',
          account: '123456789012',
          time: '2026-11-22T10:00:00Z',
          region: 'eu-west-1',
          resources: [],
          detail: { eventType: 'delivered', recipient: 'joe@example.com', provider: 'sendgrid' },
        },
      ]);
      await bus.close();
    });

    it('gives each event a random uuid by default', async () => {
      // Prepare
      const bus = new LocalEventBus({
        eventsFile: new JsonLinesFile(join(dir, 'events.jsonl')),
        routes: [],
        account: '000000000000',
        region: 'us-east-1',
      });

      // Act
      await bus.putEvents([entry('opened', 'a@example.com'), entry('opened', 'a@example.com')]);
      await bus.close();

      // Assess
      const [first, second] = await readLines(join(dir, 'events.jsonl'));
      expect(first?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(first?.id).not.toBe(second?.id);
    });

    it.each([
      ['a detail that is not JSON', { source: 'hookguard', detailType: 'email.sent', detail: '{' }, 'MalformedDetail'],
      [
        'a detail that is not an object',
        { source: 'hookguard', detailType: 'email.sent', detail: '[1]' },
        'MalformedDetail',
      ],
      ['a missing detail type', { source: 'hookguard', detailType: '', detail: '{}' }, 'InvalidArgument'],
      [
        'an entry over the size limit',
        { source: 'hookguard', detailType: 'email.sent', detail: JSON.stringify({ raw: 'x'.repeat(1_000_001) }) },
        'ValidationException',
      ],
    ])('reports %s as a failed entry and publishes the others', async (_name, bad, errorCode) => {
      // Prepare
      const bus = createBus();

      // Act
      const result = await bus.putEvents([entry('sent', 'a@example.com'), bad, entry('sent', 'b@example.com')]);
      await bus.close();

      // Assess
      expect(result.failed).toEqual([{ index: 1, errorCode, errorMessage: expect.any(String) }]);
      const published = await readLines(join(dir, 'events.jsonl'));
      expect(published.map((envelope) => (envelope.detail as { recipient: string }).recipient)).toEqual([
        'a@example.com',
        'b@example.com',
      ]);
    });

    it.each([
      ['no entries', 0],
      ['more than 10 entries', 11],
    ])('refuses a call with %s, as PutEvents does', async (_name, count) => {
      // Prepare
      const bus = createBus();
      const entries = Array.from({ length: count }, (_, index) => entry('sent', `${index}@example.com`));

      // Act / Assess
      await expect(bus.putEvents(entries)).rejects.toThrow(/1 to 10 entries/);
      await bus.close();
    });

    it('fails the whole call, publishing nothing, when the events file cannot be written', async () => {
      // Prepare: the events "file" is a directory.
      const bus = new LocalEventBus({
        eventsFile: new JsonLinesFile(dir),
        routes: buildLocalRoutes([route('all', { 'detail-type': [{ prefix: 'email.' }] })], {
          dataDir: dir,
          write: () => undefined,
        }),
        account: '000000000000',
        region: 'us-east-1',
      });

      // Act / Assess
      await expect(bus.putEvents([entry('sent', 'a@example.com')])).rejects.toThrow();
      await bus.close();
      expect(await readLines(join(dir, 'routes', 'all.jsonl'))).toEqual([]);
    });
  });

  describe('routes', () => {
    it('delivers each event only to the routes whose pattern matches, in the default file', async () => {
      // Prepare
      const bus = createBus([
        route('suppression', { 'detail-type': ['email.bounced', 'email.complained'] }),
        route('example-com', { detail: { recipient: [{ suffix: '@example.com' }] } }),
      ]);

      // Act
      await bus.putEvents([
        entry('bounced', 'jane@example.com'),
        entry('delivered', 'joe@example.org'),
        entry('complained', 'kim@example.org'),
        entry('opened', 'lee@example.com'),
      ]);
      await bus.close();

      // Assess
      const suppression = await readLines(join(dir, 'routes', 'suppression.jsonl'));
      const exampleCom = await readLines(join(dir, 'routes', 'example-com.jsonl'));
      expect(suppression.map((envelope) => envelope['detail-type'])).toEqual(['email.bounced', 'email.complained']);
      expect(exampleCom.map((envelope) => envelope['detail-type'])).toEqual(['email.bounced', 'email.opened']);
    });

    it('matches the source the stack adds to every rule', async () => {
      // Prepare
      const bus = createBus([route('all', { 'detail-type': [{ prefix: 'email.' }] })]);

      // Act
      await bus.putEvents([entry('sent', 'a@example.com'), { ...entry('sent', 'b@example.com'), source: 'other' }]);
      await bus.close();

      // Assess
      const delivered = await readLines(join(dir, 'routes', 'all.jsonl'));
      expect(delivered.map((envelope) => envelope.source)).toEqual(['hookguard']);
    });

    it('writes to a configured file and prints to the console', async () => {
      // Prepare
      const output: string[] = [];
      const bus = createBus(
        [
          route(
            'to-file',
            { detail: { eventType: ['bounced'] } },
            { type: 'file', path: join(dir, 'custom', 'b.jsonl') },
          ),
          route('to-console', { detail: { eventType: ['bounced'] } }, { type: 'console' }),
        ],
        output,
      );

      // Act
      await bus.putEvents([entry('bounced', 'jane@example.com')]);
      await bus.close();

      // Assess
      expect(await readLines(join(dir, 'custom', 'b.jsonl'))).toHaveLength(1);
      expect(output).toEqual([expect.stringMatching(/^\[route to-console\] \{"version":"0",.*"email\.bounced"/)]);
    });

    it('refuses a route whose pattern EventBridge would refuse, naming the route', () => {
      // Act / Assess
      expect(() =>
        buildLocalRoutes([route('broken', { detail: { eventType: 'bounced' } })], {
          dataDir: dir,
          write: () => undefined,
        }),
      ).toThrow(/Route "broken": \$\.detail\.eventType must be an array/);
    });

    describe('HTTP targets', () => {
      let server: Server;
      let received: Array<{ body: EventEnvelope; contentType: string | undefined }>;
      let failuresLeft: number;

      beforeEach(async () => {
        received = [];
        failuresLeft = 0;
        server = createServer((request: IncomingMessage, response) => {
          const chunks: Buffer[] = [];
          request.on('data', (chunk: Buffer) => chunks.push(chunk));
          request.on('end', () => {
            if (failuresLeft > 0) {
              failuresLeft--;
              response.writeHead(503).end();
              return;
            }
            received.push({
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
              contentType: request.headers['content-type'],
            });
            response.writeHead(204).end();
          });
        });
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
      });

      afterEach(async () => {
        server.close();
        await once(server, 'close');
      });

      const targetUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;

      it('posts the envelope as JSON, retrying failed attempts', async () => {
        // Prepare
        failuresLeft = 2;
        const bus = createBus([
          route('hook', { detail: { eventType: ['bounced'] } }, { type: 'http', url: targetUrl() }),
        ]);

        // Act
        await bus.putEvents([entry('bounced', 'jane@example.com'), entry('sent', 'joe@example.com')]);
        await bus.close();

        // Assess
        expect(received).toEqual([
          {
            body: expect.objectContaining({ 'detail-type': 'email.bounced', source: 'hookguard' }),
            contentType: 'application/json',
          },
        ]);
        expect(await readLines(join(dir, 'routes', 'hook.dead-letter.jsonl'))).toEqual([]);
      });

      it('dead-letters an event once the retries are used up', async () => {
        // Prepare: the route allows 2 retries, so 3 failures exhaust it.
        failuresLeft = 3;
        const bus = createBus([
          route('hook', { detail: { eventType: ['bounced'] } }, { type: 'http', url: targetUrl() }),
        ]);

        // Act
        await bus.putEvents([entry('bounced', 'jane@example.com')]);
        await bus.close();

        // Assess
        expect(received).toEqual([]);
        const deadLetters = (await readLines(join(dir, 'routes', 'hook.dead-letter.jsonl'))) as unknown as Array<{
          reason: string;
          event: EventEnvelope;
        }>;
        expect(deadLetters).toEqual([
          { reason: 'HTTP 503', event: expect.objectContaining({ 'detail-type': 'email.bounced' }) },
        ]);
      });
    });
  });

  describe('HttpRouteDestination', () => {
    it('stops retrying on close and dead-letters what is still undelivered', async () => {
      // Prepare: nothing listens on this port, and the next retry would be a minute away.
      const closedServer = createServer();
      closedServer.listen(0, '127.0.0.1');
      await once(closedServer, 'listening');
      const { port } = closedServer.address() as AddressInfo;
      closedServer.close();
      await once(closedServer, 'close');
      const deadLetterFile = new JsonLinesFile(join(dir, 'dead.jsonl'));
      const destination = new HttpRouteDestination({
        routeName: 'hook',
        url: `http://127.0.0.1:${port}/`,
        retryAttempts: 5,
        deadLetterFile,
        backoffMs: () => 60_000,
        closeGraceMs: 10,
      });
      const envelope = {
        version: '0',
        id: 'e-1',
        'detail-type': 'email.sent',
        source: 'hookguard',
        account: '000000000000',
        time: '2026-11-22T10:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: {},
      } as const;

      // Act
      await destination.deliver(envelope);
      await destination.close();

      // Assess
      const deadLetters = (await readLines(join(dir, 'dead.jsonl'))) as unknown as Array<{ event: { id: string } }>;
      expect(deadLetters.map((line) => line.event.id)).toEqual(['e-1']);
    });

    it.each([
      ['https://user:secret@hooks.example.com/path?token=abc', 'https://hooks.example.com/path'],
      ['not a url', '(invalid URL)'],
    ])('describes %s without credentials or query', (url, expected) => {
      expect(redactUrl(url)).toBe(expected);
    });
  });

  describe('envelopeTime', () => {
    it.each([
      ['2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00Z'],
      ['2026-01-02T03:04:05.999Z', '2026-01-02T03:04:05Z'],
    ])('formats %s as %s', (input, expected) => {
      expect(envelopeTime(new Date(input))).toBe(expected);
    });
  });
});
