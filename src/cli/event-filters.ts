/**
 * The event filters of `tail`, `replay` and `listen` (`--provider`, `--type`, `--recipient`, `--pattern`), turned
 * into one EventBridge pattern (for a deployed rule) and one local matcher (the same pattern, evaluated by
 * `src/local/event-pattern.ts`), plus the readable one-line form of an event.
 */
import type { ParseArgsConfig } from 'node:util';
import { EVENT_SOURCE, EVENT_TYPES } from '../../lambda/core/event';
import { maskRecipient } from '../local/console-output';
import { compileEventPattern, type EventMatcher, EventPatternError } from '../local/event-pattern';
import type { EventEnvelope } from '../local/local-event-bus';
import { UsageError } from '../local/options';
import { parsePatternOption, type Style } from './command-kit';
import { assertProviderId } from './provider-args';

/** The filter options. */
export const FILTER_OPTIONS = {
  provider: { type: 'string', multiple: true },
  type: { type: 'string', multiple: true },
  recipient: { type: 'string', multiple: true },
  pattern: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Help lines of {@link FILTER_OPTIONS}. */
export const FILTER_OPTIONS_HELP = [
  '  --provider <id>     only this provider (repeatable)',
  '  --type <type>       only this event type, e.g. bounced or email.bounced (repeatable)',
  '  --recipient <addr>  only events for this recipient, any case (repeatable)',
  "  --pattern <json>    only events matching this EventBridge pattern, e.g. '{\"detail\":{\"tags\":[\"welcome\"]}}'",
];

/** Parsed filters: the pattern as EventBridge takes it, and its local matcher. */
export interface EventFilter {
  /** Always has `source: ["hookguard"]`; the filter options are added under `detail`. */
  readonly pattern: Record<string, unknown>;
  readonly matches: EventMatcher;
  /** Whether any filter was given. */
  readonly filtered: boolean;
}

/**
 * Builds the filter. Options and `--pattern` are ANDed: the options' fields are added to the pattern's `detail`,
 * and a field the pattern already constrains is checked by a second pattern, so both must match.
 *
 * @throws {UsageError} for an unknown provider or type, or a pattern EventBridge would refuse.
 */
export function buildEventFilter(values: {
  provider?: string[] | undefined;
  type?: string[] | undefined;
  recipient?: string[] | undefined;
  pattern?: string | undefined;
}): EventFilter {
  const fields: Record<string, unknown[]> = {};
  if (values.provider !== undefined) {
    for (const id of values.provider) assertProviderId(id);
    fields.provider = [...values.provider];
  }
  if (values.type !== undefined) {
    fields.eventType = values.type.map((type) => {
      const bare = type.startsWith('email.') ? type.slice('email.'.length) : type;
      if (!(EVENT_TYPES as readonly string[]).includes(bare)) {
        throw new UsageError(`Unknown event type "${type}"; valid types: ${EVENT_TYPES.join(', ')}`);
      }
      return bare;
    });
  }
  if (values.recipient !== undefined) {
    fields.recipient = values.recipient.map((recipient) => ({ 'equals-ignore-case': recipient }));
  }
  const given = values.pattern === undefined ? {} : parsePatternOption(values.pattern);
  const givenDetail = given.detail;
  const detail: Record<string, unknown> =
    typeof givenDetail === 'object' && givenDetail !== null && !Array.isArray(givenDetail)
      ? { ...(givenDetail as Record<string, unknown>) }
      : {};
  const extra: Record<string, unknown[]> = {};
  for (const [field, list] of Object.entries(fields)) {
    if (Object.hasOwn(detail, field)) extra[field] = list;
    else detail[field] = list;
  }
  const pattern: Record<string, unknown> = {
    ...given,
    source: [EVENT_SOURCE],
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
  let matches: EventMatcher;
  try {
    const main = compileEventPattern(pattern);
    const second = Object.keys(extra).length > 0 ? compileEventPattern({ detail: extra }) : null;
    matches = second === null ? main : (event) => main(event) && second(event);
  } catch (error) {
    if (error instanceof EventPatternError) throw new UsageError(`--pattern: ${error.message}`);
    throw error;
  }
  return { pattern, matches, filtered: values.pattern !== undefined || Object.keys(fields).length > 0 };
}

const TYPE_COLOURS: ReadonlyMap<string, keyof Style> = new Map<string, keyof Style>([
  ['bounced', 'red'],
  ['failed', 'red'],
  ['rejected', 'red'],
  ['complained', 'red'],
  ['inbound_failed', 'red'],
  ['deferred', 'yellow'],
  ['unsubscribed', 'yellow'],
  ['delivered', 'green'],
  ['opened', 'cyan'],
  ['clicked', 'cyan'],
]);

function text(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : '-';
}

/**
 * One readable line for an event: time, provider, type, masked recipient, message id. Never the whole body.
 *
 * @example
 * formatEventSummary(envelope, style); // "2026-01-31T12:00:00Z  sendgrid  bounced  j***@example.com  14c5d75c..."
 */
export function formatEventSummary(envelope: EventEnvelope, style: Style): string {
  const detail = (typeof envelope.detail === 'object' && envelope.detail !== null ? envelope.detail : {}) as Record<
    string,
    unknown
  >;
  const type = text(detail.eventType);
  const colour = TYPE_COLOURS.get(type);
  const recipient = typeof detail.recipient === 'string' ? detail.recipient : null;
  return [
    style.dim(text(envelope.time)),
    text(detail.provider).padEnd(17),
    (colour ? style[colour] : (value: string) => value)(type.padEnd(13)),
    maskRecipient(recipient).padEnd(24),
    text(detail.messageId),
  ].join(' ');
}

/** Whether a parsed JSON value looks like an event envelope (anything else in a file is skipped). */
export function isEnvelope(value: unknown): value is EventEnvelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { 'detail-type'?: unknown })['detail-type'] === 'string' &&
    typeof (value as { detail?: unknown }).detail === 'object'
  );
}
