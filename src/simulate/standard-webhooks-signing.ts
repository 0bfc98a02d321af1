/**
 * Signing as a Standard Webhooks sender signs (https://www.standardwebhooks.com): for the simulators of Resend and of
 * generic Standard Webhooks senders, and for tests. The verifier's side is lambda/providers/standard-webhooks-signature.
 */
import { ConfigurationError } from '../../lambda/errors';
import { hmac } from '../../lambda/providers/shared';
import {
  decodeStandardWebhookSecret,
  type StandardWebhookHeaderPrefix,
} from '../../lambda/providers/standard-webhooks-signature';
import type { SimulatedRequest, SimulateInput } from './types';

const SYMMETRIC_VERSION = 'v1';

/** The `v1,<base64>` signature of one message, exactly as a sender computes it. */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: Buffer): string {
  const key = decodeStandardWebhookSecret(secret);
  if (!key) throw new ConfigurationError('Standard Webhooks signing secret must be whsec_ followed by base64');
  return `${SYMMETRIC_VERSION},${hmac('sha256', key, `${id}.${timestampSeconds}.`, body).toString('base64')}`;
}

/**
 * A request as a Standard Webhooks sender posts it: JSON `payload`, message id `msg_<uniqueId>`, the attempt time from
 * `input.now`, and the signature header when `input.signingKey` is given.
 */
export function simulateStandardWebhook(
  prefix: StandardWebhookHeaderPrefix,
  input: SimulateInput,
  payload: unknown,
): SimulatedRequest {
  const id = `msg_${input.uniqueId}`;
  const timestampSeconds = Math.floor(input.now.getTime() / 1000);
  const body = Buffer.from(JSON.stringify(payload));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestampSeconds),
  };
  if (input.signingKey !== undefined) {
    headers[`${prefix}-signature`] = signStandardWebhook(input.signingKey, id, timestampSeconds, body);
  }
  return { headers, body };
}

