/**
 * The rotation's four steps with managed providers (docs/provider-sync.md): setSecret pushes the pending credential
 * to every managed provider, testSecret reads them back and retires superseded webhooks, finishSecret as before.
 * Partial failures, retries after partial success, 429/5xx answers, and the authorizer keeping the pending credential
 * accepted while a rotation is incomplete. Providers are small in-memory clients implementing the management port.
 */
import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgeBus } from '../../../lambda/adapters/eventbridge-bus';
import { ApiGatewayAuthorizerCacheFlusher, SecretsManagerRotationStore } from '../../../lambda/adapters/rotation-aws';
import { SecretsManagerCredentialSource } from '../../../lambda/adapters/secrets-manager-credentials';
import { type HookguardMetrics, noMetrics } from '../../../lambda/core/metrics';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import { createProviderSync, type ManagedProvider, providerWebhookUrl } from '../../../lambda/core/provider-sync';
import {
  CREDENTIALS_SYNC_FAILED_DETAIL_TYPE,
  type CredentialsSyncFailedDetail,
  createCredentialRotation,
  RotationError,
  type RotationSecretStore,
  type RotationStep,
} from '../../../lambda/core/rotation';
import type { Logger } from '../../../lambda/ports';
import { createHandler, parseManagedProviders, providerSyncFactory } from '../../../lambda/rotation/handler';
import { FakeManagedClient } from '../../support/fake-managed-client';
import { CredentialSecretFake, credentialJson } from '../support/credential-secret-fake';

const secretsManager = mockClient(SecretsManagerClient);
const eventBridge = mockClient(EventBridgeClient);
const apiGateway = mockClient(APIGatewayClient);

const NOW = new Date('2026-11-01T12:00:00.000Z');
const OLD = { username: 'hookguard', password: 'OldPassword1234567890abcdefghijklmnopqrs' };
const TOKEN = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
const BASE = 'https://hooks.example.com/prod/';
const url = (provider: ProviderId) => providerWebhookUrl(BASE, provider);

function providers() {
  const sendgrid = new FakeManagedClient('sendgrid', [{ id: 'sg-1', url: url('sendgrid'), credential: OLD }]);
  const mailgun = new FakeManagedClient('mailgun', [
    { id: 'delivered', url: url('mailgun'), credential: OLD },
    { id: 'permanent_fail', url: url('mailgun'), credential: OLD },
  ]);
  const sns = new FakeManagedClient('amazon-ses', [{ id: 'sub-old', url: url('amazon-ses'), credential: OLD }], {
    replaceOnChange: true,
  });
  return { sendgrid, mailgun, sns };
}

function setup(clients: Record<string, FakeManagedClient>, options: { readonly confirmSns?: boolean } = {}) {
  const secret = new CredentialSecretFake(() => NOW).install(secretsManager);
  secret.addVersion('v-old', credentialJson(OLD.username, OLD.password), ['AWSCURRENT']);
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
  apiGateway.on(FlushStageAuthorizersCacheCommand).resolves({});
  const logs: string[] = [];
  const record = (message: string, fields?: Record<string, unknown>) => {
    logs.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  const logger: Logger = { debug: record, info: record, warn: record, error: record };
  const managed: ManagedProvider[] = Object.values(clients).map((client) => ({
    provider: client.provider,
    url: url(client.provider),
    client,
  }));
  // Hookguard's verifier confirms a new SNS subscription while testSecret waits (when the test says so).
  const sleep = async () => {
    if (options.confirmSns !== false) clients.sns?.confirm();
  };
  const syncFailures: string[] = [];
  const rotationFailures: number[] = [];
  const metrics: HookguardMetrics = {
    ...noMetrics,
    rotationFailed: () => void rotationFailures.push(1),
    providerSyncFailed: (provider) => void syncFailures.push(provider),
  };
  const rotation = createCredentialRotation({
    store: new SecretsManagerRotationStore(new SecretsManagerClient({ region: 'eu-west-1' })),
    flusher: new ApiGatewayAuthorizerCacheFlusher({
      client: new APIGatewayClient({ region: 'eu-west-1' }),
      restApiId: 'a1b2c3d4e5',
      stageName: 'prod',
    }),
    bus: new EventBridgeBus({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'default' }),
    stageName: 'prod',
    now: () => NOW,
    logger,
    providerSync: async () => createProviderSync({ providers: managed, sleep, verifyAttempts: 3, logger }),
    syncMetrics: { providerSyncFailed: (provider) => metrics.providerSyncFailed?.(provider) },
  });
  const handler = createHandler({ rotation, logger, metrics });
  const step = (Step: RotationStep) => handler({ Step, SecretId: secret.arn, ClientRequestToken: TOKEN });
  const authorizer = new SecretsManagerCredentialSource({
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    secretId: secret.arn,
    gracePeriodSeconds: 72 * 3600,
    now: () => NOW,
  });
  const accepted = async () => (await authorizer.acceptedCredentials()).map((credential) => credential.password);
  const pending = () => JSON.parse(secret.valueOf(TOKEN) ?? '{}') as { username: string; password: string };
  const events = () =>
    eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
  const syncFailedEvents = () =>
    events()
      .filter((entry) => entry.DetailType === CREDENTIALS_SYNC_FAILED_DETAIL_TYPE)
      .map((entry) => JSON.parse(entry.Detail ?? '{}') as CredentialsSyncFailedDetail);
  secret.startRotation(TOKEN);
  return { secret, step, logs, syncFailures, rotationFailures, accepted, pending, events, syncFailedEvents };
}

afterEach(() => {
  secretsManager.reset();
  eventBridge.reset();
  apiGateway.reset();
});

describe('rotation with managed providers', () => {
  it('updates, verifies and finishes with no manual step; every step is safe to repeat', async () => {
    const clients = providers();
    const { step, pending, secret, events } = setup(clients);

    await step('createSecret');
    await step('setSecret');
    const credential = pending();
    expect(clients.sendgrid.webhooks[0]?.credential).toEqual(credential);
    expect(clients.mailgun.webhooks.map((webhook) => webhook.credential)).toEqual([credential, credential]);
    // SNS cannot change an endpoint: a new subscription, the old one still delivering (superseded) meanwhile.
    expect(clients.sns.webhooks.map((webhook) => [webhook.id, webhook.superseded])).toEqual([
      ['sub-old', true],
      ['wh-100', false],
    ]);

    // A repeated setSecret changes nothing and creates no second subscription.
    await step('setSecret');
    expect(clients.sns.webhooks).toHaveLength(2);
    expect(clients.sendgrid.calls.filter((call) => call === 'apply')).toHaveLength(2);

    await step('testSecret');
    expect(clients.sns.webhooks.map((webhook) => webhook.id)).toEqual(['wh-100']); // the old one retired
    await step('testSecret');
    expect(clients.sns.webhooks.map((webhook) => webhook.id)).toEqual(['wh-100']);

    await step('finishSecret');
    expect(secret.stagesOf(TOKEN)).toContain('AWSCURRENT');
    expect(events().map((entry) => entry.DetailType)).toEqual(['credentials.rotated']);
  });

  it('fails setSecret loudly when a provider cannot be updated, after updating every other provider', async () => {
    const clients = providers();
    clients.mailgun.failAlways('apply', 503);
    const { step, pending, secret, syncFailures, rotationFailures, syncFailedEvents, logs, accepted } = setup(clients);
    await step('createSecret');

    const failed = step('setSecret');
    await expect(failed).rejects.toThrow(RotationError);
    await expect(failed).rejects.toThrow(
      'setSecret: 1 of 3 managed providers failed to apply: mailgun (mailgun: apply answered HTTP 503). ' +
        'AWSCURRENT is unchanged and the pending credential stays accepted; the next attempt retries them',
    );
    const credential = pending();
    expect(clients.sendgrid.webhooks[0]?.credential).toEqual(credential);
    expect(clients.mailgun.webhooks[0]?.credential).toEqual(OLD);

    // Loud: the metric per provider, RotationFailed, and the event on the default bus naming the provider.
    expect(syncFailures).toEqual(['mailgun']);
    expect(rotationFailures).toHaveLength(1);
    expect(syncFailedEvents()).toEqual([
      {
        secretArn: secret.arn,
        versionId: TOKEN,
        stage: 'prod',
        step: 'setSecret',
        operation: 'apply',
        failedAt: NOW.toISOString(),
        failed: [{ provider: 'mailgun', error: 'mailgun: apply answered HTTP 503', status: 503, retryable: true }],
        succeeded: ['sendgrid', 'amazon-ses'],
      },
    ]);

    // Safe: AWSCURRENT unchanged, and the authorizer accepts both the current and the pending credential, so the
    // providers already updated (SendGrid) keep working, and so do the ones still on the old credential.
    expect(secret.stagesOf('v-old')).toEqual(['AWSCURRENT']);
    expect(secret.stagesOf(TOKEN)).toEqual(['AWSPENDING']);
    expect(await accepted()).toEqual(expect.arrayContaining([OLD.password, credential.password]));

    // Nothing secret anywhere the failure is told.
    const told = JSON.stringify([syncFailedEvents(), logs]);
    expect(told).not.toContain(credential.password);
    expect(told).not.toContain(OLD.password);
  });

  it('retries after a partial success: only what is still different changes, then the rotation finishes', async () => {
    const clients = providers();
    clients.mailgun.failAlways('apply', 500);
    const { step, pending, secret, events } = setup(clients);
    await step('createSecret');
    await expect(step('setSecret')).rejects.toThrow('mailgun');
    const credential = pending();

    clients.mailgun.heal();
    const sendgridChangesBefore = clients.sendgrid.webhooks[0]?.credential;
    await step('setSecret'); // Secrets Manager's next attempt: the same version, the same value
    expect(pending()).toEqual(credential);
    expect(clients.sendgrid.webhooks[0]?.credential).toBe(sendgridChangesBefore); // untouched the second time
    expect(clients.mailgun.webhooks.map((webhook) => webhook.credential)).toEqual([credential, credential]);
    expect(clients.sns.webhooks).toHaveLength(2); // still one new subscription

    await step('testSecret');
    await step('finishSecret');
    expect(secret.stagesOf(TOKEN)).toContain('AWSCURRENT');
    expect(events().map((entry) => entry.DetailType)).toEqual(['credentials.sync-failed', 'credentials.rotated']);
  });

  it('treats a provider answering 429 as a retryable failure of the step', async () => {
    const clients = { sendgrid: providers().sendgrid.failNext('apply', 429) };
    const { step, syncFailedEvents, pending } = setup(clients);
    await step('createSecret');
    await expect(step('setSecret')).rejects.toThrow('sendgrid (sendgrid: apply answered HTTP 429)');
    expect(syncFailedEvents()[0]?.failed).toEqual([
      { provider: 'sendgrid', error: 'sendgrid: apply answered HTTP 429', status: 429, retryable: true },
    ]);
    await step('setSecret');
    expect(clients.sendgrid.webhooks[0]?.credential).toEqual(pending());
  });

  it('fails testSecret when a webhook does not carry the pending credential, and never finishes', async () => {
    const clients = providers();
    const { step, syncFailedEvents } = setup(clients);
    await step('createSecret');
    await step('setSecret');
    // Someone edits the webhook at the provider between the two steps.
    const webhook = clients.mailgun.webhooks[1];
    if (webhook) webhook.credential = OLD;

    await expect(step('testSecret')).rejects.toThrow(
      'testSecret: 1 of 3 managed providers failed to verify: mailgun (webhook permanent_fail carries another credential)',
    );
    expect(syncFailedEvents()[0]).toMatchObject({
      step: 'testSecret',
      operation: 'verify',
      failed: [{ provider: 'mailgun', problems: ['webhook permanent_fail carries another credential'], retryable: false }],
    });
    // Nothing was retired while a provider is unverified: the old SNS subscription still delivers.
    expect(clients.sns.webhooks.map((webhook) => webhook.id)).toEqual(['sub-old', 'wh-100']);
  });

  it('keeps the old SNS subscription while the new one is not confirmed', async () => {
    const clients = { sns: providers().sns };
    const { step, syncFailedEvents } = setup(clients, { confirmSns: false });
    await step('createSecret');
    await step('setSecret');
    await expect(step('testSecret')).rejects.toThrow('webhook wh-100 is not active');
    expect(syncFailedEvents()[0]?.failed[0]).toMatchObject({ provider: 'amazon-ses', retryable: true });
    expect(clients.sns.webhooks.map((webhook) => webhook.id)).toEqual(['sub-old', 'wh-100']);
    expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  it('still fails the step when the sync-failed event cannot be published', async () => {
    const clients = { sendgrid: providers().sendgrid.failAlways('apply', 502) };
    const { step, logs } = setup(clients);
    eventBridge.on(PutEventsCommand).rejects(new Error('EventBridge down'));
    await step('createSecret');
    await expect(step('setSecret')).rejects.toThrow('sendgrid: apply answered HTTP 502');
    expect(logs.some((line) => line.startsWith('The credentials.sync-failed event could not be published'))).toBe(true);
  });
});

describe('providerSyncFactory', () => {
  const store = (keys: string | null): RotationSecretStore => ({
    describe: async () => ({ arn: 'x', rotationEnabled: true, versionStages: {} }),
    getValue: async (secretId) => (secretId === 'keys-arn' ? keys : null),
    putPendingValue: async () => {},
    moveCurrent: async () => {},
  });
  const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

  it('is absent when no provider is managed', () => {
    expect(providerSyncFactory({ accounts: {}, store: store(null), logger })).toBeUndefined();
  });

  it('needs the keys secret and the public URL when some provider is managed', () => {
    expect(() => providerSyncFactory({ accounts: { sendgrid: {} }, store: store(null), logger })).toThrow(
      'Managed providers need PROVIDER_API_KEYS_SECRET_ARN and HOOKGUARD_PUBLIC_URL',
    );
  });

  it('reads the keys secret at each step and reports a provider it cannot manage as failed', async () => {
    const factory = providerSyncFactory({
      accounts: { 'standard-webhooks': {} },
      apiKeysSecretArn: 'keys-arn',
      publicUrl: BASE,
      store: store('{}'),
      logger,
    });
    const sync = await factory?.();
    expect(sync?.providers).toEqual(['standard-webhooks']);
    const report = await sync?.apply(OLD);
    expect(report?.results[0]?.error).toBe('standard-webhooks: Hookguard has no management client for this provider');
  });
});

describe('parseManagedProviders', () => {
  it('reads {"<provider>": {...}} and treats absent as none', () => {
    expect(parseManagedProviders('{"sendgrid":{"webhookIds":["1"]}}')).toEqual({ sendgrid: { webhookIds: ['1'] } });
    expect(parseManagedProviders(undefined)).toEqual({});
  });

  it.each(['nope', '[]', '{"sendgird":{}}', '{"sendgrid":1}'])('refuses %s', (text) => {
    expect(() => parseManagedProviders(text)).toThrow('MANAGED_PROVIDERS');
  });
});
