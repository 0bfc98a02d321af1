/**
 * Amazon SES events arrive through Amazon SNS, and an SNS subscription's endpoint cannot change
 * (`SetSubscriptionAttributes` has no endpoint attribute [SN2]). So `apply` subscribes Hookguard's URL with the
 * new credential as user info (SNS sends Basic credentials from the URL [SN1]) and returns at once: the
 * subscription stays pending until SNS posts its `SubscriptionConfirmation` and Hookguard's verifier confirms it
 * [SN3] (the authorizer accepts the pending credential). `read` shows it as `active: false` meanwhile. `retire`
 * unsubscribes the old subscriptions of a topic only once a subscription carrying the desired credential is
 * confirmed there. During the overlap both subscriptions deliver every message; the verifier's dedupe ledger
 * publishes each once.
 *
 * Calls go through {@link SnsSubscriptionsPort} (AWS adapter: `lambda/adapters/sns-subscriptions.ts`); no API
 * key: the caller's IAM role needs `sns:Subscribe`, `sns:Unsubscribe`, `sns:ListSubscriptionsByTopic` and
 * `sns:GetSubscriptionAttributes` on the managed topics.
 */
import type { ProviderId } from '../core/provider-ids';
import { credentialInUrl, displayUrl, matchCredential, sameTarget, urlWithCredential } from './shared';
import {
  type DesiredWebhook,
  type ManagedAccount,
  ManagementError,
  type ManagementModule,
  type SnsSubscriptionsPort,
  type WebhookChange,
  type WebhookSnapshot,
} from './types';

const PROVIDER: ProviderId = 'amazon-ses';
/** How ListSubscriptionsByTopic names a subscription that is not confirmed yet. */
const PENDING = 'PendingConfirmation';

interface Subscription {
  readonly topicArn: string;
  /** The ARN, or null while SNS lists it as `PendingConfirmation`. */
  readonly arn: string | null;
  readonly endpoint: string;
  readonly confirmed: boolean;
  /** False when the endpoint with its credentials could not be read (a pending subscription without ARN). */
  readonly readable: boolean;
}

/** Runs an SNS call, turning any failure into a {@link ManagementError} that names only the error type. */
async function snsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // SDK messages can quote the request, endpoint credentials included: keep the error's name only.
    const name = error instanceof Error ? error.name : 'Error';
    const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
    throw new ManagementError(PROVIDER, `${operation} failed (${name})`, status);
  }
}

/**
 * The managed topic. The configuration fills `options.topicArn` in when `snsTopicArns` lists one topic, and requires
 * it when it lists several (lambda/core/managed-accounts.ts), so a client always manages exactly one topic.
 */
function topicsOf(account: ManagedAccount): readonly string[] {
  const topic = account.options?.topicArn?.trim();
  if (topic === undefined || topic === '') {
    throw new ManagementError(PROVIDER, 'managed.options.topicArn is missing: name one of providers.amazon-ses.snsTopicArns');
  }
  if (!/^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(topic)) {
    throw new ManagementError(PROVIDER, `${topic} is not an SNS topic ARN`);
  }
  return [topic];
}

/** The Amazon SNS management module of the `amazon-ses` provider. */
export const amazonSesManagement: ManagementModule = {
  provider: PROVIDER,
  placement: 'url-userinfo',
  keyFields: [],
  keyScope:
    'no API key: the rotation role gets sns:Subscribe, sns:Unsubscribe, sns:ListSubscriptionsByTopic and sns:GetSubscriptionAttributes on the managed topics only',
  options: {
    topicArn:
      'the SNS topic (one of providers.amazon-ses.snsTopicArns) whose HTTPS subscription to Hookguard is managed; default: the only topic of snsTopicArns, to be named when it lists several',
  },
  sources: [
    'https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html',
    'https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html',
    'https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.prepare.html',
    'https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html',
  ],
  create({ account, sns }) {
    if (sns === undefined) throw new ManagementError(PROVIDER, 'the SNS client is missing (SnsSubscriptionsPort)');
    if (account.webhookIds !== undefined && account.webhookIds.length > 0) {
      // A new subscription gets a new ARN at every rotation, so ARNs cannot be configured; topics and URLs can.
      throw new ManagementError(PROVIDER, 'subscriptions are found by topic and URL: use managed.options.topicArn or matchUrl instead of webhookIds');
    }
    const port: SnsSubscriptionsPort = sns;
    const topics = () => topicsOf(account);

    const managedIn = async (topicArn: string, desired: DesiredWebhook): Promise<Subscription[]> => {
      const listed = await snsCall('ListSubscriptionsByTopic', () => port.listSubscriptions(topicArn));
      const found: Subscription[] = [];
      for (const entry of listed) {
        if (entry.protocol !== 'https' && entry.protocol !== 'http') continue;
        const ours =
          sameTarget(entry.endpoint, desired.url) ||
          (account.matchUrl !== undefined && sameTarget(entry.endpoint, account.matchUrl));
        if (!ours) continue;
        if (entry.subscriptionArn === PENDING || !entry.subscriptionArn.startsWith('arn:')) {
          found.push({ topicArn, arn: null, endpoint: entry.endpoint, confirmed: false, readable: false });
          continue;
        }
        const attributes = await snsCall('GetSubscriptionAttributes', () => port.subscriptionAttributes(entry.subscriptionArn));
        if (attributes === null) continue; // Unsubscribed between the two calls.
        found.push({
          topicArn,
          arn: entry.subscriptionArn,
          endpoint: attributes.Endpoint ?? entry.endpoint,
          confirmed: attributes.PendingConfirmation !== 'true',
          readable: attributes.Endpoint !== undefined,
        });
      }
      return found;
    };

    const all = async (desired: DesiredWebhook) => {
      const byTopic = new Map<string, Subscription[]>();
      for (const topic of topics()) byTopic.set(topic, await managedIn(topic, desired));
      if ([...byTopic.values()].every((subscriptions) => subscriptions.length === 0)) {
        throw new ManagementError(
          PROVIDER,
          `no subscription of ${[...byTopic.keys()].join(', ')} points at ${displayUrl(account.matchUrl ?? desired.url)}: subscribe it once, or set matchUrl`,
        );
      }
      return byTopic;
    };

    const carriesDesired = (subscription: Subscription, desired: DesiredWebhook) =>
      subscription.readable &&
      sameTarget(subscription.endpoint, desired.url) &&
      matchCredential(credentialInUrl(subscription.endpoint), desired.credential) === 'desired';
    const confirmedDesired = (subscriptions: readonly Subscription[], desired: DesiredWebhook) =>
      subscriptions.some((subscription) => subscription.confirmed && carriesDesired(subscription, desired));

    const snapshot = (subscription: Subscription, desired: DesiredWebhook): WebhookSnapshot => ({
      id: subscription.arn ?? PENDING,
      displayUrl: displayUrl(subscription.endpoint),
      urlMatches: sameTarget(subscription.endpoint, desired.url),
      credential: subscription.readable ? matchCredential(credentialInUrl(subscription.endpoint), desired.credential) : 'unreadable',
      active: subscription.confirmed,
      superseded: subscription.arn !== null && !carriesDesired(subscription, desired),
    });

    const subscribeChange = (topicArn: string, endpoint: string, id: string): WebhookChange => ({
      action: 'create',
      id,
      summary: `subscribe ${displayUrl(endpoint)} (desired credential) to ${topicArn}; pending until Hookguard confirms it`,
    });

    return {
      provider: PROVIDER,
      async read(desired) {
        return [...(await all(desired)).values()].flat().map((subscription) => snapshot(subscription, desired));
      },
      async plan(desired) {
        const endpoint = urlWithCredential(desired.url, desired.credential);
        return [...(await all(desired)).entries()]
          .filter(([, subscriptions]) => !confirmedDesired(subscriptions, desired))
          .map(([topicArn]) => subscribeChange(topicArn, endpoint, 'new'));
      },
      async apply(desired) {
        const endpoint = urlWithCredential(desired.url, desired.credential);
        const changes: WebhookChange[] = [];
        for (const [topicArn, subscriptions] of await all(desired)) {
          if (confirmedDesired(subscriptions, desired)) continue;
          // Subscribe is idempotent for the same topic, protocol and endpoint: SNS answers the existing
          // subscription's ARN, so a retried apply (or one while the first is pending) adds no second subscription.
          const arn = await snsCall('Subscribe', () => port.subscribe(topicArn, endpoint));
          changes.push(subscribeChange(topicArn, endpoint, arn));
        }
        return changes;
      },
      async retire(desired) {
        const changes: WebhookChange[] = [];
        for (const [topicArn, subscriptions] of await all(desired)) {
          if (!confirmedDesired(subscriptions, desired)) continue;
          for (const subscription of subscriptions) {
            if (subscription.arn === null || carriesDesired(subscription, desired)) continue;
            const arn = subscription.arn;
            await snsCall('Unsubscribe', () => port.unsubscribe(arn));
            changes.push({ action: 'delete', id: arn, summary: `unsubscribe ${displayUrl(subscription.endpoint)} from ${topicArn} (superseded)` });
          }
        }
        return changes;
      },
    };
  },
};
