/**
 * Amazon SES events delivered by Amazon SNS over HTTPS. The body is the SNS message envelope; SNS signs a canonical
 * string of some of its fields (`Name\nValue\n` for each) with RSA PKCS#1 v1.5 (SignatureVersion 1: SHA-1,
 * 2: SHA-256) and names the X.509 certificate that verifies it in `SigningCertURL`, which must be an https `.pem`
 * on an Amazon SNS host. Anyone can publish a correctly signed SNS message from their own topic, so the `TopicArn`
 * must also be one the operator allowed. A Notification's `Message` is a JSON string holding one SES event, which
 * fans out to one normalised event per recipient, all sharing the SNS `MessageId` as event id.
 */
import { verify, X509Certificate } from 'node:crypto';
import { dateFromText } from '../core/dates';
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { NestingLimitError, parseJsonText } from '../core/json';
import { PayloadError, SignatureError } from '../errors';
import { dateStringToIso, decodeBase64Strict, header, isRecord, parseJsonBody, stringAt, stringsAt } from './shared';
import type {
  ParseResult,
  ProviderModule,
  VerifyContext,
  VerifyResult,
  WebhookRequest,
} from './types';

const MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
]);

/** The fields SNS signs, in order; `Subject` only when the message has one. */
const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** Regional SNS endpoints, including the China partition (`.amazonaws.com.cn`). */
const SNS_HOST = /^sns\.[a-z0-9-]{3,}\.amazonaws\.com(?:\.cn)?$/;
/** One certificate file at the root of the host, as SNS names them (`SimpleNotificationService-<hash>.pem`). */
const CERTIFICATE_PATH = /^\/[A-Za-z0-9._-]+\.pem$/;

/** The Notification SES sends once when a topic is attached to a configuration set: not an email event. */
const SES_SETUP_NOTICE = 'Successfully validated SNS topic for Amazon SES event publishing.';

/**
 * The canonical string SNS signs for `message`, or null when a field it covers is missing or not a string/number.
 *
 * @internal Exported for the canonicalisation test vector.
 */
export function snsStringToSign(message: Readonly<Record<string, unknown>>): string | null {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let text = '';
  for (const name of fields) {
    const value = message[name];
    // A null Subject (SNS-to-Lambda events) means "no subject", exactly like an absent one.
    if (name === 'Subject' && (value === undefined || value === null)) continue;
    if (typeof value === 'string') text += `${name}\n${value}\n`;
    else if (typeof value === 'number' && Number.isFinite(value)) text += `${name}\n${String(value)}\n`;
    else return null;
  }
  return text;
}

/** An https URL on an Amazon SNS host without userinfo or explicit port, or null. */
function snsHostUrl(value: unknown): URL | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '') return null;
  return SNS_HOST.test(url.hostname) ? url : null;
}

/**
 * The signing certificate URL to fetch, or null unless it is a single `.pem` file on an Amazon SNS host over https.
 *
 * @internal Exported for tests.
 */
export function snsCertificateUrl(value: unknown): string | null {
  const url = snsHostUrl(value);
  if (url === null || url.search !== '' || url.hash !== '' || !CERTIFICATE_PATH.test(url.pathname)) return null;
  // Only a URL already in canonical form: nothing (dot segments, escapes, case, default port) is rewritten silently.
  return url.href === value ? url.href : null;
}

/** The SubscribeURL to GET to confirm a subscription to `topicArn`, or null when it is not exactly that. */
function subscribeUrl(value: unknown, topicArn: string | null): string | null {
  const url = snsHostUrl(value);
  if (url === null || url.pathname !== '/' || url.hash !== '') return null;
  if (url.searchParams.get('Action') !== 'ConfirmSubscription') return null;
  if (topicArn === null || url.searchParams.get('TopicArn') !== topicArn) return null;
  return url.href;
}

function fieldText(message: Record<string, unknown>, name: string): string | null {
  const value = Object.hasOwn(message, name) ? message[name] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Options of {@link createAmazonSesProvider}. */
export interface AmazonSesProviderOptions {
  /**
   * Whether the signing certificate must be valid at `context.now`.
   *
   * @internal Only the tests of AWS's official vectors turn this off: their certificate expired in 2022.
   * @defaultValue true
   */
  readonly checkCertificateDates?: boolean;
}

function certificateValidAt(certificate: X509Certificate, now: Date): boolean {
  const notBefore = dateFromText(certificate.validFrom);
  const notAfter = dateFromText(certificate.validTo);
  if (notBefore === null || notAfter === null) return false;
  return notBefore.getTime() <= now.getTime() && now.getTime() <= notAfter.getTime();
}

async function verifySns(
  request: WebhookRequest,
  context: VerifyContext,
  checkCertificateDates: boolean,
): Promise<VerifyResult> {
  let message: unknown;
  try {
    message = parseJsonBody(request.body);
  } catch (error) {
    // Too deep to read safely is Hookguard's limit, answered 400 like any other provider's; the rest is not SNS.
    if (error instanceof NestingLimitError) throw error;
    throw new SignatureError('body is not a JSON Amazon SNS message');
  }
  if (!isRecord(message)) throw new SignatureError('body is not a JSON Amazon SNS message');
  const type = fieldText(message, 'Type');
  if (type === null || !MESSAGE_TYPES.has(type)) throw new SignatureError('unknown or missing SNS message Type');

  // SNS always sends these headers; their values are not signed, so they must agree with the signed body.
  const headerType = header(request.headers, 'x-amz-sns-message-type');
  if (headerType === null) throw new SignatureError('missing x-amz-sns-message-type header');
  if (headerType !== type) throw new SignatureError('x-amz-sns-message-type header does not match the body Type');
  const headerId = header(request.headers, 'x-amz-sns-message-id');
  if (headerId !== null && headerId !== message.MessageId) {
    throw new SignatureError('x-amz-sns-message-id header does not match the body MessageId');
  }
  const headerTopic = header(request.headers, 'x-amz-sns-topic-arn');
  if (headerTopic !== null && headerTopic !== message.TopicArn) {
    throw new SignatureError('x-amz-sns-topic-arn header does not match the body TopicArn');
  }

  const allowedTopics = context.settings.snsTopicArns ?? [];
  if (allowedTopics.length === 0) throw new SignatureError('no SNS topic is allowed: snsTopicArns is empty');
  const topicArn = fieldText(message, 'TopicArn');
  if (topicArn === null || !allowedTopics.includes(topicArn)) {
    throw new SignatureError('TopicArn is not one of the allowed snsTopicArns');
  }

  const version = message.SignatureVersion;
  const algorithm = version === '1' ? 'sha1' : version === '2' ? 'sha256' : null;
  if (algorithm === null) throw new SignatureError('unsupported SignatureVersion');
  const signatureText = fieldText(message, 'Signature');
  const signature = signatureText === null ? null : decodeBase64Strict(signatureText);
  if (signature === null) throw new SignatureError('Signature is missing or not canonical base64');
  const stringToSign = snsStringToSign(message);
  if (stringToSign === null) throw new SignatureError('a field the signature covers is missing');
  const timestamp = fieldText(message, 'Timestamp');
  const signedAt = dateFromText(timestamp);
  if (signedAt === null) throw new SignatureError('Timestamp is not a date');
  // SNS over HTTP says SigningCertURL; SNS-to-Lambda events spell it SigningCertUrl (same signature).
  const certificateUrl = snsCertificateUrl(message.SigningCertURL ?? message.SigningCertUrl);
  if (certificateUrl === null) {
    throw new SignatureError('SigningCertURL is not an https .pem URL on an Amazon SNS host');
  }

  // Fetch failures keep their own type (the certificate source decides between a bad URL and an outage).
  const pem = await context.certificates.certificate(certificateUrl);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new SignatureError('signing certificate is not a PEM X.509 certificate');
  }
  if (checkCertificateDates && !certificateValidAt(certificate, context.now)) {
    throw new SignatureError('signing certificate is expired or not yet valid');
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') throw new SignatureError('signing certificate key is not RSA');
  let matches = false;
  try {
    matches = verify(algorithm, Buffer.from(stringToSign, 'utf8'), certificate.publicKey, signature);
  } catch {
    matches = false;
  }
  if (!matches) throw new SignatureError('signature does not match the signing certificate');
  return { signedAt };
}

function parseSns(request: WebhookRequest): ParseResult {
  const message = parseJsonBody(request.body);
  if (!isRecord(message)) throw new PayloadError('Expected an Amazon SNS message (a JSON object)');
  const type = fieldText(message, 'Type');
  switch (type) {
    case 'Notification':
      return { events: [message] };
    case 'SubscriptionConfirmation': {
      const url = subscribeUrl(message.SubscribeURL, fieldText(message, 'TopicArn'));
      if (url === null) {
        throw new PayloadError(
          'SubscribeURL is not an https ConfirmSubscription URL for this topic on an Amazon SNS host',
        );
      }
      return { events: [], subscriptionConfirmUrl: url };
    }
    case 'UnsubscribeConfirmation':
      return { events: [] };
    case null:
      throw new PayloadError('Missing field Type');
    default:
      throw new PayloadError('Unknown SNS message Type');
  }
}

/** One recipient of a fanned-out SES event, with what is specific to it. */
interface RecipientPart {
  readonly recipient: string | null;
  readonly mtaResponse?: string | null;
}

function objectsAt(value: unknown, key: string): Record<string, unknown>[] {
  const found = isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
  return Array.isArray(found) ? found.filter(isRecord) : [];
}

function addressParts(list: readonly Record<string, unknown>[]): RecipientPart[] {
  return list.map((item) => ({
    recipient: stringAt(item, 'emailAddress'),
    mtaResponse: stringAt(item, 'diagnosticCode'),
  }));
}

function destinationParts(mail: unknown): RecipientPart[] {
  return stringsAt(mail, 'destination').map((recipient) => ({ recipient }));
}

/** The custom message tags (SES adds its own `ses:*` tags; those are operational, not the sender's metadata). */
function metadataOf(mail: unknown): Record<string, unknown> {
  const tags = isRecord(mail) ? mail.tags : undefined;
  if (!isRecord(tags)) return {};
  return Object.fromEntries(
    Object.entries(tags)
      .filter(([name]) => !name.startsWith('ses:'))
      .map(([name, value]) => [name, Array.isArray(value) && value.length === 1 ? value[0] : value]),
  );
}

/**
 * Bounce type -> reject reason. SES reports a Transient bounce (a soft bounce: mailbox full, message too large, ...)
 * once it has stopped retrying the message, but the address is still good, so that is `deferred` (see mapSesEvent).
 */
function bounceRejectReason(bounceType: string | null): RejectReason {
  return bounceType === 'Permanent' || bounceType === 'Transient' ? 'bounced' : 'other';
}

type TopicStatus = ReadonlyMap<string, string>;

function topicStatuses(preferences: unknown): TopicStatus {
  const statuses = new Map<string, string>();
  for (const topic of objectsAt(preferences, 'topicSubscriptionStatus')) {
    const name = stringAt(topic, 'topicName');
    const status = stringAt(topic, 'subscriptionStatus');
    if (name !== null && status !== null) statuses.set(name, status);
  }
  return statuses;
}

/** What a Subscription event changed: unsubscribing wins over subscribing when both happened. */
function subscriptionChange(subscription: unknown): EventType {
  const next = isRecord(subscription) ? subscription.newTopicPreferences : undefined;
  const previous = isRecord(subscription) ? subscription.oldTopicPreferences : undefined;
  const nextAll = isRecord(next) ? next.unsubscribeAll === true : false;
  const previousAll = isRecord(previous) ? previous.unsubscribeAll === true : false;
  if (nextAll && !previousAll) return 'unsubscribed';
  if (!nextAll && previousAll) return 'subscribed';
  const before = topicStatuses(previous);
  const changed = [...topicStatuses(next)].filter(([name, status]) => before.get(name) !== status);
  if (changed.some(([, status]) => status === 'OptOut')) return 'unsubscribed';
  if (changed.some(([, status]) => status === 'OptIn')) return 'subscribed';
  return nextAll ? 'unsubscribed' : 'subscribed';
}

interface SesMapping {
  readonly eventType: EventType;
  readonly rejectReason?: RejectReason | null;
  readonly description?: string | null;
  readonly mtaResponse?: string | null;
  readonly clickUrl?: string | null;
  readonly userAgent?: string | null;
  readonly recipients: readonly RecipientPart[];
}

/**
 * `deliveryDelay.delayType` values that name a reason (SES event publishing, "Delivery delay object"): a full mailbox
 * is a temporary bounce, spam detection and IP blocks are blocks. The other types (InternalFailure, General,
 * TransientCommunicationFailure, ...) give no reason, so null.
 */
const DELAY_REASONS: ReadonlyMap<string, RejectReason> = new Map([
  ['MailboxFull', 'bounced'],
  ['RecipientServerError', 'bounced'],
  ['SpamDetected', 'spam'],
  ['IPFailure', 'blocked'],
]);

function delayReason(delayType: string | null): RejectReason | null {
  return delayType === null ? null : (DELAY_REASONS.get(delayType) ?? null);
}

function mapSesEvent(name: string, ses: Record<string, unknown>): SesMapping {
  const mail = ses.mail;
  switch (name) {
    case 'Bounce': {
      const bounce = ses.bounce;
      const bounceType = stringAt(bounce, 'bounceType');
      const subType = stringAt(bounce, 'bounceSubType');
      return {
        // Only a Permanent (or Undetermined) bounce means SES gave up on the address (docs/events.md).
        eventType: bounceType === 'Transient' ? 'deferred' : 'bounced',
        rejectReason: bounceRejectReason(bounceType),
        description: bounceType !== null && subType !== null ? `${bounceType}: ${subType}` : bounceType,
        recipients: addressParts(objectsAt(bounce, 'bouncedRecipients')),
      };
    }
    case 'Complaint': {
      const complaint = ses.complaint;
      return {
        eventType: 'complained',
        rejectReason: 'spam',
        description: stringAt(complaint, 'complaintFeedbackType') ?? stringAt(complaint, 'complaintSubType'),
        userAgent: stringAt(complaint, 'userAgent'),
        recipients: addressParts(objectsAt(complaint, 'complainedRecipients')).map(({ recipient }) => ({ recipient })),
      };
    }
    case 'Delivery':
      return {
        eventType: 'delivered',
        mtaResponse: stringAt(ses.delivery, 'smtpResponse'),
        recipients: stringsAt(ses.delivery, 'recipients').map((recipient) => ({ recipient })),
      };
    case 'Send':
      return { eventType: 'sent', recipients: destinationParts(mail) };
    case 'Reject':
      return {
        eventType: 'rejected',
        rejectReason: 'blocked',
        description: stringAt(ses.reject, 'reason'),
        recipients: destinationParts(mail),
      };
    case 'Open':
      // SES does not say which recipient opened: the event is reported for every destination.
      return { eventType: 'opened', userAgent: stringAt(ses.open, 'userAgent'), recipients: destinationParts(mail) };
    case 'Click':
      return {
        eventType: 'clicked',
        userAgent: stringAt(ses.click, 'userAgent'),
        clickUrl: stringAt(ses.click, 'link'),
        recipients: destinationParts(mail),
      };
    case 'Rendering Failure':
      return {
        eventType: 'failed',
        description: stringAt(ses.failure, 'errorMessage'),
        recipients: destinationParts(mail),
      };
    case 'DeliveryDelay':
      return {
        eventType: 'deferred',
        rejectReason: delayReason(stringAt(ses.deliveryDelay, 'delayType')),
        description: stringAt(ses.deliveryDelay, 'delayType'),
        recipients: addressParts(objectsAt(ses.deliveryDelay, 'delayedRecipients')),
      };
    case 'Subscription':
      return {
        eventType: subscriptionChange(ses.subscription),
        description: stringAt(ses.subscription, 'source'),
        recipients: destinationParts(mail),
      };
    case 'Received':
      // SES receiving (a receipt rule's SNS action): one inbound event per recipient the rule accepted.
      return {
        eventType: 'inbound',
        recipients: stringsAt(ses.receipt, 'recipients').map((recipient) => ({ recipient })),
      };
    default:
      return { eventType: 'unknown', recipients: destinationParts(mail) };
  }
}

function normaliseSns(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected an Amazon SNS Notification');
  const snsMessageId = fieldText(event, 'MessageId');
  if (snsMessageId === null) throw new PayloadError('Missing field MessageId');
  const text = event.Message;
  if (typeof text !== 'string') throw new PayloadError('Missing field Message');
  if (text === SES_SETUP_NOTICE) return [];
  let ses: unknown;
  try {
    // Depth-limited like every JSON Hookguard reads (core/json.ts); that refusal names the limit.
    ses = parseJsonText(text, 'SNS Message');
  } catch (error) {
    if (error instanceof NestingLimitError) throw error;
    throw new PayloadError('SNS Message is not a JSON Amazon SES event');
  }
  if (!isRecord(ses)) throw new PayloadError('SNS Message is not a JSON Amazon SES event');
  // `eventType` for configuration-set event publishing, `notificationType` for identity notifications.
  const name = stringAt(ses, 'eventType') ?? stringAt(ses, 'notificationType');
  if (name === null) throw new PayloadError('Missing field eventType (or notificationType) in the SES event');
  // Sent once when an identity's notifications are pointed at the topic: not an email event.
  if (name === 'AmazonSnsSubscriptionSucceeded') return [];

  const mapping = mapSesEvent(name, ses);
  const recipients: readonly RecipientPart[] =
    mapping.recipients.length > 0 ? mapping.recipients : [{ recipient: null }];
  const common = {
    eventType: mapping.eventType,
    // Every recipient's event shares the SNS MessageId; the dedupe key adds the recipient.
    eventId: snsMessageId,
    messageId: stringAt(ses, 'mail', 'messageId'),
    timestamp: dateStringToIso(fieldText(event, 'Timestamp')),
    rejectReason: mapping.rejectReason ?? null,
    description: mapping.description ?? null,
    tags: [],
    metadata: metadataOf(ses.mail),
    clickUrl: mapping.clickUrl ?? null,
    userAgent: mapping.userAgent ?? null,
    raw: ses,
  };
  return recipients.map((part) => ({
    ...common,
    recipient: part.recipient,
    mtaResponse: part.mtaResponse ?? mapping.mtaResponse ?? null,
  }));
}

/**
 * Builds the Amazon SES (via Amazon SNS) provider module.
 *
 * @example
 * ```ts
 * const provider = createAmazonSesProvider();
 * const { signedAt } = await provider.verify?.(request, context) ?? {};
 * ```
 */
export function createAmazonSesProvider(options: AmazonSesProviderOptions = {}): ProviderModule {
  const checkCertificateDates = options.checkCertificateDates ?? true;
  return {
    id: 'amazon-ses',
    displayName: 'Amazon SES (via Amazon SNS)',
    // SNS posts `text/plain; charset=UTF-8` unless the delivery policy sets `headerContentType`.
    contentTypes: ['text/plain', 'application/json'],
    // SNS re-sends the same signed message (same Timestamp) on every retry, and an HTTP/S delivery policy cannot
    // retry for more than 3,600 s in total: three times that absorbs throttled deliveries and clock skew.
    defaultTimestampToleranceSeconds: 3 * 60 * 60,
    // Each message names the Amazon SNS certificate that signed it: there is no key for the operator to configure.
    usesSigningKeys: false,
    verify: (request, context) => verifySns(request, context, checkCertificateDates),
    parse: parseSns,
    normalise: normaliseSns,
  };
}

/**
 * Amazon SES events delivered by Amazon SNS (HTTPS subscription), with SNS signature and topic checks.
 *
 * @example
 * ```ts
 * const { signedAt } = await amazonSesProvider.verify?.(request, context) ?? {};
 * const { events, subscriptionConfirmUrl } = amazonSesProvider.parse(request);
 * ```
 */
export const amazonSesProvider: ProviderModule = createAmazonSesProvider();
