/**
 * The JSON stored in Hookguard's two secrets, shared by the stack, the Lambdas, the rotation and the CLI.
 */
import type { ProviderId } from './provider-ids';

/** Value of the Basic credential secret (each version). The password is alphanumeric, so it is URL-safe. */
export interface BasicCredentialSecret {
  readonly username: string;
  readonly password: string;
}

/** Value of the signing keys secret: every accepted key per provider, as the provider's dashboard shows it. */
export type SigningKeysSecret = Readonly<Partial<Record<ProviderId, readonly string[]>>>;
