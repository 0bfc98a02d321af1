import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SnsSubscriptionsAdapter } from '../../../lambda/adapters/sns-subscriptions';
import { amazonSesManagement } from '../../../lambda/management/amazon-ses';
import { urlWithCredential } from '../../../lambda/management/shared';
import { type DesiredWebhook, type ManagedAccount, ManagementError } from '../../../lambda/management/types';
import { installSnsFake, type SnsFake } from '../../support/fakes/amazon-sns';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-events';
const OTHER_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-bounces';
const HOOKGUARD = 'https://hooks.example.com/webhooks/amazon-ses';
const OLD = { username: 'hookguard', password: 'old-sns-password-0123' };
const NEW = { username: 'hookguard', password: 'new-sns-password-4567' };
const desired: DesiredWebhook = { url: HOOKGUARD, credential: NEW };

describe('Amazon SNS management for amazon-ses (subscribe new, unsubscribe old once confirmed)', () => {
  let fake: SnsFake;
  let oldArn: string;
  const client = (account: ManagedAccount = {}, topicArn = TOPIC) =>
    amazonSesManagement.create({
      account: { ...account, options: { topicArn, ...account.options } },
      apiKey: {},
      http: { send: () => Promise.reject(new Error('SNS management makes no HTTP calls')) },
      sns: new SnsSubscriptionsAdapter(new SNSClient({ region: 'eu-west-1' })),
    });

  beforeEach(() => {
    fake = installSnsFake(sns);
    oldArn = fake.seed(TOPIC, urlWithCredential(HOOKGUARD, OLD));
    fake.seed(TOPIC, 'https://audit.example.org/sns');
  });
  afterEach(() => {
    sns.reset();
  });

  it('reads the confirmed subscription with its full endpoint from GetSubscriptionAttributes', async () => {
    expect(await client().read(desired)).toEqual([
      { id: oldArn, displayUrl: 'https://***@hooks.example.com/webhooks/amazon-ses', urlMatches: true, credential: 'other', active: true, superseded: true },
    ]);
  });

  it('plans a Subscribe without calling it', async () => {
    const planned = await client().plan(desired);
    expect(planned).toEqual([
      {
        action: 'create',
        id: 'new',
        summary: `subscribe https://***@hooks.example.com/webhooks/amazon-ses (desired credential) to ${TOPIC}; pending until Hookguard confirms it`,
      },
    ]);
    expect(sns).toHaveReceivedCommandTimes(SubscribeCommand, 0);
  });

  it('walks a rotation: subscribe (pending, inactive), retire waits, confirmation, retire unsubscribes the old one', async () => {
    const applied = await client().apply(desired);
    expect(applied).toHaveLength(1);
    const newArn = applied[0]?.id ?? '';
    expect(newArn).toMatch(/^arn:aws:sns:eu-west-1:123456789012:ses-events:/);
    expect(sns).toHaveReceivedCommandWith(SubscribeCommand, {
      TopicArn: TOPIC,
      Protocol: 'https',
      Endpoint: urlWithCredential(HOOKGUARD, NEW),
      ReturnSubscriptionArn: true,
    });

    // Pending: SNS lists it without ARN, so its credential cannot be read yet.
    expect(await client().read(desired)).toEqual([
      expect.objectContaining({ id: oldArn, active: true, superseded: true }),
      { id: 'PendingConfirmation', displayUrl: 'https://***@hooks.example.com/webhooks/amazon-ses', urlMatches: true, credential: 'unreadable', active: false, superseded: false },
    ]);
    // Nothing is removed before the new subscription is confirmed.
    expect(await client().retire(desired)).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(UnsubscribeCommand, 0);
    // A retried apply while pending gets the same subscription back from SNS.
    expect((await client().apply(desired))[0]?.id).toBe(newArn);
    expect(fake.subscriptions).toHaveLength(3);

    fake.confirm(newArn);
    const confirmed = await client().read(desired);
    expect(confirmed.find((snapshot) => snapshot.id === newArn)).toEqual(
      expect.objectContaining({ credential: 'desired', active: true, superseded: false }),
    );
    expect(await client().plan(desired)).toEqual([]);
    expect(await client().apply(desired)).toEqual([]);

    const retired = await client().retire(desired);
    expect(retired).toEqual([
      { action: 'delete', id: oldArn, summary: `unsubscribe https://***@hooks.example.com/webhooks/amazon-ses from ${TOPIC} (superseded)` },
    ]);
    expect(fake.subscriptions.map((subscription) => subscription.arn)).not.toContain(oldArn);
    expect(fake.subscriptions).toHaveLength(2);
    expect(await client().retire(desired)).toEqual([]);
  });

  it('manages the topicArn option only, leaving other topics alone', async () => {
    const otherOld = fake.seed(OTHER_TOPIC, urlWithCredential(HOOKGUARD, OLD));
    expect((await client({}, OTHER_TOPIC).read(desired)).map((snapshot) => snapshot.id)).toEqual([otherOld]);
    expect((await client({}, OTHER_TOPIC).apply(desired)).map((change) => change.summary)).toEqual([
      expect.stringContaining(`to ${OTHER_TOPIC};`),
    ]);
    expect(fake.subscriptions.filter((subscription) => subscription.topicArn === TOPIC)).toHaveLength(2);
  });

  it('moves a subscription found by matchUrl to Hookguard URL, retiring the old path after confirmation', async () => {
    const oldPath = 'https://hooks.example.com/webhooks/old-token/amazon-ses';
    const oldPathArn = fake.seed(TOPIC, urlWithCredential(oldPath, NEW));
    const account = { matchUrl: oldPath };
    expect((await client(account).read(desired)).find((snapshot) => snapshot.id === oldPathArn)).toEqual(
      expect.objectContaining({ urlMatches: false, credential: 'desired', superseded: true }),
    );
    const [created] = await client(account).apply(desired);
    fake.confirm(created?.id ?? '');
    expect((await client(account).retire(desired)).map((change) => change.id).sort()).toEqual([oldArn, oldPathArn].sort());
  });

  it('fails clearly without a topic, with a bad topic, with webhookIds, or when nothing is subscribed', async () => {
    await expect(client({}, '').read(desired)).rejects.toThrow('amazon-ses: managed.options.topicArn is missing');
    await expect(client({}, 'not-an-arn').read(desired)).rejects.toThrow('amazon-ses: not-an-arn is not an SNS topic ARN');
    expect(() => client({ webhookIds: [oldArn] })).toThrow('use managed.options.topicArn or matchUrl instead of webhookIds');
    await expect(client().read({ ...desired, url: 'https://hooks.example.com/webhooks/elsewhere' })).rejects.toThrow(
      `amazon-ses: no subscription of ${TOPIC} points at https://hooks.example.com/webhooks/elsewhere`,
    );
  });

  it('turns SNS failures into ManagementErrors that name the call, never the endpoint or its credential', async () => {
    sns.on(SubscribeCommand).rejects(
      Object.assign(new Error(`Invalid parameter: Endpoint ${urlWithCredential(HOOKGUARD, NEW)}`), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = (await client().apply(desired).catch((caught: unknown) => caught)) as ManagementError;
    expect(error).toBeInstanceOf(ManagementError);
    expect(error.message).toBe('amazon-ses: Subscribe failed (InvalidParameterException)');
    expect(error.status).toBe(400);
    expect(error.message + String(error.cause)).not.toContain(NEW.password);
  });
});
