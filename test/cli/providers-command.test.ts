/**
 * `hookguard providers sync` against a deployed stage made of SDK fakes (CloudFormation outputs, the credential and
 * provider-API-keys secrets) and provider accounts: SendGrid's real management client against its documented fake
 * API server, and a scripted in-memory account for failures.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { ProviderId } from '../../lambda/core/provider-ids';
import { MANAGEMENT_MODULES } from '../../lambda/management';
import type { ManagementModule } from '../../lambda/management/types';
import { runCli } from '../../src/cli/main';
import { type SendGridFake, startSendGridFake } from '../support/fakes/sendgrid';
import { type CliKit, createCliKit, recordingIo } from './cli-test-kit';
import { FakeManagedAccount } from './fake-management';

const cloudFormation = mockClient(CloudFormationClient);
const secretsManager = mockClient(SecretsManagerClient);

const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/test/';
const CREDENTIALS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard/test/basic-credentials-AbCdEf';
const KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard/test/provider-api-keys-GhIjKl';
const CURRENT = { username: 'hookguard', password: 'Current-Passw0rd-Dec' };
const OLD = { username: 'hookguard', password: 'Old-Passw0rd-Nov-0001' };
const SENDGRID_KEY = 'SG.test-api-key-0123456789abcdef';
const BREVO_KEY = 'xkeysib-test-api-key-0123456789';

describe('hookguard providers sync', () => {
  let kit: CliKit;
  let sendgrid: SendGridFake;
  let brevo: FakeManagedAccount;
  let modules: Map<ProviderId, ManagementModule>;

  /** A stage where SendGrid (real client, fake API) and Brevo (scripted account) are managed. */
  async function writeManagedConfig(): Promise<string> {
    const path = join(kit.dir, 'managed.config.json');
    await writeFile(
      path,
      JSON.stringify({
        stages: {
          test: {
            env: { region: 'eu-west-1' },
            providers: {
              sendgrid: { managed: { apiBaseUrl: sendgrid.api.baseUrl } },
              brevo: { managed: {} },
              postal: {},
              resend: { auth: 'signature' },
            },
          },
        },
      }),
    );
    return path;
  }

  function fakeStage(options: { pending?: boolean; keys?: Record<string, unknown> } = {}) {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Hookguard-test' }).resolves({
      Stacks: [
        {
          StackName: 'Hookguard-test',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'ApiUrl', OutputValue: API_URL },
            { OutputKey: 'RestApiId', OutputValue: 'abc123' },
            { OutputKey: 'StageName', OutputValue: 'test' },
            { OutputKey: 'CredentialsSecretArn', OutputValue: CREDENTIALS_ARN },
            { OutputKey: 'ProviderApiKeysSecretArn', OutputValue: KEYS_ARN },
          ],
        },
      ],
    });
    secretsManager
      .on(GetSecretValueCommand, { SecretId: CREDENTIALS_ARN, VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: JSON.stringify(CURRENT) });
    secretsManager
      .on(GetSecretValueCommand, { SecretId: KEYS_ARN, VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: JSON.stringify(options.keys ?? { sendgrid: { apiKey: SENDGRID_KEY }, brevo: { apiKey: BREVO_KEY } }) });
    secretsManager.on(DescribeSecretCommand, { SecretId: CREDENTIALS_ARN }).resolves({
      VersionIdsToStages: options.pending
        ? { v2: ['AWSCURRENT'], v3: ['AWSPENDING'], v1: ['AWSPREVIOUS'] }
        : { v2: ['AWSCURRENT'], v1: ['AWSPREVIOUS'] },
    });
  }

  beforeEach(async () => {
    cloudFormation.reset();
    secretsManager.reset();
    kit = await createCliKit();
    sendgrid = await startSendGridFake(SENDGRID_KEY, [{ url: `${API_URL}webhooks/sendgrid`, credential: OLD }]);
    brevo = new FakeManagedAccount('brevo');
    brevo.webhooks.push({ id: '4402', url: `https://${OLD.username}:${OLD.password}@abc123.execute-api.eu-west-1.amazonaws.com/test/webhooks/brevo` });
    modules = new Map([...MANAGEMENT_MODULES, ['brevo', brevo.module('bearer')]]);
  });

  afterEach(async () => {
    await sendgrid.close();
    await kit.cleanUp();
  });

  async function sync(...args: string[]) {
    const config = await writeManagedConfig();
    const io = recordingIo();
    const code = await runCli(['providers', 'sync', '--deployed', '--config', config, '--stage', 'test', ...args], io, {
      managementModules: modules,
    });
    return { code, io, text: [...io.lines, ...io.errors].join('\n') };
  }

  const sendgridCredential = () => sendgrid.carried().find((webhook) => webhook.id === 'hookguard-1')?.credential;

  it('explains that only deployed stages have provider accounts', async () => {
    const io = recordingIo();
    const code = await runCli(['providers', 'sync', ...kit.commonArgs], io);
    expect(code).toBe(1);
    expect(io.errors[0]).toMatch(/providers sync acts on deployed stages only: provider accounts point at a deployed stage's URL/);
  });

  it('says there is nothing to sync when no provider is managed, and where to look instead', async () => {
    const io = recordingIo();
    const code = await runCli(['providers', 'sync', '--deployed', '--region', 'eu-west-1', ...kit.commonArgs], io);
    expect(code).toBe(0);
    expect(io.lines).toEqual([
      'No provider of stage test is managed (providers.<id>.managed): nothing to sync. npx hookguard urls --deployed --changed prints what to paste by hand.',
    ]);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('--dry-run prints the difference per provider and changes nothing', async () => {
    fakeStage();
    const { code, text } = await sync('--dry-run');

    expect(code).toBe(0);
    expect(text).toContain('Dry run: what would change at 2 managed providers of Hookguard-test');
    expect(text).toMatch(/brevo +would update 4402: URL user info: other credential -> desired credential/);
    expect(text).toMatch(/sendgrid +would update hookguard-1: /);
    expect(sendgrid.api.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(sendgridCredential()).toEqual(OLD);
    expect(brevo.applied).toEqual([]);
  });

  it('updates every managed provider to the current credential, reads it back, and a second run changes nothing', async () => {
    fakeStage();
    const first = await sync();

    expect(first.code).toBe(0);
    expect(first.text).toMatch(/apply:\n(.*\n)*? {2}brevo +changed update 4402/);
    expect(first.text).toMatch(/verify:\n(.*\n)*? {2}sendgrid +ok: 1 webhook points at Hookguard with the credential/);
    expect(first.text).toContain('Every managed provider carries the current credential of stage test.');
    expect(sendgridCredential()).toEqual(CURRENT);
    expect(brevo.webhooks[0]?.url).toContain(encodeURIComponent(CURRENT.password));
    // The keys came from the provider-API-keys secret, by provider.
    expect(sendgrid.api.requests.every((request) => request.headers.authorization === `Bearer ${SENDGRID_KEY}`)).toBe(true);
    expect(brevo.apiKeys).toEqual([{ apiKey: BREVO_KEY }]);

    const patches = sendgrid.api.requests.filter((request) => request.method === 'PATCH').length;
    const second = await sync();
    expect(second.code).toBe(0);
    expect(second.text).toMatch(/apply:\n(.*\n)*? {2}brevo +up to date\n {2}sendgrid +up to date/);
    expect(sendgrid.api.requests.filter((request) => request.method === 'PATCH')).toHaveLength(patches);
  });

  it('updates the providers that answer, reports the one that fails with its status, and exits 1', async () => {
    fakeStage();
    brevo.failStatus = 503;

    const { code, text, io } = await sync();

    expect(code).toBe(1);
    expect(sendgridCredential()).toEqual(CURRENT);
    expect(text).toMatch(/brevo +FAILED: brevo: update webhook answered HTTP 503 \(temporary: retry later\)/);
    expect(text).toContain('Not synced: brevo. Fix what the lines above say, then run this again.');
    // Nothing secret is printed: no credential, no API key.
    for (const secret of [CURRENT.password, OLD.password, SENDGRID_KEY, BREVO_KEY]) {
      expect([...io.lines, ...io.errors].join('\n')).not.toContain(secret);
    }
  });

  it('reports a provider whose API key is missing from the secret, naming the field, and still syncs the others', async () => {
    fakeStage({ keys: { sendgrid: { apiKey: SENDGRID_KEY } } });
    const { code, text } = await sync('--provider', 'brevo', '--provider', 'sendgrid');
    expect(code).toBe(1);
    expect(text).toMatch(/brevo +FAILED: brevo: the provider-API-keys secret has no "apiKey" for it/);
    expect(sendgridCredential()).toEqual(CURRENT);
  });

  it('syncs only the providers named with --provider, and refuses one that is not managed', async () => {
    fakeStage();
    const only = await sync('--provider', 'brevo');
    expect(only.code).toBe(0);
    expect(sendgridCredential()).toEqual(OLD);
    const refused = await sync('--provider', 'postal');
    expect(refused.code).toBe(1);
    expect(refused.text).toContain('Provider postal is not managed in stage test (managed: brevo, sendgrid)');
  });

  it('warns when a rotation is incomplete and syncs the current credential, which the authorizer accepts', async () => {
    fakeStage({ pending: true });
    const { code, io } = await sync('--provider', 'sendgrid');
    expect(code).toBe(0);
    expect(io.errors.join('\n')).toContain('A rotation is incomplete (AWSPENDING is not AWSCURRENT)');
    expect(sendgridCredential()).toEqual(CURRENT);
  });

  it('prints one JSON document per step with --json', async () => {
    fakeStage();
    const { code, io } = await sync('--json');
    expect(code).toBe(0);
    const steps = io.lines.map((line) => JSON.parse(line) as { operation: string; ok: boolean; results: unknown[] });
    expect(steps.map((step) => [step.operation, step.ok, step.results.length])).toEqual([
      ['apply', true, 2],
      ['verify', true, 2],
      ['retire', true, 2],
    ]);
  });
});
