/**
 * Resend: Standard Webhooks signatures under Svix header names (`svix-id`, `svix-timestamp`, `svix-signature`),
 * one JSON event per request. Event id = the `svix-id` header, which Resend keeps across retries.
 */
import type { EventDraft, EventType, RejectReason } from '../core/event';
import { ownEntry, setOwn } from '../core/lookup';
import { PayloadError } from '../errors';
import { dateStringToIso, getPath, isRecord, parseJsonBody, stringAt } from './shared';
import { firstAddressAt } from './standard-webhooks';
import {
  STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
  type StandardWebhookHeaderPrefix,
  standardWebhookMessageId,
  verifyStandardWebhook,
} from './standard-webhooks-signature';
import type { ParseResult, ProviderModule, WebhookRequest } from './types';

/** Resend sends Svix's names; the specification's names are accepted as a fallback (the Resend SDK maps to them). */
const HEADER_PREFIXES: readonly StandardWebhookHeaderPrefix[] = ['svix', 'webhook'];

/** Resend `type` -> normalised type and reject reason (https://resend.com/docs/webhooks/event-types). */
const EVENT_TYPES: Readonly<Record<string, readonly [EventType, RejectReason | null]>> = {
  'email.sent': ['sent', null],
  'email.scheduled': ['queued', null],
  'email.delivered': ['delivered', null],
  'email.delivery_delayed': ['deferred', null],
  'email.complained': ['complained', 'spam'],
  'email.bounced': ['bounced', 'bounced'],
  'email.opened': ['opened', null],
  'email.clicked': ['clicked', null],
  'email.received': ['inbound', null],
  'email.failed': ['failed', null],
  'email.suppressed': ['rejected', 'blocked'],
};

/**
 * Bounce `subType` values (Amazon SES's vocabulary, which Resend passes through) that mean Resend or the receiver
 * refused on policy rather than because the mailbox failed.
 */
const BLOCKED_BOUNCE_SUBTYPES = new Set([
  'Suppressed',
  'OnAccountSuppressionList',
  'ContentRejected',
  'AttachmentRejected',
]);

/**
 * Older payloads carry no `bounce.subType`, only the message Amazon SES wrote for it: "...is on the suppression list
 * because it has a recent history of producing hard bounces" (subType Suppressed / OnAccountSuppressionList).
 */
const SUPPRESSED_MESSAGE = /\bsuppression list\b/i;

function bounceReason(event: Record<string, unknown>): RejectReason {
  const subType = stringAt(event, 'data', 'bounce', 'subType');
  if (subType !== null) return BLOCKED_BOUNCE_SUBTYPES.has(subType) ? 'blocked' : 'bounced';
  const message = stringAt(event, 'data', 'bounce', 'message');
  return message !== null && SUPPRESSED_MESSAGE.test(message) ? 'blocked' : 'bounced';
}

/** A `Transient` bounce (Amazon SES's soft bounce, which Resend passes through) leaves the address good. */
function isSoftBounce(event: Record<string, unknown>): boolean {
  return stringAt(event, 'data', 'bounce', 'type') === 'Transient';
}

/** Resend tags are name/value pairs: an object in current payloads, an array of `{name, value}` in older ones. */
function tagsAsMetadata(tags: unknown): Record<string, unknown> {
  if (isRecord(tags)) return { ...tags };
  if (!Array.isArray(tags)) return {};
  const metadata: Record<string, unknown> = {};
  for (const tag of tags) {
    // setOwn: a tag named `__proto__` must stay a key, not replace the metadata's prototype.
    if (isRecord(tag) && typeof tag.name === 'string') setOwn(metadata, tag.name, tag.value ?? null);
  }
  return metadata;
}

function diagnostic(event: Record<string, unknown>): string | null {
  const code = getPath(event, ['data', 'bounce', 'diagnosticCode']);
  if (typeof code === 'string' && code.length > 0) return code;
  if (Array.isArray(code)) {
    const lines = code.filter((line): line is string => typeof line === 'string' && line.length > 0);
    return lines.length > 0 ? lines.join('\n') : null;
  }
  return null;
}

function parse(request: WebhookRequest): ParseResult {
  const body = parseJsonBody(request.body);
  if (!isRecord(body)) throw new PayloadError('Expected a JSON object (one event per request)');
  standardWebhookMessageId(request, HEADER_PREFIXES);
  return { events: [body] };
}

function normalise(event: unknown, request: WebhookRequest): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected the event to be a JSON object');
  const type = stringAt(event, 'type');
  if (type === null) throw new PayloadError('Missing field type');
  const [mappedType, defaultReason] = ownEntry(EVENT_TYPES, type) ?? ['unknown', null];
  // A soft bounce is `deferred` with reason `bounced` (docs/events.md, "Bounces and delays").
  const eventType = type === 'email.bounced' && isSoftBounce(event) ? 'deferred' : mappedType;
  return [
    {
      eventType,
      eventId: standardWebhookMessageId(request, HEADER_PREFIXES),
      messageId: stringAt(event, 'data', 'email_id'),
      // Resend sends one event per recipient but names none of them; the first `to` is the documented choice.
      recipient: firstAddressAt(event, 'data', 'to') ?? firstAddressAt(event, 'data', 'email'),
      // Top-level `created_at` is the event's time; `data.created_at` is when the email was created.
      timestamp: dateStringToIso(stringAt(event, 'created_at')),
      rejectReason: type === 'email.bounced' ? bounceReason(event) : defaultReason,
      description:
        stringAt(event, 'data', 'bounce', 'message') ??
        stringAt(event, 'data', 'failed', 'reason') ??
        stringAt(event, 'data', 'suppressed', 'message'),
      mtaResponse: diagnostic(event),
      metadata: tagsAsMetadata(getPath(event, ['data', 'tags'])),
      clickUrl: stringAt(event, 'data', 'click', 'link'),
      userAgent: stringAt(event, 'data', 'click', 'userAgent'),
      raw: event,
    },
  ];
}

/** Resend webhooks (signed, Standard Webhooks scheme). */
export const resendProvider: ProviderModule = {
  id: 'resend',
  displayName: 'Resend',
  contentTypes: ['application/json'],
  defaultTimestampToleranceSeconds: STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
  verify: (request, context) => verifyStandardWebhook(request, context, HEADER_PREFIXES),
  parse,
  normalise,
};
