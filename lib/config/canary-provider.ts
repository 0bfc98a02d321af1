/**
 * Which provider the scheduled canary posts as (`lib/constructs/scheduled-canary.ts` deploys it; `hookguard status`
 * says which). Pure configuration logic, without aws-cdk-lib, so the CLI can use it.
 */
import { type ProviderId, UNSIGNED_PROVIDERS } from '../../lambda/core/provider-ids';
import type { ProviderConfig } from './types';

/**
 * Providers whose requests a canary cannot sign as the provider does, with the reason (the same as `hookguard
 * smoke`'s): their signature check would refuse it, so they can carry the canary only when their `auth` is `basic`.
 */
export const CANARY_UNSIGNABLE: Readonly<Partial<Record<ProviderId, string>>> = {
  sendgrid: 'SendGrid signs with a private key only it holds',
  postal: 'Postal signs with a private key only it holds',
};

/** Whether the canary must sign its requests for `provider` (the verifier checks them) with a stage signing key. */
export function canarySigns(provider: ProviderId, settings: Pick<ProviderConfig, 'auth'>): boolean {
  return !UNSIGNED_PROVIDERS.includes(provider) && settings.auth !== 'basic';
}

/** Why the canary cannot use `provider`, or undefined when it can. */
export function canaryIneligibility(provider: ProviderId, settings: Pick<ProviderConfig, 'auth' | 'allowedCidrs'>): string | undefined {
  if (settings.allowedCidrs.length > 0) {
    return "its route has an IP allow-list (allowedCidrs), and the WAF would block the canary function's address";
  }
  // Whatever its auth: the canary function carries no Amazon SES simulator (its test keys stay out of bundles).
  if (provider === 'amazon-ses') return 'only Amazon SNS can send an Amazon SES notification';
  const unsignable = CANARY_UNSIGNABLE[provider];
  if (unsignable !== undefined && canarySigns(provider, settings)) return `${unsignable} (and its auth is not "basic")`;
  return undefined;
}

/**
 * The provider the canary posts as: `preferred` when given (an error when it cannot carry the canary), else the
 * first enabled provider, in the order of the resolved configuration (the provider registry's), that can: no IP allow-list on its route (the WAF would refuse the
 * function's address), and a request the canary can sign (never Amazon SES; SendGrid and Postal only when their `auth` is `basic`).
 *
 * @returns the provider, or the reason per provider why none can carry it.
 */
export function chooseCanaryProvider(
  providers: Readonly<Partial<Record<ProviderId, Pick<ProviderConfig, 'auth' | 'allowedCidrs'>>>>,
  preferred?: ProviderId,
): { readonly provider: ProviderId } | { readonly problem: string } {
  if (preferred !== undefined) {
    const settings = providers[preferred];
    if (settings === undefined) return { problem: `monitoring.canary.provider ${preferred} is not an enabled provider` };
    const why = canaryIneligibility(preferred, settings);
    return why === undefined ? { provider: preferred } : { problem: `monitoring.canary.provider ${preferred} cannot carry the canary: ${why}` };
  }
  const reasons: string[] = [];
  for (const [id, settings] of Object.entries(providers) as Array<[ProviderId, ProviderConfig]>) {
    const why = canaryIneligibility(id, settings);
    if (why === undefined) return { provider: id };
    reasons.push(`${id}: ${why}`);
  }
  return { problem: `no enabled provider can carry the canary (${reasons.join('; ')})` };
}
