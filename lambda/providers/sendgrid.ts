/**
 * Twilio SendGrid Event Webhook (signed). SendGrid signs every POST with ECDSA P-256 / SHA-256 over the value of
 * the timestamp header followed by the raw body bytes; the signature header is base64 of the DER-encoded (r, s)
 * pair and the verification key is the base64 SPKI DER that the dashboard shows. One POST carries a JSON array of
 * events (a batch that can hold thousands), so parsing and normalising avoid per-event regexes and re-serialisation.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
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
import type { ProviderModule, VerifyContext, VerifyResult, WebhookRequest } from './types';

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

/**
 * The message's id, the same on every event of the message: the `X-Message-Id` the send API returned. SendGrid puts
 * `sg_message_id` on every event, as that id followed by `.filter...` (delivery and engagement events) or bare
 * (`processed`); `smtp-id` only comes with the MTA's events, so it cannot join an open to its delivery. A few `dropped`
 * events carry only the filter part, and then the `smtp-id` SendGrid generated (`<X-Message-Id@ismtpd...>`) names it.
 * https://www.twilio.com/docs/sendgrid/glossary/x-message-id
 */
function messageIdOf(event: Record<string, unknown>): string | null {
  const sgMessageId = stringField(event, 'sg_message_id');
  if (sgMessageId !== null && !/^(?:filter|recvd)/i.test(sgMessageId)) {
    const cut = sgMessageId.search(/\.(?:filter|recvd)/i);
    return cut > 0 ? sgMessageId.slice(0, cut) : sgMessageId;
  }
  const smtpId = stringField(event, 'smtp-id');
  const generated = smtpId === null ? null : /^<([^<>@\s]+)@ismtpd[^<>@\s]*>$/i.exec(smtpId);
  return generated?.[1] ?? null;
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
      messageId: messageIdOf(event),
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
};
