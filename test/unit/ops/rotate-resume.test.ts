/**
 * `hookguard rotate --deployed --resume` (`rotateCredentials({ resumePending })`): a failed rotation is finished by
 * running its four steps again through the rotation function, for the same pending version, never by starting a new
 * one or dropping the pending credential that managed providers may already carry (docs/provider-sync.md).
 */
import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHandler, defaultDeps } from '../../../lambda/rotation/handler';
import { rotateCredentials } from '../../../lib/ops/rotate-credentials';
import { CredentialSecretFake, credentialJson } from '../support/credential-secret-fake';

const secretsManager = mockClient(SecretsManagerClient);
const apiGateway = mockClient(APIGatewayClient);
const eventBridge = mockClient(EventBridgeClient);
const lambda = mockClient(LambdaClient);

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:hookguard-prod-rotation';
const NOW = new Date('2026-11-01T12:00:00Z');

function setup() {
  const secret = new CredentialSecretFake(() => NOW).install(secretsManager);
  secret.rotationLambdaArn = FUNCTION_ARN;
  secret.addVersion('v-old', credentialJson('hookguard', 'OldPassword1234567890abcdefghijklmnopqrs'), ['AWSCURRENT']);
  apiGateway.on(FlushStageAuthorizersCacheCommand).resolves({});
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  const rotationFunction = createHandler(() =>
    defaultDeps({ REST_API_ID: 'a1b2c3d4e5', STAGE_NAME: 'prod', AWS_REGION: 'eu-west-1' }),
  );
  const steps: string[] = [];
  let failStep: string | undefined;
  // The Lambda service: runs the real rotation handler and reports a thrown error as Lambda does.
  lambda.on(InvokeCommand).callsFake(async (input: { FunctionName?: string; Payload?: Uint8Array }) => {
    expect(input.FunctionName).toBe(FUNCTION_ARN);
    const event = JSON.parse(Buffer.from(input.Payload ?? new Uint8Array()).toString('utf8')) as { Step: string };
    steps.push(event.Step);
    try {
      if (event.Step === failStep) throw new Error('setSecret: 1 of 2 managed providers failed to apply: mailgun');
      await rotationFunction(event);
      return { StatusCode: 200, Payload: Buffer.from('null') };
    } catch (error) {
      const body = { errorType: 'RotationError', errorMessage: (error as Error).message };
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify(body)) };
    }
  });
  const base = {
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    apiGateway: new APIGatewayClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
    secretId: secret.arn,
    restApiId: 'a1b2c3d4e5',
    stageName: 'prod',
    pollIntervalSeconds: 0,
  };
  return { secret, base, steps, rotationFunction, failWith: (step: string | undefined) => (failStep = step) };
}

afterEach(() => {
  secretsManager.reset();
  apiGateway.reset();
  eventBridge.reset();
  lambda.reset();
});

describe('rotateCredentials resuming a failed rotation', () => {
  it('finishes the pending version with its own value, without starting a new rotation', async () => {
    const { secret, base, steps, rotationFunction } = setup();
    // A rotation whose createSecret ran, then failed at setSecret (a provider answered 503).
    secret.startRotation('v-stuck');
    await rotationFunction({ Step: 'createSecret', SecretId: secret.arn, ClientRequestToken: 'v-stuck' });
    const pendingValue = secret.valueOf('v-stuck');

    const report = await rotateCredentials({ ...base, resumePending: true });

    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(report).toMatchObject({ versionId: 'v-stuck', previousVersionId: 'v-old' });
    expect(secret.stagesOf('v-stuck')).toContain('AWSCURRENT');
    expect(secret.valueOf('v-stuck')).toBe(pendingValue); // the credential providers may carry
    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
    expect(apiGateway).toHaveReceivedCommand(FlushStageAuthorizersCacheCommand);
  });

  it("stops at the step that fails again, with the function's message, leaving the pending version in place", async () => {
    const { secret, base, steps, failWith } = setup();
    secret.startRotation('v-stuck');
    failWith('setSecret');

    await expect(rotateCredentials({ ...base, resumePending: true })).rejects.toThrow(
      "The rotation's setSecret failed again: setSecret: 1 of 2 managed providers failed to apply: mailgun",
    );
    expect(steps).toEqual(['createSecret', 'setSecret']);
    expect(secret.stagesOf('v-stuck')).toEqual(['AWSPENDING']);
    expect(secret.stagesOf('v-old')).toEqual(['AWSCURRENT']);
  });

  it('without resumePending refuses and warns against dropping the pending credential', async () => {
    const { secret, base, steps } = setup();
    secret.startRotation('v-stuck');
    await expect(rotateCredentials(base)).rejects.toThrow(
      /version v-stuck is labelled AWSPENDING.*resume it \(--resume\).*only after putting every provider back/,
    );
    expect(steps).toEqual([]);
  });
});
