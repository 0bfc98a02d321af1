/**
 * The AWS adapter of {@link SnsSubscriptionsPort} over `@aws-sdk/client-sns`, used by the Amazon SNS management
 * client (`lambda/management/amazon-ses.ts`) in the rotation Lambda and the CLI.
 *
 * AWS facts it relies on (Amazon SNS API Reference):
 * - `ListSubscriptionsByTopic` pages with `NextToken` (up to 100 per page); a subscription not confirmed yet is
 *   listed with `SubscriptionArn: "PendingConfirmation"`.
 * - `Subscribe` with `ReturnSubscriptionArn: true` answers the new subscription's ARN even while it is pending.
 * - `GetSubscriptionAttributes` answers `Endpoint`, `PendingConfirmation` ("true"/"false"), `Protocol`...; it is the
 *   only call that returns an HTTPS endpoint with its credentials, and only to permitted principals
 *   (docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html).
 * - `SetSubscriptionAttributes` cannot change an endpoint (docs.aws.amazon.com/sns/latest/api/
 *   API_SetSubscriptionAttributes.html), hence subscribe-new-then-unsubscribe-old.
 */
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { SnsSubscriptionsPort } from '../management/types';

/** Pages read per topic at most: 100 subscriptions a page, so 50 pages is 5,000 subscriptions. */
const MAX_PAGES = 50;

/** {@link SnsSubscriptionsPort} over an `SNSClient` (region and credentials from the Lambda environment). */
export class SnsSubscriptionsAdapter implements SnsSubscriptionsPort {
  constructor(private readonly client: SNSClient) {}

  async listSubscriptions(topicArn: string) {
    const subscriptions: { subscriptionArn: string; protocol: string; endpoint: string }[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const output = await this.client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }));
      for (const subscription of output.Subscriptions ?? []) {
        subscriptions.push({
          subscriptionArn: subscription.SubscriptionArn ?? '',
          protocol: subscription.Protocol ?? '',
          endpoint: subscription.Endpoint ?? '',
        });
      }
      nextToken = output.NextToken;
      if (nextToken === undefined || nextToken === '') break;
    }
    return subscriptions;
  }

  async subscribe(topicArn: string, endpoint: string): Promise<string> {
    const output = await this.client.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: new URL(endpoint).protocol === 'http:' ? 'http' : 'https',
        Endpoint: endpoint,
        ReturnSubscriptionArn: true,
      }),
    );
    if (output.SubscriptionArn === undefined || output.SubscriptionArn === '') {
      throw new Error('Subscribe answered without a SubscriptionArn');
    }
    return output.SubscriptionArn;
  }

  async subscriptionAttributes(subscriptionArn: string): Promise<Readonly<Record<string, string>> | null> {
    try {
      const output = await this.client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }));
      return output.Attributes ?? {};
    } catch (error) {
      if (error instanceof NotFoundException) return null;
      throw error;
    }
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    try {
      await this.client.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
    } catch (error) {
      // Already gone: the goal of a retried retire is reached.
      if (error instanceof NotFoundException) return;
      throw error;
    }
  }
}
