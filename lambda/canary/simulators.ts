/**
 * The provider simulators the scheduled canary function carries: every registered simulator (`src/simulate/`)
 * except Amazon SES's, whose module holds the test-only SNS signing key and certificate, which must never be part of
 * a deployed bundle (`test/unit/lambda-bundles.test.ts`). Only Amazon SNS can send an Amazon SES notification
 * anyway, so the canary never posts as `amazon-ses` (`lib/constructs/scheduled-canary.ts`). A test checks that this
 * list follows the registry.
 */
import type { ProviderId } from '../core/provider-ids';
import { brevoSimulator } from '../../src/simulate/brevo';
import { mailersendSimulator } from '../../src/simulate/mailersend';
import { mailgunSimulator } from '../../src/simulate/mailgun';
import { mailjetSimulator } from '../../src/simulate/mailjet';
import { mailtrapSimulator } from '../../src/simulate/mailtrap';
import { mandrillSimulator } from '../../src/simulate/mandrill';
import { postalSimulator } from '../../src/simulate/postal';
import { postmarkSimulator } from '../../src/simulate/postmark';
import { resendSimulator } from '../../src/simulate/resend';
import { sendgridSimulator } from '../../src/simulate/sendgrid';
import { sparkpostSimulator } from '../../src/simulate/sparkpost';
import { standardWebhooksSimulator } from '../../src/simulate/standard-webhooks';
import type { ProviderSimulator } from '../../src/simulate/types';
import { unisenderGoSimulator } from '../../src/simulate/unisender-go';

/** The simulators of the providers the canary can post as, by provider id. */
export const CANARY_SIMULATORS: ReadonlyMap<ProviderId, ProviderSimulator> = new Map(
  [
    brevoSimulator,
    mailersendSimulator,
    mailgunSimulator,
    mailjetSimulator,
    mailtrapSimulator,
    mandrillSimulator,
    postalSimulator,
    postmarkSimulator,
    resendSimulator,
    sendgridSimulator,
    sparkpostSimulator,
    standardWebhooksSimulator,
    unisenderGoSimulator,
  ].map((simulator) => [simulator.id, simulator]),
);
