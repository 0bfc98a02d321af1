import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { keyFingerprint } from '../../src/cli/key-formats';
import { runCli } from '../../src/cli/main';
import { readSecretsFile, writeSecretsFile } from '../../src/local/secrets-file';
import { type ProviderSimulator, simulatorOf } from '../../src/simulate';
import { type CliKit, createCliKit, defaultSecrets, recordingIo } from './cli-test-kit';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hookguard-test-signing-keys-AbCdEf';
const MAILGUN_KEY = '0123456789abcdef0123456789abcdef';
const NEW_MAILGUN_KEY = 'fedcba9876543210fedcba9876543210';

function module(id: 'sendgrid' | 'postal'): ProviderSimulator {
  return simulatorOf(id);
}

describe('hookguard keys', () => {
  let kit: CliKit;

  beforeEach(async () => {
    kit = await createCliKit();
  });

  afterEach(async () => {
    await kit.cleanUp();
  });

  describe('set (local)', () => {
    it("replaces only that provider's keys in the secrets file", async () => {
      // Prepare
      const pair = module('sendgrid').generateKeyPair?.();
      const before = defaultSecrets();
      await writeSecretsFile(kit.secretsPath, {
        ...before,
        providers: { ...before.providers, sendgrid: { signingKeys: [pair?.verificationKey as string] } },
      });
      const io = recordingIo();

      // Act
      const code = await runCli(['keys', 'set', 'mailgun', MAILGUN_KEY, NEW_MAILGUN_KEY, ...kit.commonArgs], io);

      // Assess
      expect(code).toBe(0);
      const after = await readSecretsFile(kit.secretsPath);
      expect(after.providers.mailgun).toEqual({ signingKeys: [MAILGUN_KEY, NEW_MAILGUN_KEY] });
      expect(after.providers.sendgrid).toEqual({ signingKeys: [pair?.verificationKey] });
      expect(after.basicAuth).toEqual(before.basicAuth);
      expect(io.lines.join('\n')).toContain(`(${keyFingerprint(MAILGUN_KEY)}, ${keyFingerprint(NEW_MAILGUN_KEY)})`);
      expect(io.lines.join('\n')).not.toContain(NEW_MAILGUN_KEY);
    });

    it.each([
      ['a SendGrid private key', 'sendgrid', () => module('sendgrid').generateKeyPair?.().simulationKey as string, /sendgrid key 1 must be the public verification key, not a private key/],
      ['a Postal key given to SendGrid', 'sendgrid', () => module('postal').generateKeyPair?.().verificationKey as string, /sendgrid key 1 must be the Signed Event Webhook verification key: an ECDSA P-256 public key/],
      ['a Resend secret without whsec_ base64', 'resend', () => 'not base64!', /resend key 1 must be the signing secret: whsec_ followed by base64/],
      ['a Mailgun key with a space', 'mailgun', () => 'abc def 0123456789', /mailgun key 1 must be the HTTP webhook signing key .*: printable characters without spaces/],
      ['a key for Postmark, which signs nothing', 'postmark', () => 'whatever-key-123', /Postmark signs nothing/],
      ['a key for Amazon SES', 'amazon-ses', () => 'whatever-key-123', /Amazon SES .*needs no signing key: each message names its own certificate/],
    ])('refuses %s, writing nothing and never echoing the key', async (_name, provider, key, message) => {
      // Prepare
      const io = recordingIo();
      const value = key();

      // Act
      const code = await runCli(['keys', 'set', provider, value, ...kit.commonArgs], io);

      // Assess
      expect(code).toBe(1);
      expect(io.errors).toEqual([expect.stringMatching(new RegExp(`^hookguard keys: Nothing written: ${message.source}`))]);
      expect(io.errors[0]).not.toContain(value.trim().slice(0, 20));
      expect(await readSecretsFile(kit.secretsPath)).toEqual(defaultSecrets());
    });

    it('keeps the generated private key while its public half is still accepted, and drops it otherwise', async () => {
      // Prepare
      const generated = module('sendgrid').generateKeyPair?.() as { verificationKey: string; simulationKey: string };
      const other = module('sendgrid').generateKeyPair?.() as { verificationKey: string; simulationKey: string };
      const base = defaultSecrets();
      await writeSecretsFile(kit.secretsPath, {
        ...base,
        providers: { ...base.providers, sendgrid: { signingKeys: [generated.verificationKey], simulationKey: generated.simulationKey } },
      });

      // Act
      const both = await runCli(['keys', 'set', 'sendgrid', generated.verificationKey, other.verificationKey, ...kit.commonArgs], recordingIo());
      const kept = (await readSecretsFile(kit.secretsPath)).providers.sendgrid;
      const io = recordingIo();
      const onlyOther = await runCli(['keys', 'set', 'sendgrid', other.verificationKey, ...kit.commonArgs], io);
      const dropped = (await readSecretsFile(kit.secretsPath)).providers.sendgrid;

      // Assess
      expect([both, onlyOther]).toEqual([0, 0]);
      expect(kept).toEqual({ signingKeys: [generated.verificationKey, other.verificationKey], simulationKey: generated.simulationKey });
      expect(dropped).toEqual({ signingKeys: [other.verificationKey] });
      expect(io.errors).toEqual([expect.stringMatching(/send sendgrid needs --key <private key>/)]);
    });
  });

  describe('list (local)', () => {
    it('shows fingerprints, never keys', async () => {
      // Prepare
      const io = recordingIo();

      // Act
      const code = await runCli(['keys', 'list', ...kit.commonArgs], io);

      // Assess
      expect(code).toBe(0);
      const text = io.lines.join('\n');
      expect(text).toMatch(new RegExp(`mailgun\\s+${keyFingerprint(MAILGUN_KEY)}\\n`));
      expect(text).toMatch(/sendgrid\s+no key {2}\(every signed request is refused until a key is set\)/);
      expect(text).not.toContain(MAILGUN_KEY);
      expect(text).not.toMatch(/postmark|brevo|amazon-ses/);
    });

    it('prints one JSON object per signing provider with --json', async () => {
      // Prepare
      const io = recordingIo();

      // Act
      await runCli(['keys', 'list', '--json', ...kit.commonArgs], io);

      // Assess
      const entries = io.lines.map((line) => JSON.parse(line));
      expect(entries.map((entry) => entry.provider)).toEqual([
        'mailersend', 'mailgun', 'mailtrap', 'mandrill', 'postal', 'resend', 'sendgrid', 'standard-webhooks', 'unisender-go',
      ]);
      expect(entries.find((entry) => entry.provider === 'mailgun')).toEqual({
        provider: 'mailgun', enabled: true, fingerprints: [keyFingerprint(MAILGUN_KEY)], simulationKey: false,
      });
    });
  });

  describe('rotate-help', () => {
    it("prints the provider's steps with the keys set commands", async () => {
      const io = recordingIo();
      const code = await runCli(['keys', 'rotate-help', 'resend'], io);
      expect(code).toBe(0);
      const text = io.lines.join('\n');
      expect(text).toContain('old and new secrets both sign for 24 hours');
      expect(text).toContain('npx hookguard keys set resend <old key> <new key>');
    });

    it('says a provider without a signing key has nothing to rotate', async () => {
      const io = recordingIo();
      await runCli(['keys', 'rotate-help', 'postmark'], io);
      expect(io.lines).toEqual([expect.stringMatching(/^postmark has no signing key to rotate: .*hookguard rotate\.$/)]);
    });
  });

  describe('deployed', () => {
    const cloudFormation = mockClient(CloudFormationClient);
    const secretsManager = mockClient(SecretsManagerClient);
    const deployedArgs = () => ['--deployed', '--region', 'eu-west-1', ...kit.commonArgs];

    beforeEach(() => {
      cloudFormation.reset();
      secretsManager.reset();
      cloudFormation.on(DescribeStacksCommand).resolves({
        Stacks: [{ StackName: 'Hookguard-test', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'SigningKeysSecretArn', OutputValue: SECRET_ARN }] }],
      });
    });

    afterAll(() => {
      cloudFormation.restore();
      secretsManager.restore();
    });

    it("merges the provider's keys into the secret without touching the other providers", async () => {
      // Prepare: another provider's entry, and one this version does not know, must survive as stored.
      const stored = { sendgrid: ['MFkwEwYH-stored'], 'future-provider': { any: 'shape' } };
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(stored), VersionId: 'v1' });
      secretsManager
        .on(DescribeSecretCommand)
        .resolvesOnce({ VersionIdsToStages: { v1: ['AWSCURRENT'] } })
        .resolves({ VersionIdsToStages: { v2: ['AWSCURRENT'], v1: ['AWSPREVIOUS'] } });
      secretsManager.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
      const io = recordingIo();

      // Act
      const code = await runCli(['keys', 'set', 'mailgun', NEW_MAILGUN_KEY, ...deployedArgs()], io);

      // Assess
      expect(code).toBe(0);
      const puts = secretsManager.commandCalls(PutSecretValueCommand);
      expect(puts).toHaveLength(1);
      expect(puts[0]?.args[0].input.SecretId).toBe(SECRET_ARN);
      expect(JSON.parse(puts[0]?.args[0].input.SecretString as string)).toEqual({ ...stored, mailgun: [NEW_MAILGUN_KEY] });
      expect(puts[0]?.args[0].input.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
      expect(io.lines).toEqual([expect.stringMatching(/^Set 1 mailgun key \(sha256:[0-9a-f]{12}\) in .*, version v2; other providers unchanged/)]);
    });

    it('writes nothing when the secret changed between the read and the write', async () => {
      // Prepare
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{}', VersionId: 'v1' });
      secretsManager.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v9: ['AWSCURRENT'], v1: ['AWSPREVIOUS'] } });
      const io = recordingIo();

      // Act
      const code = await runCli(['keys', 'set', 'mailgun', NEW_MAILGUN_KEY, ...deployedArgs()], io);

      // Assess
      expect(code).toBe(1);
      expect(io.errors).toEqual([expect.stringMatching(/changed while keys set was running .*nothing written: run the command again/)]);
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    });

    it('reports a write that raced with another one', async () => {
      // Prepare: after our put, the version we read is no longer AWSPREVIOUS (someone else's landed too).
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{}', VersionId: 'v1' });
      secretsManager
        .on(DescribeSecretCommand)
        .resolvesOnce({ VersionIdsToStages: { v1: ['AWSCURRENT'] } })
        .resolves({ VersionIdsToStages: { v3: ['AWSCURRENT'], v2: ['AWSPREVIOUS'], v1: [] } });
      secretsManager.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
      const io = recordingIo();

      // Act
      const code = await runCli(['keys', 'set', 'mailgun', NEW_MAILGUN_KEY, ...deployedArgs()], io);

      // Assess
      expect(code).toBe(1);
      expect(io.errors).toEqual([expect.stringMatching(/Another write to .* landed at the same moment/)]);
    });

    it('refuses to merge into a secret that is not a JSON object', async () => {
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '["x"]', VersionId: 'v1' });
      const io = recordingIo();
      const code = await runCli(['keys', 'set', 'mailgun', NEW_MAILGUN_KEY, ...deployedArgs()], io);
      expect(code).toBe(1);
      expect(io.errors).toEqual([expect.stringMatching(/does not hold a JSON object; nothing written/)]);
      expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    });

    it('lists the deployed keys as fingerprints', async () => {
      secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ mailgun: [NEW_MAILGUN_KEY] }) });
      const io = recordingIo();
      const code = await runCli(['keys', 'list', ...deployedArgs()], io);
      expect(code).toBe(0);
      expect(io.lines[0]).toBe(`Signing keys in ${SECRET_ARN} (fingerprints, not keys):`);
      expect(io.lines.join('\n')).toContain(`mailgun            ${keyFingerprint(NEW_MAILGUN_KEY)}`);
      expect(io.lines.join('\n')).not.toContain(NEW_MAILGUN_KEY);
    });
  });
});
