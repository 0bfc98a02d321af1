import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProviderId } from '../../lambda/core/provider-ids';
import type { ManagementModule } from '../../lambda/management/types';
import { runCli } from '../../src/cli/main';
import { type CliKit, createCliKit, recordingIo } from './cli-test-kit';
import { fakeDeployedAws } from './fake-aws';
import { FakeManagedAccount } from './fake-management';

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com/test/webhooks';

describe('hookguard urls --deployed --changed', () => {
  let kit: CliKit;
  // Registered clients: SendGrid and Postmark can carry the credential, MailerSend's API cannot.
  const modules = new Map<ProviderId, ManagementModule>([
    ['sendgrid', new FakeManagedAccount('sendgrid').module()],
    ['postmark', new FakeManagedAccount('postmark').module('auth-field')],
    ['mailersend', new FakeManagedAccount('mailersend').module('none')],
  ]);

  beforeEach(async () => {
    kit = await createCliKit();
  });

  afterEach(async () => {
    await kit.cleanUp();
  });

  async function urls(...args: string[]) {
    const io = recordingIo();
    const aws = fakeDeployedAws();
    const code = await runCli(['urls', '--deployed', '--region', 'eu-west-1', '--changed', ...args, ...kit.commonArgs], io, {
      aws: aws.factory,
      managementModules: modules,
    });
    return { code, io, aws };
  }

  it('needs --deployed, saying why', async () => {
    const io = recordingIo();
    const code = await runCli(['urls', '--changed', ...kit.commonArgs], io);
    expect(code).toBe(1);
    expect(io.errors).toEqual([
      'hookguard urls: --changed needs --deployed: provider webhooks are updated through provider APIs only for deployed stages',
    ]);
  });

  it('lists each manual provider whose URL carries the credential, with the URL, where it goes and why by hand', async () => {
    const { code, io } = await urls();

    expect(code).toBe(0);
    const text = io.lines.join('\n');
    expect(io.lines[1]).toBe('Paste by hand at each provider (the current credential of Hookguard-test):');
    const pasted = io.lines.filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(/\s+/)[0]);
    // Every enabled provider but Resend (auth: signature): none is managed in the test configuration.
    expect(pasted).toHaveLength(13);
    expect(pasted).not.toContain('resend');
    expect(text).toContain(`https://hookguard:DeployedPassword9@${API.slice('https://'.length)}/postal`);
    expect(text).toMatch(/postal\s+https:\S+\n\s+where: Server > Webhooks: paste the URL[^\n]*\n\s+why by hand: Hookguard has no management client for its API/);
    expect(text).toMatch(/sendgrid\s+https:\S+\n[^\n]*\n\s+why by hand: not managed \(set providers\.sendgrid\.managed/);
    expect(text).toMatch(/mailersend\s+https:\S+\n[^\n]*\n\s+why by hand: its API cannot carry the Basic credential/);
    expect(text).toContain('Unchanged by a rotation (auth: signature, no credential in the URL): resend');
    expect(text).not.toContain('Updated by Hookguard');
  });

  it('prints one JSON object per provider to paste, and nothing else', async () => {
    const { code, io } = await urls('--json', '--provider', 'postal', '--provider', 'resend');

    expect(code).toBe(0);
    expect(io.lines.map((line) => JSON.parse(line))).toEqual([
      {
        provider: 'postal',
        auth: 'both',
        url: `https://hookguard:DeployedPassword9@${API.slice('https://'.length)}/postal`,
        setup: expect.stringContaining('Server > Webhooks'),
        reason: 'Hookguard has no management client for its API',
      },
    ]);
  });
});

describe('hookguard urls --deployed --changed with managed providers', () => {
  let kit: CliKit;

  beforeEach(async () => {
    kit = await createCliKit();
  });

  afterEach(async () => {
    await kit.cleanUp();
  });

  it('leaves the managed providers out of what to paste and names them on one line', async () => {
    const config = join(kit.dir, 'managed.config.json');
    await writeFile(
      config,
      JSON.stringify({
        stages: {
          test: {
            providers: {
              sendgrid: { managed: {} },
              mailgun: { managed: { options: { domain: 'mg.example.com' } } },
              postal: {},
              resend: { auth: 'signature' },
            },
          },
        },
      }),
    );
    const io = recordingIo();
    const code = await runCli(
      ['urls', '--deployed', '--changed', '--region', 'eu-west-1', '--config', config, '--stage', 'test'],
      io,
      { aws: fakeDeployedAws().factory },
    );

    expect(code).toBe(0);
    const pasted = io.lines.filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(/\s+/)[0]);
    expect(pasted).toEqual(['postal']);
    expect(io.lines).toContain(
      'Updated by Hookguard through their API at each rotation: mailgun, sendgrid (now: hookguard providers sync --deployed)',
    );
  });
});
