/**
 * Figure: cost per million single-event webhook requests at AWS list prices, from the synthesized template and the
 * measured durations (the model is `bench/lib/cost.ts`; `bench/cost-model.ts` runs it alone).
 */
import { relative } from 'node:path';
import { measureAuthorizerCpuMs, measureVerifierCpuMs, synthesizeTemplate } from '../cost-model';
import { type CostInputs, computeCost, DEFAULT_INPUTS, readTemplateFacts, SECONDS_PER_MONTH } from '../lib/cost';
import type { Figure, FigureOutput } from '../lib/figure';
import { makeRow } from '../lib/report';
import { formatNumber, median } from '../lib/stats';

const STAGE = 'dev';
const VOLUMES = [1e6, 1e7, 1e8] as const;
const TARGET_PER_MILLION = 6.5;

/** The verifier's "as deployed" module load time measured by the cold-start figure in this run, if it ran. */
function measuredColdInitMs(earlier: ReadonlyMap<string, FigureOutput>): number | undefined {
  const details = earlier.get('cold-start')?.details as
    | { verifier?: { loadsMs?: { deployed?: number[] } } }
    | undefined;
  const samples = details?.verifier?.loadsMs?.deployed;
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
    const coldInit = measuredColdInitMs(earlier);
    const inputs: CostInputs = {
      ...DEFAULT_INPUTS,
      verifierCpuMs,
      authorizerCpuMs,
      ...(coldInit !== undefined ? { coldInitCpuMs: coldInit } : {}),
    };
    const breakdown = computeCost(facts, inputs);
    const atVolume = VOLUMES.map((requestsPerMonth) => ({
      requestsPerMonth,
      breakdown: computeCost(facts, { ...inputs, requestsPerMonth }),
    }));
    const usd = (value: number) => `$${value.toFixed(2)}`;
    const highest = atVolume[atVolume.length - 1] as (typeof atVolume)[number];
    const perMillion = (monthly: number) => usd((monthly / inputs.requestsPerMonth) * 1e6);
    const volumeText = `${formatNumber(inputs.requestsPerMonth)} requests/month`;
    const sampling = facts.traceSampling
      ? `the stage's sampling rule: ${facts.traceSampling.reservoirPerSecond}/s then ` +
        `${Number((facts.traceSampling.fixedRate * 100).toPrecision(3))} %`
      : `X-Ray's default rule: ${inputs.xrayReservoirPerSecond}/s then ${(inputs.xrayRate * 100).toFixed(0)} %`;

    return {
      rows: [
        makeRow({
          figure: `Cost per million single-event requests, all-in, at ${volumeText}`,
          value: breakdown.perMillionUsd,
          unit: '$',
          target: {
            comparison: '<=',
            threshold: TARGET_PER_MILLION,
            on: 'value',
            text: '<= $6.50 per million, all-in',
          },
          note: `floor ${usd(breakdown.floorPerMillionUsd)}`,
        }),
        makeRow({
          figure: `Cost per million single-event requests, all-in, at ${formatNumber(highest.requestsPerMonth)} requests/month`,
          value: highest.breakdown.perMillionUsd,
          unit: '$',
          target: { comparison: '<=', threshold: TARGET_PER_MILLION, on: 'value', text: '<= $6.50 per million, all-in' },
          note: `variable part alone ${usd(highest.breakdown.variablePerMillionUsd)}`,
        }),
      ],
      notes: [
        `Template: \`Hookguard-${STAGE}\` synthesized by \`cdk synth\` from the default \`hookguard.config.json\` ` +
          `(${relative(root, path)}); read from it: verifier ${facts.verifierMemoryMb} MB and authorizer ` +
          `${facts.authorizerMemoryMb} MB arm64, ${facts.wafAcls} web ACL with ${facts.wafRules} rules, ${facts.secrets} ` +
          `secrets, ${facts.kmsKeys} KMS key, authorizer cache ${facts.authorizerCacheTtlSeconds} s, secret cache ` +
          `${facts.secretCacheTtlSeconds} s, X-Ray tracing ${facts.tracing ? 'on' : 'off'} (${sampling}), detailed API ` +
          `metrics ${facts.detailedMetrics ? 'on' : 'off'} (${facts.postMethods} POST methods), access log line of ` +
          `${facts.accessLogBytes} characters, WAF logging ${facts.wafLogging ? 'on' : 'off'}` +
          `${facts.wafLogging && facts.wafLogFilter ? ' (blocked and counted requests only)' : ''}, archive ` +
          `${facts.archive ? 'on' : 'off'}, ${facts.routes} route.`,
        `Volume: ${volumeText} (about ${formatNumber(inputs.requestsPerMonth / SECONDS_PER_MONTH)} requests/s on ` +
          'average), one event per request, no retries; fixed monthly costs (WAF ACL and rules, secrets, KMS key, ' +
          "detailed metrics, the authorizer's few runs, Secrets Manager refreshes) are spread over that volume. " +
          'Other volumes in the table below.',
        `Durations: verifier CPU ${inputs.verifierCpuMs.toFixed(3)} ms per request, measured here (distinct signed ` +
          "Mailgun posts through the pipeline with in-memory ports), stretched by the function's vCPU share " +
          `(${facts.verifierMemoryMb} MB of 1,769 MB per vCPU), plus assumed round trips in the region: two DynamoDB ` +
          `writes of ${inputs.dynamoDbWriteMs} ms and one PutEvents of ${inputs.putEventsMs} ms: ` +
          `${breakdown.verifierBilledMs} ms billed. Authorizer ${inputs.authorizerCpuMs.toFixed(4)} ms CPU per ` +
          `decision, run about once per credential per cache TTL. Cold starts: ${(inputs.coldStartFraction * 100).toFixed(1)} % ` +
          `of invocations, init of ${formatNumber(inputs.coldInitCpuMs)} ms CPU (${coldInit !== undefined ? 'the verifier load time measured by the cold-start figure' : 'assumed'}), billed since Lambda bills the init phase.`,
        'Prices: us-east-1 list prices; those in `aws-facts.md` (API Gateway, WAF, Lambda, EventBridge, DynamoDB, ' +
          'Secrets Manager) and, marked "pricing page" below, AWS\'s public prices for KMS ($1/key-month, $0.03 per ' +
          '10,000 requests), CloudWatch Logs ingestion ($0.50/GB), X-Ray ($5 per million traces), custom metrics ' +
          '($0.30/metric-month), EventBridge archive ($0.10/GB) and SQS ($0.40 per million). Free tiers, storage ' +
          '(logs, archive, DynamoDB, PITR) and data transfer are not counted.',
        'CloudWatch Logs ingestion is included (an all-in figure): the API access log line (length from the ' +
          `template), an assumed ${inputs.wafLogBytes}-byte WAF log record` +
          (facts.wafLogging && facts.wafLogFilter
            ? ` for the assumed ${(inputs.wafLoggedFraction * 100).toFixed(0)} % of requests WAF blocks or counts ` +
              '(the template filters allowed requests out of the WAF log)'
            : ' for every request') +
          `, and ${inputs.verifierLogBytes} bytes of verifier log per request. X-Ray assumes traffic spread evenly ` +
          `(${sampling} records ${formatNumber(breakdown.xrayTracesPerMonth)} traces a month at this volume).`,
        `Where the money goes beyond the floor (${usd(breakdown.floorPerMillionUsd)}/M) at this volume: ` +
          breakdown.lines
            .filter((line) => !line.floor)
            .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
            .slice(0, 6)
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
