/**
 * Which providers' webhooks Hookguard keeps up to date through the provider's API, and which ones an operator must
 * update by hand after a credential rotation: the one answer `hookguard urls --deployed --changed`,
 * `hookguard status` and `hookguard providers sync` share. Pure: the stage configuration and the management
 * registry go in, nothing is read or called.
 */
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { AuthMode } from '../../lambda/core/settings';
import { MANAGEMENT_MODULES } from '../../lambda/management';
import type { CredentialPlacement, ManagedAccount, ManagementModule } from '../../lambda/management/types';
import type { StageConfig } from '../../lib/config/types';

/**
 * Why a provider's webhook is not updated by Hookguard:
 * - `no-api`: Hookguard has no management client for it (Postal has no webhook API at all);
 * - `no-credential-field`: its API cannot carry the Basic credential (placement `none`);
 * - `not-configured`: a client exists, but the stage has no `providers.<id>.managed` block.
 */
export type ManualReason = 'no-api' | 'no-credential-field' | 'not-configured';

/** How one enabled provider's webhook follows the credential. */
export type ProviderManagement =
  | {
      readonly provider: ProviderId;
      readonly auth: AuthMode;
      readonly mode: 'managed';
      readonly placement: CredentialPlacement;
      readonly account: ManagedAccount;
    }
  | {
      readonly provider: ProviderId;
      readonly auth: AuthMode;
      readonly mode: 'manual';
      readonly reason: ManualReason;
      /**
       * Whether the URL the provider holds carries the Basic credential (auth `basic` or `both`), so that each
       * rotation changes what must be pasted; false for `auth: signature`, whose URL a rotation leaves alone.
       */
      readonly carriesCredential: boolean;
    };

/** The `providers.<id>.managed` block of an enabled provider, if any. */
export function managedAccountOf(stage: StageConfig, provider: ProviderId): ManagedAccount | undefined {
  return stage.providers[provider]?.managed;
}

/**
 * Every enabled provider of the stage with how its webhook follows the credential, in the configuration's order.
 *
 * @example
 * providerManagement(stage).filter((entry) => entry.mode === 'manual' && entry.carriesCredential);
 */
export function providerManagement(
  stage: StageConfig,
  modules: ReadonlyMap<ProviderId, ManagementModule> = MANAGEMENT_MODULES,
): ProviderManagement[] {
  return (Object.keys(stage.providers) as ProviderId[]).map((provider) => {
    const auth = stage.providers[provider]?.auth ?? 'basic';
    const module = modules.get(provider);
    const account = managedAccountOf(stage, provider);
    // The configuration loader refuses a managed block for a provider without a usable client; should one reach
    // here anyway (an older registry), it is treated as manual: fail towards telling the operator to act.
    if (account !== undefined && module !== undefined && module.placement !== 'none') {
      return { provider, auth, mode: 'managed', placement: module.placement, account };
    }
    const reason: ManualReason =
      module === undefined ? 'no-api' : module.placement === 'none' ? 'no-credential-field' : 'not-configured';
    return { provider, auth, mode: 'manual', reason, carriesCredential: auth !== 'signature' };
  });
}

/** One line for people: why a manual provider is manual and what would change that. */
export function manualReasonText(provider: ProviderId, reason: ManualReason): string {
  switch (reason) {
    case 'no-api':
      return 'Hookguard has no management client for its API';
    case 'no-credential-field':
      return `its API cannot carry the Basic credential (consider providers.${provider}.auth "signature")`;
    case 'not-configured':
      return `not managed (set providers.${provider}.managed to let rotation update it)`;
  }
}
