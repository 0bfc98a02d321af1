/**
 * End to end through the real rotation Lambda (`defaultDeps` from its environment, as deployed): the provider-API-keys
 * secret is read, the real SendGrid and Mailgun management modules call their fake APIs (built from the providers'
 * documentation, test/support/fakes/) over HTTP on 127.0.0.1, a Mailgun outage fails setSecret loudly after SendGrid
 * was updated, and the retried rotation finishes with both providers on the new credential.
 */
import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { providerWebhookUrl } from '../../../lambda/core/provider-sync';
import { createHandler, defaultDeps } from '../../../lambda/rotation/handler';
import { type CapturedOutput, captureOutput } from '../../support/capture-output';
import { type MailgunFake, startMailgunFake } from '../../support/fakes/mailgun';
import { type SendGridFake, startSendGridFake } from '../../support/fakes/sendgrid';
import { CredentialSecretFake, credentialJson } from '../support/credential-secret-fake';

const secretsManager = mockClient(SecretsManagerClient);
const eventBridge = mockClient(EventBridgeClient);
const apiGateway = mockClient(APIGatewayClient);

const NOW = new Date('2026-11-01T12:00:00.000Z');
const OLD = { username: 'hookguard', password: 'OldPassword1234567890abcdefghijklmnopqrs' };
const TOKEN = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
const BASE = 'https://hooks.example.com/prod/';
const KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard/prod/provider-api-keys-AbCdEf';
const SENDGRID_KEY = 'SG.fake-sendgrid-api-key-0123456789';
const MAILGUN_KEY = 'key-fake-mailgun-api-key-0123456789';
const DOMAIN = 'mg.example.com';

let sendgrid: SendGridFake;
let mailgun: MailgunFake;
let output: CapturedOutput;

beforeEach(async () => {
  sendgrid = await startSendGridFake(SENDGRID_KEY, [{ url: providerWebhookUrl(BASE, 'sendgrid'), credential: OLD }]);
  mailgun = await startMailgunFake(MAILGUN_KEY, DOMAIN, [{ url: providerWebhookUrl(BASE, 'mailgun'), credential: OLD }]);
  output = captureOutput();
});

afterEach(async () => {
  output.restore();
  await sendgrid.close();
  await mailgun.close();
  secretsManager.reset();
  eventBridge.reset();
  apiGateway.reset();
});

function deploy() {
  const secret = new CredentialSecretFake(() => NOW).install(secretsManager);
  secret.addVersion('v-old', credentialJson(OLD.username, OLD.password), ['AWSCURRENT']);
  secretsManager
    .on(GetSecretValueCommand, { SecretId: KEYS_ARN, VersionStage: 'AWSCURRENT' })
    .resolves({ SecretString: JSON.stringify({ sendgrid: { apiKey: SENDGRID_KEY }, mailgun: { apiKey: MAILGUN_KEY } }) });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  apiGateway.on(FlushStageAuthorizersCacheCommand).resolves({});
  const handler = createHandler(() =>
    defaultDeps({
      REST_API_ID: 'a1b2c3d4e5',
      STAGE_NAME: 'prod',
      AWS_REGION: 'eu-west-1',
      MANAGED_PROVIDERS: JSON.stringify({
        sendgrid: { apiBaseUrl: sendgrid.api.baseUrl },
        mailgun: { apiBaseUrl: mailgun.api.baseUrl, options: { domain: DOMAIN } },
      }),
      PROVIDER_API_KEYS_SECRET_ARN: KEYS_ARN,
      HOOKGUARD_PUBLIC_URL: BASE,
    }),
  );
  secret.startRotation(TOKEN);
  const step = (Step: string) => handler({ Step, SecretId: secret.arn, ClientRequestToken: TOKEN });
  const pending = () => JSON.parse(secret.valueOf(TOKEN) ?? '{}') as { username: string; password: string };
  const carriedBy = (fake: { carried(): Array<{ url: string; credential: unknown }> }) =>
    fake
      .carried()
      .filter((webhook) => webhook.url.includes('hooks.example.com'))
      .map((webhook) => webhook.credential);
  return { secret, step, pending, carriedBy };
}

describe('rotation through the real management modules and their fake APIs', () => {
  it('fails setSecret on a Mailgun outage after updating SendGrid, then finishes on the retry', async () => {
    const { secret, step, pending, carriedBy } = deploy();
    await step('createSecret');
    const credential = pending();
    // Mailgun answers 503 to every attempt of the first setSecret (the client retries 429/5xx a few times itself).
    mailgun.api.failNext({ method: 'PUT', status: 503, times: 3 });

    await expect(step('setSecret')).rejects.toThrow(/setSecret: 1 of 2 managed providers failed to apply: mailgun \(mailgun: .*503/);
    expect(carriedBy(sendgrid)).toEqual([credential]);
    expect(carriedBy(mailgun)).toEqual([OLD, OLD]);
    expect(secret.stagesOf('v-old')).toEqual(['AWSCURRENT']);

    // Loud: the credentials.sync-failed event, ProviderSyncFailed for mailgun and RotationFailed as EMF.
    const [failedEvent] = eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    expect(failedEvent).toMatchObject({ Source: 'hookguard', DetailType: 'credentials.sync-failed', EventBusName: 'default' });
    expect(JSON.parse(failedEvent?.Detail ?? '{}')).toMatchObject({
      step: 'setSecret',
      failed: [{ provider: 'mailgun', status: 503, retryable: true }],
      succeeded: ['sendgrid'],
    });
    const metrics = output.json().filter((line) => line._aws !== undefined);
    expect(metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ProviderSyncFailed: 1, Provider: 'mailgun', Stage: 'prod' }),
        expect.objectContaining({ RotationFailed: 1, Stage: 'prod' }),
      ]),
    );

    // The retry: SendGrid is already right (no second PATCH), Mailgun gets the same pending credential.
    const sendgridPatches = () => sendgrid.api.requests.filter((request) => request.method === 'PATCH').length;
    const patchesBefore = sendgridPatches();
    await step('setSecret');
    expect(sendgridPatches()).toBe(patchesBefore);
    expect(carriedBy(mailgun)).toEqual([credential, credential]);

    await step('testSecret');
    await step('finishSecret');
    expect(secret.stagesOf(TOKEN)).toContain('AWSCURRENT');
    expect(carriedBy(sendgrid)).toEqual([credential]);

    // Never a credential or an API key in what the rotation told anyone.
    const told = JSON.stringify([eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input), output.lines]);
    for (const secretValue of [credential.password, OLD.password, SENDGRID_KEY, MAILGUN_KEY]) {
      expect(told).not.toContain(secretValue);
    }
  });
});
