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
    const code = await runCli(['urls', '--deployed', '--region', 'eu-west-1', ...kit.commonArgs], io, { aws: aws.factory });

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
    const code = await runCli(['urls', '--deployed', '--region', 'eu-west-1', ...kit.commonArgs], io, { aws: aws.factory });

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([
      'hookguard urls: Stack Hookguard-test has no output RestApiId, StageName, CredentialsSecretArn; is it a Hookguard stack?',
    ]);
  });

  it('prints only the providers named with --provider, as JSON with --json', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['urls', '--provider', 'mailgun', '--provider', 'resend', '--json', ...kit.commonArgs], io);

    // Assess: one JSON document per line, nothing else on stdout.
    expect(code).toBe(0);
    expect(io.lines.map((line) => JSON.parse(line))).toEqual([
      {
        provider: 'mailgun',
        auth: 'both',
        url: 'http://hookguard:CurrentPassword123@127.0.0.1:4567/webhooks/mailgun',
        hasSigningKey: true,
        setup: expect.stringContaining('Sending > Webhooks'),
      },
      {
        provider: 'resend',
        auth: 'signature',
        url: 'http://127.0.0.1:4567/webhooks/resend',
        hasSigningKey: false,
        setup: expect.any(String),
      },
    ]);
  });

  it('lists the valid ids for an unknown --provider', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['urls', '--provider', 'sendgird', ...kit.commonArgs], io);

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([
      expect.stringMatching(/^hookguard urls: Unknown provider "sendgird" \(did you mean "sendgrid"\?\); valid providers: amazon-ses, brevo, .*unisender-go$/),
    ]);
  });

  it('passes --region and --profile to the AWS clients', async () => {
    // Prepare
    const io = recordingIo();
    const aws = fakeDeployedAws();

    // Act
    const code = await runCli(
      ['urls', '--deployed', '--region', 'eu-central-1', '--profile', 'ops', ...kit.commonArgs],
      io,
      { aws: aws.factory },
    );

    // Assess
    expect(code).toBe(0);
    expect(aws.calls.targets).toEqual([{ region: 'eu-central-1', profile: 'ops' }]);
  });

  describe('without any region', () => {
    const saved = { ...process.env };

    beforeEach(() => {
      for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[name];
      process.env.AWS_CONFIG_FILE = '/nonexistent/hookguard-test-config';
      process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/hookguard-test-credentials';
    });

    afterEach(() => {
      process.env = { ...saved };
    });

    it('names the missing region and how to give it instead of the SDK message', async () => {
      // Prepare
      const io = recordingIo();
      const aws = fakeDeployedAws();

      // Act
      const code = await runCli(['urls', '--deployed', ...kit.commonArgs], io, { aws: aws.factory });

      // Assess
      expect(code).toBe(1);
      expect(io.errors).toEqual([
        'hookguard urls: No AWS region for stage test: pass --region <region>, set env.region for the stage in the configuration, set AWS_REGION, or give your profile a region',
      ]);
      expect(aws.calls.targets).toEqual([]);
    });
  });

  it('refuses a malformed --region', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['urls', '--deployed', '--region', 'Europe', ...kit.commonArgs], io);

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual(['hookguard urls: --region must be an AWS region such as eu-west-1, got "Europe"']);
  });
});
