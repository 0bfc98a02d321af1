/**
 * Twilio SendGrid Event Webhook (signed). SendGrid signs every POST with ECDSA P-256 / SHA-256 over the value of
 * the timestamp header followed by the raw body bytes; the signature header is base64 of the DER-encoded (r, s)
 * pair and the verification key is the base64 SPKI DER that the dashboard shows. One POST carries a JSON array of
 * events (a batch that can hold thousands), so parsing and normalising avoid per-event regexes and re-serialisation.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { dateFromSeconds } from '../core/dates';
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { ownEntry } from '../core/lookup';
import { PayloadError, SignatureError } from '../errors';
import {
  decodeBase64Strict,
  deriveEventId,
  epochSecondsToIso,
  header,
  isRecord,
  numberAt,
  parseJsonBody,
} from './shared';
import type {
  ProviderModule,
  SimulatedRequest,
  SimulateInput,
  VerifyContext,
  VerifyResult,
  WebhookRequest,
} from './types';

const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** SendGrid `event` -> normalised type. */
const EVENT_TYPES: Readonly<Record<string, EventType>> = {
  processed: 'queued',
  deferred: 'deferred',
  delivered: 'delivered',
  bounce: 'bounced',
  dropped: 'rejected',
  click: 'clicked',
  open: 'opened',
  spamreport: 'complained',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
  group_resubscribe: 'subscribed',
};

/**
 * Lower-cased `type` / `reason` of dropped and bounce events -> reject reason. `spam reporting address` (a documented
 * drop reason: the recipient reported earlier mail as spam) is the one addition to the table in provider-facts.
 */
const REJECT_REASONS: Readonly<Record<string, RejectReason>> = {
  invalid: 'invalid',
  'unsubscribed address': 'unsubscribed',
  'bounced address': 'bounced',
  bounce: 'bounced',
  blocked: 'blocked',
  expired: 'timed_out',
  'spam reporting address': 'spam',
};

/**
 * Properties SendGrid itself sets on events. Everything else at the top level of an event is a custom argument
 * (`custom_args` / legacy `unique_args`), which SendGrid merges into the event: that is the metadata.
 */
const SENDGRID_EVENT_KEYS: ReadonlySet<string> = new Set([
  'asm_group_id',
  'attempt',
  'bounce_classification',
  'category',
  'cert_err',
  'email',
  'event',
  'ip',
  'marketing_campaign_id',
  'marketing_campaign_name',
  'marketing_campaign_split_id',
  'marketing_campaign_version',
  'mc_auto_id',
  'mc_pod_id',
  'mc_stats',
  'newsletter',
  'nlvx_campaign_id',
  'nlvx_campaign_split_id',
  'nlvx_user_id',
  'phase_id',
  'pool',
  'post_type',
  'reason',
  'response',
  'send_at',
  'sg_content_type',
  'sg_event_id',
  'sg_machine_open',
  'sg_message_id',
  'sg_template_id',
  'sg_template_name',
  'sg_user_id',
  'singlesend_id',
  'singlesend_name',
  'smtp-id',
  'status',
  'template_hash',
  'template_id',
  'template_version_id',
  'timestamp',
  'tls',
  'type',
  'url',
  'url_offset',
  'useragent',
]);

/**
 * Parsed verification keys by their configured text; a handful of keys at most (rotation), so the map stays tiny.
 * `null` marks a configured value that is not a P-256 public key, so it is not re-parsed on every request.
 */
const keyCache = new Map<string, KeyObject | null>();
const MAX_CACHED_KEYS = 32;

function publicKeyFrom(configured: string): KeyObject | null {
  const cached = keyCache.get(configured);
  if (cached !== undefined) return cached;
  let key: KeyObject | null = null;
  try {
    const text = configured.trim();
    // The dashboard shows the SPKI DER as bare base64; a PEM pasted with its armour is accepted too.
    const candidate = text.startsWith('-----BEGIN PUBLIC KEY-----')
      ? createPublicKey(text)
      : decodeSpki(text.replace(/\s+/g, ''));
    if (candidate?.asymmetricKeyType === 'ec' && candidate.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
      key = candidate;
    }
  } catch {
    key = null;
  }
  if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
  keyCache.set(configured, key);
  return key;
}

function decodeSpki(base64: string): KeyObject | null {
  const der = decodeBase64Strict(base64);
  return der === null ? null : createPublicKey({ key: der, format: 'der', type: 'spki' });
}

function verifySendgrid(request: WebhookRequest, context: VerifyContext): VerifyResult {
  const signatureText = header(request.headers, SIGNATURE_HEADER);
  if (signatureText === null) throw new SignatureError('missing X-Twilio-Email-Event-Webhook-Signature header');
  const timestamp = header(request.headers, TIMESTAMP_HEADER);
  if (timestamp === null) throw new SignatureError('missing X-Twilio-Email-Event-Webhook-Timestamp header');
  if (!/^[0-9]{1,12}$/.test(timestamp)) throw new SignatureError('timestamp header is not Unix seconds');
  const signature = decodeBase64Strict(signatureText);
  if (signature === null) throw new SignatureError('signature header is not canonical base64');

  const keys = context.signingKeys.map(publicKeyFrom).filter((key): key is KeyObject => key !== null);
  if (keys.length === 0) throw new SignatureError('no configured SendGrid key is a P-256 public key (base64 SPKI)');

  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), request.body]);
  const matches = keys.some((key) => {
    try {
      return verify('sha256', signed, { key, dsaEncoding: 'der' }, signature);
    } catch {
      // A signature that is not valid DER makes OpenSSL throw instead of returning false.
      return false;
    }
  });
  if (!matches) throw new SignatureError('signature does not match any configured key');
  const signedAt = dateFromSeconds(Number(timestamp));
  if (signedAt === null) throw new SignatureError('signed timestamp is not a representable time');
  return { signedAt };
}

function parseSendgrid(request: WebhookRequest): { events: readonly unknown[] } {
  const body = parseJsonBody(request.body);
  if (!Array.isArray(body)) throw new PayloadError('Expected a JSON array of events');
  return { events: body };
}

function stringField(event: Record<string, unknown>, key: string): string | null {
  const value = Object.hasOwn(event, key) ? event[key] : undefined;
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function rejectReasonOf(event: Record<string, unknown>, fallback: RejectReason | null): RejectReason | null {
  // The cause can be in `type` (bounce, blocked, expired) or in `reason` (dropped: "Bounced Address", ...).
  for (const key of ['type', 'reason']) {
    const value = stringField(event, key);
    if (value !== null) {
      const reason = ownEntry(REJECT_REASONS, value.toLowerCase());
      if (reason !== undefined) return reason;
    }
  }
  return fallback;
}

function tagsOf(event: Record<string, unknown>): string[] {
  const category = event.category;
  if (typeof category === 'string') return category.length > 0 ? [category] : [];
  if (Array.isArray(category)) return category.filter((item): item is string => typeof item === 'string');
  return [];
}

function metadataOf(event: Record<string, unknown>): Record<string, unknown> {
  const custom: [string, unknown][] = [];
  for (const key in event) {
    if (!SENDGRID_EVENT_KEYS.has(key) && Object.hasOwn(event, key)) custom.push([key, event[key]]);
  }
  // fromEntries defines own properties, so a custom arg named `__proto__` stays data.
  return Object.fromEntries(custom);
}

function normaliseSendgrid(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Each event must be a JSON object');
  const name = stringField(event, 'event');
  if (name === null) throw new PayloadError('Missing field event');
  const eventType: EventType = Object.hasOwn(EVENT_TYPES, name) ? (EVENT_TYPES[name] as EventType) : 'unknown';

  let rejectReason: RejectReason | null = null;
  let description: string | null = null;
  let mtaResponse: string | null = null;
  if (name === 'dropped') {
    // Dropped before it ever reached an MTA: the reason is SendGrid's own, not an SMTP answer.
    rejectReason = rejectReasonOf(event, 'other');
    description = stringField(event, 'reason');
  } else if (name === 'bounce') {
    rejectReason = rejectReasonOf(event, 'bounced');
    description = stringField(event, 'bounce_classification');
    mtaResponse = stringField(event, 'reason');
  } else if (name === 'spamreport') {
    rejectReason = 'spam';
  } else {
    // Delivered and deferred carry the MTA's answer in `response`.
    mtaResponse = stringField(event, 'response');
  }

  return [
    {
      eventType,
      eventId: stringField(event, 'sg_event_id') ?? deriveEventId('sendgrid', event),
      messageId: stringField(event, 'smtp-id') ?? stringField(event, 'sg_message_id'),
      recipient: stringField(event, 'email'),
      timestamp: epochSecondsToIso(numberAt(event, 'timestamp')),
      rejectReason,
      description,
      mtaResponse,
      tags: tagsOf(event),
      metadata: metadataOf(event),
      clickUrl: stringField(event, 'url'),
      userAgent: stringField(event, 'useragent'),
      raw: event,
    },
  ];
}

/** A stable, id-shaped string for simulated payloads: the same `uniqueId` always yields the same id. */
function simulatedId(uniqueId: string, purpose: string, length: number): string {
  return createHash('sha256').update(`${purpose}:${uniqueId}`).digest('base64url').slice(0, length);
}

/** Event-specific fields of each simulated event, as SendGrid's Event Webhook reference shows them. */
const SIMULATED_FIELDS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  processed: { send_at: 0, pool: { name: 'transactional', id: 210 } },
  dropped: { reason: 'Bounced Address', status: '5.0.0' },
  delivered: { ip: '168.1.1.1', response: '250 OK', tls: 1 },
  deferred: { ip: '168.1.1.1', response: '400 try again later', attempt: '5', tls: 1 },
  bounce: {
    ip: '168.1.1.1',
    reason: '550 5.1.1 The email account that you tried to reach does not exist',
    status: '5.1.1',
    tls: 1,
    type: 'bounce',
    bounce_classification: 'Invalid Address',
  },
  open: { ip: '255.255.255.255', useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', sg_machine_open: false },
  click: {
    ip: '255.255.255.255',
    useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    url: 'https://www.example.com/welcome',
    url_offset: { index: 0, type: 'html' },
  },
  spamreport: {},
  unsubscribe: {},
  group_unsubscribe: { ip: '255.255.255.255', useragent: 'Mozilla/5.0', asm_group_id: 10 },
  group_resubscribe: { ip: '255.255.255.255', useragent: 'Mozilla/5.0', asm_group_id: 10 },
  account_status_change: { type: 'compliance_suspend' },
};

function simulateSendgrid(input: SimulateInput): SimulatedRequest {
  const fields = Object.hasOwn(SIMULATED_FIELDS, input.eventName) ? SIMULATED_FIELDS[input.eventName] : undefined;
  if (fields === undefined) throw new Error(`SendGrid cannot simulate event "${input.eventName}"`);
  const seconds = Math.floor(input.now.getTime() / 1000);
  const sgEventId = simulatedId(input.uniqueId, 'sg_event_id', 32);
  const event: Record<string, unknown> =
    input.eventName === 'account_status_change'
      ? { event: input.eventName, sg_event_id: sgEventId, timestamp: seconds, ...fields }
      : {
          email: 'recipient@example.com',
          timestamp: seconds,
          'smtp-id': `<${simulatedId(input.uniqueId, 'message', 22)}@ismtpd0001p1iad1.sendgrid.net>`,
          event: input.eventName,
          category: ['welcome'],
          sg_event_id: sgEventId,
          sg_message_id: `${simulatedId(input.uniqueId, 'message', 22)}.filterdrecv-5bd8b7b7b9-xk7l2-1-6565B0C2-1.0`,
          order_id: `order-${input.uniqueId}`,
          ...fields,
        };
  // SendGrid posts compact JSON followed by CRLF (as in its SDKs' signed test payloads).
  const body = Buffer.from(`${JSON.stringify([event])}\r\n`, 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'SendGrid Event API' };
  if (input.signingKey !== undefined) {
    const timestamp = String(seconds);
    const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), {
      key: input.signingKey,
      dsaEncoding: 'der',
    });
    headers[SIGNATURE_HEADER] = signature.toString('base64');
    headers[TIMESTAMP_HEADER] = timestamp;
  }
  return { headers, body };
}

/** A P-256 pair: the public key as the SendGrid dashboard shows it (base64 SPKI DER), the private key as PKCS#8 PEM. */
function generateSendgridKeyPair(): { verificationKey: string; simulationKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    verificationKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    simulationKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/**
 * SendGrid's signed Event Webhook.
 *
 * @example
 * ```ts
 * const { signedAt } = sendgridProvider.verify?.(request, context) ?? {};
 * const drafts = sendgridProvider.parse(request).events.flatMap((event) => sendgridProvider.normalise(event, request));
 * ```
 */
export const sendgridProvider: ProviderModule = {
  id: 'sendgrid',
  displayName: 'Twilio SendGrid',
  contentTypes: ['application/json'],
  // SendGrid signs each POST when it sends it, so a retry (up to 24 h) carries a fresh timestamp: the window only
  // has to absorb clock skew and transit, not the retry schedule.
  defaultTimestampToleranceSeconds: 600,
  verify: verifySendgrid,
  parse: parseSendgrid,
  normalise: normaliseSendgrid,
  generateKeyPair: generateSendgridKeyPair,
  simulatedEvents: Object.keys(SIMULATED_FIELDS),
  simulate: simulateSendgrid,
};
