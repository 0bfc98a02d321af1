import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { DependencyError, PayloadError, SignatureError } from '../../../lambda/errors';
import {
  amazonSesProvider,
  createAmazonSesProvider,
  snsCertificateUrl,
  snsStringToSign,
} from '../../../lambda/providers/amazon-ses';
import {
  SES_SIMULATOR_CERT_PEM,
  SES_SIMULATOR_CERT_URL,
  SES_SIMULATOR_PRIVATE_KEY_PEM,
  SES_SIMULATOR_TOPIC_ARN,
} from '../../../src/simulate/amazon-ses-test-keys';
import type { CertificateSource, ProviderModule, VerifyContext, WebhookRequest } from '../../../lambda/providers/types';
import bounce from '../../fixtures/providers/amazon-ses/bounce.json';
import click from '../../fixtures/providers/amazon-ses/click.json';
import complaint from '../../fixtures/providers/amazon-ses/complaint.json';
import delivery from '../../fixtures/providers/amazon-ses/delivery.json';
import deliveryDelay from '../../fixtures/providers/amazon-ses/delivery-delay.json';
import notificationBounce from '../../fixtures/providers/amazon-ses/notification-bounce.json';
import notificationDelivery from '../../fixtures/providers/amazon-ses/notification-delivery.json';
import open from '../../fixtures/providers/amazon-ses/open.json';
import received from '../../fixtures/providers/amazon-ses/received.json';
import reject from '../../fixtures/providers/amazon-ses/reject.json';
import renderingFailure from '../../fixtures/providers/amazon-ses/rendering-failure.json';
import send from '../../fixtures/providers/amazon-ses/send.json';
import subscriptionConfirmation from '../../fixtures/providers/amazon-ses/sns-subscription-confirmation.json';
import unsubscribeConfirmation from '../../fixtures/providers/amazon-ses/sns-unsubscribe-confirmation.json';
import subscription from '../../fixtures/providers/amazon-ses/subscription.json';
import vectors from '../../fixtures/vectors/aws-sns.json';
import { amazonSesSimulator } from '../../../src/simulate/amazon-ses';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const MESSAGE_ID = '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324';

type SnsMessage = Record<string, unknown>;

/** Serves the simulator certificate at its URL, and whatever else a test adds. */
function certificateSource(extra: Record<string, string> = {}): CertificateSource {
  const certificates: Record<string, string> = { [SES_SIMULATOR_CERT_URL]: SES_SIMULATOR_CERT_PEM, ...extra };
  return {
    certificate: async (url) => {
      const pem = certificates[url];
      // The real certificate source turns a 4xx from the host into a SignatureError as well.
      if (pem === undefined) throw new SignatureError('signing certificate not found');
      return pem;
    },
  };
}

function verifyContext(
  options: { topics?: readonly string[]; now?: Date; certificates?: CertificateSource } = {},
): VerifyContext {
  return {
    settings: {
      auth: 'both',
      timestampToleranceSeconds: 10_800,
      maxBodyBytes: 256_000,
      snsTopicArns: options.topics ?? [TOPIC, SES_SIMULATOR_TOPIC_ARN],
    },
    signingKeys: [],
    signedUrls: [],
    now: options.now ?? NOW,
    certificates: options.certificates ?? certificateSource(),
  };
}

function webhookRequest(body: string | Buffer, headers: Record<string, string> = {}): WebhookRequest {
  return {
    provider: 'amazon-ses',
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8', ...headers },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    receivedAt: NOW,
  };
}

/** Signs an SNS message with the simulator key, as SNS signs with its own. */
function signed(message: SnsMessage, version: '1' | '2' = '2'): SnsMessage {
  const unsigned: SnsMessage = { ...message, SignatureVersion: version, SigningCertURL: SES_SIMULATOR_CERT_URL };
  const text = snsStringToSign(unsigned);
  if (text === null) throw new Error('test message lacks a signed field');
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text), SES_SIMULATOR_PRIVATE_KEY_PEM);
  return { ...unsigned, Signature: signature.toString('base64') };
}

function notification(sesEvent: unknown, overrides: SnsMessage = {}): SnsMessage {
  return {
    Type: 'Notification',
    MessageId: MESSAGE_ID,
    TopicArn: TOPIC,
    Message: typeof sesEvent === 'string' ? sesEvent : JSON.stringify(sesEvent),
    Timestamp: '2026-11-22T11:59:58.123Z',
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:0d8e7c1a`,
    ...overrides,
  };
}

/** A request as SNS posts it: the message as the body, the type/id/topic headers from the message. */
function snsRequest(message: SnsMessage, headers: Record<string, string | undefined> = {}): WebhookRequest {
  const merged: Record<string, string | undefined> = {
    'x-amz-sns-message-type': String(message.Type),
    'x-amz-sns-message-id': String(message.MessageId),
    'x-amz-sns-topic-arn': String(message.TopicArn),
    ...headers,
  };
  const defined = Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return webhookRequest(JSON.stringify(message, null, 2), defined);
}

async function verifyWith(provider: ProviderModule, request: WebhookRequest, context: VerifyContext) {
  const check = provider.verify;
  if (check === undefined) throw new Error('Amazon SES must verify signatures');
  return check(request, context);
}

const verify = (request: WebhookRequest, context: VerifyContext = verifyContext()) =>
  verifyWith(amazonSesProvider, request, context);

function normalise(request: WebhookRequest) {
  return amazonSesProvider.parse(request).events.flatMap((event) => amazonSesProvider.normalise(event, request));
}

const normaliseEvent = (sesEvent: unknown, overrides: SnsMessage = {}) =>
  normalise(snsRequest(notification(sesEvent, overrides)));

describe('amazonSesProvider', () => {
  describe('verify: official AWS SNS message validator vectors (certificate dates not checked: it expired in 2022)', () => {
    const undated = createAmazonSesProvider({ checkCertificateDates: false });
    const signatureVectors = vectors.filter((vector) => vector.expected_valid !== null);

    it.each(
      signatureVectors.map(
        (vector) =>
          [
            `${vector.expected_valid ? 'accepts' : 'rejects'} ${vector.scheme}: ${vector.note.split(/\. /)[0]}`,
            vector,
          ] as const,
      ),
    )('%s', async (_name, vector) => {
      // Prepare: SNS sends the type header with every HTTP delivery; the SDK fixtures leave it out.
      const body = vector.body as SnsMessage;
      const certificateUrl = snsCertificateUrl(body.SigningCertURL ?? body.SigningCertUrl);
      const request = webhookRequest(JSON.stringify(body), { 'x-amz-sns-message-type': String(body.Type) });
      const context = verifyContext({
        topics: [String(body.TopicArn)],
        certificates: certificateSource(
          certificateUrl === null ? {} : { [certificateUrl]: vector.secret_or_public_key ?? '' },
        ),
      });

      // Act
      const outcome = verifyWith(undated, request, context);

      // Assess
      if (vector.expected_valid) {
        await expect(outcome).resolves.toEqual({ signedAt: new Date(vector.timestamp) });
      } else {
        await expect(outcome).rejects.toBeInstanceOf(SignatureError);
      }
    });

    it('builds the string to sign exactly as the AWS PHP validator does', () => {
      const vector = vectors.find((candidate) => candidate.scheme === 'aws-sns (string-to-sign)');
      if (vector === undefined) throw new Error('vector missing');

      expect(snsStringToSign(vector.body as SnsMessage)).toBe(vector.expected_string_to_sign);
    });

    it.each([
      ['before the certificate was valid', new Date('2021-09-01T00:00:00Z'), false],
      ['while the certificate was valid', new Date('2022-08-01T00:00:00Z'), true],
      ['after the certificate expired', NOW, false],
    ])('checks the certificate validity dates by default: %s', async (_case, now, valid) => {
      const vector = vectors.find((candidate) => candidate.scheme === 'aws-sns-sigv2' && candidate.expected_valid);
      if (vector === undefined || vector.secret_or_public_key === null) throw new Error('vector missing');
      const body = vector.body as SnsMessage;
      const request = webhookRequest(JSON.stringify(body), { 'x-amz-sns-message-type': 'Notification' });
      const context = verifyContext({
        topics: [String(body.TopicArn)],
        now,
        certificates: certificateSource({ [String(body.SigningCertURL)]: vector.secret_or_public_key }),
      });

      const outcome = verify(request, context);

      if (valid) await expect(outcome).resolves.toEqual({ signedAt: new Date(vector.timestamp) });
      else await expect(outcome).rejects.toMatchObject({ reason: 'signing certificate is expired or not yet valid' });
    });
  });

  describe('verify: signed SES notifications', () => {
    const good = signed(notification(delivery));

    it.each([
      ['SignatureVersion 2 (SHA256withRSA)', signed(notification(delivery), '2')],
      ['SignatureVersion 1 (SHA1withRSA)', signed(notification(delivery), '1')],
      [
        'a Subject, which is then signed too',
        signed(notification(delivery, { Subject: 'Amazon SES Email Event Notification' })),
      ],
      ['a null Subject, which is not signed', signed(notification(delivery, { Subject: null }))],
    ])('accepts %s', async (_case, message) => {
      await expect(verify(snsRequest(message))).resolves.toEqual({ signedAt: new Date('2026-11-22T11:59:58.123Z') });
    });

    it('accepts the message without the optional id and topic headers', async () => {
      const request = snsRequest(good, { 'x-amz-sns-message-id': undefined, 'x-amz-sns-topic-arn': undefined });

      await expect(verify(request)).resolves.toEqual({ signedAt: new Date('2026-11-22T11:59:58.123Z') });
    });

    const signature = String(good.Signature);
    it.each([
      [
        'a certificate that did not sign it',
        snsRequest(good),
        verifyContext({
          // Inside that certificate's validity, so the signature check itself is what fails.
          now: new Date('2022-08-01T00:00:00Z'),
          certificates: certificateSource({ [SES_SIMULATOR_CERT_URL]: vectors[0]?.secret_or_public_key ?? '' }),
        }),
        'signature does not match the signing certificate',
      ],
      [
        'a changed Message',
        snsRequest({ ...good, Message: JSON.stringify(bounce) }),
        verifyContext(),
        'signature does not match the signing certificate',
      ],
      [
        'a changed Timestamp',
        snsRequest({ ...good, Timestamp: '2026-11-22T11:59:59.123Z' }),
        verifyContext(),
        'signature does not match the signing certificate',
      ],
      [
        'a changed MessageId',
        snsRequest({ ...good, MessageId: 'other' }),
        verifyContext(),
        'signature does not match the signing certificate',
      ],
      [
        'a Subject added after signing',
        snsRequest({ ...good, Subject: 'injected' }),
        verifyContext(),
        'signature does not match the signing certificate',
      ],
      [
        'a SHA-256 signature labelled SignatureVersion 1',
        snsRequest({ ...good, SignatureVersion: '1' }),
        verifyContext(),
        'signature does not match the signing certificate',
      ],
      [
        'base64 with trailing garbage',
        snsRequest({ ...good, Signature: `${signature}AAAA` }),
        verifyContext(),
        'Signature is missing or not canonical base64',
      ],
      [
        'base64 with a trailing character',
        snsRequest({ ...good, Signature: `${signature}x` }),
        verifyContext(),
        'Signature is missing or not canonical base64',
      ],
      [
        'a signature that is not base64',
        snsRequest({ ...good, Signature: signature.replace(/[+/]/g, '-') }),
        verifyContext(),
        'Signature is missing or not canonical base64',
      ],
      [
        'no Signature',
        snsRequest({ ...good, Signature: undefined }),
        verifyContext(),
        'Signature is missing or not canonical base64',
      ],
      [
        'an unknown SignatureVersion',
        snsRequest({ ...good, SignatureVersion: '3' }),
        verifyContext(),
        'unsupported SignatureVersion',
      ],
      [
        'no SignatureVersion',
        snsRequest({ ...good, SignatureVersion: undefined }),
        verifyContext(),
        'unsupported SignatureVersion',
      ],
      [
        'a missing x-amz-sns-message-type header',
        snsRequest(good, { 'x-amz-sns-message-type': undefined }),
        verifyContext(),
        'missing x-amz-sns-message-type header',
      ],
      [
        'a type header that disagrees with the body',
        snsRequest(good, { 'x-amz-sns-message-type': 'SubscriptionConfirmation' }),
        verifyContext(),
        'x-amz-sns-message-type header does not match the body Type',
      ],
      [
        'a message id header that disagrees with the body',
        snsRequest(good, { 'x-amz-sns-message-id': 'other' }),
        verifyContext(),
        'x-amz-sns-message-id header does not match the body MessageId',
      ],
      [
        'a topic header that disagrees with the body',
        snsRequest(good, { 'x-amz-sns-topic-arn': SES_SIMULATOR_TOPIC_ARN }),
        verifyContext(),
        'x-amz-sns-topic-arn header does not match the body TopicArn',
      ],
      [
        'a topic that is not allowed',
        snsRequest(good),
        verifyContext({ topics: [SES_SIMULATOR_TOPIC_ARN] }),
        'TopicArn is not one of the allowed snsTopicArns',
      ],
      [
        'an empty topic allow-list (fail closed)',
        snsRequest(good),
        verifyContext({ topics: [] }),
        'no SNS topic is allowed: snsTopicArns is empty',
      ],
      [
        'an unknown message Type',
        snsRequest({ ...good, Type: 'Telegram' }),
        verifyContext(),
        'unknown or missing SNS message Type',
      ],
      [
        'a Timestamp that is not a date',
        snsRequest(signed(notification(delivery, { Timestamp: 'yesterday' }))),
        verifyContext(),
        'Timestamp is not a date',
      ],
      [
        'a body that is not JSON',
        webhookRequest('Type=Notification', { 'x-amz-sns-message-type': 'Notification' }),
        verifyContext(),
        'body is not a JSON Amazon SNS message',
      ],
      [
        'a JSON array body',
        webhookRequest('[]', { 'x-amz-sns-message-type': 'Notification' }),
        verifyContext(),
        'body is not a JSON Amazon SNS message',
      ],
      [
        'a certificate that is not PEM',
        snsRequest(good),
        verifyContext({ certificates: certificateSource({ [SES_SIMULATOR_CERT_URL]: 'not a certificate' }) }),
        'signing certificate is not a PEM X.509 certificate',
      ],
      [
        'a certificate URL the host does not serve',
        snsRequest({
          ...good,
          SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-unknown.pem',
        }),
        verifyContext(),
        'signing certificate not found',
      ],
    ] as const)('rejects %s', async (_case, request, context, reason) => {
      const outcome = verify(request, context);

      await expect(outcome).rejects.toBeInstanceOf(SignatureError);
      await expect(outcome).rejects.toMatchObject({ reason, message: SignatureError.PUBLIC_MESSAGE });
    });

    it.each([
      ['http instead of https', 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem'],
      ['a host outside Amazon SNS', 'https://internetbadguys.com/cert.pem'],
      ['an SNS host name as a prefix of another domain', 'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem'],
      ['an SNS host without a region', 'https://sns.amazonaws.com/SimpleNotificationService-a.pem'],
      ['another AWS service', 'https://s3.us-east-1.amazonaws.com/SimpleNotificationService-a.pem'],
      ['a .key file', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.key'],
      ['a path in a sub-directory', 'https://sns.us-east-1.amazonaws.com/certs/SimpleNotificationService-a.pem'],
      ['a query string', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem?x=1'],
      ['credentials in the URL', 'https://user:pass@sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem'],
      ['an explicit port', 'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-a.pem'],
      ['an encoded path', 'https://sns.us-east-1.amazonaws.com/%2e%2e/SimpleNotificationService-a.pem'],
      ['a dot segment', 'https://sns.us-east-1.amazonaws.com/x/../SimpleNotificationService-a.pem'],
      ['an upper-case host', 'https://SNS.us-east-1.amazonaws.com/SimpleNotificationService-a.pem'],
      ['no URL at all', undefined],
    ])('rejects a SigningCertURL with %s, without fetching it', async (_case, url) => {
      const fetched: string[] = [];
      const certificates: CertificateSource = {
        certificate: async (target) => {
          fetched.push(target);
          return SES_SIMULATOR_CERT_PEM;
        },
      };

      await expect(
        verify(snsRequest({ ...good, SigningCertURL: url }), verifyContext({ certificates })),
      ).rejects.toMatchObject({
        reason: 'SigningCertURL is not an https .pem URL on an Amazon SNS host',
      });
      expect(fetched).toEqual([]);
    });

    it.each([
      ['a commercial region', 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-a.pem'],
      ['a China region', 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-a.pem'],
      ['a GovCloud region', 'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-a.pem'],
    ])('accepts a certificate URL in %s', (_case, url) => {
      expect(snsCertificateUrl(url)).toBe(url);
    });

    it('passes on a certificate source outage unchanged, so the provider retries', async () => {
      const outage = new DependencyError('certificate host unreachable');
      const certificates: CertificateSource = { certificate: () => Promise.reject(outage) };

      await expect(verify(snsRequest(good), verifyContext({ certificates }))).rejects.toBe(outage);
    });

    it.each([
      ['stale', '2026-11-21T12:00:00.000Z'],
      ['future', '2026-11-22T13:00:00.000Z'],
    ])('returns a %s SNS Timestamp as signedAt for the pipeline to judge', async (_case, timestamp) => {
      const request = snsRequest(signed(notification(delivery, { Timestamp: timestamp })));

      await expect(verify(request)).resolves.toEqual({ signedAt: new Date(timestamp) });
    });
  });

  describe('subscription confirmations', () => {
    const confirmation = signed(
      { ...subscriptionConfirmation, TopicArn: TOPIC, SubscribeURL: subscribeUrl(TOPIC) },
      '1',
    );

    function subscribeUrl(topic: string): string {
      return `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topic}&Token=${subscriptionConfirmation.Token}`;
    }

    it('verifies a SubscriptionConfirmation and hands over its SubscribeURL to confirm', async () => {
      const request = snsRequest(confirmation);

      await expect(verify(request)).resolves.toEqual({ signedAt: new Date('2012-04-26T20:45:04.751Z') });
      expect(amazonSesProvider.parse(request)).toEqual({ events: [], subscriptionConfirmUrl: subscribeUrl(TOPIC) });
    });

    it('refuses a confirmation for a topic that is not allowed, though Amazon SNS signed it', async () => {
      const foreign = signed({ ...subscriptionConfirmation, TopicArn: 'arn:aws:sns:us-west-2:999999999999:Attacker' });

      await expect(verify(snsRequest(foreign))).rejects.toMatchObject({
        reason: 'TopicArn is not one of the allowed snsTopicArns',
      });
    });

    it.each([
      ['SubscribeURL', 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=y'],
      ['Token', 'other-token'],
    ])('refuses a confirmation whose signed %s was changed', async (field, value) => {
      await expect(verify(snsRequest({ ...confirmation, [field]: value }))).rejects.toMatchObject({
        reason: 'signature does not match the signing certificate',
      });
    });

    it.each([
      ['an http URL', subscribeUrl(TOPIC).replace('https:', 'http:')],
      ['a host outside Amazon SNS', subscribeUrl(TOPIC).replace('sns.us-west-2.amazonaws.com', 'evil.example')],
      ['another action', subscribeUrl(TOPIC).replace('ConfirmSubscription', 'Unsubscribe')],
      ['another topic', subscribeUrl('arn:aws:sns:us-west-2:123456789012:Other')],
      ['a path', subscribeUrl(TOPIC).replace('.com/?', '.com/x?')],
      ['no URL', undefined],
    ])('refuses to hand over a SubscribeURL with %s', (_case, url) => {
      const request = snsRequest({ ...confirmation, SubscribeURL: url });

      expect(() => amazonSesProvider.parse(request)).toThrow(
        new PayloadError('SubscribeURL is not an https ConfirmSubscription URL for this topic on an Amazon SNS host'),
      );
    });

    it('verifies an UnsubscribeConfirmation and yields no events', async () => {
      const request = snsRequest(signed({ ...unsubscribeConfirmation, TopicArn: TOPIC }));

      await expect(verify(request)).resolves.toEqual({ signedAt: new Date('2012-04-26T20:06:41.581Z') });
      expect(amazonSesProvider.parse(request)).toEqual({ events: [] });
    });
  });

  describe('normalise', () => {
    const common = {
      eventId: MESSAGE_ID,
      messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      recipient: 'recipient@example.com',
      timestamp: '2026-11-22T11:59:58.123Z',
      metadata: { myCustomTag1: 'myCustomTagValue1', myCustomTag2: 'myCustomTagValue2' },
      tags: [],
    };

    it.each([
      [
        'Bounce',
        bounce,
        {
          eventType: 'bounced',
          rejectReason: 'bounced',
          description: 'Permanent: General',
          mtaResponse: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      [
        'Complaint',
        complaint,
        {
          eventType: 'complained',
          rejectReason: 'spam',
          description: 'abuse',
          userAgent: expect.stringContaining('Chrome/60.0'),
        },
      ],
      ['Delivery', delivery, { eventType: 'delivered', rejectReason: null, mtaResponse: '250 2.6.0 Message received' }],
      ['Send', send, { eventType: 'sent', rejectReason: null }],
      ['Reject', reject, { eventType: 'rejected', rejectReason: 'blocked', description: 'Bad content' }],
      ['Open', open, { eventType: 'opened', userAgent: expect.stringContaining('iPhone') }],
      [
        'Click',
        click,
        { eventType: 'clicked', clickUrl: 'http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html' },
      ],
      [
        'Rendering Failure',
        renderingFailure,
        { eventType: 'failed', description: "Attribute 'attributeName' is not present in the rendering data." },
      ],
      [
        'DeliveryDelay',
        deliveryDelay,
        {
          eventType: 'deferred',
          rejectReason: null,
          description: 'TransientCommunicationFailure',
          mtaResponse: 'smtp; 421 4.4.1 Unable to connect to remote host',
        },
      ],
      ['Subscription', subscription, { eventType: 'unsubscribed', description: 'UnsubscribeHeader' }],
    ])('maps %s', (_name, sesEvent, expected) => {
      const drafts = normaliseEvent(sesEvent);

      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ ...common, raw: sesEvent, ...expected });
    });

    it('fans a bounce out to each bounced recipient, all sharing the SNS MessageId', () => {
      expect(normaliseEvent(notificationBounce)).toEqual(
        ['jane@example.com', 'richard@example.com'].map((recipient, index) => ({
          // A Transient bounce: soft, so deferred with reason bounced (docs/events.md).
          eventType: 'deferred',
          eventId: MESSAGE_ID,
          messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
          recipient,
          timestamp: '2026-11-22T11:59:58.123Z',
          rejectReason: 'bounced',
          description: 'Transient: MailboxFull',
          mtaResponse: ['smtp; 452 4.2.2 Mailbox full', 'smtp; 452 4.2.2 Over quota'][index],
          tags: [],
          metadata: {},
          clickUrl: null,
          userAgent: null,
          raw: notificationBounce,
        })),
      );
    });

    it.each([
      ['a delivery notification', notificationDelivery, ['jane@example.com', 'mary@example.com']],
      [
        'an open sent to two destinations',
        { ...open, mail: { ...open.mail, destination: ['a@example.com', 'b@example.com'] } },
        ['a@example.com', 'b@example.com'],
      ],
      ['a received (inbound) message', received, ['recipient@example.com']],
      ['an event without any recipient', { ...send, mail: { ...send.mail, destination: [] } }, [null]],
    ])('makes one draft per recipient for %s', (_case, sesEvent, recipients) => {
      const drafts = normaliseEvent(sesEvent);

      expect(drafts.map((draft) => draft.recipient)).toEqual(recipients);
      expect(new Set(drafts.map((draft) => draft.eventId))).toEqual(new Set([MESSAGE_ID]));
    });

    it('maps an SES receiving notification to inbound', () => {
      expect(normaliseEvent(received)[0]).toMatchObject({
        eventType: 'inbound',
        messageId: 'd6iitobk75ur44p8kdnnp7g2n800',
      });
    });

    it.each([
      ['Permanent', 'General', 'bounced'],
      ['Permanent', 'Suppressed', 'bounced'],
      ['Permanent', 'OnAccountSuppressionList', 'bounced'],
      ['Transient', 'MailboxFull', 'bounced'],
      ['Transient', 'ContentRejected', 'bounced'],
      ['Undetermined', 'Undetermined', 'other'],
    ])(
      'maps a %s/%s bounce to its type (soft bounces deferred), reject reason %s',
      (bounceType, bounceSubType, rejectReason) => {
        const event = { ...bounce, bounce: { ...bounce.bounce, bounceType, bounceSubType } };

        expect(normaliseEvent(event)[0]).toMatchObject({
          eventType: bounceType === 'Transient' ? 'deferred' : 'bounced',
          rejectReason,
          description: `${bounceType}: ${bounceSubType}`,
        });
      },
    );

    it.each([
      ['unsubscribing from everything', { unsubscribeAll: true }, { unsubscribeAll: false }, 'unsubscribed'],
      ['resubscribing to everything', { unsubscribeAll: false }, { unsubscribeAll: true }, 'subscribed'],
      [
        'opting out of a topic',
        { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'T', subscriptionStatus: 'OptOut' }] },
        { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'T', subscriptionStatus: 'OptIn' }] },
        'unsubscribed',
      ],
      [
        'opting in to a topic while another stays out',
        {
          unsubscribeAll: false,
          topicSubscriptionStatus: [
            { topicName: 'A', subscriptionStatus: 'OptOut' },
            { topicName: 'B', subscriptionStatus: 'OptIn' },
          ],
        },
        {
          unsubscribeAll: false,
          topicSubscriptionStatus: [
            { topicName: 'A', subscriptionStatus: 'OptOut' },
            { topicName: 'B', subscriptionStatus: 'OptOut' },
          ],
        },
        'subscribed',
      ],
    ])('maps a Subscription event %s to %s', (_case, newTopicPreferences, oldTopicPreferences, eventType) => {
      const event = {
        ...subscription,
        subscription: { ...subscription.subscription, newTopicPreferences, oldTopicPreferences },
      };

      expect(normaliseEvent(event)[0]).toMatchObject({ eventType });
    });

    it('maps an SES event type AWS may add later to unknown, for every destination', () => {
      expect(normaliseEvent({ ...send, eventType: 'Teleport' })).toEqual([
        expect.objectContaining({ eventType: 'unknown', recipient: 'recipient@example.com' }),
      ]);
    });

    it.each([
      [
        'the Notification SES sends when a topic is attached to a configuration set',
        'Successfully validated SNS topic for Amazon SES event publishing.',
      ],
      [
        'the identity notification subscription notice',
        {
          notificationType: 'AmazonSnsSubscriptionSucceeded',
          message: 'You have successfully subscribed your Amazon SNS topic',
        },
      ],
    ])('yields no events for %s', (_case, message) => {
      expect(normaliseEvent(message)).toEqual([]);
    });
  });

  describe('event ids', () => {
    it('gives a redelivered SNS message the same ids and another message different ones', () => {
      const first = normaliseEvent(delivery);
      const redelivered = normaliseEvent(structuredClone(delivery));
      const other = normaliseEvent(delivery, { MessageId: 'f1e2d3c4-0000-4000-8000-000000000000' });

      expect(redelivered[0]?.eventId).toBe(first[0]?.eventId);
      expect(other[0]?.eventId).not.toBe(first[0]?.eventId);
    });
  });

  describe('malformed payloads', () => {
    it.each([
      ['a body that is not JSON', webhookRequest('Type=Notification'), 'Body is not valid JSON'],
      ['a JSON array', webhookRequest('[]'), 'Expected an Amazon SNS message (a JSON object)'],
      ['a message without Type', webhookRequest('{"MessageId":"x"}'), 'Missing field Type'],
      ['an unknown Type', webhookRequest('{"Type":"Telegram"}'), 'Unknown SNS message Type'],
    ])('refuses %s in parse', (_case, request, message) => {
      expect(() => amazonSesProvider.parse(request)).toThrow(new PayloadError(message));
    });

    it.each([
      ['a Message that is not JSON', notification('<html>bounce</html>'), 'SNS Message is not a JSON Amazon SES event'],
      ['a Message that is a JSON list', notification([delivery]), 'SNS Message is not a JSON Amazon SES event'],
      [
        'an SES event without eventType or notificationType',
        notification({ mail: delivery.mail }),
        'Missing field eventType (or notificationType) in the SES event',
      ],
      ['a notification without MessageId', notification(delivery, { MessageId: undefined }), 'Missing field MessageId'],
      ['a notification without Message', notification(delivery, { Message: undefined }), 'Missing field Message'],
    ])('refuses %s in normalise', (_case, message, error) => {
      expect(() => normalise(snsRequest(message))).toThrow(new PayloadError(error));
    });

    it('refuses an event that is not an object', () => {
      expect(() => amazonSesProvider.normalise('Notification', webhookRequest('{}'))).toThrow(
        new PayloadError('Expected an Amazon SNS Notification'),
      );
    });
  });

  describe('simulator', () => {
    it('ships a test-only certificate valid for a century that matches its private key, at an SNS-shaped URL', () => {
      const certificate = new X509Certificate(SES_SIMULATOR_CERT_PEM);

      expect(certificate.checkPrivateKey(createPrivateKey(SES_SIMULATOR_PRIVATE_KEY_PEM))).toBe(true);
      expect(certificate.subject).toContain('test only');
      expect(new Date(certificate.validTo).getUTCFullYear() - new Date(certificate.validFrom).getUTCFullYear()).toBe(
        100,
      );
      expect(snsCertificateUrl(SES_SIMULATOR_CERT_URL)).toBe(SES_SIMULATOR_CERT_URL);
      expect(SES_SIMULATOR_TOPIC_ARN).toBe('arn:aws:sns:us-east-1:123456789012:hookguard-ses-events');
    });

    const expectedTypes: Record<string, string> = {
      Bounce: 'bounced',
      Complaint: 'complained',
      Delivery: 'delivered',
      Send: 'sent',
      Reject: 'rejected',
      Open: 'opened',
      Click: 'clicked',
      'Rendering Failure': 'failed',
      DeliveryDelay: 'deferred',
      Subscription: 'unsubscribed',
    };

    it('simulates every SES event type', () => {
      expect([...amazonSesSimulator.events].sort()).toEqual(Object.keys(expectedTypes).sort());
    });

    it.each(amazonSesSimulator.events.map((name) => [name]))('round-trips %s', async (eventName) => {
      // Prepare
      const simulated = amazonSesSimulator.simulate({
        eventName,
        signingKey: SES_SIMULATOR_PRIVATE_KEY_PEM,
        now: NOW,
        uniqueId: 'u-1',
      });
      const request = webhookRequest(simulated.body, simulated.headers);

      // Act
      const verified = await verify(request, verifyContext({ topics: [SES_SIMULATOR_TOPIC_ARN] }));
      const drafts = normalise(request);

      // Assess
      expect(simulated.headers['content-type']).toBe('text/plain; charset=UTF-8');
      expect(simulated.body.toString('utf8')).toMatch(/^\{\n {2}"Type" : "Notification",\n/);
      expect(verified).toEqual({ signedAt: NOW });
      expect(drafts).toEqual([
        expect.objectContaining({
          eventType: expectedTypes[eventName],
          recipient: 'recipient@example.com',
          timestamp: NOW.toISOString(),
        }),
      ]);
    });

    it('makes a new SNS MessageId per unique id', () => {
      const ids = ['a', 'a', 'b'].map(
        (uniqueId) =>
          normalise(webhookRequest(amazonSesSimulator.simulate({ eventName: 'Send', now: NOW, uniqueId }).body))[0]
            ?.eventId,
      );

      expect(ids[0]).toBe(ids[1]);
      expect(ids[0]).not.toBe(ids[2]);
    });

    it('sends an unsigned message without a signing key, which fails verification', async () => {
      const simulated = amazonSesSimulator.simulate({ eventName: 'Send', now: NOW, uniqueId: 'u' });

      await expect(verify(webhookRequest(simulated.body, simulated.headers))).rejects.toBeInstanceOf(SignatureError);
    });
  });
});
