/**
 * Postal (self-hosted mail server) webhooks: one JSON event per `POST` (`{event, timestamp, payload, uuid}`), signed
 * over the raw body with the server's RSA signing key (PKCS#1 v1.5, base64):
 * - `X-Postal-Signature-256`: RSA-SHA256 (Postal 3 and later), with `X-Postal-Signature-KID` naming the key;
 * - `X-Postal-Signature`: RSA-SHA1, the only one older servers send; newer ones send it too, for old receivers.
 *
 * The SHA-256 signature is preferred: when it is present it alone decides (a bad SHA-256 signature is never rescued by
 * the SHA-1 one, so a downgrade is impossible). The body `timestamp` is when the event happened and stays the same on
 * every retry, so nothing signed bounds a replay: the dedupe ledger does, on the event's `uuid`.
 *
 * The verification key is the public key as Postal publishes it: the base64 SPKI DER from the `p=` value of its
 * DNS TXT record (`postal signing-key` / the DNS page), or the same key as a PEM.
 */
import {
  createHash,
  createPublicKey,
  type KeyObject,
  verify as verifySignature,
} from 'node:crypto';
import type { EventDraft, EventType } from '../core/event';
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
  stringAt,
} from './shared';
import type { ProviderModule, VerifyResult, WebhookRequest } from './types';

const SIGNATURE_256_HEADER = 'x-postal-signature-256';
const SIGNATURE_SHA1_HEADER = 'x-postal-signature';
const KEY_ID_HEADER = 'x-postal-signature-kid';

/** A configured verification key, parsed. */
interface PostalKey {
  readonly key: KeyObject;
  /** Postal's key id: SHA-256 (hex) of the PKCS#1 DER public key, as ruby-jwt computes a JWK `kid`. */
  readonly kid: string;
}

/** Postal's key id for a public key (what `X-Postal-Signature-KID` carries). */
export function postalKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'pkcs1', format: 'der' }))
    .digest('hex');
}

/**
 * Parses one configured key: a PEM public key, or the bare base64 SPKI DER Postal publishes (whitespace, as in a
 * DNS record split into chunks, is ignored). Null when it is neither, is not RSA, or is a private key.
 */
export function parsePostalKey(value: string): PostalKey | null {
  const text = value.trim();
  try {
    let key: KeyObject;
    if (text.startsWith('-----BEGIN')) {
      // createPublicKey would quietly derive the public half of a private key; a private key never belongs here.
      if (text.includes('PRIVATE KEY')) return null;
      key = createPublicKey(text);
    } else {
      const der = decodeBase64Strict(text.replace(/\s+/g, ''));
      if (der === null) return null;
      key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
    return key.asymmetricKeyType === 'rsa' ? { key, kid: postalKeyId(key) } : null;
  } catch {
    return null;
  }
}

function rsaVerifies(algorithm: 'sha256' | 'sha1', body: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verifySignature(algorithm, body, key, signature);
  } catch {
    return false;
  }
}

function verify(request: WebhookRequest, signingKeys: readonly string[]): VerifyResult {
  const parsed = signingKeys.map(parsePostalKey);
  const keys = parsed.filter((key): key is PostalKey => key !== null);
  if (keys.length === 0) {
    // A misconfiguration, but the pipeline's contract is SignatureError: nothing can verify, so nothing is accepted.
    throw new SignatureError(
      `none of the ${parsed.length} configured key(s) is an RSA public key (expected base64 SPKI DER or a PEM public key)`,
    );
  }
  const sha256Value = header(request.headers, SIGNATURE_256_HEADER);
  const sha1Value = header(request.headers, SIGNATURE_SHA1_HEADER);
  const [algorithm, headerName, value] =
    sha256Value !== null
      ? (['sha256', 'X-Postal-Signature-256', sha256Value] as const)
      : sha1Value !== null
        ? (['sha1', 'X-Postal-Signature', sha1Value] as const)
        : ([null, null, null] as const);
  if (algorithm === null) throw new SignatureError('Missing X-Postal-Signature-256 and X-Postal-Signature headers');
  const signature = decodeBase64Strict(value);
  if (signature === null) throw new SignatureError(`${headerName} is not canonical base64`);
  for (const { key } of keys) {
    if (rsaVerifies(algorithm, request.body, key, signature)) return {};
  }
  // Key ids and counts are public facts about the configuration; they tell an operator which key Postal used.
  const kid = header(request.headers, KEY_ID_HEADER);
  const kidIndex = kid === null ? -1 : keys.findIndex((key) => key.kid === kid.toLowerCase());
  const kidNote =
    kid === null
      ? ''
      : kidIndex >= 0
        ? `; its key id is configured key #${kidIndex + 1}`
        : '; its key id is not configured';
  const unusable = parsed.length - keys.length;
  const unusableNote = unusable > 0 ? `; ${unusable} configured key(s) unusable` : '';
  throw new SignatureError(
    `${headerName} (RSA-${algorithm.toUpperCase()}) verifies with none of the ${keys.length} configured key(s)${kidNote}${unusableNote}`,
  );
}

/** Delivery statuses of the four message status events. */
const STATUS_MAP: Readonly<Record<string, EventType>> = {
  Sent: 'delivered',
  SoftFail: 'deferred',
  HardFail: 'failed',
  Held: 'queued',
};

/** Every event Postal documents. Status events are refined by `payload.status` when it is one Postal defines. */
const EVENT_MAP: Readonly<Record<string, EventType>> = {
  MessageSent: 'delivered',
  MessageDelayed: 'deferred',
  MessageDeliveryFailed: 'failed',
  MessageHeld: 'queued',
  MessageBounced: 'bounced',
  MessageLinkClicked: 'clicked',
  MessageLoaded: 'opened',
  DomainDNSError: 'unknown',
  SendLimitApproaching: 'unknown',
  SendLimitExceeded: 'unknown',
};

const STATUS_EVENTS = new Set(['MessageSent', 'MessageDelayed', 'MessageDeliveryFailed', 'MessageHeld']);

/** `to` is normally a bare address; take the address out of a `Name <address>` form if one ever appears. */
function addressOf(value: string | null): string | null {
  if (value === null) return null;
  const bracketed = /<([^<>]+)>\s*$/.exec(value);
  return (bracketed?.[1] ?? value).trim() || null;
}

/** What the account-level events are about, in words (they carry no message). */
function accountDescription(name: string, payload: Record<string, unknown>): string | null {
  if (name === 'DomainDNSError') {
    const problems = ['spf', 'dkim', 'mx', 'return_path']
      .map((check) => stringAt(payload, `${check}_error`))
      .filter((problem): problem is string => problem !== null);
    const domain = stringAt(payload, 'domain');
    if (problems.length > 0) return problems.join(' ');
    return domain === null ? null : `DNS check failed for ${domain}`;
  }
  if (name === 'SendLimitApproaching' || name === 'SendLimitExceeded') {
    const volume = numberAt(payload, 'volume');
    const limit = numberAt(payload, 'limit');
    return volume === null || limit === null ? null : `Send volume ${volume} of limit ${limit}`;
  }
  return null;
}

function normalise(event: unknown): readonly EventDraft[] {
  if (!isRecord(event)) throw new PayloadError('Expected the Postal event to be a JSON object');
  const name = stringAt(event, 'event');
  if (name === null) throw new PayloadError('Missing field event');
  const payload = event.payload;
  if (!isRecord(payload)) throw new PayloadError('Missing field payload (expected an object)');
  // MessageBounced describes the original (outgoing) message; the bounce itself is an incoming message.
  const message = isRecord(payload.message)
    ? payload.message
    : isRecord(payload.original_message)
      ? payload.original_message
      : null;
  // Postal also reports on mail it received (routes to endpoints); that is not about mail sent through it.
  if (message !== null && message.direction === 'incoming') return [];
  const status = stringAt(payload, 'status');
  const statusType = STATUS_EVENTS.has(name) && status !== null ? ownEntry(STATUS_MAP, status) : undefined;
  const eventType = statusType ?? ownEntry(EVENT_MAP, name) ?? 'unknown';
  const tag = message === null ? null : stringAt(message, 'tag');
  return [
    {
      eventType,
      eventId: stringAt(event, 'uuid') ?? deriveEventId('postal', event),
      messageId: message === null ? null : stringAt(message, 'id'),
      recipient: message === null ? null : addressOf(stringAt(message, 'to')),
      timestamp: epochSecondsToIso(numberAt(event, 'timestamp')),
      rejectReason: eventType === 'bounced' ? 'bounced' : null,
      description: stringAt(payload, 'details') ?? accountDescription(name, payload),
      mtaResponse: stringAt(payload, 'output'),
      tags: tag === null ? [] : [tag],
      clickUrl: stringAt(payload, 'url'),
      userAgent: stringAt(payload, 'user_agent'),
      raw: event,
    },
  ];
}

/** The Postal provider module. */
export const postalProvider: ProviderModule = {
  id: 'postal',
  displayName: 'Postal',
  contentTypes: ['application/json'],
  verify: (request, context) => verify(request, context.signingKeys),
  parse(request) {
    const body = parseJsonBody(request.body);
    if (!isRecord(body)) throw new PayloadError('Expected a JSON object (one Postal webhook event)');
    return { events: [body] };
  },
  normalise,
};
