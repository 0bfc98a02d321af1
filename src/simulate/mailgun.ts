/**
 * Mailgun webhook simulator (JSON webhooks: `signature` block beside `event-data`).
 *
 * Source: Mailgun "Webhooks" payload samples (one per event type, including `failed` with `severity` temporary and
 * permanent) and the real captures in django-anymail's tests/test_mailgun_webhooks.py (`rejected` carries no
 * `recipient`; `user-variables` is an object; timestamps are float seconds). One event per POST.
 */
import { createHash } from 'node:crypto';
import { hmac } from '../../lambda/providers/shared';
import { batchSizeOf, checkEventName, type ProviderSimulator, type SimulateInput } from './types';

const DEFAULT_RECIPIENT = 'alice@example.com';

function simulatedHex(uniqueId: string, purpose: string, length: number): string {
  return createHash('sha256').update(`${purpose}:${uniqueId}`).digest('hex').slice(0, length);
}

/** Simulated webhook name -> the event-specific part of `event-data`, after Mailgun's webhook payload samples. */
const SIMULATED_EVENT_DATA: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  accepted: {
    event: 'accepted',
    'log-level': 'info',
    method: 'HTTP',
    envelope: { sender: 'postmaster@mg.example.com', transport: 'smtp', targets: 'alice@example.com' },
  },
  delivered: {
    event: 'delivered',
    'log-level': 'info',
    envelope: {
      sender: 'postmaster@mg.example.com',
      'sending-ip': '209.61.154.250',
      transport: 'smtp',
      targets: 'alice@example.com',
    },
    storage: { url: 'https://storage.mailgun.net/v3/domains/mg.example.com/messages/eyJw', key: 'eyJw' },
    'delivery-status': {
      tls: true,
      'mx-host': 'smtp-in.example.com',
      code: 250,
      description: '',
      'session-seconds': 3.57,
      utf8: true,
      'attempt-no': 1,
      message: 'OK',
      'certificate-verified': true,
    },
  },
  permanent_fail: {
    event: 'failed',
    'log-level': 'error',
    severity: 'permanent',
    reason: 'bounce',
    'delivery-status': {
      tls: true,
      'mx-host': 'smtp-in.example.com',
      'session-seconds': 0.43,
      utf8: true,
      'certificate-verified': true,
      'attempt-no': 1,
      code: 550,
      'bounce-code': '5.1.1',
      message: '5.1.1 The email account that you tried to reach does not exist.',
      description: '',
    },
  },
  temporary_fail: {
    event: 'failed',
    'log-level': 'warn',
    severity: 'temporary',
    reason: 'generic',
    'delivery-status': {
      'mx-host': 'smtp-in.example.com',
      'session-seconds': 0.0,
      'attempt-no': 1,
      code: 452,
      message: '4.2.2 The email account that you tried to reach is over quota.',
      description: '',
      'retry-seconds': 600,
    },
  },
  opened: {
    event: 'opened',
    'log-level': 'info',
    ip: '50.56.129.169',
    geolocation: { country: 'US', region: 'CA', city: 'San Francisco' },
    'client-info': {
      'client-os': 'Linux',
      'device-type': 'desktop',
      'client-name': 'Chrome',
      'client-type': 'browser',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    },
  },
  clicked: {
    event: 'clicked',
    'log-level': 'info',
    ip: '50.56.129.169',
    url: 'https://www.example.com/welcome',
    'client-info': {
      'client-os': 'Linux',
      'device-type': 'desktop',
      'client-name': 'Chrome',
      'client-type': 'browser',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    },
  },
  unsubscribed: { event: 'unsubscribed', 'log-level': 'info', ip: '50.56.129.169' },
  complained: { event: 'complained', 'log-level': 'warn' },
  rejected: {
    event: 'rejected',
    'log-level': 'warn',
    reject: { reason: 'Sandbox subdomains are for test purposes only', description: '' },
  },
};

function simulate(input: SimulateInput) {
  checkEventName(mailgunSimulator, input.eventName);
  batchSizeOf(input, mailgunSimulator);
  const specific = new Map(Object.entries(SIMULATED_EVENT_DATA)).get(input.eventName) ?? {};
  const recipient = input.recipient ?? DEFAULT_RECIPIENT;
  const envelope = specific.envelope;
  const seconds = Math.floor(input.now.getTime() / 1000);
  const timestamp = String(seconds);
  const token = simulatedHex(input.uniqueId, 'token', 50);
  const messageId = `${simulatedHex(input.uniqueId, 'message', 24)}@mg.example.com`;
  const eventData: Record<string, unknown> = {
    id: createHash('sha256').update(`id:${input.uniqueId}`).digest('base64url').slice(0, 22),
    timestamp: input.now.getTime() / 1000,
    ...specific,
    ...(typeof envelope === 'object' && envelope !== null && 'targets' in envelope
      ? { envelope: { ...envelope, targets: recipient } }
      : {}),
    flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false },
    message: {
      headers: {
        to: `Alice <${recipient}>`,
        'message-id': messageId,
        from: 'Example <postmaster@mg.example.com>',
        subject: 'Welcome to Example',
      },
      attachments: [],
      size: 4211,
    },
    ...(input.eventName === 'rejected'
      ? {}
      : { recipient, 'recipient-domain': recipient.slice(recipient.lastIndexOf('@') + 1) }),
    campaigns: [],
    tags: ['welcome'],
    'user-variables': input.metadata ?? { 'order-id': `order-${input.uniqueId}` },
  };
  const signature =
    input.signingKey === undefined ? '' : hmac('sha256', input.signingKey, timestamp, token).toString('hex');
  const body = { signature: { token, timestamp, signature }, 'event-data': eventData };
  return {
    headers: { 'content-type': 'application/json', 'user-agent': 'mailgun/treq-16.12.0' },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
}


/** Mailgun webhooks, simulated. */
export const mailgunSimulator: ProviderSimulator = {
  id: 'mailgun',
  source: 'Mailgun webhooks documentation (payload samples); django-anymail tests/test_mailgun_webhooks.py (captures)',
  events: Object.keys(SIMULATED_EVENT_DATA),
  maxBatch: 1,
  metadata: 'event-data.user-variables',
  simulate,
};
