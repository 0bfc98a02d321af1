/**
 * A stateful fake of the Amazon SNS subscription calls, installed on an aws-sdk-client-mock `SNSClient` mock so
 * that tests run the real adapter (`lambda/adapters/sns-subscriptions.ts`). Behaviour from the Amazon SNS API
 * Reference and developer guide:
 * - `Subscribe` (API_Subscribe.html): with `ReturnSubscriptionArn: true` the ARN is returned even while pending;
 *   subscribing the same endpoint with the same protocol to the same topic again returns the existing
 *   subscription's ARN instead of creating another;
 * - `ListSubscriptionsByTopic` (API_ListSubscriptionsByTopic.html): up to 100 per page with `NextToken`; an
 *   unconfirmed subscription is listed as `SubscriptionArn: "PendingConfirmation"`;
 * - HTTPS endpoints with credentials are only fully readable through `GetSubscriptionAttributes`
 *   (sns-http-https-endpoint-as-subscriber.html), so this fake masks the password in list answers;
 * - `GetSubscriptionAttributes` answers `PendingConfirmation` as the string "true" or "false", and
 *   `NotFoundException` for an unknown ARN; `Unsubscribe` removes the subscription.
 * `confirm()` stands for Hookguard's verifier confirming the subscription (SendMessageToHttp.confirm.html).
 */
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type SNSClientResolvedConfig,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { AwsStub } from 'aws-sdk-client-mock';

/** One subscription as the fake stores it. */
export interface FakeSubscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  pending: boolean;
}

/** The fake's state and test hooks. */
export interface SnsFake {
  readonly subscriptions: FakeSubscription[];
  /** Adds a subscription as if it had been made and confirmed (or not) earlier; returns its ARN. */
  seed(topicArn: string, endpoint: string, pending?: boolean): string;
  /** What the verifier's confirmation does: the subscription stops being pending. */
  confirm(arn: string): void;
}

const PAGE = 100;

function masked(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.password !== '') url.password = '****';
  return url.toString();
}

type SnsMock = AwsStub<ServiceInputTypes, ServiceOutputTypes, SNSClientResolvedConfig>;

/** Installs the fake's behaviour on `mock` (call `mock.reset()` in afterEach). */
export function installSnsFake(mock: SnsMock): SnsFake {
  const subscriptions: FakeSubscription[] = [];
  let counter = 0;
  const newArn = (topicArn: string) => `${topicArn}:0000aaaa-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
  const notFound = () => new NotFoundException({ message: 'Subscription does not exist', $metadata: { httpStatusCode: 404 } });

  mock.on(ListSubscriptionsByTopicCommand).callsFake((input: { TopicArn?: string; NextToken?: string }) => {
    const ofTopic = subscriptions.filter((subscription) => subscription.topicArn === input.TopicArn);
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = ofTopic.slice(start, start + PAGE);
    return {
      Subscriptions: page.map((subscription) => ({
        SubscriptionArn: subscription.pending ? 'PendingConfirmation' : subscription.arn,
        Owner: '123456789012',
        Protocol: subscription.protocol,
        Endpoint: masked(subscription.endpoint),
        TopicArn: subscription.topicArn,
      })),
      NextToken: start + PAGE < ofTopic.length ? String(start + PAGE) : undefined,
    };
  });
  mock.on(SubscribeCommand).callsFake((input: { TopicArn?: string; Protocol?: string; Endpoint?: string; ReturnSubscriptionArn?: boolean }) => {
    const existing = subscriptions.find(
      (subscription) =>
        subscription.topicArn === input.TopicArn && subscription.protocol === input.Protocol && subscription.endpoint === input.Endpoint,
    );
    const subscription = existing ?? {
      arn: newArn(input.TopicArn ?? ''),
      topicArn: input.TopicArn ?? '',
      protocol: input.Protocol ?? '',
      endpoint: input.Endpoint ?? '',
      pending: true,
    };
    if (existing === undefined) subscriptions.push(subscription);
    return { SubscriptionArn: subscription.pending && input.ReturnSubscriptionArn !== true ? 'pending confirmation' : subscription.arn };
  });
  mock.on(GetSubscriptionAttributesCommand).callsFake((input: { SubscriptionArn?: string }) => {
    const subscription = subscriptions.find((candidate) => candidate.arn === input.SubscriptionArn);
    if (subscription === undefined) throw notFound();
    return {
      Attributes: {
        SubscriptionArn: subscription.arn,
        TopicArn: subscription.topicArn,
        Protocol: subscription.protocol,
        Endpoint: subscription.endpoint,
        Owner: '123456789012',
        PendingConfirmation: String(subscription.pending),
        ConfirmationWasAuthenticated: String(!subscription.pending),
        RawMessageDelivery: 'false',
      },
    };
  });
  mock.on(UnsubscribeCommand).callsFake((input: { SubscriptionArn?: string }) => {
    const index = subscriptions.findIndex((candidate) => candidate.arn === input.SubscriptionArn);
    if (index < 0) throw notFound();
    subscriptions.splice(index, 1);
    return {};
  });

  return {
    subscriptions,
    seed(topicArn, endpoint, pending = false) {
      const arn = newArn(topicArn);
      subscriptions.push({ arn, topicArn, protocol: new URL(endpoint).protocol.replace(':', ''), endpoint, pending });
      return arn;
    },
    confirm(arn) {
      const subscription = subscriptions.find((candidate) => candidate.arn === arn);
      if (subscription === undefined) throw new Error(`no subscription ${arn}`);
      subscription.pending = false;
    },
  };
}
