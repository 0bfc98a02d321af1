/**
 * The management registry: the one place a provider's management module is registered. Adding a managed provider
 * means writing `lambda/management/<provider>.ts` (shape: {@link ManagementModule}), its fake server in
 * `test/support/fakes/<provider>.ts` built from the provider's documentation, and one line here.
 */
import type { ProviderId } from '../core/provider-ids';
import { amazonSesManagement } from './amazon-ses';
import { mailersendManagement } from './mailersend';
import { mailjetManagement } from './mailjet';
import { mailtrapManagement } from './mailtrap';
import { resendManagement } from './resend';
import type { ManagementModule } from './types';
import { unisenderGoManagement } from './unisender-go';

const MODULES: readonly ManagementModule[] = [
  amazonSesManagement,
  mailjetManagement,
  mailtrapManagement,
  mailersendManagement,
  resendManagement,
  unisenderGoManagement,
];

/** Every provider whose webhooks Hookguard can manage through the provider's API, by id. */
export const MANAGEMENT_MODULES: ReadonlyMap<ProviderId, ManagementModule> = new Map(
  MODULES.map((module) => [module.provider, module]),
);
