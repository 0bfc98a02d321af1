import { runCli } from '../../src/cli/main';
import { type CliKit, createCliKit, recordingIo } from './cli-test-kit';
import { DEPLOYED_OUTPUTS, fakeDeployedAws } from './fake-aws';

describe('hookguard urls', () => {
  let kit: CliKit;

  beforeEach(async () => {
    kit = await createCliKit();
  });

  afterEach(async () => {
    await kit.cleanUp();
  });

  it('prints the local URL of every enabled provider, with credentials unless auth is signature only', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['urls', ...kit.commonArgs], io);

    // Assess
    expect(code).toBe(0);
    const text = io.lines.join('\n');
    expect(io.lines[0]).toBe('Local runtime (stage test, http://127.0.0.1:4567):');
    expect(text).toContain('http://hookguard:CurrentPassword123@127.0.0.1:4567/webhooks/postmark');
    expect(text).toContain('http://hookguard:CurrentPassword123@127.0.0.1:4567/webhooks/mailgun');
    expect(text).toMatch(/resend\s+http:\/\/127\.0\.0\.1:4567\/webhooks\/resend\n/);
    expect(io.lines.filter((line) => /^ {2}\S/.test(line))).toHaveLength(14);
  });

  it('warns about each signed provider that has no key in the secrets file', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    await runCli(['urls', ...kit.commonArgs], io);

    // Assess: the kit's secrets only hold a Mailgun key.
    const warned = io.lines
      .map((line, index) => (line.includes('WARNING') ? io.lines[index - 2]?.trim().split(/\s+/)[0] : null))
      .filter((provider) => provider !== null);
    expect(warned).toEqual([
      'mailersend',
      'mailtrap',
      'mandrill',
      'postal',
      'resend',
      'sendgrid',
      'standard-webhooks',
      'unisender-go',
    ]);
  });

  it('prints the deployed URLs from the stack outputs and the current credential with --deployed', async () => {
    // Prepare
    const io = recordingIo();
    const aws = fakeDeployedAws();

    // Act
    const code = await runCli(['urls', '--deployed', ...kit.commonArgs], io, { aws: aws.factory });

    // Assess
    expect(code).toBe(0);
    expect(aws.calls.stacks).toEqual(['Hookguard-test']);
    expect(aws.calls.secrets).toEqual([DEPLOYED_OUTPUTS.CredentialsSecretArn]);
    const text = io.lines.join('\n');
    expect(text).toContain(
      'https://hookguard:DeployedPassword9@abc123.execute-api.eu-west-1.amazonaws.com/test/webhooks/sendgrid',
    );
    expect(text).toContain('https://abc123.execute-api.eu-west-1.amazonaws.com/test/webhooks/resend');
    expect(text).not.toContain('WARNING');
  });

  it('names the missing outputs of a stack that is not a Hookguard stack', async () => {
    // Prepare
    const io = recordingIo();
    const aws = fakeDeployedAws({ ApiUrl: DEPLOYED_OUTPUTS.ApiUrl });

    // Act
    const code = await runCli(['urls', '--deployed', ...kit.commonArgs], io, { aws: aws.factory });

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([
      'hookguard urls: Stack Hookguard-test has no output RestApiId, StageName, CredentialsSecretArn; is it a Hookguard stack?',
    ]);
  });
});
