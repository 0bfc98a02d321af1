import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import type { EventEnvelope } from '../../src/local/local-event-bus';
import { TEST_STAGE, testConfig } from '../local/test-config';
import { type CliKit, createCliKit, recordingIo } from './cli-test-kit';

function envelope(id: string, eventType: string, time: string): EventEnvelope {
  return {
    version: '0',
    id,
    'detail-type': `email.${eventType}`,
    source: 'hookguard',
    account: '000000000000',
    time,
    region: 'us-east-1',
    resources: [],
    detail: { provider: 'sendgrid', eventType, eventId: `e-${id}`, recipient: 'a@example.com', messageId: `m-${id}` },
  };
}

async function lines(path: string): Promise<unknown[]> {
  try {
    return (await readFile(path, 'utf8')).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

const NOW = new Date('2026-02-01T12:00:00Z');

describe('hookguard replay', () => {
  let kit: CliKit;
  let dataDir: string;

  beforeEach(async () => {
    kit = await createCliKit();
    dataDir = join(kit.dir, 'data');
    await mkdir(dataDir, { recursive: true });
  });

  afterEach(async () => {
    await kit.cleanUp();
  });

  const args = () => [...kit.commonArgs, '--data-dir', dataDir];

  it('publishes the events of the range again to the matching routes, marked with replay-name', async () => {
    // Prepare: one too old, two in range (a bounce for suppression, an open for the engagement route).
    const events = [
      envelope('old', 'bounced', '2026-02-01T09:00:00Z'),
      envelope('b', 'bounced', '2026-02-01T11:00:00Z'),
      envelope('o', 'opened', '2026-02-01T11:30:00Z'),
    ];
    await writeFile(join(dataDir, 'events.jsonl'), `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    const io = recordingIo();

    // Act
    const code = await runCli(['replay', '--since', '2h', ...args()], io, { now: () => NOW });

    // Assess
    expect(code).toBe(0);
    const suppression = await lines(join(dataDir, 'routes', 'suppression.jsonl'));
    const engagement = await lines(join(kit.dir, 'custom-routes', 'engagement.jsonl'));
    expect(suppression).toEqual([{ ...events[1], 'replay-name': expect.stringMatching(/^hookguard-test-/) }]);
    expect(engagement).toEqual([{ ...events[2], 'replay-name': expect.stringMatching(/^hookguard-test-/) }]);
    expect(io.lines.at(-1)).toMatch(
      /^Replayed 2 event\(s\) as hookguard-test-\w+: suppression 1, sendgrid-engagement 1\. Replayed events are published again, by design/,
    );
  });

  it('applies --pattern and --route, and prints JSON with --json', async () => {
    // Prepare
    const events = [envelope('b1', 'bounced', '2026-02-01T11:00:00Z'), envelope('b2', 'complained', '2026-02-01T11:10:00Z')];
    await writeFile(join(dataDir, 'events.jsonl'), `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    const io = recordingIo();

    // Act
    const code = await runCli(
      ['replay', '--since', '2026-02-01T10:00:00Z', '--until', '2026-02-01T12:00:00Z', '--route', 'suppression', '--pattern', '{"detail-type":["email.complained"]}', '--json', ...args()],
      io,
      { now: () => NOW },
    );

    // Assess
    expect(code).toBe(0);
    expect((await lines(join(dataDir, 'routes', 'suppression.jsonl'))).map((event) => (event as EventEnvelope).id)).toEqual(['b2']);
    expect(JSON.parse(io.lines.at(-1) as string)).toEqual({
      replayName: expect.any(String),
      events: 1,
      routes: { suppression: 1 },
      since: '2026-02-01T10:00:00.000Z',
      until: '2026-02-01T12:00:00.000Z',
    });
  });

  it.each([
    [['replay'], /replay needs --since <time>/],
    [['replay', '--since', 'yesterday'], /--since must be an ISO 8601 time .* got "yesterday"/],
    [['replay', '--since', '1h', '--route', 'nope'], /Stage test has no route "nope" \(routes: suppression, sendgrid-engagement\)/],
    [['replay', '--since', '1h', '--deployed', '--region', 'eu-west-1', '--pattern', '{}'], /An EventBridge archive replay cannot filter events by pattern; use --route/],
  ])('refuses %j with one line', async (argv, message) => {
    const io = recordingIo();
    expect(await runCli([...argv, ...args()], io, { now: () => NOW })).toBe(1);
    expect(io.errors).toEqual([expect.stringMatching(message)]);
  });

  describe('--dead-letters (local)', () => {
    let server: Server;
    let received: unknown[];
    let status: number;

    beforeEach(async () => {
      received = [];
      status = 200;
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        request.on('end', () => {
          received.push(JSON.parse(body));
          response.statusCode = status;
          response.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const config = testConfig(join(kit.dir, 'custom-routes')) as { stages: Record<string, { events: { routes: unknown[] } }> };
      config.stages[TEST_STAGE]?.events.routes.push({
        name: 'webhook-out',
        eventPattern: { 'detail-type': [{ prefix: 'email.' }] },
        target: { type: 'sqs' },
        retryAttempts: 0,
        local: { type: 'http', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` },
      });
      await writeFile(kit.configPath, JSON.stringify(config));
    });

    afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it("delivers the route's dead letters again and empties the file", async () => {
      // Prepare
      const deadLetters = join(dataDir, 'routes', 'webhook-out.dead-letter.jsonl');
      await mkdir(join(dataDir, 'routes'), { recursive: true });
      const events = [envelope('d1', 'bounced', '2026-02-01T11:00:00Z'), envelope('d2', 'opened', '2026-02-01T11:00:00Z')];
      await writeFile(deadLetters, `${events.map((event) => JSON.stringify({ reason: 'HTTP 503', event })).join('\n')}\n`);
      const io = recordingIo();

      // Act
      const code = await runCli(['replay', '--dead-letters', 'webhook-out', ...args()], io);

      // Assess
      expect(code).toBe(0);
      expect(received).toEqual(events);
      expect(await lines(deadLetters)).toEqual([]);
      expect(io.lines.at(-1)).toMatch(/^Redrove 2 dead letter\(s\) of route webhook-out; 0 failed again .* published again, by design/);
    });

    it('puts what fails again back in the dead-letter file', async () => {
      // Prepare
      status = 500;
      const deadLetters = join(dataDir, 'routes', 'webhook-out.dead-letter.jsonl');
      await mkdir(join(dataDir, 'routes'), { recursive: true });
      const event = envelope('d1', 'bounced', '2026-02-01T11:00:00Z');
      await writeFile(deadLetters, `${JSON.stringify({ reason: 'HTTP 503', event })}\n`);
      const io = recordingIo();

      // Act
      const code = await runCli(['replay', '--dead-letters', 'webhook-out', '--json', ...args()], io);

      // Assess
      expect(code).toBe(0);
      expect(JSON.parse(io.lines.at(-1) as string)).toEqual({ route: 'webhook-out', redriven: 1, stillFailing: 1 });
      expect(await lines(deadLetters)).toEqual([{ reason: 'HTTP 500', event }]);
    });

    it('says a file route never dead-letters', async () => {
      const io = recordingIo();
      expect(await runCli(['replay', '--dead-letters', 'suppression', ...args()], io)).toBe(1);
      expect(io.errors).toEqual([expect.stringMatching(/delivers to a local file, which never dead-letters/)]);
    });
  });

  describe('--deployed', () => {
    const cloudFormation = mockClient(CloudFormationClient);
    const eventBridge = mockClient(EventBridgeClient);
    const sqs = mockClient(SQSClient);
    const deployed = () => ['--deployed', '--region', 'eu-west-1', ...args()];

    beforeEach(() => {
      for (const mock of [cloudFormation, eventBridge, sqs]) mock.reset();
      cloudFormation.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'Hookguard-test',
            CreationTime: NOW,
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'EventBusName', OutputValue: 'hookguard-test' },
              { OutputKey: 'EventBusArn', OutputValue: 'arn:aws:events:eu-west-1:123456789012:event-bus/hookguard-test' },
              { OutputKey: 'ArchiveName', OutputValue: 'hookguard-test' },
            ],
          },
        ],
      });
      eventBridge.on(ListRulesCommand).resolves({
        Rules: [
          { Name: 'other', Arn: 'arn:aws:events:eu-west-1:123456789012:rule/hookguard-test/other', Description: 'Hookguard route sendgrid-engagement' },
          { Name: 'supp', Arn: 'arn:aws:events:eu-west-1:123456789012:rule/hookguard-test/supp', Description: 'Hookguard route suppression' },
        ],
      });
    });

    afterAll(() => {
      for (const mock of [cloudFormation, eventBridge, sqs]) mock.restore();
    });

    it('starts an archive replay into the route rules and follows it until it completes', async () => {
      // Prepare
      eventBridge.on(DescribeArchiveCommand).resolves({ ArchiveArn: 'arn:aws:events:eu-west-1:123456789012:archive/hookguard-test' });
      eventBridge
        .on(DescribeReplayCommand)
        .resolvesOnce({ State: 'RUNNING', EventLastReplayedTime: new Date('2026-02-01T11:00:00Z') })
        .resolves({ State: 'COMPLETED' });
      const io = recordingIo();

      // Act
      const code = await runCli(['replay', '--since', '2h', '--route', 'suppression', ...deployed()], io, { now: () => NOW, pollMs: 1 });

      // Assess
      expect(code).toBe(0);
      expect(eventBridge.commandCalls(StartReplayCommand)[0]?.args[0].input).toEqual({
        ReplayName: expect.stringMatching(/^hookguard-test-/),
        Description: 'hookguard replay',
        EventSourceArn: 'arn:aws:events:eu-west-1:123456789012:archive/hookguard-test',
        EventStartTime: new Date('2026-02-01T10:00:00Z'),
        EventEndTime: NOW,
        Destination: {
          Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/hookguard-test',
          FilterArns: ['arn:aws:events:eu-west-1:123456789012:rule/hookguard-test/supp'],
        },
      });
      expect(io.errors).toContain(`Replay ${eventBridge.commandCalls(StartReplayCommand)[0]?.args[0].input.ReplayName}: running, 50% of the range`);
      expect(io.lines.at(-1)).toMatch(/^Replay hookguard-test-\w+ completed\. Replayed events are published again, by design/);
    });

    it('cancels the replay on Ctrl-C and exits 1', async () => {
      // Prepare
      eventBridge.on(DescribeArchiveCommand).resolves({ ArchiveArn: 'arn:archive' });
      eventBridge
        .on(DescribeReplayCommand)
        .resolvesOnce({ State: 'RUNNING' })
        .resolves({ State: 'CANCELLED', StateReason: 'cancelled by the user' });
      const stop = new AbortController();
      stop.abort();
      const io = recordingIo();

      // Act
      const code = await runCli(['replay', '--since', '2h', ...deployed()], { ...io, signal: stop.signal }, { now: () => NOW, pollMs: 1 });

      // Assess
      expect(code).toBe(1);
      expect(eventBridge.commandCalls(CancelReplayCommand)).toHaveLength(1);
      expect(io.lines.at(-1)).toMatch(/^Replay hookguard-test-\w+ cancelled \(cancelled by the user\)/);
    });

    it("redrives the route queue's DLQ with a message move task and republishes EventBridge's DLQ", async () => {
      // Prepare
      eventBridge.on(ListTargetsByRuleCommand).resolves({
        Targets: [
          {
            Id: 'Target0',
            Arn: 'arn:aws:sqs:eu-west-1:123456789012:route-queue',
            DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:rule-dlq' },
          },
        ],
      });
      sqs.on(GetQueueUrlCommand).callsFake((input: { QueueName: string }) => ({ QueueUrl: `https://sqs/${input.QueueName}` }));
      sqs.on(GetQueueAttributesCommand).resolves({
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:queue-dlq', maxReceiveCount: 5 }) },
      });
      sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
      sqs
        .on(ListMessageMoveTasksCommand)
        .resolvesOnce({ Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3 }] })
        .resolves({ Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3 }] });
      const dead = envelope('x', 'bounced', '2026-02-01T11:00:00Z');
      sqs
        .on(ReceiveMessageCommand)
        .resolvesOnce({ Messages: [{ Body: JSON.stringify(dead), ReceiptHandle: 'h1' }] })
        .resolves({ Messages: [] });
      eventBridge.on(PutEventsCommand).resolves({ Entries: [{ EventId: 'new-id' }], FailedEntryCount: 0 });
      const io = recordingIo();

      // Act
      const code = await runCli(['replay', '--dead-letters', 'suppression', ...deployed()], io, { pollMs: 1 });

      // Assess
      expect(code).toBe(0);
      expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({ SourceArn: 'arn:aws:sqs:eu-west-1:123456789012:queue-dlq' });
      expect(io.errors).toContain('Moving messages from arn:aws:sqs:eu-west-1:123456789012:queue-dlq: 1 of 3 moved');
      expect(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries).toEqual([
        { EventBusName: 'hookguard-test', Source: 'hookguard', DetailType: 'email.bounced', Detail: JSON.stringify(dead.detail), Time: new Date(dead.time) },
      ]);
      expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]?.args[0].input).toEqual({
        QueueUrl: 'https://sqs/rule-dlq',
        Entries: [{ Id: '0', ReceiptHandle: 'h1' }],
      });
      expect(io.lines.at(-1)).toBe(
        'Redrove route suppression: 3 message(s) moved back to its queue, 1 event(s) published again from its EventBridge dead-letter queue. Replayed events are published again, by design: consumers see them twice and deduplicate by detail.eventId.',
      );
    });

    it('keeps a dead letter that PutEvents refused', async () => {
      eventBridge.on(ListTargetsByRuleCommand).resolves({
        Targets: [{ Id: 'T', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:f', DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:rule-dlq' } }],
      });
      sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs/rule-dlq' });
      sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ Body: JSON.stringify(envelope('x', 'bounced', '2026-02-01T11:00:00Z')), ReceiptHandle: 'h1' }] });
      eventBridge.on(PutEventsCommand).resolves({ Entries: [{ ErrorCode: 'InternalFailure' }], FailedEntryCount: 1 });
      const io = recordingIo();

      const code = await runCli(['replay', '--dead-letters', 'suppression', ...deployed()], io, { pollMs: 1 });

      expect(code).toBe(1);
      expect(io.errors.at(-1)).toMatch(/1 event\(s\) were refused by PutEvents; they stay in the dead-letter queue/);
      expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    });
  });
});
