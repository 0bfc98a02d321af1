/**
 * Mandrill (Mailchimp Transactional): form posts whose `mandrill_events` field holds a JSON array of up to 1000
 * events, signed in `X-Mandrill-Signature` = base64 HMAC-SHA1 (per-webhook key) of the webhook URL exactly as
 * configured at Mandrill followed by every POST field sorted by name, as name + value. Mandrill gives no event id.
 */
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { NestingLimitError, parseJsonText } from '../core/json';
import { ownEntry } from '../core/lookup';
import { ConfigurationError, PayloadError, SignatureError } from '../errors';
import {
  decodeBase64Strict,
  deriveEventId,
  epochSecondsToIso,
  getPath,
  header,
  hmac,
  isRecord,
  numberAt,
  parseFormBody,
  safeEqual,
  stringAt,
  stringsAt,
} from './shared';
import type {
  ParseResult,
  ProviderModule,
  SimulatedRequest,
  SimulateInput,
  VerifyContext,
  VerifyResult,
  WebhookRequest,
} from './types';

const SIGNATURE_HEADER = 'x-mandrill-signature';
const EVENTS_FIELD = 'mandrill_events';
const HMAC_SHA1_BYTES = 20;
/**
 * When Mandrill's HEAD check of a new webhook URL fails, it POSTs an empty batch signed with this public key
 * (Mailchimp Transactional "Introduction to Webhooks"). Accepted only for that exact empty batch, which carries no
 * event, so it lets the webhook be created without opening a path for forged events.
 */
const URL_CHECK_KEY = 'test-webhook';

/** Mandrill message `event` -> normalised type and reject reason. */
const MESSAGE_EVENTS: Readonly<Record<string, readonly [EventType, RejectReason | null]>> = {
  send: ['sent', null],
  deferral: ['deferred', null],
  hard_bounce: ['bounced', 'bounced'],
  soft_bounce: ['bounced', 'bounced'],
  open: ['opened', null],
  click: ['clicked', null],
  spam: ['complained', 'spam'],
  unsub: ['unsubscribed', null],
  // Mandrill rejects what its denylist, a rule or a policy stops; the event names no reason.
  reject: ['rejected', 'blocked'],
  inbound: ['inbound', null],
};

/** `msg.bounce_description` values that say more than "bounced". */
const BOUNCE_DESCRIPTION_REASONS: Readonly<Record<string, RejectReason>> = {
  spam_related: 'spam',
  policy_related: 'blocked',
  invalid_email: 'invalid',
};

/** The POST fields in the order Mandrill signs them; a repeated field is refused (its signed value is ambiguous). */
function signedFields(body: Buffer): string {
  const form = parseFormBody(body);
  const names = [...form.keys()];
  if (new Set(names).size !== names.length) throw new SignatureError('repeated form field');
  return names
    .sort()
    .map((name) => `${name}${form.get(name) ?? ''}`)
    .join('');
}

function matches(signature: Buffer, keys: readonly string[], urls: readonly string[], fields: string): boolean {
  for (const key of keys) {
    for (const url of urls) {
      if (safeEqual(signature, hmac('sha1', key, url, fields))) return true;
    }
  }
  return false;
}

function verify(request: WebhookRequest, context: VerifyContext): VerifyResult {
  const encoded = header(request.headers, SIGNATURE_HEADER);
  if (encoded === null) throw new SignatureError('missing X-Mandrill-Signature');
  const signature = decodeBase64Strict(encoded);
  if (signature === null || signature.length !== HMAC_SHA1_BYTES) {
    throw new SignatureError('X-Mandrill-Signature is not base64 of an HMAC-SHA1');
  }
  if (context.signedUrls.length === 0) {
    throw new ConfigurationError('Mandrill needs the webhook URL it signs (settings.signedUrl)');
  }
  const fields = signedFields(request.body);
  if (matches(signature, context.signingKeys, context.signedUrls, fields)) return {};
  if (fields === `${EVENTS_FIELD}[]` && matches(signature, [URL_CHECK_KEY], context.signedUrls, fields)) return {};
  throw new SignatureError('X-Mandrill-Signature matches no accepted key and signed URL');
}

function parse(request: WebhookRequest): ParseResult {
  const value = parseFormBody(request.body).get(EVENTS_FIELD);
  if (value === null) throw new PayloadError(`Missing form field ${EVENTS_FIELD}`);
  let events: unknown;
  try {
    events = parseJsonText(value, `Form field ${EVENTS_FIELD}`);
  } catch (error) {
    if (error instanceof NestingLimitError) throw error;
    throw new PayloadError(`Form field ${EVENTS_FIELD} is not valid JSON`);
  }
  if (!Array.isArray(events))
    throw new PayloadError(`Expected form field ${EVENTS_FIELD} to be a JSON array of events`);
  return { events };
}

/**
 * A message event's identity: the message, the event name and time, and what distinguishes two engagements in the
 * same second (link, client). `msg` is left out because it is a snapshot of the message's current state (opens,
 * clicks, version) that can change between deliveries of the same event.
 */
function messageEventId(event: Record<string, unknown>, name: string): string {
  const messageId = stringAt(event, '_id');
  if (messageId === null) return deriveEventId('mandrill', event);
  return deriveEventId('mandrill', {
    _id: messageId,
    event: name,
    ts: event.ts ?? null,
    url: event.url ?? null,
    ip: event.ip ?? null,
    user_agent: event.user_agent ?? null,
  });
}

function mtaResponse(event: Record<string, unknown>): string | null {
  const diag = stringAt(event, 'msg', 'diag');
  if (diag !== null) return diag;
  const smtpEvents = getPath(event, ['msg', 'smtp_events']);
  if (!Array.isArray(smtpEvents)) return null;
  for (let index = smtpEvents.length - 1; index >= 0; index -= 1) {
    const last = stringAt(smtpEvents[index], 'diag');
    if (last !== null) return last;
  }
  return null;
}

function rejectReason(
  name: string,
  defaultReason: RejectReason | null,
  event: Record<string, unknown>,
): RejectReason | null {
  if (name !== 'hard_bounce' && name !== 'soft_bounce') return defaultReason;
  const description = stringAt(event, 'msg', 'bounce_description');
  return (description !== null ? ownEntry(BOUNCE_DESCRIPTION_REASONS, description) : undefined) ?? defaultReason;
}

function normaliseMessageEvent(event: Record<string, unknown>, name: string): EventDraft {
  const [eventType, defaultReason] = ownEntry(MESSAGE_EVENTS, name) ?? ['unknown', null];
  const metadata = getPath(event, ['msg', 'metadata']);
  return {
    eventType,
    eventId: messageEventId(event, name),
    messageId: stringAt(event, 'msg', '_id') ?? stringAt(event, '_id'),
    recipient: stringAt(event, 'msg', 'email'),
    timestamp: epochSecondsToIso(numberAt(event, 'ts')),
    rejectReason: rejectReason(name, defaultReason, event),
    description: stringAt(event, 'msg', 'bounce_description'),
    mtaResponse: mtaResponse(event),
    tags: stringsAt(event, 'msg', 'tags'),
    metadata: isRecord(metadata) ? metadata : {},
    clickUrl: stringAt(event, 'url'),
    userAgent: stringAt(event, 'user_agent'),
    raw: event,
  };
}

/** Rejection safelist/denylist sync events (`type` whitelist/blacklist, no `event`): published as `unknown`. */
function normaliseSyncEvent(event: Record<string, unknown>): EventDraft {
  const entry = isRecord(event.reject) ? event.reject : isRecord(event.entry) ? event.entry : {};
  return {
    eventType: 'unknown',
    eventId: deriveEventId('mandrill', event),
    recipient: stringAt(entry, 'email'),
    timestamp: epochSecondsToIso(numberAt(event, 'ts')),
    description: stringAt(entry, 'detail') ?? stringAt(entry, 'reason'),
    raw: event,
  };
}

function normalise(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected each Mandrill event to be a JSON object');
  const name = stringAt(event, 'event');
  if (name !== null) return [normaliseMessageEvent(event, name)];
  if (stringAt(event, 'type') !== null) return [normaliseSyncEvent(event)];
  throw new PayloadError('Missing field event');
}

const SYNC_EVENTS = ['whitelist', 'blacklist'] as const;
const SIMULATED_EVENTS = [...Object.keys(MESSAGE_EVENTS), ...SYNC_EVENTS];

/** One event shaped as in Mandrill's "Message Event Webhook Format" and sample batch, ids from `uniqueId`. */
function simulatedEvent(eventName: string, uniqueId: string, now: Date): Record<string, unknown> {
  const ts = Math.floor(now.getTime() / 1000);
  const recipient = 'example.webhook@mandrillapp.com';
  if ((SYNC_EVENTS as readonly string[]).includes(eventName)) {
    const entry = {
      email: recipient,
      detail: eventName === 'blacklist' ? '550 mailbox does not exist' : 'Added manually',
      created_at: new Date(ts * 1000).toISOString().replace('T', ' ').slice(0, 19),
      ...(eventName === 'blacklist' ? { reason: 'hard-bounce', expired: false, subaccount: null, sender: null } : {}),
    };
    return { type: eventName, action: 'add', [eventName === 'blacklist' ? 'reject' : 'entry']: entry, ts };
  }
  if (eventName === 'inbound') {
    return {
      event: 'inbound',
      ts,
      msg: {
        raw_msg: `From: Sender <sender@example.com>\nTo: ${recipient}\nSubject: Hello\nMessage-Id: <${uniqueId}@example.com>\n\nHi`,
        headers: { Subject: 'Hello', 'Message-Id': `<${uniqueId}@example.com>` },
        text: 'Hi',
        from_email: 'sender@example.com',
        from_name: 'Sender',
        to: [[recipient, null]],
        email: recipient,
        subject: 'Hello',
        tags: [],
        sender: null,
      },
    };
  }
  const msg: Record<string, unknown> = {
    ts: ts - 60,
    subject: 'This an example webhook message',
    email: recipient,
    sender: 'example.sender@mandrillapp.com',
    tags: ['webhook-example'],
    opens: [],
    clicks: [],
    state: 'sent',
    metadata: { user_id: 111 },
    _id: uniqueId,
    _version: 'exampleaaaaaaaaaaaaaaa',
  };
  const event: Record<string, unknown> = { event: eventName, msg, _id: uniqueId, ts };
  switch (eventName) {
    case 'deferral':
      msg.state = 'deferred';
      msg.smtp_events = [
        {
          destination_ip: '127.0.0.1',
          diag: '451 4.3.5 Temporarily unavailable, try again later.',
          source_ip: '127.0.0.1',
          ts,
          type: 'deferred',
          size: 0,
        },
      ];
      break;
    case 'hard_bounce':
      Object.assign(msg, {
        state: 'bounced',
        bounce_description: 'bad_mailbox',
        bgtools_code: 10,
        diag: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
      });
      break;
    case 'soft_bounce':
      Object.assign(msg, {
        state: 'soft-bounced',
        bounce_description: 'mailbox_full',
        bgtools_code: 22,
        diag: 'smtp;552 5.2.2 Over Quota',
      });
      break;
    case 'open':
    case 'click':
      msg.opens = [{ ts }];
      Object.assign(event, {
        ip: '127.0.0.1',
        location: {
          country_short: 'US',
          country: 'United States',
          region: 'Oklahoma',
          city: 'Oklahoma City',
          latitude: 35.4675598145,
          longitude: -97.5164337158,
          postal_code: '73101',
          timezone: '-05:00',
        },
        user_agent: 'Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.1.8) Gecko/20100317 Postbox/1.1.3',
        user_agent_parsed: {
          type: 'Email Client',
          ua_family: 'Postbox',
          ua_name: 'Postbox 1.1.3',
          ua_version: '1.1.3',
          os_family: 'OS X',
          os_name: 'OS X 10.6 Snow Leopard',
          mobile: false,
        },
      });
      if (eventName === 'click') {
        msg.clicks = [{ ts, url: 'http://mandrill.com' }];
        event.url = 'http://mandrill.com';
      }
      break;
    case 'reject':
      msg.state = 'rejected';
      break;
    default:
      break;
  }
  return event;
}

function simulate(input: SimulateInput): SimulatedRequest {
  if (!SIMULATED_EVENTS.includes(input.eventName)) {
    throw new Error(`Unknown Mandrill event to simulate: ${input.eventName}`);
  }
  const events = JSON.stringify([simulatedEvent(input.eventName, input.uniqueId, input.now)]);
  const body = Buffer.from(new URLSearchParams({ [EVENTS_FIELD]: events }).toString());
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'Mandrill-Webhook/1.0',
  };
  if (input.signingKey !== undefined) {
    if (input.signedUrl === undefined) throw new Error('Simulating a signed Mandrill request needs signedUrl');
    headers[SIGNATURE_HEADER] = hmac('sha1', input.signingKey, input.signedUrl, `${EVENTS_FIELD}${events}`).toString(
      'base64',
    );
  }
  return { headers, body };
}

/** Mandrill (Mailchimp Transactional) webhooks. */
export const mandrillProvider: ProviderModule = {
  id: 'mandrill',
  displayName: 'Mandrill (Mailchimp Transactional)',
  contentTypes: ['application/x-www-form-urlencoded'],
  verify,
  parse,
  normalise,
  simulatedEvents: SIMULATED_EVENTS,
  simulate,
};
