/**
 * Child process of the load-test figure: a closed-loop HTTP load generator against the local runtime on loopback.
 *
 * `connections` concurrent keep-alive connections each post, wait for the answer, and post again, until the
 * duration is over or the request cap is reached (both bounded; it always stops by itself). Every request carries
 * new, distinct events, except every tenth, which re-posts an earlier request verbatim (a provider retry). It
 * records which events were acknowledged (HTTP 200) and every request's latency, writes the acknowledged event ids
 * to a file and prints one JSON summary line.
 *
 * Usage: tsx load-client.ts <input.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { mailgunSimulator } from '../../src/simulate/mailgun';
import { privateKeyFromPem, sendgridEvents, signedSendgridRequest } from '../lib/sendgrid-events';
import { percentile } from '../lib/stats';

/** What the parent hands over. */
export interface LoadClientInput {
  /** Must be a loopback URL; anything else is refused. */
  readonly url: string;
  readonly scenario: 'mailgun' | 'sendgrid';
  readonly durationSeconds: number;
  /** Hard cap on requests, whatever the duration. */
  readonly maxRequests: number;
  readonly connections: number;
  /** Every n-th request is a verbatim re-post (10 -> 10 %). */
  readonly repostEvery: number;
  readonly eventsPerRequest: number;
  readonly authorization: string;
  readonly mailgunSigningKey: string;
  readonly sendgridPrivateKeyPem: string;
  /** Where to write the acknowledged event ids (one per line). */
  readonly ackedFile: string;
}

/** The summary line. */
export interface LoadClientResult {
  readonly durationSeconds: number;
  readonly requests: number;
  readonly freshRequests: number;
  readonly reposts: number;
  readonly statusCounts: Record<string, number>;
  readonly networkErrors: number;
  /** Distinct events in fresh requests. */
  readonly eventsSent: number;
  /** Distinct events acknowledged (a 200 for a request carrying them, original or re-post). */
  readonly eventsAcked: number;
  /** Events carried by requests answered 200, re-posts included. */
  readonly eventsAnswered: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
}

interface PreparedRequest {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly eventIds: readonly string[];
}

const MAILGUN_EVENTS = ['delivered', 'opened', 'accepted', 'clicked', 'delivered', 'opened'];

function assertLoopback(url: string): URL {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`refusing to load-test a non-loopback address: ${host}`);
  }
  return parsed;
}

function prepareFactory(input: LoadClientInput): (sequence: number) => PreparedRequest {
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  if (input.scenario === 'mailgun') {
    return (sequence) => {
      const simulated = mailgunSimulator.simulate({
        eventName: MAILGUN_EVENTS[sequence % MAILGUN_EVENTS.length] as string,
        signingKey: input.mailgunSigningKey,
        now: new Date(),
        uniqueId: `${runId}-${sequence}`,
      });
      // Mailgun's event id is the signature token, unique per webhook call.
      const token = (JSON.parse(simulated.body.toString('utf8')) as { signature: { token: string } }).signature.token;
      return { headers: { ...simulated.headers }, body: simulated.body, eventIds: [token] };
    };
  }
  const privateKey = privateKeyFromPem(input.sendgridPrivateKeyPem);
  return (sequence) => {
    const epoch = Math.floor(Date.now() / 1000);
    const events = sendgridEvents(input.eventsPerRequest, `${runId}-${sequence}`, epoch, sequence + 1);
    const signed = signedSendgridRequest(events, privateKey, epoch);
    return {
      headers: signed.headers,
      body: signed.body,
      eventIds: events.map((event) => (event as { sg_event_id: string }).sg_event_id),
    };
  };
}

function post(
  target: URL,
  agent: Agent,
  authorization: string,
  prepared: PreparedRequest,
): Promise<{ status: number | null; latencyMs: number }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = httpRequest(
      {
        agent,
        method: 'POST',
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: { ...prepared.headers, authorization, 'content-length': String(prepared.body.length) },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? null, latencyMs: performance.now() - start }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: null, latencyMs: performance.now() - start }));
    req.end(prepared.body);
  });
}

async function main(): Promise<void> {
  const inputFile = process.argv[2];
  if (!inputFile) throw new Error('usage: load-client <input.json>');
  const input = JSON.parse(readFileSync(inputFile, 'utf8')) as LoadClientInput;
  const target = assertLoopback(input.url);
  const agent = new Agent({ keepAlive: true, maxSockets: input.connections });
  const prepare = prepareFactory(input);

  const sent: PreparedRequest[] = [];
  const acked = new Set<string>();
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let sequence = 0;
  let freshRequests = 0;
  let reposts = 0;
  let networkErrors = 0;
  let eventsSent = 0;
  let eventsAnswered = 0;

  const started = performance.now();
  const deadline = started + input.durationSeconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && sequence < input.maxRequests) {
      const index = sequence++;
      let prepared: PreparedRequest;
      if ((index + 1) % input.repostEvery === 0 && sent.length > 0) {
        // A provider retry: an earlier request byte for byte (possibly still in flight on another connection).
        prepared = sent[Math.floor(Math.random() * sent.length)] as PreparedRequest;
        reposts++;
      } else {
        prepared = prepare(index);
        sent.push(prepared);
        freshRequests++;
        eventsSent += prepared.eventIds.length;
      }
      const { status, latencyMs } = await post(target, agent, input.authorization, prepared);
      latencies.push(latencyMs);
      if (status === null) networkErrors++;
      const key = String(status ?? 'error');
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
      if (status === 200) {
        eventsAnswered += prepared.eventIds.length;
        for (const id of prepared.eventIds) acked.add(id);
      }
    }
  };
  await Promise.all(Array.from({ length: input.connections }, worker));
  const durationSeconds = (performance.now() - started) / 1000;
  agent.destroy();

  writeFileSync(input.ackedFile, [...acked].join('\n'));
  const result: LoadClientResult = {
    durationSeconds,
    requests: latencies.length,
    freshRequests,
    reposts,
    statusCounts,
    networkErrors,
    eventsSent,
    eventsAcked: acked.size,
    eventsAnswered,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
    },
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
