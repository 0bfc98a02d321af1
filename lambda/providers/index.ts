/**
 * The provider registry: the one place a provider module is registered. Adding a provider means writing its
 * module (same shape as the others) and its fixtures, then adding one line here.
 */
import type { ProviderId } from '../core/provider-ids';
import type { ProviderModule } from './types';

const MODULES: readonly ProviderModule[] = [];

/** Every registered provider module, by id. */
export const PROVIDERS: ReadonlyMap<ProviderId, ProviderModule> = new Map(MODULES.map((module) => [module.id, module]));
