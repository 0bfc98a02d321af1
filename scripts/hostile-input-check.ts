/**
 * Hostile-input check against a running local runtime (`npm start`): posts the classes of issue 11 - deep nesting,
 * timestamps outside the Date range, Object.prototype names as event names and keys, unicode, nulls, wrong types,
 * duplicate keys, invalid UTF-8, two Authorization headers, a trailing slash, a body that never finishes - each on
 * a valid payload of every enabled provider, with the runtime's own Basic credentials and signed with its keys.
 * Prints the answers by status and class; exit code 1 when any answer is a 5xx.
 *
 *   npm start &                       # in another terminal
 *   npx tsx scripts/hostile-input-check.ts [--runs 40] [--config hookguard.config.json] [--stage dev]
 *     [--data-dir .hookguard] [--port 3000] [--seed 7] [--no-slow]
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { basicAuthorizationHeader } from '../lambda/core/basic-auth';
import type { ProviderId } from '../lambda/core/provider-ids';
import { loadConfig, stageOf, toRuntimeSettings } from '../lib/config';
import { parseCredential, readSecretsFile } from '../src/local/secrets-file';
import { applyMutations, type Mutation, mutation, PROTOTYPE_NAMES } from '../test/support/hostile/mutations';
import { allPayloads, withMailgunSignature } from '../test/support/hostile/provider-payloads';
import { type ProviderSigningMaterial, signAsProvider } from '../test/support/hostile/sign-as-provider';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '40' },
    config: { type: 'string', default: 'hookguard.config.json' },
    stage: { type: 'string', default: 'dev' },
    'data-dir': { type: 'string', default: '.hookguard' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    seed: { type: 'string', default: '7' },
    'no-slow': { type: 'boolean', default: false },
  },
});

interface Answer {
  readonly status: number;
  readonly body: string;
}

const port = Number(values.port);

function post(path: string, headers: Record<string, string | string[]>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends headers and half a body, then waits for the runtime to give up on it. */
function slowBody(path: string, authorization: string): Promise<Answer & { readonly seconds: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text, seconds: (Date.now() - started) / 1000 });
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: ${authorization}\r\nContent-Length: 1000\r\n\r\n[{"`,
    );
  });
}

async function main(): Promise<number> {
  const stage = stageOf(loadConfig(values.config), values.stage, values.config);
  const settings = toRuntimeSettings(stage);
  const secrets = await readSecretsFile(join(values['data-dir'], 'secrets.json'));
  const credential = parseCredential(secrets.basicAuth.current);
  if (credential === null) throw new Error('The secrets file has no usable current credential');
  const authorization = basicAuthorizationHeader(credential);
  const now = new Date();
  const enabled = new Set(Object.keys(settings.providers) as ProviderId[]);
  const material = (provider: ProviderId): ProviderSigningMaterial => {
    const entry = secrets.providers[provider];
    return {
      ...(entry?.simulationKey ? { privateKey: entry.simulationKey } : entry?.signingKeys[0] ? { sharedKey: entry.signingKeys[0] } : {}),
      ...(settings.providers[provider]?.signedUrl ? { signedUrl: settings.providers[provider]?.signedUrl } : {}),
    };
  };
  const bases = allPayloads(now).filter((base) => enabled.has(base.provider));
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  // Random mutations, plus every deterministic class on one payload of each provider.
  const random = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), { seed, numRuns: runs * bases.length });
  const classes: Array<[string, Mutation[]]> = [
    ['deep nesting', [{ kind: 'deep', at: 3, levels: 5000 }]],
    ['timestamp 9007199254740991', [{ kind: 'number-literal', at: 0, literal: '9007199254740991' }]],
    ['14-digit timestamp', [{ kind: 'number-literal', at: 1, literal: '99999999999999' }]],
    ...PROTOTYPE_NAMES.map((name): [string, Mutation[]] => [`event name ${name}`, [{ kind: 'prototype-name', at: 0, name }]]),
    ['__proto__ key', [{ kind: 'add-key', at: 0, key: '__proto__', value: { polluted: true } }]],
    ['duplicate keys', [{ kind: 'duplicate-key', at: 0, key: 'event', value: 'toString' }]],
    ['invalid UTF-8', [{ kind: 'invalid-utf8', at: 20, bytes: [0xff] }]],
  ];

  const tally = new Map<string, Map<number, number>>();
  const fiveHundreds: string[] = [];
  const count = (label: string, answer: Answer) => {
    const byStatus = tally.get(label) ?? new Map<number, number>();
    byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
    tally.set(label, byStatus);
    if (answer.status >= 500 || answer.status === 0) fiveHundreds.push(`${label}: ${answer.status} ${answer.body.slice(0, 200)}`);
  };
  const send = async (provider: ProviderId, bytes: Buffer, uniqueId: string, path = `/webhooks/${provider}`, twoAuth = false) => {
    const signed = signAsProvider(provider, bytes, material(provider), now, uniqueId);
    return post(path, { ...signed.headers, authorization: twoAuth ? [authorization, authorization] : authorization }, signed.body);
  };

  const slow = values['no-slow'] ? null : slowBody(`/webhooks/${bases[0]?.provider ?? 'postmark'}`, authorization);
  let index = 0;
  for (const base of bases) {
    const payload = withMailgunSignature(base.provider, base.payload, material(base.provider).sharedKey);
    for (let run = 0; run < runs; run += 1) {
      index += 1;
      count('random mutations', await send(base.provider, applyMutations(payload, random[index - 1] ?? []), `hostile-${seed}-${index}`));
    }
  }
  for (const provider of enabled) {
    const base = bases.find((entry) => entry.provider === provider);
    if (!base) continue;
    const payload = withMailgunSignature(provider, base.payload, material(provider).sharedKey);
    for (const [label, mutations] of classes) {
      index += 1;
      count(label, await send(provider, applyMutations(payload, mutations), `hostile-${seed}-${index}`));
    }
    index += 1;
    count('two Authorization headers', await send(provider, applyMutations(payload, []), `hostile-${seed}-${index}`, `/webhooks/${provider}`, true));
    index += 1;
    count('trailing slash', await send(provider, applyMutations(payload, []), `hostile-${seed}-${index}`, `/webhooks/${provider}/`));
  }
  if (slow) {
    const answer = await slow;
    count(`slow body (cut after ${answer.seconds.toFixed(1)} s)`, answer);
  }

  let total = 0;
  for (const [label, byStatus] of tally) {
    const parts = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
    total += [...byStatus.values()].reduce((sum, n) => sum + n, 0);
    console.log(`${label.padEnd(36)} ${parts.join(', ')}`);
  }
  console.log(`${total} hostile requests to ${enabled.size} providers, ${fiveHundreds.length} answered 5xx`);
  for (const line of fiveHundreds) console.log(`  5xx ${line}`);
  return fiveHundreds.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`hostile-input-check: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
