/**
 * Provider arguments on the command line, checked the same way by every command: an unknown id lists the valid
 * ones (with the closest as a suggestion), and a signing key for an asymmetric scheme must be the private half.
 */
import { createPrivateKey } from 'node:crypto';
import { isProviderId, PROVIDER_IDS, type ProviderId } from '../../lambda/core/provider-ids';
import type { ProviderModule } from '../../lambda/providers/types';
import { UsageError } from '../local/options';
import { SIMULATORS } from '../simulate';

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The message for an id that names no provider: the closest id when it is a likely typo, and every valid id. */
export function unknownProviderMessage(value: string): string {
  const lowered = value.toLowerCase();
  const closest = [...PROVIDER_IDS].sort((a, b) => distance(lowered, a) - distance(lowered, b))[0] as ProviderId;
  const hint = distance(lowered, closest) <= Math.max(2, Math.floor(closest.length / 3)) ? ` (did you mean "${closest}"?)` : '';
  return `Unknown provider "${value}"${hint}; valid providers: ${PROVIDER_IDS.join(', ')}`;
}

/**
 * Narrows a command-line value to a provider id.
 *
 * @throws {UsageError} listing the valid ids.
 */
export function assertProviderId(value: string): asserts value is ProviderId {
  if (!isProviderId(value)) throw new UsageError(unknownProviderMessage(value));
}

/**
 * Checks a key given to sign simulated requests. Asymmetric schemes (SendGrid ECDSA, Postal RSA) sign with a
 * private key; the public key their dashboards show can only verify, so it is refused here with that explanation
 * instead of the crypto library's decoder error.
 *
 * @throws {UsageError} for a key that cannot sign as the provider.
 */
export function assertSimulationKey(module: ProviderModule, key: string): void {
  // Only the asymmetric schemes' simulators make key pairs.
  if (SIMULATORS.get(module.id)?.generateKeyPair === undefined) return;
  try {
    createPrivateKey(key);
  } catch {
    throw new UsageError(
      `--key for ${module.id} must be a private key (PEM): ${module.displayName} signs with a private key only it ` +
        'holds, and the public key its dashboard shows can only verify. To sign as it, use the key pair the local ' +
        'runtime generated (leave out --key), whose public half is in the signing keys',
    );
  }
}
