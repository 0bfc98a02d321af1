import {
  accessLogLineBytes,
  billedLambdaMs,
  CONTINUOUS_SERIES_PER_PROVIDER,
  computeCost,
  DEFAULT_INPUTS,
  readTemplateFacts,
  SECONDS_PER_MONTH,
  type TemplateFacts,
  xrayTracesPerMonth,
} from '../../../bench/lib/cost';
import { METRICS_AGGREGATE_MS } from '../../../lambda/verifier/handler';

/** The smallest template shaped like the stack's: the resources the model reads. */
function template(
  overrides: {
    wafRules?: number;
    tracing?: boolean;
    metrics?: boolean;
    logKeeps?: string[];
    sampling?: { ReservoirSize: number; FixedRate: number };
    monitoring?: boolean;
  } = {},
) {
  return {
    Resources: {
      VerifierFunctionD65178B8: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          MemorySize: 256,
          TracingConfig: overrides.tracing ? { Mode: 'Active' } : undefined,
          ...(overrides.monitoring ? { LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN' } } : {}),
          Environment: { Variables: { SECRET_CACHE_TTL_SECONDS: '60' } },
        },
      },
      AuthorizerFunctionEB19F618: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 128 } },
      Acl: {
        Type: 'AWS::WAFv2::WebACL',
        Properties: { Rules: Array.from({ length: overrides.wafRules ?? 3 }, (_, i) => ({ Name: `r${i}` })) },
      },
      Credentials: { Type: 'AWS::SecretsManager::Secret' },
      SigningKeys: { Type: 'AWS::SecretsManager::Secret' },
      Key: { Type: 'AWS::KMS::Key' },
      Authorizer: { Type: 'AWS::ApiGateway::Authorizer', Properties: { AuthorizerResultTtlInSeconds: 300 } },
      Stage: {
        Type: 'AWS::ApiGateway::Stage',
        Properties: {
          MethodSettings: [{ MetricsEnabled: overrides.metrics ?? false }],
          AccessLogSetting: {
            Format: 'x'.repeat(400),
            DestinationArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':log-group:', { Ref: 'AccessLogs' }]] },
          },
        },
      },
      AccessLogs: {
        Type: 'AWS::Logs::LogGroup',
        Properties: overrides.monitoring ? { LogGroupClass: 'INFREQUENT_ACCESS' } : {},
      },
      ...(overrides.monitoring
        ? {
            AlarmA: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Requests' } },
            AlarmMath: {
              Type: 'AWS::CloudWatch::Alarm',
              Properties: { Metrics: [{ MetricStat: {} }, { MetricStat: {} }, { Expression: 'm1/m2' }] },
            },
            Health: { Type: 'AWS::CloudWatch::CompositeAlarm' },
            Board: { Type: 'AWS::CloudWatch::Dashboard' },
            MonitoringWatchFunctionAB12: { Type: 'AWS::Lambda::Function', Properties: {} },
          }
        : {}),
      PostA: { Type: 'AWS::ApiGateway::Method', Properties: { HttpMethod: 'POST' } },
      PostB: { Type: 'AWS::ApiGateway::Method', Properties: { HttpMethod: 'POST' } },
      AnyA: { Type: 'AWS::ApiGateway::Method', Properties: { HttpMethod: 'ANY' } },
      Logging: {
        Type: 'AWS::WAFv2::LoggingConfiguration',
        Properties: overrides.logKeeps
          ? {
              LoggingFilter: {
                DefaultBehavior: 'DROP',
                Filters: [
                  {
                    Behavior: 'KEEP',
                    Requirement: 'MEETS_ANY',
                    Conditions: overrides.logKeeps.map((action) => ({ ActionCondition: { Action: action } })),
                  },
                ],
              },
            }
          : {},
      },
      ...(overrides.sampling
        ? {
            Sampling: {
              Type: 'AWS::XRay::SamplingRule',
              Properties: { SamplingRule: { ServiceType: 'AWS::ApiGateway::Stage', ...overrides.sampling } },
            },
          }
        : {}),
    },
  };
}

/** Facts with every optional cost switched off, so a test sees only what it sets. */
const bare: TemplateFacts = {
  ...readTemplateFacts(template({ wafRules: 0 })),
  accessLogBytes: 0,
  verifierPlatformLogs: false,
  wafLogging: false,
  archive: false,
  routes: 0,
};

describe('cost model', () => {
  describe('readTemplateFacts', () => {
    it('reads memory sizes, WAF rules, secrets, keys, caches and switches from the template', () => {
      const facts = readTemplateFacts(template({ wafRules: 46, tracing: true, metrics: true }));
      expect(facts).toMatchObject({
        verifierMemoryMb: 256,
        authorizerMemoryMb: 128,
        wafAcls: 1,
        wafRules: 46,
        secrets: 2,
        kmsKeys: 1,
        authorizerCacheTtlSeconds: 300,
        secretCacheTtlSeconds: 60,
        tracing: true,
        detailedMetrics: true,
        postMethods: 2,
        accessLogBytes: 400,
        accessLogInfrequentAccess: false,
        verifierPlatformLogs: true,
        alarmMetrics: 0,
        compositeAlarms: 0,
        dashboards: 0,
        credentialWatch: false,
      });
    });

    it('reads the access log class, the platform log setting, alarms, dashboards and the credential watch', () => {
      expect(readTemplateFacts(template({ monitoring: true }))).toMatchObject({
        accessLogInfrequentAccess: true,
        verifierPlatformLogs: false,
        // One single-metric alarm, and a metric-math alarm reading two metrics.
        alarmMetrics: 3,
        compositeAlarms: 1,
        dashboards: 1,
        credentialWatch: true,
      });
    });

    it('sizes an access log line with typical values for its $context variables', () => {
      expect(accessLogLineBytes('{"requestId":"$context.requestId"}')).toBe('{"requestId":""}'.length + 36);
      expect(accessLogLineBytes('{"tls":"$context.tlsVersion","x":"$context.somethingNew"}')).toBe(
        '{"tls":"","x":""}'.length + 7 + '$context.somethingNew'.length,
      );
    });

    it('reads the WAF logging filter and the stage sampling rule', () => {
      expect(readTemplateFacts(template())).toMatchObject({ wafLogging: true, wafLogFilter: false, traceSampling: null });
      expect(
        readTemplateFacts(
          template({
            logKeeps: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'],
            sampling: { ReservoirSize: 0, FixedRate: 0.01 },
          }),
        ),
      ).toMatchObject({ wafLogFilter: true, traceSampling: { reservoirPerSecond: 0, fixedRate: 0.01 } });
    });

    it('does not count a filter that keeps allowed requests as filtering', () => {
      expect(readTemplateFacts(template({ logKeeps: ['BLOCK', 'ALLOW'] })).wafLogFilter).toBe(false);
    });

    it('refuses a template without the verifier function', () => {
      const { VerifierFunctionD65178B8: _, ...rest } = template().Resources;
      expect(() => readTemplateFacts({ Resources: rest })).toThrow(/Verifier/);
    });
  });

  describe('billedLambdaMs', () => {
    it.each([
      [1, 20, 1769, 21],
      [1, 20, 256, 27],
      [0.01, 0, 1769, 1],
      [2, 0, 3538, 2],
    ])('%d ms of CPU + %d ms of I/O at %d MB bills %d ms', (cpu, io, memory, expected) => {
      expect(billedLambdaMs(cpu, io, memory)).toBe(expected);
    });
  });

  describe('xrayTracesPerMonth', () => {
    it('records every request while traffic stays under the reservoir', () => {
      expect(xrayTracesPerMonth(SECONDS_PER_MONTH / 2, 1, 0.05)).toBeCloseTo(SECONDS_PER_MONTH / 2, 3);
    });

    it('records the reservoir then the rate of the rest', () => {
      expect(xrayTracesPerMonth(SECONDS_PER_MONTH * 21, 1, 0.05)).toBeCloseTo(SECONDS_PER_MONTH * 2, 3);
    });
  });

  describe('computeCost', () => {
    const inputs = {
      ...DEFAULT_INPUTS,
      includeLogs: false,
      verifierCpuMs: 0.2,
      authorizerCpuMs: 0.02,
      activeProviders: 0,
      canaryIntervalMinutes: 0,
    };

    it('puts the floor (API Gateway, WAF requests, EventBridge, Lambda requests) at $5.30 per million', () => {
      expect(computeCost(bare, inputs).floorPerMillionUsd).toBeCloseTo(5.3, 10);
    });

    it('bills two DynamoDB writes per new event and one failed claim per retried event', () => {
      const dynamo = (retryFraction: number) =>
        computeCost(bare, { ...inputs, retryFraction }).lines.find((line) => line.service === 'DynamoDB');
      expect(dynamo(0)?.quantity).toBe(2 * inputs.requestsPerMonth);
      expect(dynamo(0.1)?.quantity).toBeCloseTo(inputs.requestsPerMonth * (0.9 * 2 + 0.1), 3);
    });

    it('spreads fixed monthly costs over the volume: ten times the traffic, a tenth of the fixed cost per million', () => {
      const facts = { ...bare, wafRules: 40 };
      const fixedPerMillion = (requestsPerMonth: number) => {
        const result = computeCost(facts, { ...inputs, requestsPerMonth });
        return result.perMillionUsd - result.variablePerMillionUsd;
      };
      expect(fixedPerMillion(1e6) / fixedPerMillion(1e7)).toBeCloseTo(10, 1);
    });

    it('charges each WAF rule of the template a month', () => {
      const rulesCost = (wafRules: number) => computeCost({ ...bare, wafRules }, inputs).monthlyUsd;
      expect(rulesCost(46) - rulesCost(0)).toBeCloseTo(46, 10);
    });

    it('adds log ingestion, X-Ray and detailed metrics only when the stack has them', () => {
      const without = computeCost(bare, inputs).monthlyUsd;
      const withAll = computeCost(
        { ...bare, tracing: true, detailedMetrics: true, wafLogging: true },
        { ...inputs, includeLogs: true },
      );
      expect(withAll.monthlyUsd).toBeGreaterThan(without);
      expect(withAll.lines.map((line) => line.service)).toEqual(
        expect.arrayContaining(['X-Ray', 'CloudWatch', 'CloudWatch Logs']),
      );
    });

    it('logs to WAF only the share of requests it blocks or counts when the template filters its log', () => {
      const logs = (facts: TemplateFacts, wafLoggedFraction: number) =>
        computeCost(facts, { ...inputs, includeLogs: true, wafLoggedFraction }).lines.find((line) =>
          line.item.startsWith('verifier and WAF'),
        )?.quantity ?? 0;
      const every = logs({ ...bare, wafLogging: true }, 0.01);
      const filtered = logs({ ...bare, wafLogging: true, wafLogFilter: true }, 0.01);
      const perRequestGb = inputs.requestsPerMonth / 1e9;
      expect(every - filtered).toBeCloseTo(perRequestGb * inputs.wafLogBytes * 0.99, 6);
      expect(logs({ ...bare, wafLogging: true, wafLogFilter: true }, 1)).toBeCloseTo(every, 6);
    });

    it('prices the access log at its class: Infrequent Access is half of Standard', () => {
      const accessLog = (accessLogInfrequentAccess: boolean) =>
        computeCost({ ...bare, accessLogBytes: 300, accessLogInfrequentAccess }, { ...inputs, includeLogs: true }).lines.find(
          (line) => line.item.startsWith('API access log'),
        )?.monthlyUsd ?? 0;
      expect(accessLog(false)).toBeCloseTo((inputs.requestsPerMonth * 300 * 0.5) / 1e9, 6);
      expect(accessLog(true)).toBeCloseTo(accessLog(false) / 2, 6);
    });

    it("counts Lambda's platform lines only when the template keeps them", () => {
      const verifierLog = (verifierPlatformLogs: boolean) =>
        computeCost(
          { ...bare, verifierPlatformLogs },
          { ...inputs, includeLogs: true, verifierLogBytes: 300, metricsLineBytes: 0 },
        ).lines.find(
          (line) => line.item.startsWith('verifier and WAF'),
        )?.quantity ?? 0;
      expect(verifierLog(false)).toBeCloseTo((inputs.requestsPerMonth * 300) / 1e9, 6);
      expect(verifierLog(true)).toBeCloseTo((inputs.requestsPerMonth * (300 + inputs.platformLogBytes)) / 1e9, 6);
    });

    it('writes one metrics line per request, or, summed in warm containers, one per container, provider and period', () => {
      const lines = (metricsAggregateSeconds: number, requestsPerMonth: number, retryFraction = 0) =>
        computeCost(bare, {
          ...inputs,
          includeLogs: true,
          activeProviders: 3,
          metricsAggregateSeconds,
          requestsPerMonth,
          retryFraction,
        });
      expect(lines(0, 1e8).metricsLinesPerMonth).toBe(1e8);
      const summed = lines(10, 1e8);
      expect(summed.metricsLinesPerMonth).toBeCloseTo((summed.warmVerifierContainers * 3 * SECONDS_PER_MONTH) / 10, 3);
      expect(lines(10, 1e8, 0.05).metricsLinesPerMonth).toBeCloseTo(2 * summed.metricsLinesPerMonth, 3);
      // Never more lines than requests: a quiet stage writes a line per request.
      expect(lines(10, 1e5).metricsLinesPerMonth).toBe(1e5);
      const gb = (result: ReturnType<typeof lines>) =>
        result.lines.find((line) => line.item.startsWith('verifier and WAF'))?.quantity ?? 0;
      expect(gb(lines(0, 1e8))).toBeCloseTo((1e8 * inputs.metricsLineBytes) / 1e9, 6);
      expect(gb(summed)).toBeCloseTo((summed.metricsLinesPerMonth * inputs.metricsLineBytes) / 1e9, 6);
    });

    it("sums the verifier's metric counts for as long as the verifier handler does", () => {
      expect(DEFAULT_INPUTS.metricsAggregateSeconds * 1000).toBe(METRICS_AGGREGATE_MS);
    });

    it('bills custom metrics per provider with traffic, the credential watch and the canary', () => {
      const metrics = (facts: TemplateFacts, activeProviders: number, canaryIntervalMinutes: number) =>
        computeCost(facts, { ...inputs, activeProviders, canaryIntervalMinutes }).lines.find((line) =>
          line.item.startsWith('custom metrics'),
        );
      expect(metrics(bare, 3, 0)?.quantity).toBe(3 * CONTINUOUS_SERIES_PER_PROVIDER);
      expect(metrics({ ...bare, credentialWatch: true }, 3, 5)?.quantity).toBe(3 * CONTINUOUS_SERIES_PER_PROVIDER + 3 + 2);
      expect(metrics(bare, 3, 0)?.monthlyUsd).toBeCloseTo(3 * CONTINUOUS_SERIES_PER_PROVIDER * 0.3, 10);
    });

    it('bills alarm metrics, composite alarms and dashboards from the template', () => {
      const line = computeCost({ ...bare, alarmMetrics: 20, compositeAlarms: 1, dashboards: 1 }, inputs).lines.find(
        (entry) => entry.item.startsWith('alarms'),
      );
      expect(line?.monthlyUsd).toBeCloseTo(20 * 0.1 + 0.5 + 3, 10);
    });

    it('models a canary every 5 minutes as that many more requests plus its own runs, and none at 0', () => {
      const canary = (canaryIntervalMinutes: number) =>
        computeCost(bare, { ...inputs, canaryIntervalMinutes }).lines.find((line) => line.service === 'Canary');
      expect(canary(0)).toBeUndefined();
      const line = canary(5);
      expect(line?.quantity).toBeCloseTo((730 * 60) / 5, 6);
      const variablePerRequest = computeCost(bare, inputs).variablePerMillionUsd / 1e6;
      expect(line?.monthlyUsd).toBeGreaterThan((line?.quantity ?? 0) * variablePerRequest);
      expect(line?.kind).toBe('fixed');
    });

    it("takes the canary from the template's schedule and function, its alarm already among the template's alarms", () => {
      const { canaryIntervalMinutes: _none, ...templateDriven } = inputs;
      const line = computeCost({ ...bare, canary: { intervalMinutes: 10, memoryMb: 512 } }, templateDriven).lines.find(
        (entry) => entry.service === 'Canary',
      );
      expect(line).toMatchObject({ quantity: (730 * 60) / 10, source: 'template' });
      const whatIf = computeCost({ ...bare, canary: { intervalMinutes: 10, memoryMb: 512 } }, { ...inputs, canaryIntervalMinutes: 10 });
      const overridden = whatIf.lines.find((entry) => entry.service === 'Canary');
      // The same runs, plus the alarm the what-if adds (the template's is counted with the template's alarms).
      expect((overridden?.monthlyUsd ?? 0) - (line?.monthlyUsd ?? 0)).toBeCloseTo(0.1, 10);
      expect(computeCost(bare, templateDriven).lines.some((entry) => entry.service === 'Canary')).toBe(false);
    });

    it('traces what the stage sampling rule records, else what the default rule does', () => {
      const traces = (facts: TemplateFacts) => computeCost({ ...facts, tracing: true }, inputs).xrayTracesPerMonth;
      expect(traces(bare)).toBeCloseTo(xrayTracesPerMonth(inputs.requestsPerMonth, 1, 0.05), 3);
      expect(traces({ ...bare, traceSampling: { reservoirPerSecond: 0, fixedRate: 0.01 } })).toBeCloseTo(
        inputs.requestsPerMonth * 0.01,
        3,
      );
    });

    it('runs the authorizer about once per credential per cache TTL, not per request', () => {
      expect(computeCost(bare, inputs).authorizerInvocationsPerMonth).toBeCloseTo(SECONDS_PER_MONTH / 300, 6);
      expect(computeCost({ ...bare, authorizerCacheTtlSeconds: 0 }, inputs).authorizerInvocationsPerMonth).toBe(
        inputs.requestsPerMonth,
      );
    });
  });
});
