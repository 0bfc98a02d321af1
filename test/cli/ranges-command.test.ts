import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderRefreshResult } from '../../lambda/core/ip-ranges';
import { writeSecretsFile } from '../../src/local/secrets-file';
import type { DeployedAws } from '../../src/cli/cli-context';
import { runCli } from '../../src/cli/main';
import { allowedSourcesOf } from '../../src/cli/allowed-sources';
import { formatStatus, type StatusReport } from '../../src/cli/status-command';
import { loadConfig, stageOf } from '../../lib/config';
import { defaultSecrets, recordingIo } from './cli-test-kit';
import { DEPLOYED_OUTPUTS, fakeDeployedAws } from './fake-aws';

let dir: string;
let common: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookguard-ranges-'));
  const configPath = join(dir, 'hookguard.config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      stages: {
        test: {
          env: { region: 'eu-west-1' },
          providers: {
            brevo: { allowedCidrs: ['published', '198.51.100.0/24'] },
            sparkpost: { allowedCidrs: ['published'] },
            postmark: { allowedCidrs: ['3.134.147.250/32'] },
            sendgrid: {},
          },
        },
      },
    }),
  );
  const secretsPath = join(dir, 'secrets.json');
  await writeSecretsFile(secretsPath, defaultSecrets());
  common = ['--config', configPath, '--stage', 'test', '--secrets', secretsPath];
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const result = (overrides: Partial<ProviderRefreshResult>): ProviderRefreshResult => ({
  provider: 'brevo',
  outcome: 'unchanged',
  published: ['1.179.112.0/20'],
  inForce: ['1.179.112.0/20', '198.51.100.0/24'],
  added: [],
  removed: [],
  ...overrides,
});

function withInvoke(answer: unknown, outputs: Record<string, string> = { ...DEPLOYED_OUTPUTS, IpRangesFunctionName: 'hookguard-test-ranges' }) {
  const fake = fakeDeployedAws(outputs);
  const invocations: Array<{ name: string; payload: unknown }> = [];
  const aws = (target: Parameters<typeof fake.factory>[0]): DeployedAws => ({
    ...fake.factory(target),
    async invokeFunction(name, payload) {
      invocations.push({ name, payload });
      return answer;
    },
  });
  return { aws, invocations };
}

describe('hookguard ranges', () => {
  it('locally shows the allow-lists in force, "published" as the embedded list with its source and date', async () => {
    const io = recordingIo();
    expect(await runCli(['ranges', ...common], io)).toBe(0);
    const text = io.lines.join('\n');
    expect(text).toContain('brevo      allowed sources (AWS WAF): 3 CIDRs: 198.51.100.0/24, 1.179.112.0/20, 172.246.240.0/20 (published list as checked 2026-12-02');
    expect(text).toContain('help.brevo.com/hc/en-us/articles/15127404548498');
    expect(text).toContain('sparkpost  allowed sources (AWS WAF): 0 CIDRs: none yet (published list: none embedded');
    expect(text).toContain('refreshed from: DNS A records of wh.egress.sparkpost.com');
    expect(text).toContain('postmark   allowed sources (AWS WAF): 1 CIDR: 3.134.147.250/32');
    expect(text).not.toContain('sendgrid');
  });

  it('urls shows the allow-list under each URL that has one, and in its JSON', async () => {
    const io = recordingIo();
    expect(await runCli(['urls', ...common], io)).toBe(0);
    const brevo = io.lines.findIndex((line) => line.includes('/webhooks/brevo'));
    expect(io.lines.slice(brevo, brevo + 4).join('\n')).toContain('allowed sources (AWS WAF): 3 CIDRs');
    const json = recordingIo();
    expect(await runCli(['urls', ...common, '--json', '--provider', 'brevo'], json)).toBe(0);
    expect(JSON.parse(json.lines[0] ?? '{}').allowedSources).toMatchObject({ provider: 'brevo', ownCidrs: ['198.51.100.0/24'] });
  });

  it('--deployed asks the refresher for a dry run and shows the WAF sets and the pending change', async () => {
    const answer = {
      stage: 'test',
      dryRun: true,
      results: [result({ outcome: 'would-update', added: ['172.246.240.0/20'] }), result({ provider: 'sparkpost', outcome: 'refused', reason: 'the list is empty', inForce: [] })],
    };
    const { aws, invocations } = withInvoke(answer);
    const io = recordingIo();
    expect(await runCli(['ranges', ...common, '--deployed'], io, { aws })).toBe(1);
    expect(invocations).toEqual([{ name: 'hookguard-test-ranges', payload: { dryRun: true } }]);
    expect(io.lines.join('\n')).toContain('would add: 172.246.240.0/20');
    expect(io.lines.join('\n')).toContain('sparkpost  refused: the list is empty');
  });

  it('refresh --deployed --confirm --provider runs a confirmed refresh of that provider', async () => {
    const answer = { stage: 'test', dryRun: false, results: [result({ outcome: 'updated', added: ['172.246.240.0/20'], removed: ['185.107.232.0/24'] })] };
    const { aws, invocations } = withInvoke(answer);
    const io = recordingIo();
    expect(await runCli(['ranges', 'refresh', ...common, '--deployed', '--confirm', '--provider', 'brevo'], io, { aws })).toBe(0);
    expect(invocations[0]?.payload).toEqual({ dryRun: false, confirm: true, providers: ['brevo'] });
    expect(io.lines.join('\n')).toContain('removed: 185.107.232.0/24');
  });

  it('explains what cannot work', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['ranges', 'refresh', ...common], /add --deployed/],
      [['ranges', ...common, '--confirm'], /belong to ranges refresh/],
      [['ranges', 'now', ...common], /no argument but "refresh"/],
      [['ranges', ...common, '--deployed', '--provider', 'postmark'], /postmark has no "published"/],
    ];
    for (const [argv, message] of cases) {
      const io = recordingIo();
      expect(await runCli(argv, io, { aws: withInvoke({}).aws })).toBe(1);
      expect(io.errors.join('\n')).toMatch(message);
    }
    const io = recordingIo();
    expect(await runCli(['ranges', ...common, '--deployed'], io, { aws: withInvoke({}, { ...DEPLOYED_OUTPUTS, IpRangesFunctionName: 'none' }).aws })).toBe(1);
    expect(io.errors.join('\n')).toContain('has no IP-range refresher');
  });

  it('status lists the allow-lists in force below the providers', () => {
    const stage = stageOf(loadConfig(common[1] as string), 'test', common[1] as string);
    const report: StatusReport = {
      stage: 'test',
      source: 'local',
      generatedAt: '2026-12-02T06:00:00.000Z',
      providers: [{ provider: 'brevo', lastAcceptedAt: null, last24h: {}, refusedLast24h: 0 }],
      alarmsInAlarm: null,
      deadLetterQueues: [],
      credential: null,
      canary: { enabled: false, lastSuccessAt: null },
      providerSync: { providers: [], incompleteRotation: null },
      allowedSources: allowedSourcesOf(stage),
    };
    const lines = formatStatus(report);
    const at = lines.indexOf('Source allow-lists:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4).map((line) => line.trim().split(/\s+/)[0])).toEqual(['brevo', 'postmark', 'sparkpost']);
    expect(lines[at + 1]).toContain('allowed sources (AWS WAF): 3 CIDRs: 198.51.100.0/24, 1.179.112.0/20, 172.246.240.0/20');
  });
});
