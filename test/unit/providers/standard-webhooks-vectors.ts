/**
 * Test support: turns the official Standard Webhooks / Svix / Resend signature vectors (copied into
 * `test/fixtures/vectors/`) into requests, computing at test time what the vectors mark as "NOW" or as a template.
 */
import { signStandardWebhook } from '../../../src/simulate/standard-webhooks-signing';

/** One record of `test/fixtures/vectors/{standard-webhooks-v1,svix,resend}.json`. */
export interface StandardWebhooksVector {
  readonly scheme: string;
  readonly source: string;
  readonly secret_or_public_key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | { readonly repeat: string; readonly count: number };
  readonly timestamp: string | null;
  readonly expected_valid: boolean;
  readonly note?: string;
  readonly template?: boolean;
}

/** The request a vector describes, lower-cased headers, "NOW" replaced by `now`, template signatures computed. */
export function vectorRequest(
  vector: StandardWebhooksVector,
  now: Date,
): { headers: Record<string, string>; body: Buffer; signedAt: Date | null } {
  const body = Buffer.from(
    typeof vector.body === 'string' ? vector.body : vector.body.repeat.repeat(vector.body.count),
  );
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(vector.headers)) headers[name.toLowerCase()] = value;
  const prefix = 'svix-id' in headers ? 'svix' : 'webhook';
  const timestampName = `${prefix}-timestamp`;
  if (headers[timestampName] === 'NOW') headers[timestampName] = String(nowSeconds);
  // Placeholders stand for a signature valid for (id, now, body), as the vector notes say.
  const valid = signStandardWebhook(vector.secret_or_public_key, headers[`${prefix}-id`] ?? '', nowSeconds, body);
  const signatureName = `${prefix}-signature`;
  headers[signatureName] = (headers[signatureName] ?? '')
    .replace('<VALID v1 signature for (id, NOW, body)>', valid)
    .replace('<valid signature for timestamp=now>', valid.slice('v1,'.length));
  const timestamp = headers[timestampName] ?? '';
  return { headers, body, signedAt: /^\d+$/.test(timestamp) ? new Date(Number(timestamp) * 1000) : null };
}
