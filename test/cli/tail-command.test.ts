import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import type { EventEnvelope } from '../../src/local/local-event-bus';
import { type LocalRuntime, startLocalRuntime } from '../../src/local/runtime';
import { TEST_STAGE } from '../local/test-config';
import { type CliKit, createCliKit, recordingIo } from './cli-test-kit';

function envelope(id: string, detail: Record<string, unknown>, time = '2026-01-31T12:00:00Z'): EventEnvelope {
  return {
    version: '0',
    id,
    'detail-type': `email.${String(detail.eventType)}`,
    source: 'hookguard',
    account: '000000000000',
    time,
    region: 'us-east-1',
    resources: [],
    detail: { provider: 'postmark', eventType: 'delivered', recipient: 'jane.doe@example.com', messageId: `m-${id}`, ...detail },
  };
}

/** Waits until `check` is true (polling), failing after a few seconds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!check()) throw new Error('condition not reached');
}

describe('hookguard tail', () => {
  let kit: CliKit;
  let dataDir: string;
  let eventsPath: string;

  beforeEach(async () => {
    kit = await createCliKit();
    dataDir = join(kit.dir, 'data');
    eventsPath = join(dataDir, 'events.jsonl');
    await mkdir(dataDir, { recursive: true });
  });

  afterEach(async () => {
    await kit.cleanUp();
  });

  const args = () => [...kit.commonArgs, '--data-dir', dataDir];

  it('prints one readable line per event with a masked recipient, filtered by --type and --provider', async () => {
    // Prepare
    const lines = [
      envelope('1', { eventType: 'bounced', provider: 'sendgrid' }),
      envelope('2', { eventType: 'delivered', provider: 'sendgrid' }),
      envelope('3', { eventType: 'bounced', provider: 'postmark', recipient: 'OPS@example.org' }),
      envelope('4', { eventType: 'bounced', provider: 'sendgrid', recipient: null }),
    ];
    await writeFile(eventsPath, `${lines.map((line) => JSON.stringify(line)).join('\n')}\nnot json\n`);
    const io = recordingIo();

    // Act
    const code = await runCli(['tail', '--since', '3650d', '--type', 'email.bounced', '--provider', 'sendgrid', '--limit', '2', ...args()], io);

    // Assess
    expect(code).toBe(0);
    expect(io.lines).toEqual([
      '2026-01-31T12:00:00Z sendgrid          bounced       j***@example.com         m-1',
      '2026-01-31T12:00:00Z sendgrid          bounced       -                        m-4',
    ]);
    expect(io.lines.join('\n')).not.toContain('jane.doe');
  });

  it('filters by --recipient in any case and by --pattern, and prints whole envelopes with --json', async () => {
    // Prepare
    const wanted = envelope('3', { eventType: 'bounced', recipient: 'OPS@example.org', tags: ['welcome'] });
    const lines = [envelope('1', { recipient: 'ops@example.org', tags: [] }), wanted, envelope('5', { tags: ['welcome'] })];
    await writeFile(eventsPath, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const io = recordingIo();

    // Act
    const code = await runCli(
      ['tail', '--since', '3650d', '--recipient', 'ops@EXAMPLE.org', '--pattern', '{"detail":{"tags":["welcome"]}}', '--json', '--limit', '1', ...args()],
      io,
    );

    // Assess
    expect(code).toBe(0);
    expect(io.lines.map((line) => JSON.parse(line))).toEqual([wanted]);
  });

  it('follows events appended after it started, and stops on the signal', async () => {
    // Prepare
    await writeFile(eventsPath, `${JSON.stringify(envelope('old', {}))}\n`);
    const io = recordingIo();
    const stop = new AbortController();

    // Act
    const running = runCli(['tail', ...args()], { ...io, signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await appendFile(eventsPath, `${JSON.stringify(envelope('new', { eventType: 'opened' }))}\n`);
    await until(() => io.lines.length > 0);
    stop.abort();

    // Assess
    expect(await running).toBe(0);
    expect(io.lines).toEqual([expect.stringMatching(/ postmark +opened +j\*\*\*@example\.com +m-new$/)]);
  });

  it('refuses an unknown --type and an invalid --pattern with one line', async () => {
    const first = recordingIo();
    const second = recordingIo();
    expect(await runCli(['tail', '--type', 'exploded', ...args()], first)).toBe(1);
    expect(await runCli(['tail', '--pattern', '{"detail":{"eventType":"bounced"}}', ...args()], second)).toBe(1);
    expect(first.errors).toEqual([expect.stringMatching(/^hookguard tail: Unknown event type "exploded"; valid types: queued, sent/)]);
    expect(second.errors).toEqual([expect.stringMatching(/^hookguard tail: --pattern: \$\.detail\.eventType must be an array/)]);
  });

  describe('over the local runtime', () => {
    let runtime: LocalRuntime;

    beforeEach(async () => {
      runtime = await startLocalRuntime({
        configPath: kit.configPath,
        stage: TEST_STAGE,
        port: 0,
        dataDir,
        secretsPath: kit.secretsPath,
        publishing: { sleep: async () => undefined },
      });
    });

    afterEach(async () => {
      await runtime.close();
    });

    it('shows the event of a request sent to the runtime', async () => {
      // Prepare
      const io = recordingIo();
      const stop = new AbortController();
      const running = runCli(['tail', '--provider', 'postmark', ...args()], { ...io, signal: stop.signal });
      await new Promise((resolve) => setTimeout(resolve, 300));

      // Act
      const sent = await runCli(['send', 'postmark', 'Bounce', ...args(), '--port', String(runtime.port)], recordingIo());
      await until(() => io.lines.length > 0);
      stop.abort();

      // Assess
      expect(sent).toBe(0);
      expect(await running).toBe(0);
      expect(io.lines).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ postmark +bounced +\S+ +\S+$/)]);
    });
  });

  describe('--deployed', () => {
    const cloudFormation = mockClient(CloudFormationClient);
    const eventBridge = mockClient(EventBridgeClient);
    const sqs = mockClient(SQSClient);
    const now = new Date('2026-02-01T00:00:00Z');
    const staleName = `hookguard-test-tail-${(now.getTime() - 25 * 3_600_000).toString(36)}-abcdef`;
    const freshName = `hookguard-test-tail-${(now.getTime() - 3_600_000).toString(36)}-abcdef`;

    beforeEach(() => {
      for (const mock of [cloudFormation, eventBridge, sqs]) mock.reset();
      cloudFormation.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'Hookguard-test',
            CreationTime: now,
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'EventBusName', OutputValue: 'hookguard-test' },
              { OutputKey: 'EventBusArn', OutputValue: 'arn:aws:events:eu-west-1:123456789012:event-bus/hookguard-test' },
            ],
          },
        ],
      });
      eventBridge.on(ListRulesCommand).resolves({ Rules: [{ Name: staleName }, { Name: freshName }] });
      sqs.on(ListQueuesCommand).resolves({ QueueUrls: [`https://sqs.eu-west-1.amazonaws.com/123456789012/${staleName}`] });
      sqs.on(CreateQueueCommand).resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/tmp' });
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:tmp' } });
      sqs
        .on(ReceiveMessageCommand)
        .resolvesOnce({
          Messages: [
            { Body: JSON.stringify(envelope('a', { eventType: 'bounced' })), ReceiptHandle: 'r1' },
            { Body: JSON.stringify(envelope('b', { eventType: 'bounced' })), ReceiptHandle: 'r2' },
          ],
        })
        .resolves({ Messages: [] });
    });

    afterAll(() => {
      for (const mock of [cloudFormation, eventBridge, sqs]) mock.restore();
    });

    it('follows the bus through a temporary rule and queue, and deletes both when it stops', async () => {
      // Prepare
      const io = recordingIo();

      // Act
      const code = await runCli(
        ['tail', '--deployed', '--region', 'eu-west-1', '--type', 'bounced', '--limit', '2', ...kit.commonArgs],
        io,
        { now: () => now },
      );

      // Assess: the rule's pattern carries the filter, the queue policy admits only that rule.
      expect(code).toBe(0);
      expect(io.errors[0]).toBe('Deleted 1 rule(s) and 1 queue(s) left behind by an earlier tail');
      expect(io.lines).toEqual([expect.stringContaining('m-a'), expect.stringContaining('m-b')]);
      const rule = eventBridge.commandCalls(PutRuleCommand)[0]?.args[0].input;
      expect(rule?.EventBusName).toBe('hookguard-test');
      expect(JSON.parse(rule?.EventPattern as string)).toEqual({ source: ['hookguard'], detail: { eventType: ['bounced'] } });
      const created = sqs.commandCalls(CreateQueueCommand)[0]?.args[0].input;
      expect(created?.QueueName).toBe(rule?.Name);
      const policy = JSON.parse(created?.Attributes?.Policy as string);
      expect(policy.Statement[0].Condition).toEqual({
        ArnEquals: { 'aws:SourceArn': `arn:aws:events:eu-west-1:123456789012:rule/hookguard-test/${rule?.Name}` },
      });
      expect(eventBridge.commandCalls(PutTargetsCommand)[0]?.args[0].input.Targets).toEqual([
        { Id: 'tail', Arn: 'arn:aws:sqs:eu-west-1:123456789012:tmp' },
      ]);
      expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
        { Id: '0', ReceiptHandle: 'r1' },
        { Id: '1', ReceiptHandle: 'r2' },
      ]);
      // Cleanup: its own rule and queue, and the stale leftovers (not the fresh one of another running tail).
      expect(eventBridge.commandCalls(DeleteRuleCommand).map((call) => call.args[0].input.Name)).toEqual([staleName, rule?.Name]);
      expect(eventBridge.commandCalls(RemoveTargetsCommand)).toHaveLength(2);
      expect(sqs.commandCalls(DeleteQueueCommand).map((call) => call.args[0].input.QueueUrl)).toEqual([
        `https://sqs.eu-west-1.amazonaws.com/123456789012/${staleName}`,
        'https://sqs.eu-west-1.amazonaws.com/123456789012/tmp',
      ]);
      expect(io.errors.at(-1)).toMatch(/^Deleted temporary rule and queue hookguard-test-tail-/);
    });

    it('deletes the rule and queue when Ctrl-C interrupts a long poll', async () => {
      // Prepare: the poll waits until aborted, as a real 20 s long poll would.
      sqs.on(ReceiveMessageCommand).callsFake(
        (_input, getClient) =>
          new Promise((_resolve, reject) => {
            void getClient;
            setTimeout(() => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), 200);
          }),
      );
      const io = recordingIo();
      const stop = new AbortController();

      // Act
      const running = runCli(['tail', '--deployed', '--region', 'eu-west-1', ...kit.commonArgs], { ...io, signal: stop.signal }, { now: () => now });
      await until(() => sqs.commandCalls(ReceiveMessageCommand).length > 0);
      stop.abort();

      // Assess
      expect(await running).toBe(0);
      expect(eventBridge.commandCalls(DeleteRuleCommand)).toHaveLength(2);
      expect(sqs.commandCalls(DeleteQueueCommand)).toHaveLength(2);
    });
  });
});
