/**
 * Helpers shared by the provider management-API fakes: how a test seeds a webhook and how a fake reports what each
 * webhook carries now (read from the fake's own state, not through the client under test).
 */
import type { WebhookCredential } from '../../../lambda/management/types';

/** A webhook a test adds to a fake account: where it points and the Basic credential it carries (null: none). */
export interface SeedWebhook {
  readonly url: string;
  readonly credential: WebhookCredential | null;
}

/** One webhook (or one URL of a per-event webhook) as the fake holds it now. */
export interface CarriedWebhook {
  /** The provider's id of the webhook, as the client reports it. */
  readonly id: string;
  /** The URL as stored, user info included. */
  readonly url: string;
  readonly credential: WebhookCredential | null;
}

/** `url` with `credential` as percent-encoded user info, inserted as text (what an operator pastes). */
export function withUserInfo(url: string, credential: WebhookCredential | null): string {
  if (credential === null) return url;
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.+)$/i.exec(url);
  if (match === null) throw new Error(`not an absolute URL: ${url}`);
  return `${match[1]}${encodeURIComponent(credential.username)}:${encodeURIComponent(credential.password)}@${match[2]}`;
}

/** The decoded user info of a URL, or null. */
export function userInfoOf(url: string): WebhookCredential | null {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return null;
  return { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/** The Basic credential of an `Authorization: Basic ...` header, or null. */
export function basicCredentialOf(header: string | undefined): WebhookCredential | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (match === null) return null;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
