/**
 * The management registry: the one place a provider's management module is registered. Adding a managed provider
 * means writing `lambda/management/<provider>.ts` (shape: {@link ManagementModule}), its fake server in
 * `test/support/fakes/<provider>.ts` built from the provider's documentation, and one line here.
 */
import type { ProviderId } from '../core/provider-ids';
import { amazonSesManagement } from './amazon-ses';
import { brevoManagement } from './brevo';
import { mailersendManagement } from './mailersend';
import { mailgunManagement } from './mailgun';
import { mailjetManagement } from './mailjet';
import { mailtrapManagement } from './mailtrap';
import { mandrillManagement } from './mandrill';
import { postmarkManagement } from './postmark';
import { resendManagement } from './resend';
import { sendgridManagement } from './sendgrid';
import { sparkpostManagement } from './sparkpost';
import type { ManagementModule } from './types';
import { unisenderGoManagement } from './unisender-go';

const MODULES: readonly ManagementModule[] = [
  sendgridManagement,
  mailgunManagement,
  postmarkManagement,
  mandrillManagement,
  sparkpostManagement,
  brevoManagement,
  mailjetManagement,
  mailtrapManagement,
  mailersendManagement,
  resendManagement,
  unisenderGoManagement,
  amazonSesManagement,
];

/** Every provider whose webhooks Hookguard can manage through the provider's API, by id. */
export const MANAGEMENT_MODULES: ReadonlyMap<ProviderId, ManagementModule> = new Map(
  MODULES.map((module) => [module.provider, module]),
);
