/**
 * Amazon SES (event publishing through Amazon SNS) simulator.
 *
 * Source: Amazon SES Developer Guide, "Examples of event data that Amazon SES publishes to Amazon SNS" (one record per
 * event type: `eventType`, `mail` with `commonHeaders` and `tags` as arrays of strings, the event object), the SNS
 * HTTP(S) notification format (Amazon SNS Developer Guide), and django-anymail's tests/test_amazon_ses_webhooks.py
 * captures. One SNS message per POST, signed with the test-only key in ./amazon-ses-test-keys.
 */
import { createHash, sign } from 'node:crypto';
import { snsStringToSign } from '../../lambda/providers/amazon-ses';
import { SES_SIMULATOR_CERT_URL, SES_SIMULATOR_TOPIC_ARN } from './amazon-ses-test-keys';
import { batchSizeOf, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

function simulatedUuid(uniqueId: string, purpose: string): string {
  const hex = createHash('sha256').update(`${purpose}:${uniqueId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const DEFAULT_RECIPIENT = 'recipient@example.com';
const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0';

/** SES event name -> [the key of its event object, that object] (after AWS's published example records). */
function simulatedEventObject(
  name: string,
  now: string,
  RECIPIENT: string,
): readonly [string, Record<string, unknown>] | null {
  const later = new Date(Date.parse(now) + 24 * 60 * 60 * 1000).toISOString();
  switch (name) {
    case 'Bounce':
      return [
        'bounce',
        {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [
            {
              emailAddress: RECIPIENT,
              action: 'failed',
              status: '5.1.1',
              diagnosticCode: 'smtp; 550 5.1.1 user unknown',
            },
          ],
          timestamp: now,
          feedbackId: '0100018c-feedback-000000',
          reportingMTA: 'dsn; mta.example.com',
        },
      ];
    case 'Complaint':
      return [
        'complaint',
        {
          complainedRecipients: [{ emailAddress: RECIPIENT }],
          timestamp: now,
          feedbackId: '0100018c-feedback-000000',
          userAgent: USER_AGENT,
          complaintFeedbackType: 'abuse',
          arrivalDate: now,
        },
      ];
    case 'Delivery':
      return [
        'delivery',
        {
          timestamp: now,
          processingTimeMillis: 546,
          recipients: [RECIPIENT],
          smtpResponse: '250 2.6.0 Message received',
          reportingMTA: 'mta.example.com',
        },
      ];
    case 'Send':
      return ['send', {}];
    case 'Reject':
      return ['reject', { reason: 'Bad content' }];
    case 'Open':
      return ['open', { ipAddress: '192.0.2.1', timestamp: now, userAgent: USER_AGENT }];
    case 'Click':
      return [
        'click',
        {
          ipAddress: '192.0.2.1',
          timestamp: now,
          userAgent: USER_AGENT,
          link: 'https://www.example.com/welcome',
          linkTags: { campaign: ['welcome'] },
        },
      ];
    case 'Rendering Failure':
      return [
        'failure',
        { errorMessage: "Attribute 'attributeName' is not present in the rendering data.", templateName: 'MyTemplate' },
      ];
    case 'DeliveryDelay':
      return [
        'deliveryDelay',
        {
          timestamp: now,
          delayType: 'TransientCommunicationFailure',
          expirationTime: later,
          delayedRecipients: [
            {
              emailAddress: RECIPIENT,
              status: '4.4.1',
              diagnosticCode: 'smtp; 421 4.4.1 Unable to connect to remote host',
            },
          ],
        },
      ];
    case 'Subscription':
      return [
        'subscription',
        {
          contactList: 'Newsletter',
          timestamp: now,
          source: 'UnsubscribeHeader',
          newTopicPreferences: {
            unsubscribeAll: true,
            topicSubscriptionStatus: [{ topicName: 'Weekly', subscriptionStatus: 'OptOut' }],
          },
          oldTopicPreferences: {
            unsubscribeAll: false,
            topicSubscriptionStatus: [{ topicName: 'Weekly', subscriptionStatus: 'OptIn' }],
          },
        },
      ];
    default:
      return null;
  }
}

const SIMULATED_EVENTS: readonly string[] = [
  'Bounce',
  'Complaint',
  'Delivery',
  'Send',
  'Reject',
  'Open',
  'Click',
  'Rendering Failure',
  'DeliveryDelay',
  'Subscription',
];

/** SNS's own JSON layout (two-space indent, `"Name" : value`), so simulated bodies look like the real ones. */
function snsJson(fields: readonly (readonly [string, string])[]): string {
  return `{\n${fields.map(([name, value]) => `  ${JSON.stringify(name)} : ${JSON.stringify(value)}`).join(',\n')}\n}`;
}

function simulate(input: SimulateInput) {
  checkEventName(amazonSesSimulator, input.eventName);
  batchSizeOf(input, amazonSesSimulator);
  const RECIPIENT = input.recipient ?? DEFAULT_RECIPIENT;
  const now = input.now.toISOString();
  const eventObject = simulatedEventObject(input.eventName, now, RECIPIENT) ?? ['unknown', {}];
  const sesMessageId = `0100018c${createHash('sha256').update(`ses:${input.uniqueId}`).digest('hex').slice(0, 8)}-${simulatedUuid(input.uniqueId, 'ses')}-000000`;
  const ses = {
    eventType: input.eventName,
    mail: {
      timestamp: now,
      source: 'Sender Name <sender@example.com>',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
      sendingAccountId: '123456789012',
      messageId: sesMessageId,
      destination: [RECIPIENT],
      headersTruncated: false,
      headers: [
        { name: 'From', value: 'Sender Name <sender@example.com>' },
        { name: 'To', value: RECIPIENT },
        { name: 'Subject', value: 'Welcome to Example' },
        { name: 'MIME-Version', value: '1.0' },
        { name: 'Content-Type', value: 'text/html; charset=UTF-8' },
      ],
      commonHeaders: {
        from: ['Sender Name <sender@example.com>'],
        to: [RECIPIENT],
        messageId: sesMessageId,
        subject: 'Welcome to Example',
      },
      tags: {
        'ses:configuration-set': ['hookguard'],
        'ses:source-ip': ['192.0.2.0'],
        'ses:from-domain': ['example.com'],
        'ses:caller-identity': ['ses_user'],
        ...(input.metadata === undefined
          ? { 'order-id': [`order-${input.uniqueId}`] }
          : Object.fromEntries(Object.entries(input.metadata).map(([key, value]) => [key, [value]]))),
      },
    },
    [eventObject[0]]: eventObject[1],
  };
  const messageId = simulatedUuid(input.uniqueId, 'sns');
  const topicArn = SES_SIMULATOR_TOPIC_ARN;
  const message: Record<string, string> = {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: topicArn,
    Message: JSON.stringify(ses),
    Timestamp: now,
    SignatureVersion: '2',
  };
  const stringToSign = snsStringToSign(message) ?? '';
  const signature =
    input.signingKey === undefined
      ? ''
      : sign('sha256', Buffer.from(stringToSign, 'utf8'), input.signingKey).toString('base64');
  const subscriptionId = simulatedUuid('hookguard-simulator', 'subscription');
  const body = snsJson([
    ['Type', 'Notification'],
    ['MessageId', messageId],
    ['TopicArn', topicArn],
    ['Message', message.Message as string],
    ['Timestamp', now],
    ['SignatureVersion', '2'],
    ['Signature', signature],
    ['SigningCertURL', SES_SIMULATOR_CERT_URL],
    [
      'UnsubscribeURL',
      `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${subscriptionId}`,
    ],
  ]);
  return {
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': messageId,
      'x-amz-sns-topic-arn': topicArn,
      'x-amz-sns-subscription-arn': `${topicArn}:${subscriptionId}`,
      'user-agent': 'Amazon Simple Notification Service Agent',
    },
    body: Buffer.from(body, 'utf8'),
  };
}


/** Amazon SES events through Amazon SNS, simulated. */
export const amazonSesSimulator: ProviderSimulator = {
  id: 'amazon-ses',
  source:
    'Amazon SES Developer Guide, examples of event data published to Amazon SNS; django-anymail tests/test_amazon_ses_webhooks.py',
  events: SIMULATED_EVENTS,
  maxBatch: 1,
  metadata: 'mail.tags (message tags)',
  simulate,
};
