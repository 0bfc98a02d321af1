/**
 * Proof (issue 12 §1): during an Amazon SNS overlap, both subscriptions deliver the same messages and the dedupe
 * ledger publishes each event once.
 *
 * Amazon SNS cannot change a subscription's endpoint (`SetSubscriptionAttributes` has no endpoint attribute, SN2 in
 * provider-apis.md), so a rotation subscribes the new URL (new credential as user info, SN1), lets Hookguard's
 * verifier confirm it (GET of the signed SubscribeURL, SN3), and unsubscribes the old URL only after that. Until
 * then SNS sends every message to both subscriptions: the same signed Notification (same MessageId, Signature,
 * Timestamp), differing only in the unsigned UnsubscribeURL and the x-amz-sns-subscription-arn header. SNS retries
 * 5xx answers and timeouts and does not retry 4xx (SN6, SN7).
 *
 * The topic below is a test model of that delivery behaviour; the request path under it is the deployed one:
 * authorizer credentials from Secrets Manager (aws-sdk-client-mock), the real Amazon SES module verifying real RSA
 * signatures (the simulator's test certificate), and the real DynamoDB ledger on dynalite.
 */
import { createHash, sign } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { HttpsGetter } from '../../../lambda/ports';
import { snsStringToSign } from '../../../lambda/providers/amazon-ses';
import {
  SES_SIMULATOR_CERT_PEM,
  SES_SIMULATOR_CERT_URL,
  SES_SIMULATOR_PRIVATE_KEY_PEM,
  SES_SIMULATOR_TOPIC_ARN,
} from '../../../src/simulate/amazon-ses-test-keys';
import { startTestDynamoDb, type TestDynamoDb } from '../../fixtures/verifier/dynalite';
import { FakeCertificates } from '../../fixtures/verifier/fakes';
import {
  credentialOfUrl,
  type Delivery,
  NEW_CREDENTIAL,
  OLD_CREDENTIAL,
  type OverlapWorld,
  overlapWorld,
  urlWithCredential,
} from './overlap-world';

const secretsManager = mockClient(SecretsManagerClient);
const START = new Date('2026-12-01T10:00:00.000Z');
const TOPIC = SES_SIMULATOR_TOPIC_ARN;
const WEBHOOK_URL = 'https://hooks.example.com/webhooks/amazon-ses';
/** SNS's default HTTP/S delivery policy: 3 retries after the first attempt (SN7). */
const SNS_RETRIES = 3;

interface Subscription {
  readonly arn: string;
  readonly endpoint: string;
  readonly token: string;
  confirmed: boolean;
}

/** One delivery attempt's answer, per subscription. */
interface DeliveryLog {
  readonly subscriptionArn: string;
  readonly messageId: string;
  readonly statuses: number[];
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** SNS's own JSON layout (`"Name" : value`, two-space indent). */
function snsJson(fields: Record<string, string>): Buffer {
  const lines = Object.entries(fields).map(([name, value]) => `  ${JSON.stringify(name)} : ${JSON.stringify(value)}`);
  return Buffer.from(`{\n${lines.join(',\n')}\n}`, 'utf8');
}

/** Signs an SNS message as SignatureVersion 2 with the simulator's test key. */
function signed(message: Record<string, string>): Record<string, string> {
  const text = snsStringToSign({ ...message, SignatureVersion: '2' });
  if (text === null) throw new Error('unsignable SNS message');
  return {
    ...message,
    SignatureVersion: '2',
    Signature: sign('sha256', Buffer.from(text, 'utf8'), SES_SIMULATOR_PRIVATE_KEY_PEM).toString('base64'),
    SigningCertURL: SES_SIMULATOR_CERT_URL,
  };
}

/** A model of one SNS topic's HTTPS subscriptions and deliveries. */
class FakeSnsTopic implements HttpsGetter {
  readonly subscriptions: Subscription[] = [];
  readonly log: DeliveryLog[] = [];
  world!: OverlapWorld;
  private counter = 0;

  /** Subscribe(Protocol=https, ReturnSubscriptionArn=true): pending, then a SubscriptionConfirmation is sent. */
  async subscribe(endpoint: string): Promise<Subscription> {
    this.counter += 1;
    const subscription: Subscription = {
      arn: `${TOPIC}:${digest(`sub-${this.counter}`).slice(0, 8)}-0000-4000-8000-${digest(endpoint).slice(0, 12)}`,
      endpoint,
      token: digest(`token-${this.counter}`),
      confirmed: false,
    };
    this.subscriptions.push(subscription);
    const message = signed({
      Type: 'SubscriptionConfirmation',
      MessageId: `${digest(`confirm-${this.counter}`).slice(0, 8)}-1111-4111-8111-111111111111`,
      Token: subscription.token,
      TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.`,
      SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=${subscription.token}`,
      Timestamp: this.world.clock.now().toISOString(),
    });
    await this.deliver(subscription, message);
    return subscription;
  }

  /** The verifier's GET of a SubscribeURL: ConfirmSubscription. */
  async get(url: string): Promise<string> {
    const token = new URL(url).searchParams.get('Token');
    const subscription = this.subscriptions.find((entry) => entry.token === token);
    if (subscription === undefined) throw new Error('unknown confirmation token');
    subscription.confirmed = true;
    return `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>${subscription.arn}</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`;
  }

  unsubscribe(arn: string): void {
    const index = this.subscriptions.findIndex((entry) => entry.arn === arn);
    if (index >= 0) this.subscriptions.splice(index, 1);
  }

  /**
   * Publishes an Amazon SES event record: the same signed Notification to every confirmed subscription, all at once
   * (SNS delivers to subscriptions independently), each retried on 5xx.
   */
  async publish(sesRecord: Record<string, unknown>, order: 'as-subscribed' | 'reversed' = 'as-subscribed'): Promise<string> {
    this.counter += 1;
    const notification = signed({
      Type: 'Notification',
      MessageId: `${digest(`message-${this.counter}`).slice(0, 8)}-2222-4222-8222-${digest(`m${this.counter}`).slice(0, 12)}`,
      TopicArn: TOPIC,
      Message: JSON.stringify(sesRecord),
      Timestamp: this.world.clock.now().toISOString(),
    });
    const targets = this.subscriptions.filter((entry) => entry.confirmed);
    if (order === 'reversed') targets.reverse();
    await Promise.all(targets.map((subscription) => this.deliver(subscription, notification)));
    return notification.MessageId as string;
  }

  /**
   * One message to one subscription: first without credentials, again with the URL's user info as Basic after a
   * 401 challenge (SN1, SN8); then retried while the answer is 5xx.
   */
  private async deliver(subscription: Subscription, message: Record<string, string>): Promise<void> {
    const body = snsJson({
      ...message,
      ...(message.Type === 'Notification'
        ? {
            UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
          }
        : {}),
    });
    const request = {
      provider: 'amazon-ses' as const,
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': message.Type as string,
        'x-amz-sns-message-id': message.MessageId as string,
        'x-amz-sns-topic-arn': TOPIC,
        'x-amz-sns-subscription-arn': subscription.arn,
        'user-agent': 'Amazon Simple Notification Service Agent',
      },
      body,
    };
    const statuses: number[] = [];
    let answer: Delivery = await this.world.deliver(request, null);
    statuses.push(answer.status);
    if (answer.status === 401) {
      answer = await this.world.deliver(request, credentialOfUrl(subscription.endpoint));
      statuses.push(answer.status);
    }
    for (let retry = 0; retry < SNS_RETRIES && answer.status >= 500; retry += 1) {
      answer = await this.world.deliver(request, credentialOfUrl(subscription.endpoint));
      statuses.push(answer.status);
    }
    this.log.push({ subscriptionArn: subscription.arn, messageId: message.MessageId as string, statuses });
  }
}

/** An Amazon SES event record as SES publishes it to SNS (Delivery, one recipient). */
function sesDelivery(index: number, now: Date): Record<string, unknown> {
  const messageId = `0100018c${String(index).padStart(8, '0')}-5c1f-4c0e-9a1b-${String(index).padStart(12, '0')}-000000`;
  const recipient = `recipient${index}@example.com`;
  return {
    eventType: 'Delivery',
    mail: {
      timestamp: now.toISOString(),
      source: 'sender@example.com',
      sendingAccountId: '123456789012',
      messageId,
      destination: [recipient],
      headersTruncated: false,
      commonHeaders: { from: ['sender@example.com'], to: [recipient], messageId, subject: 'Your receipt' },
      tags: { 'ses:configuration-set': ['hookguard'] },
    },
    delivery: {
      timestamp: now.toISOString(),
      processingTimeMillis: 546,
      recipients: [recipient],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'mta.example.com',
    },
  };
}

describe('Amazon SNS during a credential rotation', () => {
  let db: TestDynamoDb;

  beforeAll(async () => {
    db = await startTestDynamoDb();
  });

  afterAll(async () => {
    await db.close();
  });

  afterEach(() => {
    secretsManager.reset();
  });

  async function setup() {
    const topic = new FakeSnsTopic();
    const world = await overlapWorld({
      secretsManager,
      db,
      start: START,
      providers: {
        'amazon-ses': { auth: 'both', timestampToleranceSeconds: 3600, maxBodyBytes: 256 * 1024, snsTopicArns: [TOPIC] },
      },
      certificates: new FakeCertificates({ [SES_SIMULATOR_CERT_URL]: SES_SIMULATOR_CERT_PEM }),
      https: topic,
    });
    topic.world = world;
    // Before the rotation: one confirmed subscription carrying the old credential.
    const old = await topic.subscribe(urlWithCredential(WEBHOOK_URL, OLD_CREDENTIAL));
    return { topic, world, old };
  }

  it('confirms the new subscription while the new credential is pending (the old one keeps delivering)', async () => {
    const { topic, world, old } = await setup();
    expect(old.confirmed).toBe(true);
    await world.startRotation();

    const fresh = await topic.subscribe(urlWithCredential(WEBHOOK_URL, NEW_CREDENTIAL));

    expect(fresh.confirmed).toBe(true);
    // SNS's challenge: refused without credentials, confirmed with the pending credential of the new URL.
    expect(topic.log.at(-1)?.statuses).toEqual([401, 200]);
    expect(topic.subscriptions.map((entry) => entry.confirmed)).toEqual([true, true]);
  });

  it('publishes each event once while both subscriptions deliver every message, in either order, concurrently', async () => {
    const { topic, world, old } = await setup();
    await world.startRotation();
    const fresh = await topic.subscribe(urlWithCredential(WEBHOOK_URL, NEW_CREDENTIAL));

    const messageIds: string[] = [];
    for (let index = 1; index <= 12; index += 1) {
      messageIds.push(await topic.publish(sesDelivery(index, world.clock.now()), index % 2 === 0 ? 'reversed' : 'as-subscribed'));
      world.clock.advance(5);
    }

    // Both subscriptions delivered every message, and every delivery ended in 200 (a duplicate is a 200 too, so SNS
    // stops retrying; a delivery that met the other one's claim in flight got 503 and its retry a 200).
    for (const subscription of [old, fresh]) {
      const delivered = topic.log.filter((entry) => entry.subscriptionArn === subscription.arn && messageIds.includes(entry.messageId));
      expect(delivered.map((entry) => entry.messageId).sort()).toEqual([...messageIds].sort());
      expect(delivered.every((entry) => entry.statuses.at(-1) === 200)).toBe(true);
    }
    // The bus got each event exactly once.
    const published = world.bus.details().map((detail: { eventId: string }) => detail.eventId);
    expect(published.sort()).toEqual([...messageIds].sort());
    expect([...world.bus.deliveries().values()].every((count) => count === 1)).toBe(true);
  });

  it('stays once-only after finishSecret, and after the old subscription is removed only the new one delivers', async () => {
    const { topic, world, old } = await setup();
    await world.startRotation();
    const fresh = await topic.subscribe(urlWithCredential(WEBHOOK_URL, NEW_CREDENTIAL));
    const duringRotation = await topic.publish(sesDelivery(1, world.clock.now()));
    await world.finishRotation();
    world.clock.advance(3600);

    // The old subscription's credential is now AWSPREVIOUS (within the grace period): it still delivers.
    const afterFinish = await topic.publish(sesDelivery(2, world.clock.now()), 'reversed');
    topic.unsubscribe(old.arn);
    const afterRetire = await topic.publish(sesDelivery(3, world.clock.now()));

    const deliveriesOf = (messageId: string) => topic.log.filter((entry) => entry.messageId === messageId);
    expect(deliveriesOf(duringRotation)).toHaveLength(2);
    expect(deliveriesOf(afterFinish)).toHaveLength(2);
    expect(deliveriesOf(afterFinish).every((entry) => entry.statuses.at(-1) === 200)).toBe(true);
    expect(deliveriesOf(afterRetire).map((entry) => entry.subscriptionArn)).toEqual([fresh.arn]);
    const published = world.bus.details().map((detail: { eventId: string }) => detail.eventId);
    expect(published.sort()).toEqual([duringRotation, afterFinish, afterRetire].sort());
  });
});
