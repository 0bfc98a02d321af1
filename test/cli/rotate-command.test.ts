import { stat } from 'node:fs/promises';
import { runCli } from '../../src/cli/main';
import { readSecretsFile } from '../../src/local/secrets-file';
import { type CliKit, createCliKit, KIT_CREDENTIAL, recordingIo } from './cli-test-kit';
import { DEPLOYED_OUTPUTS, fakeDeployedAws } from './fake-aws';

const CURRENT = `${KIT_CREDENTIAL.username}:${KIT_CREDENTIAL.password}`;

describe('hookguard rotate', () => {
  let kit: CliKit;

  beforeEach(async () => {
    kit = await createCliKit();
  });

  afterEach(async () => {
    await kit.cleanUp();
  });

  it('makes a new local credential and keeps the old one as the previous', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['rotate', ...kit.commonArgs], io);

    // Assess
    expect(code).toBe(0);
    const secrets = await readSecretsFile(kit.secretsPath);
    expect(secrets.basicAuth.current).toMatch(/^hookguard:[A-Za-z0-9]{40}$/);
    expect(secrets.basicAuth.current).not.toBe(CURRENT);
    expect(secrets.basicAuth.previous).toEqual([CURRENT]);
    expect(secrets.providers).toEqual({ mailgun: { signingKeys: ['0123456789abcdef0123456789abcdef'] } });
    expect((await stat(kit.secretsPath)).mode & 0o777).toBe(0o600);
    expect(io.lines.join('\n')).toContain(`http://${secrets.basicAuth.current}@127.0.0.1:4567/webhooks/postmark`);
  });

  it('revokes every previous credential with --revoke-previous', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    const code = await runCli(['rotate', '--revoke-previous', ...kit.commonArgs], io);

    // Assess
    expect(code).toBe(0);
    const secrets = await readSecretsFile(kit.secretsPath);
    expect(secrets.basicAuth.previous).toEqual([]);
    expect(io.lines[0]).toMatch(/previous credentials revoked/);
  });

  it.each([
    [false, 0],
    [true, 60],
  ])(
    'rotates the deployed stack with --deployed (revoke %s: settle %s s, the secret cache TTL)',
    async (revoke, settleSeconds) => {
      // Prepare
      const io = recordingIo();
      const aws = fakeDeployedAws();

      // Act
      const code = await runCli(
        ['rotate', '--deployed', '--region', 'eu-west-1', ...(revoke ? ['--revoke-previous'] : []), ...kit.commonArgs],
        io,
        { aws: aws.factory },
      );

      // Assess
      expect(code).toBe(0);
      expect(aws.calls.targets).toEqual([{ region: 'eu-west-1' }]);
      expect(aws.calls.rotations).toEqual([
        {
          secretId: DEPLOYED_OUTPUTS.CredentialsSecretArn,
          restApiId: 'abc123',
          stageName: 'test',
          revokePrevious: revoke,
          settleSeconds,
        },
      ]);
      expect(io.lines[0]).toBe('Rotation started: new version v2');
      expect(io.lines.at(-1)).toMatch(/^Rotated Hookguard-test: version v2 is current/);
      expect((await readSecretsFile(kit.secretsPath)).basicAuth.current).toBe(CURRENT);
    },
  );

  it('asks the deployed rotation to resume a failed rotation with --resume', async () => {
    const io = recordingIo();
    const aws = fakeDeployedAws();

    const code = await runCli(['rotate', '--deployed', '--resume', '--region', 'eu-west-1', ...kit.commonArgs], io, {
      aws: aws.factory,
    });

    expect(code).toBe(0);
    expect(aws.calls.rotations).toEqual([expect.objectContaining({ resumePending: true, revokePrevious: false })]);
  });

  it('says how to create the local secrets file when there is none', async () => {
    // Prepare
    await kit.cleanUp();
    kit = await createCliKit(null);
    const io = recordingIo();

    // Act
    const code = await runCli(['rotate', ...kit.commonArgs], io);

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual([expect.stringMatching(/does not exist: start the local runtime once/)]);
  });
});
