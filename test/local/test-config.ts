/**
 * A configuration file for tests that run the local runtime or the CLI: every provider enabled (Resend with
 * signature-only auth, to cover the mode that skips Basic auth), and two routes with patterns.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SES_SIMULATOR_TOPIC_ARN } from '../../src/simulate/amazon-ses-test-keys';

/** The stage name the test configuration defines. */
export const TEST_STAGE = 'test';

/** The configuration document. */
export function testConfig(routesDir: string): unknown {
  return {
    stages: {
      [TEST_STAGE]: {
        providers: {
          'amazon-ses': { snsTopicArns: [SES_SIMULATOR_TOPIC_ARN] },
          brevo: {},
          mailersend: {},
          mailgun: {},
          mailjet: {},
          mailtrap: {},
          mandrill: { signedUrl: 'http://127.0.0.1:3000/webhooks/mandrill' },
          postal: {},
          postmark: {},
          resend: { auth: 'signature' },
          sendgrid: {},
          sparkpost: {},
          'standard-webhooks': {
            eventTypeMap: { 'email.delivered': 'delivered', 'email.bounced': 'bounced', 'email.opened': 'opened' },
          },
          'unisender-go': {},
        },
        events: {
          routes: [
            {
              name: 'suppression',
              eventPattern: { 'detail-type': ['email.bounced', 'email.complained'] },
              target: { type: 'sqs' },
            },
            {
              name: 'sendgrid-engagement',
              eventPattern: {
                detail: { provider: ['sendgrid'], $or: [{ eventType: ['opened'] }, { eventType: ['clicked'] }] },
              },
              target: { type: 'sqs' },
              local: { type: 'file', path: join(routesDir, 'engagement.jsonl') },
            },
          ],
        },
      },
    },
  };
}

/** Writes the configuration to `<dir>/hookguard.config.json` and returns its path. */
export async function writeTestConfig(dir: string): Promise<string> {
  const path = join(dir, 'hookguard.config.json');
  await writeFile(path, JSON.stringify(testConfig(join(dir, 'custom-routes')), null, 2));
  return path;
}
