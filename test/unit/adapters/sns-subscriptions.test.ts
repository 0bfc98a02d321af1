import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SnsSubscriptionsAdapter } from '../../../lambda/adapters/sns-subscriptions';

const sns = mockClient(SNSClient);
const adapter = () => new SnsSubscriptionsAdapter(new SNSClient({ region: 'eu-west-1' }));
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-events';
const notFound = () => new NotFoundException({ message: 'Subscription does not exist', $metadata: {} });

describe('SnsSubscriptionsAdapter (SDK calls)', () => {
  afterEach(() => {
    sns.reset();
  });

  it('lists every page of a topic with NextToken', async () => {
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: undefined })
      .resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:a`, Protocol: 'https', Endpoint: 'https://a.example.com/' }], NextToken: 'page-2' })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 'page-2' })
      .resolves({ Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'https', Endpoint: 'https://b.example.com/' }] });
    await expect(adapter().listSubscriptions(TOPIC)).resolves.toEqual([
      { subscriptionArn: `${TOPIC}:a`, protocol: 'https', endpoint: 'https://a.example.com/' },
      { subscriptionArn: 'PendingConfirmation', protocol: 'https', endpoint: 'https://b.example.com/' },
    ]);
    expect(sns).toHaveReceivedCommandTimes(ListSubscriptionsByTopicCommand, 2);
  });

  it('subscribes over https asking for the ARN even while pending', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC}:new` });
    await expect(adapter().subscribe(TOPIC, 'https://u:p@hooks.example.com/webhooks/amazon-ses')).resolves.toBe(`${TOPIC}:new`);
    expect(sns).toHaveReceivedCommandWith(SubscribeCommand, {
      TopicArn: TOPIC,
      Protocol: 'https',
      Endpoint: 'https://u:p@hooks.example.com/webhooks/amazon-ses',
      ReturnSubscriptionArn: true,
    });
  });

  it('refuses a Subscribe answer without an ARN', async () => {
    sns.on(SubscribeCommand).resolves({});
    await expect(adapter().subscribe(TOPIC, 'https://hooks.example.com/x')).rejects.toThrow('Subscribe answered without a SubscriptionArn');
  });

  it('reads attributes, and null for a subscription that no longer exists', async () => {
    sns
      .on(GetSubscriptionAttributesCommand, { SubscriptionArn: `${TOPIC}:a` })
      .resolves({ Attributes: { PendingConfirmation: 'false', Endpoint: 'https://a.example.com/' } })
      .on(GetSubscriptionAttributesCommand, { SubscriptionArn: `${TOPIC}:gone` })
      .rejects(notFound());
    await expect(adapter().subscriptionAttributes(`${TOPIC}:a`)).resolves.toEqual({ PendingConfirmation: 'false', Endpoint: 'https://a.example.com/' });
    await expect(adapter().subscriptionAttributes(`${TOPIC}:gone`)).resolves.toBeNull();
  });

  it('unsubscribes, treating an already removed subscription as done and passing other errors on', async () => {
    sns.on(UnsubscribeCommand, { SubscriptionArn: `${TOPIC}:a` }).resolves({});
    sns.on(UnsubscribeCommand, { SubscriptionArn: `${TOPIC}:gone` }).rejects(notFound());
    sns.on(UnsubscribeCommand, { SubscriptionArn: `${TOPIC}:denied` }).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' }));
    await adapter().unsubscribe(`${TOPIC}:a`);
    await adapter().unsubscribe(`${TOPIC}:gone`);
    await expect(adapter().unsubscribe(`${TOPIC}:denied`)).rejects.toMatchObject({ name: 'AuthorizationErrorException' });
  });
});
