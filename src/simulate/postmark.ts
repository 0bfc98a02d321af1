/**
 * Postmark webhook simulator.
 *
 * Source: Postmark "Webhooks" documentation (developer.postmarkapp.com: the example body of each webhook type and the
 * bounce `Type`/`TypeCode` table of the Bounce API) and django-anymail's tests/test_postmark_webhooks.py captures. One
 * JSON record per POST; spam complaints are Bounce-shaped records with `RecordType` SpamComplaint.
 */
import { createHash } from 'node:crypto';
import { batchSizeOf, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const DEFAULT_RECIPIENT = 'john@example.com';

/** Postmark's numeric `TypeCode` for each bounce type (used by the simulator, as Postmark sends both). */
const BOUNCE_TYPE_CODES: ReadonlyMap<string, number> = new Map(
  Object.entries({
  HardBounce: 1,
  Transient: 2,
  Unsubscribe: 16,
  Subscribe: 32,
  AutoResponder: 64,
  AddressChange: 128,
  DnsError: 256,
  SpamNotification: 512,
  OpenRelayTest: 1024,
  Unknown: 2048,
  SoftBounce: 4096,
  VirusNotification: 8192,
  ChallengeVerification: 16384,
  BadEmailAddress: 100000,
  SpamComplaint: 100001,
  ManuallyDeactivated: 100002,
  Unconfirmed: 100003,
  Blocked: 100006,
  SMTPApiError: 100007,
  InboundError: 100008,
  DMARCPolicy: 100009,
  TemplateRenderingFailed: 100010,
  }),
);

function simulatedUuid(uniqueId: string, purpose: string): string {
  const hex = createHash('sha256').update(`${purpose}:${uniqueId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function simulatedNumber(uniqueId: string): number {
  return Number.parseInt(createHash('sha256').update(`id:${uniqueId}`).digest('hex').slice(0, 10), 16);
}

const USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const CLIENT = { Name: 'Safari', Company: 'Apple Inc.', Family: 'Safari' };
const OS = { Name: 'macOS', Company: 'Apple Inc.', Family: 'macOS' };
const GEO = { CountryISOCode: 'US', Country: 'United States', City: 'Seattle', Zip: '98101', IP: '192.0.2.10' };

function simulatedRecord(input: SimulateInput): Record<string, unknown> {
  const { eventName, uniqueId } = input;
  const now = input.now.toISOString();
  const recipient = input.recipient ?? DEFAULT_RECIPIENT;
  const common = {
    MessageID: simulatedUuid(uniqueId, 'message'),
    MessageStream: 'outbound',
    Tag: 'welcome',
    Metadata: input.metadata ?? { order_id: `order-${uniqueId}` },
  };
  switch (eventName) {
    case 'Delivery':
      return {
        RecordType: 'Delivery',
        ServerID: 23,
        ...common,
        Recipient: recipient,
        DeliveredAt: now,
        Details: 'Test delivery webhook details',
      };
    case 'Open':
      return {
        RecordType: 'Open',
        ...common,
        FirstOpen: true,
        Client: CLIENT,
        OS,
        Platform: 'Desktop',
        UserAgent: USER_AGENT,
        ReadSeconds: 5,
        Geo: GEO,
        ReceivedAt: now,
        Recipient: recipient,
      };
    case 'Click':
      return {
        RecordType: 'Click',
        ...common,
        Recipient: recipient,
        ReceivedAt: now,
        Platform: 'Desktop',
        ClickLocation: 'HTML',
        OriginalLink: 'https://example.com/welcome',
        UserAgent: USER_AGENT,
        OS,
        Client: CLIENT,
        Geo: GEO,
      };
    case 'SubscriptionChange':
      return {
        RecordType: 'SubscriptionChange',
        ServerID: 23,
        ...common,
        ChangedAt: now,
        Recipient: recipient,
        Origin: 'Recipient',
        SuppressSending: true,
        SuppressionReason: 'ManualSuppression',
      };
    default: {
      // Bounce records (and spam complaints, which Postmark stores as bounces of type SpamComplaint).
      const type = eventName === 'Bounce' ? 'HardBounce' : eventName;
      const complaint = type === 'SpamComplaint' || type === 'SpamNotification';
      return {
        RecordType: complaint ? 'SpamComplaint' : 'Bounce',
        ID: simulatedNumber(uniqueId),
        Type: type,
        TypeCode: BOUNCE_TYPE_CODES.get(type),
        Name: type,
        ...common,
        ServerID: 23,
        Description: `Simulated ${type} from Hookguard.`,
        Details:
          type === 'HardBounce' ? 'smtp;550 5.1.1 The email account that you tried to reach does not exist.' : '',
        Email: recipient,
        From: 'sender@example.com',
        BouncedAt: now,
        DumpAvailable: true,
        Inactive: type === 'HardBounce' || complaint,
        CanActivate: true,
        Subject: 'Welcome to Example',
        Content: '',
      };
    }
  }
}

const SIMULATED_EVENTS: readonly string[] = [
  'Delivery',
  'Bounce',
  'SpamComplaint',
  'Open',
  'Click',
  'SubscriptionChange',
  ...[...BOUNCE_TYPE_CODES.keys()].filter((type) => type !== 'SpamComplaint'),
];

function simulate(input: SimulateInput) {
  checkEventName(postmarkSimulator, input.eventName);
  batchSizeOf(input, postmarkSimulator);
  // Postmark signs nothing: `signingKey` has no meaning here and is ignored.
  return {
    headers: { 'content-type': 'application/json', 'user-agent': 'Postmark' },
    body: Buffer.from(JSON.stringify(simulatedRecord(input)), 'utf8'),
  };
}

/** Postmark webhooks, simulated. */
export const postmarkSimulator: ProviderSimulator = {
  id: 'postmark',
  source: 'Postmark webhooks documentation (example bodies, bounce types); django-anymail tests/test_postmark_webhooks.py',
  events: SIMULATED_EVENTS,
  maxBatch: 1,
  metadata: 'Metadata',
  simulate,
};
