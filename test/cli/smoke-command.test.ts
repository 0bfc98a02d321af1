/**
 * `hookguard smoke` end to end: against the local runtime started in process (local mode), and in deployed mode
 * against aws-sdk-client-mock fakes of CloudFormation, Secrets Manager and SQS, with the local runtime as the fake
 * HTTP endpoint of the "stack" (the SQS fake hands out the canaries the runtime published, as the canary rule would).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { CANARY_SOURCE } from '../../lambda/core/canary';
import { PROVIDER_IDS } from '../../lambda/core/provider-ids';
import { runCli } from '../../src/cli/main';
import type { SmokeResult } from '../../src/cli/smoke-command';
import { type LocalRuntime, startLocalRuntime } from '../../src/local/runtime';
import { readSecretsFile } from '../../src/local/secrets-file';
import { TEST_STAGE, writeTestConfig } from '../local/test-config';
import { recordingIo } from './cli-test-kit';

interface SmokeReport {
  readonly results: SmokeResult[];
  readonly passed: number;
  readonly failed: number;
  readonly notChecked: number;
}

describe('hookguard smoke', () => {
  let dir: string;
  let configPath: string;
  let dataDir: string;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookguard-smoke-'));
    configPath = await writeTestConfig(dir);
    dataDir = join(dir, 'data');
    runtime = await startLocalRuntime({
      configPath,
      stage: TEST_STAGE,
      port: 0,
      dataDir,
      publishing: { sleep: async () => undefined },
    });
  });

  afterAll(async () => {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  const common = () => ['--config', configPath, '--stage', TEST_STAGE, '--data-dir', dataDir];

  async function smoke(...args: string[]): Promise<{ code: number; report: SmokeReport; errors: string[] }> {
    const io = recordingIo();
    const code = await runCli(['smoke', ...args, '--json'], io);
    const last = io.lines.at(-1);
    if (last === undefined) throw new Error(`smoke printed nothing: ${io.errors.join('\n')}`);
    return { code, report: JSON.parse(last) as SmokeReport, errors: io.errors };
  }

  const find = (report: SmokeReport, provider: string, check: string) =>
    report.results.find((result) => result.provider === provider && result.check === check);

  describe('against the local runtime', () => {
    let result: Awaited<ReturnType<typeof smoke>>;

    beforeAll(async () => {
      result = await smoke(...common(), '--port', String(runtime.port));
    }, 60_000);

    it('passes every check, exit code 0', () => {
      expect(result.report.results.filter((entry) => entry.status === 'fail')).toEqual([]);
      expect(result.code).toBe(0);
    });

    it('proves every enabled provider end to end locally, SendGrid, Postal and Amazon SES included', () => {
      for (const provider of PROVIDER_IDS) {
        expect(find(result.report, provider, 'canary')).toMatchObject({ status: 'pass', detail: /exactly once/ });
        expect(find(result.report, provider, 'duplicate')).toMatchObject({ status: 'pass' });
        expect(find(result.report, provider, 'wrong-method')?.status).toBe('pass');
        expect(find(result.report, provider, 'unknown-path')?.status).toBe('pass');
        expect(find(result.report, provider, 'body-limit')?.status).toBe('pass');
      }
      expect(find(result.report, 'mandrill', 'url-check')?.status).toBe('pass');
      expect(find(result.report, 'unisender-go', 'url-check')?.status).toBe('pass');
      expect(find(result.report, 'sendgrid', 'no-credentials')).toMatchObject({
        status: 'pass',
        detail: '401 with WWW-Authenticate: Basic realm="hookguard"',
      });
      expect(find(result.report, 'sendgrid', 'wrong-signature')?.status).toBe('pass');
      expect(find(result.report, 'amazon-ses', 'wrong-signature')?.status).toBe('pass');
    });

    it('says why a check does not apply instead of passing it', () => {
      expect(find(result.report, 'postmark', 'wrong-signature')).toMatchObject({
        status: 'skip',
        detail: expect.stringMatching(/^not checked, because .* does not sign/),
      });
      // resend is configured with auth "signature": no authorizer to probe.
      expect(find(result.report, 'resend', 'no-credentials')).toMatchObject({
        status: 'skip',
        detail: expect.stringMatching(/auth "signature"/),
      });
    });

    it('publishes canaries with Source hookguard.canary only, and no route receives them', async () => {
      const events = (await readFile(join(dataDir, 'events.jsonl'), 'utf8')).trim().split('\n');
      const canaries = events.map((line) => JSON.parse(line)).filter((envelope) => envelope.source === CANARY_SOURCE);
      expect(canaries.length).toBeGreaterThanOrEqual(PROVIDER_IDS.length);
      expect(events.every((line) => JSON.parse(line).source === CANARY_SOURCE)).toBe(true);
      const routes = await readFile(join(dir, 'routes', 'suppression.jsonl'), 'utf8').catch(() => '');
      expect(routes).not.toContain(CANARY_SOURCE);
    });

    it('prints one line per provider and check without --json', async () => {
      const io = recordingIo();
      const code = await runCli(['smoke', ...common(), '--port', String(runtime.port)], io);
      expect(code).toBe(0);
      expect(io.lines[0]).toMatch(/^Smoke test of stage test \(local runtime http:\/\/127\.0\.0\.1:\d+\):$/);
      expect(io.lines).toContainEqual(expect.stringMatching(/^PASS sendgrid +canary +1 event reached the bus exactly once$/));
      expect(io.lines.at(-1)).toMatch(/^\d+ passed, 0 failed, \d+ not checked$/);
    }, 60_000);

    it('fails, exit code 1, when nothing listens', async () => {
      const { code, report } = await smoke(...common(), '--port', '9', '--wait', '0');
      expect(code).toBe(1);
      expect(find(report, 'sendgrid', 'wrong-method')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/is npm start running\?/),
      });
    }, 60_000);
  });

  describe('--deployed, against AWS fakes', () => {
    const cloudFormation = mockClient(CloudFormationClient);
    const secretsManager = mockClient(SecretsManagerClient);
    const sqs = mockClient(SQSClient);
    let handedOut: Set<string>;
    let deleted: number;

    beforeEach(async () => {
      const secrets = await readSecretsFile(join(dataDir, 'secrets.json'));
      const [username, password] = secrets.basicAuth.current.split(':');
      handedOut = new Set();
      deleted = 0;
      cloudFormation.reset();
      secretsManager.reset();
      sqs.reset();
      cloudFormation.on(DescribeStacksCommand, { StackName: `Hookguard-${TEST_STAGE}` }).resolves({
        Stacks: [
          {
            StackName: `Hookguard-${TEST_STAGE}`,
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: Object.entries({
              ApiUrl: `${runtime.url}/`,
              RestApiId: 'abc123',
              StageName: TEST_STAGE,
              CredentialsSecretArn: 'arn:credentials',
              SigningKeysSecretArn: 'arn:signing-keys',
              CanaryQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/210987654321/canaries',
            }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      });
      secretsManager
        .on(GetSecretValueCommand, { SecretId: 'arn:credentials' })
        .resolves({ SecretString: JSON.stringify({ username, password }) });
      secretsManager.on(GetSecretValueCommand, { SecretId: 'arn:signing-keys' }).resolves({
        SecretString: JSON.stringify(
          Object.fromEntries(Object.entries(secrets.providers).map(([id, entry]) => [id, entry.signingKeys])),
        ),
      });
      // The canary rule: every canary the endpoint published, each handed out once.
      sqs.on(ReceiveMessageCommand).callsFake(async () => {
        const lines = (await readFile(join(dataDir, 'events.jsonl'), 'utf8')).trim().split('\n');
        const fresh = lines
          .map((line) => JSON.parse(line) as { id: string; source: string })
          .filter((envelope) => envelope.source === CANARY_SOURCE && !handedOut.has(envelope.id))
          .slice(0, 10);
        for (const envelope of fresh) handedOut.add(envelope.id);
        return { Messages: fresh.map((envelope) => ({ ReceiptHandle: envelope.id, Body: JSON.stringify(envelope) })) };
      });
      sqs.on(DeleteMessageBatchCommand).callsFake(async (input: { Entries: unknown[] }) => {
        deleted += input.Entries.length;
        return { Successful: [], Failed: [] };
      });
    });

    afterAll(() => {
      cloudFormation.restore();
      secretsManager.restore();
      sqs.restore();
    });

    it('checks the stack through its outputs, reads canaries from the queue and deletes them', async () => {
      const { code, report } = await smoke(...common(), '--deployed', '--region', 'eu-west-1', '--wait', '2');
      for (const provider of ['mailgun', 'mailtrap', 'mandrill', 'resend', 'brevo', 'unisender-go']) {
        expect(find(report, provider, 'canary')).toMatchObject({ status: 'pass' });
        expect(find(report, provider, 'duplicate')).toMatchObject({ status: 'pass' });
      }
      expect(deleted).toBe(handedOut.size);
      expect(deleted).toBeGreaterThan(0);
      // The test configuration carries the shipped placeholders: named, and failing the run.
      expect(report.results.filter((result) => result.check === 'placeholder')).toEqual([
        expect.objectContaining({ provider: 'mandrill', status: 'fail', detail: expect.stringMatching(/signedUrl/) }),
        expect.objectContaining({ provider: 'amazon-ses', status: 'fail', detail: expect.stringMatching(/123456789012/) }),
      ]);
      expect(code).toBe(1);
    }, 90_000);

    it('never reports what it cannot sign as passed: SendGrid, Postal, Amazon SES', async () => {
      const { report } = await smoke(...common(), '--deployed', '--region', 'eu-west-1', '--wait', '1');
      expect(find(report, 'sendgrid', 'canary')).toMatchObject({
        status: 'skip',
        detail: expect.stringMatching(/^not checked, because SendGrid signs with a private key only it holds/),
      });
      expect(find(report, 'postal', 'canary')?.status).toBe('skip');
      expect(find(report, 'amazon-ses', 'canary')).toMatchObject({
        status: 'skip',
        detail: expect.stringMatching(/only Amazon SNS can sign/),
      });
      // Their perimeter and a wrong signature are still checked.
      expect(find(report, 'sendgrid', 'wrong-signature')?.status).toBe('pass');
      expect(find(report, 'postal', 'no-credentials')?.status).toBe('pass');
    }, 90_000);

    it('fails the canary when it never arrives on the queue', async () => {
      sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
      const { report } = await smoke(...common(), '--deployed', '--region', 'eu-west-1', '--wait', '0');
      expect(find(report, 'mailgun', 'canary')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/reached the bus 0 times/),
      });
    }, 90_000);
  });
});
