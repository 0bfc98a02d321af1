/**
 * Provider-shaped identifiers for `simulate`, derived from the caller's `uniqueId`: the same `uniqueId` always gives
 * the same ids (so a simulated retry is a real duplicate), different ones never share them. Only for simulations.
 */
import { createHash } from 'node:crypto';

function digestHex(uniqueId: string, purpose: string): string {
  return createHash('sha256').update(purpose).update('\n').update(uniqueId).digest('hex');
}

/** A lowercase hex id of `length` digits (MailerSend's 24-digit object ids, for example). */
export function simulatedHexId(uniqueId: string, purpose: string, length: number): string {
  return digestHex(uniqueId, purpose).slice(0, length);
}

/** A UUID-formatted id (version 4 layout) for providers whose ids are UUIDs (Mailtrap, Postal). */
export function simulatedUuid(uniqueId: string, purpose: string): string {
  const hex = digestHex(uniqueId, purpose);
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A positive integer id below one billion (Postal's numeric message ids). */
export function simulatedNumber(uniqueId: string, purpose: string): number {
  return (Number.parseInt(digestHex(uniqueId, purpose).slice(0, 8), 16) % 999_999_999) + 1;
}
