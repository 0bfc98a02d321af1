/**
 * The event contract's cross-provider rules (docs/events.md, "Rules that hold for every provider"): `bounced` only
 * when the provider gave up on the address; soft or temporary bounces `deferred` with reason `bounced`; other delays
 * `deferred` with the provider's reason or null. One representative payload per provider and case.
 */
import { amazonSesProvider } from '../../../lambda/providers/amazon-ses';
import { resendProvider } from '../../../lambda/providers/resend';
import { sparkpostProvider } from '../../../lambda/providers/sparkpost';
import { standardWebhooksProvider } from '../../../lambda/providers/standard-webhooks';
import { unisenderGoProvider } from '../../../lambda/providers/unisender-go';
import type { ProviderModule } from '../../../lambda/providers/types';
import { NOW, webhookRequest } from './webhook-test-kit';

function normaliseEvent(module: ProviderModule, event: unknown, headers: Record<string, string> = {}) {
  return module.normalise(event, webhookRequest(module.id, JSON.stringify(event), headers));
}

const svix = { 'svix-id': 'msg_1', 'svix-timestamp': String(Math.floor(NOW.getTime() / 1000)) };

describe('soft and temporary bounces are deferred with reason bounced', () => {
  it.each([
    ['Transient', 'deferred', 'bounced'],
    ['Permanent', 'bounced', 'bounced'],
  ])('Resend bounce of type %s -> %s', (type, eventType, rejectReason) => {
    const event = { type: 'email.bounced', created_at: NOW.toISOString(), data: { email_id: 'e', to: ['a@b.c'], bounce: { type, message: 'Mailbox full', subType: 'MailboxFull' } } };
    expect(normaliseEvent(resendProvider, event, svix)[0]).toMatchObject({ eventType, rejectReason });
  });

  it.each([
    ['20', 'bounce', 'deferred', 'bounced'],
    ['22', 'out_of_band', 'deferred', 'bounced'],
    ['10', 'bounce', 'bounced', 'invalid'],
    ['50', 'bounce', 'bounced', 'blocked'],
    ['21', 'delay', 'deferred', 'bounced'],
  ])('SparkPost bounce class %s on %s -> %s / %s', (bounceClass, type, eventType, rejectReason) => {
    const entry = { msys: { message_event: { type, bounce_class: bounceClass, event_id: '1', timestamp: '1700000000' } } };
    expect(sparkpostProvider.normalise(entry, webhookRequest('sparkpost', '[]'))[0]).toMatchObject({ eventType, rejectReason });
  });

  it.each([
    ['err_mailbox_full', 'bounced'],
    ['err_spam_rejected', 'bounced'],
    ['err_will_retry', 'bounced'],
  ])('Unisender Go soft_bounced with %s -> deferred / %s', (deliveryStatus, rejectReason) => {
    const event = { event_name: 'transactional_email_status', event_data: { status: 'soft_bounced', email: 'a@b.c', job_id: 'j', event_time: '2026-01-01 00:00:00', delivery_info: { delivery_status: deliveryStatus } } };
    expect(unisenderGoProvider.normalise(event, webhookRequest('unisender-go', '{}'))[0]).toMatchObject({ eventType: 'deferred', rejectReason });
  });
});

describe('other delays carry the provider reason, else null', () => {
  const sesDelay = (delayType: string) => ({
    Type: 'Notification',
    MessageId: 'sns-1',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
    Timestamp: NOW.toISOString(),
    Message: JSON.stringify({
      eventType: 'DeliveryDelay',
      mail: { messageId: 'm', destination: ['a@b.c'] },
      deliveryDelay: { delayType, delayedRecipients: [{ emailAddress: 'a@b.c' }] },
    }),
  });

  it.each([
    ['MailboxFull', 'bounced'],
    ['SpamDetected', 'spam'],
    ['IPFailure', 'blocked'],
    ['TransientCommunicationFailure', null],
    ['constructor', null],
  ])('Amazon SES DeliveryDelay %s -> deferred / %s', (delayType, rejectReason) => {
    const drafts = normaliseEvent(amazonSesProvider, sesDelay(delayType));
    expect(drafts[0]).toMatchObject({ eventType: 'deferred', rejectReason, description: delayType });
  });
});

describe('Resend suppressions read the same with or without bounce.subType', () => {
  const message =
    "The recipient's email address is on the suppression list because it has a recent history of producing hard bounces.";

  it.each([
    ['a current payload', { type: 'Permanent', subType: 'Suppressed', message }],
    ['an older payload (message only)', { type: 'Permanent', message }],
  ])('%s -> bounced / blocked', (_label, bounce) => {
    const event = { type: 'email.bounced', created_at: NOW.toISOString(), data: { email_id: 'e', to: ['a@b.c'], bounce } };
    expect(normaliseEvent(resendProvider, event, svix)[0]).toMatchObject({ eventType: 'bounced', rejectReason: 'blocked' });
  });

  it('keeps an ordinary hard bounce without subType bounced / bounced', () => {
    const event = { type: 'email.bounced', created_at: NOW.toISOString(), data: { email_id: 'e', to: ['a@b.c'], bounce: { type: 'Permanent', message: 'Mailbox does not exist' } } };
    expect(normaliseEvent(resendProvider, event, svix)[0]).toMatchObject({ eventType: 'bounced', rejectReason: 'bounced' });
  });
});

describe('Standard Webhooks default eventTypeMap', () => {
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000' };

  it.each([
    ['email.delivery_delayed', 'deferred'],
    ['email.delivered', 'delivered'],
    ['email.bounced', 'bounced'],
    ['contact.created', 'unknown'],
    ['constructor', 'unknown'],
  ])('maps %s to %s when the stage configures no map', (type, eventType) => {
    expect(normaliseEvent(standardWebhooksProvider, { type, data: {} }, headers)[0]?.eventType).toBe(eventType);
  });

  it('uses a configured map instead of the default, whole', () => {
    const settings = { auth: 'both' as const, timestampToleranceSeconds: 300, maxBodyBytes: 1, eventTypeMap: { 'email.sent': 'sent' as const } };
    const event = { type: 'email.delivery_delayed', data: {} };
    const request = webhookRequest('standard-webhooks', JSON.stringify(event), headers);
    expect(standardWebhooksProvider.normalise(event, request, settings)[0]?.eventType).toBe('unknown');
  });
});
