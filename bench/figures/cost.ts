/**
 * Figure: cost per million single-event webhook requests at AWS list prices, from the synthesized template and the
 * measured durations (the model is `bench/lib/cost.ts`; `bench/cost-model.ts` runs it alone).
 */
import { relative } from 'node:path';
import {
  measureAuthorizerCpuMs,
  measureVerifierCpuMs,
  measureVerifierLogBytes,
  synthesizeTemplate,
} from '../cost-model';
import { type CostInputs, computeCost, DEFAULT_INPUTS, readTemplateFacts, SECONDS_PER_MONTH } from '../lib/cost';
import type { Figure, FigureOutput } from '../lib/figure';
import { makeRow } from '../lib/report';
import { formatNumber, median } from '../lib/stats';

const STAGE = 'dev';
const VOLUMES = [1e6, 1e7, 1e8] as const;
/** Issue 14: at most $7.00 per million at 100 million requests a month, default monitoring included. */
const TARGET_PER_MILLION = 7;
const TARGET_TEXT = '<= $7.00 per million at 100M/month, monitoring included';

/**
 * The verifier's "as deployed" module load time measured by the cold-start figure in this run, if it ran: under
 * Node 24 (the Lambdas' version) when it was measured, else the first Node version measured.
 */
function measuredColdInitMs(earlier: ReadonlyMap<string, FigureOutput>): number | undefined {
  const details = earlier.get('cold-start')?.details as
    | { verifier?: { loadsMs?: Record<string, { deployed?: number[] }> } }
    | undefined;
  const byNode = details?.verifier?.loadsMs ?? {};
  const samples = (byNode['Node 24'] ?? Object.values(byNode)[0])?.deployed;
  return samples && samples.length > 0 ? median(samples) : undefined;
}

export const costFigure: Figure = {
  id: 'cost',
  title: 'Cost per million webhook requests (AWS list prices)',
  async run({ root, log, earlier }): Promise<FigureOutput> {
    log('synthesizing the app ...');
    const { template, path } = await synthesizeTemplate(root, STAGE);
    const facts = readTemplateFacts(template);
    log('measuring verifier and authorizer CPU time ...');
    const verifierCpuMs = await measureVerifierCpuMs();
    const authorizerCpuMs = await measureAuthorizerCpuMs();
    const sizes = await measureVerifierLogBytes();
    const coldInit = measuredColdInitMs(earlier);
    const inputs: CostInputs = {
      ...DEFAULT_INPUTS,
      // The target's volume: the bill below is at 100 million requests a month.
      requestsPerMonth: 1e8,
      verifierCpuMs,
      authorizerCpuMs,
      verifierLogBytes: sizes.bytesPerRequest,
      metricsLineBytes: sizes.metricsLineBytes,
      eventBytes: Math.round(sizes.eventBytes),
      ...(coldInit !== undefined ? { coldInitCpuMs: coldInit } : {}),
    };
    const breakdown = computeCost(facts, inputs);
    const atVolume = VOLUMES.map((requestsPerMonth) => ({
      requestsPerMonth,
      breakdown: computeCost(facts, { ...inputs, requestsPerMonth }),
    }));
    const usd = (value: number) => `$${value.toFixed(2)}`;
    const highest = atVolume[atVolume.length - 1] as (typeof atVolume)[number];
    const tenMillion = computeCost(facts, { ...inputs, requestsPerMonth: 1e7 });
    const gap = highest.breakdown.perMillionUsd - TARGET_PER_MILLION;
    const perMillion = (monthly: number) => usd((monthly / inputs.requestsPerMonth) * 1e6);
    const volumeText = `${formatNumber(inputs.requestsPerMonth)} requests/month`;
    const sampling = facts.traceSampling
      ? `the stage's sampling rule: ${facts.traceSampling.reservoirPerSecond}/s then ` +
        `${Number((facts.traceSampling.fixedRate * 100).toPrecision(3))} %`
      : `X-Ray's default rule: ${inputs.xrayReservoirPerSecond}/s then ${(inputs.xrayRate * 100).toFixed(0)} %`;

    return {
      rows: [
        makeRow({
          figure: `Cost per million single-event requests, all-in with monitoring, at ${formatNumber(highest.requestsPerMonth)} requests/month`,
          value: highest.breakdown.perMillionUsd,
          unit: '$',
          target: { comparison: '<=', threshold: TARGET_PER_MILLION, on: 'value', text: TARGET_TEXT },
          note: `variable part alone ${usd(highest.breakdown.variablePerMillionUsd)}, floor ${usd(highest.breakdown.floorPerMillionUsd)}`,
        }),
        makeRow({
          figure: `Cost per million single-event requests, all-in with monitoring, at 10M requests/month (informational)`,
          value: tenMillion.perMillionUsd,
          unit: '$',
          note: `floor ${usd(tenMillion.floorPerMillionUsd)}`,
        }),
      ],
      notes: [
        `Template: \`Hookguard-${STAGE}\` synthesized by \`cdk synth\` from the default \`hookguard.config.json\` ` +
          `(${relative(root, path)}); read from it: verifier ${facts.verifierMemoryMb} MB and authorizer ` +
          `${facts.authorizerMemoryMb} MB arm64, ${facts.wafAcls} web ACL with ${facts.wafRules} rules, ${facts.secrets} ` +
          `secrets, ${facts.kmsKeys} KMS key, authorizer cache ${facts.authorizerCacheTtlSeconds} s, secret cache ` +
          `${facts.secretCacheTtlSeconds} s, X-Ray tracing ${facts.tracing ? 'on' : 'off'} (${sampling}), detailed API ` +
          `metrics ${facts.detailedMetrics ? 'on' : 'off'} (${facts.postMethods} POST methods), access log line of about ` +
          `${facts.accessLogBytes} bytes in the ${facts.accessLogInfrequentAccess ? 'Infrequent Access' : 'Standard'} log class, ` +
          `verifier platform log lines ${facts.verifierPlatformLogs ? 'on' : 'off'}, ${facts.alarmMetrics} alarm metrics, ` +
          `${facts.compositeAlarms} composite alarm(s), ${facts.dashboards} dashboard(s), WAF logging ${facts.wafLogging ? 'on' : 'off'}` +
          `${facts.wafLogging && facts.wafLogFilter ? ' (blocked and counted requests only)' : ''}, archive ` +
          `${facts.archive ? 'on' : 'off'}, ${facts.routes} route.`,
        `Volume: ${volumeText} (about ${formatNumber(inputs.requestsPerMonth / SECONDS_PER_MONTH)} requests/s on ` +
          'average), one event per request, no retries; fixed monthly costs (WAF ACL and rules, secrets, KMS key, ' +
          `monitoring: custom metrics, alarms, dashboard${facts.canary ? ` and a canary every ${facts.canary.intervalMinutes} minutes` : ''}; the authorizer's few runs, ` +
          'Secrets Manager refreshes) are spread over that volume. Other volumes in the table below.',
        `Durations: verifier CPU ${inputs.verifierCpuMs.toFixed(3)} ms per request, measured here (distinct signed ` +
          "Mailgun posts through the pipeline with in-memory ports), stretched by the function's vCPU share " +
          `(${facts.verifierMemoryMb} MB of 1,769 MB per vCPU), plus assumed round trips in the region: two DynamoDB ` +
          `writes of ${inputs.dynamoDbWriteMs} ms and one PutEvents of ${inputs.putEventsMs} ms: ` +
          `${breakdown.verifierBilledMs} ms billed. Authorizer ${inputs.authorizerCpuMs.toFixed(4)} ms CPU per ` +
          `decision, run about once per credential per cache TTL. Cold starts: ${(inputs.coldStartFraction * 100).toFixed(1)} % ` +
          `of invocations, init of ${formatNumber(inputs.coldInitCpuMs)} ms CPU (${coldInit !== undefined ? 'the verifier load time measured by the cold-start figure' : 'assumed'}), billed since Lambda bills the init phase.`,
        'Prices: us-east-1 list prices; those in `aws-facts.md` (API Gateway, WAF, Lambda, EventBridge, DynamoDB, ' +
          'Secrets Manager) and, marked "pricing page" below, AWS\'s public prices for KMS ($1/key-month, $0.03 per ' +
          '10,000 requests), CloudWatch Logs ingestion ($0.50/GB Standard, $0.25/GB Infrequent Access), X-Ray ($5 per ' +
          'million traces), custom metrics ($0.30/metric-month), alarms ($0.10 per alarm metric-month, $0.50 per ' +
          'composite alarm-month), dashboards ($3/month), EventBridge archive ($0.10/GB) and SQS ($0.40 per million). Free tiers, storage ' +
          '(logs, archive, DynamoDB, PITR) and data transfer are not counted.',
        'CloudWatch Logs ingestion is included (an all-in figure): the API access log line (the template\'s format with ' +
          `typical values), an assumed ${inputs.wafLogBytes}-byte WAF log record` +
          (facts.wafLogging && facts.wafLogFilter
            ? ` for the assumed ${(inputs.wafLoggedFraction * 100).toFixed(0)} % of requests WAF blocks or counts ` +
              '(the template filters allowed requests out of the WAF log)'
            : ' for every request') +
          `, and the verifier's own lines, measured: the handler with the production Powertools logger and metrics ` +
          `writes ${formatNumber(inputs.verifierLogBytes)} bytes per accepted request besides its metrics, and its EMF ` +
          `lines of ${formatNumber(inputs.metricsLineBytes)} bytes (one per provider and outcome) sum the counts of ` +
          `${inputs.metricsAggregateSeconds} s in a warm container: ${formatNumber(breakdown.metricsLinesPerMonth)} lines ` +
          `a month at this volume (at most one per warm container, provider with traffic and period; ` +
          `${breakdown.warmVerifierContainers} containers at the peak); one of them: \`${sizes.sample}\`. ` +
          `X-Ray assumes traffic spread evenly ` +
          `(${sampling} records ${formatNumber(breakdown.xrayTracesPerMonth)} traces a month at this volume).`,
        `Archived event: ${formatNumber(inputs.eventBytes)} bytes, measured: the events the verifier published for ` +
          "those posts, in the envelope EventBridge delivers and archives (its event structure: version, id, " +
          'detail-type, source, account, time, region, resources, detail); the detail carries the normalised fields ' +
          `and the provider's raw event. One of them: \`${sizes.eventSample}\`.`,
        (gap > 0
          ? `The target is missed by ${usd(gap)} per million. `
          : `The target is met with ${usd(-gap)} per million to spare. `) +
          `Where the money goes beyond the floor (${usd(breakdown.floorPerMillionUsd)}/M: API Gateway, WAF requests, ` +
          `Lambda requests, EventBridge) at this volume: ` +
          breakdown.lines
            .filter((line) => !line.floor)
            .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
            .slice(0, 8)
            .map((line) => `${line.service} ${line.item} ${perMillion(line.monthlyUsd)}/M`)
            .join('; ') +
          '.',
        'Rerun for your own traffic: `npx tsx bench/cost-model.ts --requests N --events-per-request K` (all ' +
          'options: `--help`).',
      ],
      tables: [
        {
          title: `Monthly bill at ${volumeText}`,
          header: ['Service', 'Item', 'Per month', 'Per million requests', 'Kind', 'Basis', 'Price source'],
          rows: [
            ...breakdown.lines.map((line) => [
              line.service,
              line.item,
              usd(line.monthlyUsd),
              perMillion(line.monthlyUsd),
              line.kind,
              line.basis,
              line.source === 'aws-pricing-page' ? 'pricing page' : line.source,
            ]),
            ['Total', '', usd(breakdown.monthlyUsd), usd(breakdown.perMillionUsd), '', '', ''],
          ],
        },
        {
          title: 'All-in cost per million requests by monthly volume',
          header: ['Requests/month', 'Per month', 'Per million, all-in', 'Variable part per million'],
          rows: atVolume.map(({ requestsPerMonth, breakdown: at }) => [
            formatNumber(requestsPerMonth),
            usd(at.monthlyUsd),
            usd(at.perMillionUsd),
            usd(at.variablePerMillionUsd),
          ]),
        },
      ],
      details: { facts, inputs: { ...inputs, prices: undefined }, prices: inputs.prices, breakdown, atVolume },
    };
  },
};
