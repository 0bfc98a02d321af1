/**
 * What the Postal, MailerSend, Mailtrap and Unisender Go provider tests share: requests as the pipeline hands them
 * over (lower-cased header names, raw body bytes), a verify context, and a helper that insists on a SignatureError.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderId } from '../../../lambda/core/provider-ids';
import { SignatureError } from '../../../lambda/errors';
import type { ProviderModule, VerifyContext, VerifyResult, WebhookRequest } from '../../../lambda/providers/types';

/** The clock of every provider test. */
export const NOW = new Date('2026-11-22T12:00:00Z');

/** One record of `test/fixtures/vectors/<scheme>.json` (copied from the shared vector file). */
export interface SignatureVector {
  readonly secret_or_public_key: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly expected_valid: boolean;
  readonly note: string;
}

const FIXTURES = join(__dirname, '../../fixtures');

/** The vector records of one scheme. */
export function vectorsOf(scheme: string): SignatureVector[] {
  return JSON.parse(readFileSync(join(FIXTURES, 'vectors', `${scheme}.json`), 'utf8'));
}

/** The raw bytes of `test/fixtures/providers/<provider>/<name>.json`. */
export function fixtureBytes(provider: ProviderId, name: string): Buffer {
  return readFileSync(join(FIXTURES, 'providers', provider, `${name}.json`));
}

/** A POST as the pipeline passes it to a module: header names lower-cased, JSON content type unless overridden. */
export function webhookRequest(
  provider: ProviderId,
  body: Buffer | string,
  headers: Record<string, string> = {},
): WebhookRequest {
  const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    provider,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...lowerCased },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    receivedAt: NOW,
  };
}

/** A verify context with the given keys; none of these providers fetches certificates. */
export function verifyContext(signingKeys: readonly string[]): VerifyContext {
  return {
    settings: { auth: 'both', timestampToleranceSeconds: 300, maxBodyBytes: 1_048_576 },
    signingKeys,
    signedUrls: [],
    now: NOW,
    certificates: { certificate: () => Promise.reject(new Error('no certificates in these schemes')) },
  };
}

/** Runs the module's verify (a synchronous throw becomes a rejection). */
export async function verifyWith(
  module: ProviderModule,
  request: WebhookRequest,
  keys: readonly string[],
): Promise<VerifyResult> {
  const check = module.verify;
  if (check === undefined) throw new Error(`${module.displayName} must verify signatures`);
  return check(request, verifyContext(keys));
}

/** Awaits a verification that must fail with a SignatureError carrying the public message; returns the error. */
export async function signatureFailure(run: Promise<unknown>): Promise<SignatureError> {
  const error = await run.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(SignatureError);
  const signatureError = error as SignatureError;
  expect(signatureError.message).toBe(SignatureError.PUBLIC_MESSAGE);
  return signatureError;
}

/** Parses a body with the module and normalises every event, as the pipeline does. */
export function normaliseBody(module: ProviderModule, body: Buffer | string) {
  const request = webhookRequest(module.id, body);
  return module.parse(request).events.flatMap((event) => module.normalise(event, request));
}
