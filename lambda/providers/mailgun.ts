/**
 * Mailgun webhooks. Mailgun puts its signature inside the body: `signature.{timestamp, token, signature}` next to
 * `event-data` (JSON webhooks), or the same three fields among the form fields of legacy webhooks. The signature is
 * the lowercase hex HMAC-SHA256 of `timestamp + token` with the account's "HTTP webhook signing key"; it does NOT
 * cover the event, so the token is the event id and dedupe (not the signature) is the replay protection. Events on a
 * subaccount domain also carry `parent-signature`, the same HMAC with the primary account's key.
 */
import { dateFromSeconds } from '../core/dates';
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { NestingLimitError, parseJsonText } from '../core/json';
import { PayloadError, SignatureError } from '../errors';
import {
  decodeHexStrict,
  deriveEventId,
  epochSecondsToIso,
  getPath,
  header,
  hmac,
  isRecord,
  numberAt,
  parseFormBody,
  parseJsonBody,
  safeEqual,
  stringAt,
  stringsAt,
} from './shared';
import type {
  ProviderModule,
  VerifyContext,
  VerifyResult,
  WebhookRequest,
} from './types';

const FORM = 'application/x-www-form-urlencoded';

/** `event-data.event` -> normalised type (`failed` is refined by `severity`). */
const EVENT_TYPES: Readonly<Record<string, EventType>> = {
  accepted: 'queued',
  rejected: 'rejected',
  delivered: 'delivered',
  failed: 'bounced',
  opened: 'opened',
  clicked: 'clicked',
  unsubscribed: 'unsubscribed',
  complained: 'complained',
  // Mailgun stored an incoming message for a route with store().
  stored: 'inbound',
};

/**
 * `event-data.reason` of permanent failures -> reject reason. Mailgun documents permanent failures as hard bounces,
 * messages that reached their retry limit (`old`), earlier unsubscribes/bounces/complaints (`suppress-*`) and
 * addresses an ESP refused (`espblock`).
 */
const FAILURE_REASONS: Readonly<Record<string, RejectReason>> = {
  bounce: 'bounced',
  'suppress-bounce': 'bounced',
  'suppress-unsubscribe': 'unsubscribed',
  'suppress-complaint': 'spam',
  old: 'timed_out',
  espblock: 'blocked',
};

/** Legacy (form) webhook `event` -> normalised type. */
const LEGACY_EVENT_TYPES: Readonly<Record<string, EventType>> = {
  delivered: 'delivered',
  dropped: 'rejected',
  bounced: 'bounced',
  complained: 'complained',
  unsubscribed: 'unsubscribed',
  opened: 'opened',
  clicked: 'clicked',
};

/** Fields Mailgun itself posts in legacy webhooks; any other field is a user variable. */
const LEGACY_FIELDS: ReadonlySet<string> = new Set([
  'attachment-count',
  'body-plain',
  'campaign-id',
  'campaign-name',
  'city',
  'client-name',
  'client-os',
  'client-type',
  'code',
  'country',
  'description',
  'device-type',
  'domain',
  'error',
  'event',
  'h',
  'ip',
  'mailing-list',
  'message-headers',
  'Message-Id',
  'message-id',
  'notification',
  'reason',
  'recipient',
  'region',
  'signature',
  'tag',
  'timestamp',
  'token',
  'url',
  'user-agent',
  'X-Mailgun-Tag',
]);

/** A legacy form post: each field's values in order (repeated fields happen when user variables collide). */
type LegacyFields = Readonly<Record<string, readonly string[]>>;

interface SignatureBlock {
  readonly timestamp: string;
  readonly token: string;
  readonly signature: string;
  readonly parentSignature: string | null;
}

function isForm(request: WebhookRequest): boolean {
  const contentType = header(request.headers, 'content-type');
  return contentType !== null && contentType.split(';')[0]?.trim().toLowerCase() === FORM;
}

function formFields(body: Buffer): LegacyFields {
  const fields = new Map<string, string[]>();
  for (const [name, value] of parseFormBody(body)) {
    const values = fields.get(name);
    if (values === undefined) fields.set(name, [value]);
    else values.push(value);
  }
  // fromEntries defines own properties, so a posted field named `__proto__` stays data.
  return Object.fromEntries(fields);
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function signatureBlockOf(request: WebhookRequest): SignatureBlock {
  if (isForm(request)) {
    // User variables are merged into legacy form posts and may collide with these names; Mailgun's own values come
    // last (as django-anymail observed), so take the last of each.
    const fields = formFields(request.body);
    const last = (name: string): string => fields[name]?.at(-1) ?? '';
    return { timestamp: last('timestamp'), token: last('token'), signature: last('signature'), parentSignature: null };
  }
  let body: unknown;
  try {
    body = parseJsonBody(request.body);
  } catch (error) {
    // Over Hookguard's nesting limit: a 400 that names the limit rather than a signature failure.
    if (error instanceof NestingLimitError) throw error;
    throw new SignatureError('body is not JSON, so it carries no signature block');
  }
  const block = isRecord(body) ? body.signature : undefined;
  if (!isRecord(block)) throw new SignatureError('missing signature block');
  const parent = block['parent-signature'];
  return {
    timestamp: textOf(block.timestamp),
    token: textOf(block.token),
    signature: textOf(block.signature),
    parentSignature: typeof parent === 'string' && parent.length > 0 ? parent : null,
  };
}

function verifyMailgun(request: WebhookRequest, context: VerifyContext): VerifyResult {
  const block = signatureBlockOf(request);
  if (block.token === '') throw new SignatureError('missing signature token');
  if (!/^[0-9]{1,12}$/.test(block.timestamp)) throw new SignatureError('signature timestamp is not Unix seconds');
  const signature = decodeHexStrict(block.signature, 32);
  if (signature === null) throw new SignatureError('signature is not 64 hex digits');
  // A malformed parent-signature is ignored rather than fatal: it is optional and `signature` still has to match.
  const parentSignature = block.parentSignature === null ? null : decodeHexStrict(block.parentSignature, 32);

  const matches = context.signingKeys.some((key) => {
    if (key.length === 0) return false;
    const expected = hmac('sha256', key, block.timestamp, block.token);
    // Evaluate both comparisons so the time taken does not depend on which one matched.
    const own = safeEqual(expected, signature);
    const parent = parentSignature !== null && safeEqual(expected, parentSignature);
    return own || parent;
  });
  if (!matches) throw new SignatureError('signature does not match any configured key');
  const signedAt = dateFromSeconds(Number(block.timestamp));
  if (signedAt === null) throw new SignatureError('signed timestamp is not a representable time');
  return { signedAt };
}

function parseMailgun(request: WebhookRequest): { events: readonly unknown[] } {
  if (isForm(request)) {
    const fields = formFields(request.body);
    if (!Object.hasOwn(fields, 'event')) throw new PayloadError('Missing form field event');
    return { events: [fields] };
  }
  const body = parseJsonBody(request.body);
  if (!isRecord(body)) throw new PayloadError('Expected a JSON object with signature and event-data');
  if (!isRecord(body['event-data'])) throw new PayloadError('Missing field event-data');
  return { events: [body] };
}

/** The address inside `Name <address>` (or the whole value when there are no brackets). */
function addressOf(value: string | null): string | null {
  if (value === null) return null;
  const open = value.lastIndexOf('<');
  const close = value.lastIndexOf('>');
  const address = open >= 0 && close > open ? value.slice(open + 1, close) : value;
  const trimmed = address.trim();
  return trimmed.length > 0 && !trimmed.includes(',') ? trimmed : null;
}

function normaliseJsonEvent(event: unknown): EventDraft {
  if (!isRecord(event)) throw new PayloadError('Expected a JSON object with signature and event-data');
  const data = event['event-data'];
  if (!isRecord(data)) throw new PayloadError('Missing field event-data');
  const name = stringAt(data, 'event');
  if (name === null) throw new PayloadError('Missing field event-data.event');

  let eventType: EventType = Object.hasOwn(EVENT_TYPES, name) ? (EVENT_TYPES[name] as EventType) : 'unknown';
  let rejectReason: RejectReason | null = null;
  let description = stringAt(data, 'delivery-status', 'description');
  let recipient = stringAt(data, 'recipient');
  if (name === 'failed') {
    if (stringAt(data, 'severity') === 'temporary') {
      // Mailgun keeps retrying a temporary failure (a 4xx answer, greylisting included): a temporary bounce, so
      // `deferred` with reason `bounced`, or `blocked` when an ESP's block is the cause (docs/events.md).
      eventType = 'deferred';
      rejectReason = stringAt(data, 'reason') === 'espblock' ? 'blocked' : 'bounced';
    } else {
      const reason = stringAt(data, 'reason');
      rejectReason =
        reason !== null && Object.hasOwn(FAILURE_REASONS, reason) ? (FAILURE_REASONS[reason] ?? null) : 'other';
    }
  } else if (name === 'rejected') {
    rejectReason = 'other';
    description = description ?? stringAt(data, 'reject', 'reason');
    recipient = recipient ?? addressOf(stringAt(data, 'message', 'headers', 'to'));
  } else if (name === 'stored') {
    // An incoming message: the address it was sent to is the recipient.
    recipient = recipient ?? addressOf(stringAt(data, 'message', 'headers', 'to'));
  } else if (name === 'complained') {
    rejectReason = 'spam';
  }

  const variables = getPath(data, ['user-variables']);
  return {
    eventType,
    // `event-data.id` is only unique within a day; the signature token is unique per webhook and stable on retries.
    eventId: stringAt(event, 'signature', 'token') ?? deriveEventId('mailgun', data),
    messageId: stringAt(data, 'message', 'headers', 'message-id'),
    recipient,
    timestamp: epochSecondsToIso(numberAt(data, 'timestamp')),
    rejectReason,
    description,
    mtaResponse: stringAt(data, 'delivery-status', 'message'),
    tags: stringsAt(data, 'tags'),
    metadata: isRecord(variables) ? variables : {},
    clickUrl: stringAt(data, 'url'),
    userAgent: stringAt(data, 'client-info', 'user-agent'),
    // The event itself; the signature block stays out of what is published.
    raw: data,
  };
}

function legacyRejectReason(name: string, fields: LegacyFields): RejectReason | null {
  if (name !== 'dropped' && name !== 'bounced') return null;
  const code = fields.code?.[0]?.trim() ?? '';
  if (/^[0-9]{3}$/.test(code)) {
    const status = Number(code);
    // 499: no MX answered; 605/607: Mailgun's own codes for earlier bounces and spam complaints.
    if (status === 499) return 'timed_out';
    if (status === 607) return 'spam';
    if (status === 605 || (status >= 400 && status < 600)) return 'bounced';
    return 'other';
  }
  if (/^[245]\.[0-9]{1,3}\.[0-9]{1,3}$/.test(code)) return code.startsWith('2') ? 'other' : 'bounced';
  if (name === 'bounced') return 'bounced';
  return fields.reason?.[0] === 'old' ? 'timed_out' : 'other';
}

function legacyMetadata(fields: LegacyFields): Record<string, unknown> {
  const headersJson = fields['message-headers']?.[0];
  if (headersJson !== undefined) {
    // Where the original headers are posted, X-Mailgun-Variables holds the user variables exactly as sent.
    try {
      const headers: unknown = parseJsonText(headersJson, 'Form field message-headers');
      if (Array.isArray(headers)) {
        let metadata: Record<string, unknown> = {};
        for (const entry of headers) {
          if (Array.isArray(entry) && entry[0] === 'X-Mailgun-Variables' && typeof entry[1] === 'string') {
            const variables: unknown = parseJsonText(entry[1], 'X-Mailgun-Variables');
            // Spread (not Object.assign) so a variable named `__proto__` stays data.
            if (isRecord(variables)) metadata = { ...metadata, ...variables };
          }
        }
        return metadata;
      }
    } catch {
      throw new PayloadError('Form field message-headers (or its X-Mailgun-Variables) is not valid JSON');
    }
  }
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([name]) => !LEGACY_FIELDS.has(name))
      .map(([name, values]) => [name, values.at(-1)]),
  );
}

function normaliseLegacyEvent(event: unknown): EventDraft {
  if (!isRecord(event)) throw new PayloadError('Expected the form fields of one event');
  const fields = event as LegacyFields;
  const first = (name: string): string | null => {
    const value = fields[name]?.[0];
    return value === undefined || value === '' ? null : value;
  };
  const name = first('event');
  if (name === null) throw new PayloadError('Missing form field event');
  const token = fields.token?.at(-1);
  const timestamp = fields.timestamp?.at(-1);
  const tags = fields.tag ?? fields['X-Mailgun-Tag'] ?? [];

  const raw = Object.fromEntries(
    Object.entries(fields)
      .filter(([field]) => field !== 'signature')
      .map(([field, values]) => [field, values.length === 1 ? values[0] : values]),
  );
  return {
    eventType: Object.hasOwn(LEGACY_EVENT_TYPES, name) ? (LEGACY_EVENT_TYPES[name] as EventType) : 'unknown',
    eventId: token !== undefined && token !== '' ? token : deriveEventId('mailgun', raw),
    messageId: first('Message-Id') ?? first('message-id'),
    recipient: first('recipient'),
    timestamp: timestamp !== undefined && timestamp.trim() !== '' ? epochSecondsToIso(Number(timestamp)) : null,
    rejectReason: name === 'complained' ? 'spam' : legacyRejectReason(name, fields),
    description: first('description'),
    mtaResponse: first('error') ?? first('notification'),
    tags: [...tags],
    metadata: legacyMetadata(fields),
    clickUrl: first('url'),
    userAgent: first('user-agent'),
    raw,
  };
}

function normaliseMailgun(event: unknown, request: WebhookRequest): readonly EventDraft[] {
  return [isForm(request) ? normaliseLegacyEvent(event) : normaliseJsonEvent(event)];
}

/**
 * Mailgun webhooks (JSON, and legacy form posts).
 *
 * @example
 * ```ts
 * await mailgunProvider.verify?.(request, { ...context, signingKeys: ['<HTTP webhook signing key>'] });
 * const [draft] = mailgunProvider.normalise(mailgunProvider.parse(request).events[0], request);
 * ```
 */
export const mailgunProvider: ProviderModule = {
  id: 'mailgun',
  displayName: 'Mailgun',
  contentTypes: ['application/json', FORM],
  // Mailgun re-sends the original signature block on every retry (over 8 hours: 5 min, 10 min, 15 min, 1 h, 2 h,
  // 4 h) and its queue can lag behind, so the window must cover the whole schedule with room to spare.
  defaultTimestampToleranceSeconds: 24 * 60 * 60,
  verify: verifyMailgun,
  parse: parseMailgun,
  normalise: normaliseMailgun,
};
