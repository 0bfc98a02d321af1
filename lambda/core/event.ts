import type { ProviderId } from './provider-ids';

/** EventBridge `Source` of every normalised event. */
export const EVENT_SOURCE = 'hookguard';

/** Version of the {@link NormalisedEvent} contract; bumped only on a breaking change. */
export const SCHEMA_VERSION = 1;

/** The normalised event vocabulary (the one django-anymail users know). */
export const EVENT_TYPES = [
  'queued',
  'sent',
  'rejected',
  'failed',
  'bounced',
  'deferred',
  'delivered',
  'autoresponded',
  'opened',
  'clicked',
  'complained',
  'unsubscribed',
  'subscribed',
  'inbound',
  'inbound_failed',
  'unknown',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const REJECT_REASONS = ['invalid', 'bounced', 'timed_out', 'blocked', 'spam', 'unsubscribed', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Narrows a string to an {@link EventType}. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The public event contract: the `Detail` of every EventBridge entry Hookguard publishes
 * (`Source` = `hookguard`, `DetailType` = `email.<eventType>`). Every key is always present; absent values are null.
 */
export interface NormalisedEvent {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly eventType: EventType;
  readonly provider: ProviderId;
  /** The provider's own event id, or a stable id derived from the event's content when the provider gives none. */
  readonly eventId: string;
  readonly messageId: string | null;
  readonly recipient: string | null;
  /** When the provider says the event happened, ISO 8601 UTC. */
  readonly timestamp: string | null;
  readonly rejectReason: RejectReason | null;
  readonly description: string | null;
  readonly mtaResponse: string | null;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly clickUrl: string | null;
  readonly userAgent: string | null;
  /** When Hookguard received the request, ISO 8601 UTC. */
  readonly receivedAt: string;
  /** The provider's own event object, untouched. */
  readonly raw: unknown;
}

/**
 * What a provider module produces for one event: the contract fields it knows. {@link completeEvent} fills the
 * rest with nulls and the fields the pipeline owns (schema version, provider, receivedAt).
 */
export interface EventDraft {
  eventType: EventType;
  eventId: string;
  messageId?: string | null;
  recipient?: string | null;
  timestamp?: string | null;
  rejectReason?: RejectReason | null;
  description?: string | null;
  mtaResponse?: string | null;
  tags?: readonly string[];
  metadata?: Readonly<Record<string, unknown>>;
  clickUrl?: string | null;
  userAgent?: string | null;
  raw: unknown;
}

/** Builds a complete {@link NormalisedEvent} from a draft: every contract key present, absent values null. */
export function completeEvent(provider: ProviderId, draft: EventDraft, receivedAt: Date): NormalisedEvent {
  return {
    schemaVersion: SCHEMA_VERSION,
    eventType: draft.eventType,
    provider,
    eventId: draft.eventId,
    messageId: draft.messageId ?? null,
    recipient: draft.recipient ?? null,
    timestamp: draft.timestamp ?? null,
    rejectReason: draft.rejectReason ?? null,
    description: draft.description ?? null,
    mtaResponse: draft.mtaResponse ?? null,
    tags: draft.tags ?? [],
    metadata: draft.metadata ?? {},
    clickUrl: draft.clickUrl ?? null,
    userAgent: draft.userAgent ?? null,
    receivedAt: receivedAt.toISOString(),
    raw: draft.raw,
  };
}

/** EventBridge `DetailType` for an event type. */
export function detailTypeOf(eventType: EventType): string {
  return `email.${eventType}`;
}
