/**
 * The provider registry: the one place a provider module is registered. Adding a provider means writing its
 * module (same shape as the others) and its fixtures, then adding one line here.
 */
import type { ProviderId } from '../core/provider-ids';
import { amazonSesProvider } from './amazon-ses';
import { brevoProvider } from './brevo';
import { mailersendProvider } from './mailersend';
import { mailgunProvider } from './mailgun';
import { mailjetProvider } from './mailjet';
import { mailtrapProvider } from './mailtrap';
import { mandrillProvider } from './mandrill';
import { postalProvider } from './postal';
import { postmarkProvider } from './postmark';
import { resendProvider } from './resend';
import { sendgridProvider } from './sendgrid';
import { sparkpostProvider } from './sparkpost';
import { standardWebhooksProvider } from './standard-webhooks';
import type { ProviderModule } from './types';
import { unisenderGoProvider } from './unisender-go';

const MODULES: readonly ProviderModule[] = [
  amazonSesProvider,
  brevoProvider,
  mailersendProvider,
  mailgunProvider,
  mailjetProvider,
  mailtrapProvider,
  mandrillProvider,
  postalProvider,
  postmarkProvider,
  resendProvider,
  sendgridProvider,
  sparkpostProvider,
  standardWebhooksProvider,
  unisenderGoProvider,
];

/** Every registered provider module, by id. */
export const PROVIDERS: ReadonlyMap<ProviderId, ProviderModule> = new Map(MODULES.map((module) => [module.id, module]));
