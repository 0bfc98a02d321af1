/**
 * The readable lines the local runtime prints: the start-up banner and one line per request and per event. Nothing
 * here prints a secret except the credentials inside the webhook URLs the user must paste at the provider, and
 * recipients are masked.
 */
import type { EventReport } from '../../lambda/core/pipeline';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { BasicCredentialSecret } from '../../lambda/core/secret-formats';
import type { AuthMode } from '../../lambda/core/settings';
import { webhookUrlOf } from '../../lambda/core/webhook-path';
import type { RequestReport } from './local-api';
import { PROVIDER_SETUP_HINTS } from './provider-setup';

/**
 * Masks an address for the console: `jane.doe@example.com` -> `j***@example.com`. Anything that is not an address
 * keeps only its first character.
 */
export function maskRecipient(recipient: string | null): string {
  if (recipient === null || recipient === '') return '-';
  const at = recipient.lastIndexOf('@');
  const local = at > 0 ? recipient.slice(0, at) : recipient;
  const domain = at > 0 ? recipient.slice(at) : '';
  return `${local.slice(0, 1)}***${domain}`;
}

/**
 * The webhook URL to paste at a provider: the stage's webhook path (`webhookPath`: with the path token when the
 * stage has one) with the Basic credentials as userinfo, unless the provider's requests are authenticated by
 * signature alone.
 */
export function webhookUrl(
  baseUrl: string,
  provider: ProviderId,
  auth: AuthMode,
  credential: BasicCredentialSecret | null,
  pathToken: string | null = null,
): string {
  const url = new URL(webhookUrlOf(baseUrl, provider, pathToken));
  if (auth !== 'signature' && credential !== null) {
    url.username = credential.username;
    url.password = credential.password;
  }
  return url.toString();
}

/** One provider's entry in the banner and in `hookguard urls`. */
export interface ProviderUrl {
  readonly provider: ProviderId;
  readonly auth: AuthMode;
  readonly url: string;
  /**
   * Whether a signing key is configured for a provider whose scheme needs one (signature checks fail closed without
   * one); undefined when the provider needs none or it is not known (a deployed stack's keys are not read).
   */
  readonly hasSigningKey?: boolean;
  /** The provider's source allow-list, as one line (`src/cli/allowed-sources.ts`); absent: any source. */
  readonly allowedSources?: string;
}

/** The lines describing each provider's URL and what to set at the provider. */
export function formatProviderUrls(urls: readonly ProviderUrl[]): string[] {
  const lines: string[] = [];
  for (const entry of urls) {
    lines.push(`  ${entry.provider.padEnd(18)} ${entry.url}`);
    lines.push(`  ${''.padEnd(18)} auth: ${entry.auth}; at the provider: ${PROVIDER_SETUP_HINTS[entry.provider]}`);
    if (entry.auth !== 'basic' && entry.hasSigningKey === false) {
      lines.push(`  ${''.padEnd(18)} WARNING: no signing key configured: every request is refused until one is added`);
    }
    if (entry.allowedSources !== undefined) lines.push(`  ${''.padEnd(18)} ${entry.allowedSources}`);
  }
  return lines;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One line for a request: method, path, status and what happened. */
export function formatRequestLine(report: RequestReport): string {
  const head = `${report.method} ${report.path} ${report.statusCode}`;
  if (report.authFailure !== undefined) return `${head} unauthorized (${report.authFailure})`;
  const outcome = report.outcome;
  if (outcome === undefined) return head;
  if (outcome.urlCheck) return `${head} URL check`;
  if (outcome.subscriptionConfirmed) return `${head} SNS subscription confirmed`;
  const counts = [
    plural(outcome.received, 'event'),
    `${outcome.published} published`,
    `${outcome.duplicates} duplicate${outcome.duplicates === 1 ? '' : 's'}`,
    ...(outcome.inProgress > 0 ? [`${outcome.inProgress} in progress`] : []),
    ...(outcome.failed > 0 ? [`${outcome.failed} failed`] : []),
  ].join(', ');
  return outcome.errorCode === undefined ? `${head} ${counts}` : `${head} ${outcome.errorCode} (${counts})`;
}

/** One line for an event of a request: provider, type, masked recipient, status, and whether it was a duplicate. */
export function formatEventLine(event: EventReport, statusCode: number): string {
  return `  ${event.provider} ${event.eventType} ${maskRecipient(event.recipient)} ${statusCode} ${event.disposition}`;
}
