import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDER_IDS } from '../../../lambda/core/provider-ids';
import {
  ConfigError,
  cidrProblem,
  DEFAULT_AUTH,
  DEFAULT_DEDUPE,
  DEFAULT_MONITORING,
  DEFAULT_THROTTLING,
  DEFAULT_WAF,
  loadConfig,
  MAX_BODY_BYTES_LIMIT,
  parseConfig,
  stageOf,
  toRuntimeSettings,
} from '../../../lib/config';

/** The problems a config produces, as `path: message` lines. */
function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('applies every default to a minimal stage', () => {
    const config = parseConfig({ stages: { dev: { providers: { sendgrid: {}, postmark: {} } } } });
    const dev = stageOf(config, 'dev');

    expect(dev.stage).toBe('dev');
    expect(dev.throttling).toEqual(DEFAULT_THROTTLING);
    expect(dev.waf).toEqual(DEFAULT_WAF);
    expect(dev.auth).toEqual(DEFAULT_AUTH);
    expect(dev.dedupe).toEqual(DEFAULT_DEDUPE);
    expect(dev.events).toEqual({ archiveRetentionDays: 30, routes: [] });
    expect(dev.monitoring).toEqual(DEFAULT_MONITORING);
    expect(DEFAULT_MONITORING).toEqual({ detailedMetrics: false, tracing: { reservoirPerSecond: 0, fixedRate: 0.01 } });
    expect(dev.providers.sendgrid).toEqual({
      auth: 'both',
      allowedCidrs: [],
      rateLimit: DEFAULT_WAF.rateLimit,
      maxBodyBytes: MAX_BODY_BYTES_LIMIT,
    });
    expect(dev.providers.postmark).toMatchObject({ auth: 'basic', maxBodyBytes: 1024 * 1024 });
    expect(dev.customDomain).toBeUndefined();
  });

  it('merges shared settings under each stage, stage values winning and lists replaced', () => {
    const config = parseConfig({
      shared: {
        providers: { sendgrid: { allowedCidrs: ['192.0.2.0/24'] }, mailgun: {} },
        throttling: { rateLimit: 50 },
      },
      stages: {
        dev: {},
        prod: {
          providers: { sendgrid: { allowedCidrs: ['198.51.100.0/24', '2001:db8::/32'] }, mailgun: { enabled: false } },
          throttling: { burstLimit: 999 },
        },
      },
    });

    expect(config.stages.dev?.providers.sendgrid?.allowedCidrs).toEqual(['192.0.2.0/24']);
    expect(config.stages.dev?.providers.mailgun).toBeDefined();
    expect(config.stages.prod?.providers.sendgrid?.allowedCidrs).toEqual(['198.51.100.0/24', '2001:db8::/32']);
    expect(config.stages.prod?.providers.mailgun).toBeUndefined();
    expect(config.stages.prod?.throttling).toEqual({ rateLimit: 50, burstLimit: 999 });
  });

  it('reports every problem at once, each with its path and the offending value', () => {
    const problems = problemsOf({
      stages: {
        dev: {
          providers: {
            sendgird: {},
            sendgrid: { allowedCidrs: ['10.0.0.300/24', '10.0.0.1/24', 'fe80::/129'], rateLimit: 5 },
            postmark: { auth: 'signature' },
          },
          auth: { authorizerCacheTtlSeconds: -1, rotationDays: 0 },
          dedupe: { windowHours: 0 },
          waf: { rateLimitWindowSeconds: 30 },
          logRetentionDays: 10,
        },
      },
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stages\.dev\.providers\.sendgird: unknown provider/),
        'stages.dev.providers.sendgrid.allowedCidrs[0]: "10.0.0.300/24" has an invalid IP address',
        'stages.dev.providers.sendgrid.allowedCidrs[1]: "10.0.0.1/24" has host bits set beyond /24',
        'stages.dev.providers.sendgrid.allowedCidrs[2]: "fe80::/129" has a prefix longer than 128',
        'stages.dev.providers.sendgrid.rateLimit: must be a whole number from 10 to 2000000000, got 5',
        'stages.dev.providers.postmark.auth: postmark signs nothing, so only "basic" is possible, got "signature"',
        'stages.dev.auth.authorizerCacheTtlSeconds: must be a whole number from 0 to 3600, got -1',
        'stages.dev.auth.rotationDays: must be a whole number from 1 to 365, got 0',
        'stages.dev.dedupe.windowHours: must be a whole number from 1 to 8760, got 0',
        'stages.dev.waf.rateLimitWindowSeconds: must be one of 60, 120, 300, 600, got 30',
        expect.stringMatching(/^stages\.dev\.logRetentionDays: must be one of 1, 3, 5, .*got 10$/),
      ]),
    );
    expect(problems).toHaveLength(11);
  });

  it('throws a ConfigError whose message lists every problem', () => {
    expect(() =>
      parseConfig({ stages: { dev: { providers: { sendgrid: {}, nope: {} }, extra: 1 } } }, 'my.json'),
    ).toThrow(
      /Invalid Hookguard configuration \(my\.json\): 2 problems\n {2}- stages\.dev\.providers\.nope: unknown provider[^\n]*\n {2}- stages\.dev\.extra: unknown setting/,
    );
  });

  it.each([
    [{}, 'stages: define at least one stage, e.g. "dev"'],
    [{ stages: { dev: {} } }, 'stages.dev.providers: enable at least one provider'],
    [{ stages: { 'bad stage': {} } }, expect.stringMatching(/^stages\.bad stage: stage names start with a letter/)],
    [{ stages: { dev: { providers: { sendgrid: [] } } } }, 'stages.dev.providers.sendgrid: must be an object, got []'],
    [
      { stages: { dev: { providers: { sendgrid: { enabled: 'yes' } } } } },
      expect.stringMatching(/enabled: must be true or false/),
    ],
    [
      { stages: { dev: { providers: { 'amazon-ses': {} } } } },
      expect.stringMatching(/amazon-ses\.snsTopicArns: is required/),
    ],
    [
      { stages: { dev: { providers: { 'amazon-ses': { auth: 'basic', snsTopicArns: [] } } } } },
      expect.stringMatching(/amazon-ses\.auth: amazon-ses needs the SNS signature/),
    ],
    [
      { stages: { dev: { providers: { 'amazon-ses': { snsTopicArns: ['arn:aws:sqs:us-east-1:123456789012:q'] } } } } },
      expect.stringMatching(/snsTopicArns\[0\]: must be an SNS topic ARN/),
    ],
    [{ stages: { dev: { providers: { mandrill: {} } } } }, expect.stringMatching(/mandrill\.signedUrl: is required/)],
    [
      {
        stages: { dev: { providers: { mandrill: { signedUrl: 'https://u:p@hooks.example.com/webhooks/mandrill' } } } },
      },
      expect.stringMatching(/signedUrl: must be an http\(s\) URL without credentials/),
    ],
    [
      { stages: { dev: { providers: { sendgrid: { signedUrl: 'https://x.example.com' } } } } },
      expect.stringMatching(/signedUrl: applies only to mandrill/),
    ],
    [
      { stages: { dev: { providers: { 'standard-webhooks': { eventTypeMap: { 'a.b': 'exploded' } } } } } },
      expect.stringMatching(/eventTypeMap\.a\.b: must be one of "queued"/),
    ],
    [
      { stages: { dev: { providers: { sendgrid: { maxBodyBytes: 10_000_000 } } } } },
      expect.stringMatching(/maxBodyBytes: must be a whole number from 1 to 4194304, got 10000000/),
    ],
    [
      { stages: { dev: { providers: { sendgrid: { timestampToleranceSeconds: 999_999_999 } } } } },
      expect.stringMatching(/timestampToleranceSeconds: must be a whole number from 0 to 604800/),
    ],
    [
      { stages: { dev: { providers: { sendgrid: {} }, auth: { gracePeriodHours: 24 * 31 } } } },
      expect.stringMatching(/gracePeriodHours: must be a whole number from 0 to 720/),
    ],
    [
      { stages: { dev: { providers: { sendgrid: {} }, auth: { username: 'a:b' } } } },
      expect.stringMatching(/auth\.username: must be letters, digits/),
    ],
    [
      { stages: { dev: { providers: { sendgrid: {} }, env: { account: '123', region: 'mars' } } } },
      expect.stringMatching(/env\.account: must be a 12-digit account id, got "123"/),
    ],
    [
      { stages: { dev: { providers: { sendgrid: {} }, customDomain: { domainName: 'hooks.example.com' } } } },
      'stages.dev.customDomain.certificateArn: is required',
    ],
  ])('rejects %j', (raw, expected) => {
    expect(problemsOf(raw)).toContainEqual(expected);
  });

  describe('monitoring', () => {
    const stageWith = (monitoring: unknown) => ({ stages: { dev: { providers: { sendgrid: {} }, monitoring } } });

    it('reads detailed metrics and trace sampling, defaulting what is left out', () => {
      const config = parseConfig(stageWith({ detailedMetrics: true, tracing: { fixedRate: 0.05 } }));
      expect(config.stages.dev?.monitoring).toEqual({
        detailedMetrics: true,
        tracing: { reservoirPerSecond: 0, fixedRate: 0.05 },
      });
      const reservoir = parseConfig(stageWith({ tracing: { reservoirPerSecond: 1, fixedRate: 0 } }));
      expect(reservoir.stages.dev?.monitoring.tracing).toEqual({ reservoirPerSecond: 1, fixedRate: 0 });
    });

    it('merges shared monitoring under a stage key by key', () => {
      const config = parseConfig({
        shared: { providers: { sendgrid: {} }, monitoring: { tracing: { reservoirPerSecond: 1 } } },
        stages: { dev: {}, prod: { monitoring: { detailedMetrics: true } } },
      });
      expect(config.stages.dev?.monitoring).toEqual({
        detailedMetrics: false,
        tracing: { reservoirPerSecond: 1, fixedRate: 0.01 },
      });
      expect(config.stages.prod?.monitoring).toEqual({
        detailedMetrics: true,
        tracing: { reservoirPerSecond: 1, fixedRate: 0.01 },
      });
    });

    it.each([
      [{ detailedMetrics: 'yes' }, 'stages.dev.monitoring.detailedMetrics: must be true or false, got "yes"'],
      [
        { tracing: { fixedRate: 1.5 } },
        'stages.dev.monitoring.tracing.fixedRate: must be a number from 0 to 1, got 1.5',
      ],
      [
        { tracing: { fixedRate: '1%' } },
        'stages.dev.monitoring.tracing.fixedRate: must be a number from 0 to 1, got "1%"',
      ],
      [
        { tracing: { reservoirPerSecond: 0.5 } },
        'stages.dev.monitoring.tracing.reservoirPerSecond: must be a whole number from 0 to 10000, got 0.5',
      ],
      [
        { tracing: { reservoirPerSecond: 0, fixedRate: 0 } },
        'stages.dev.monitoring.tracing: reservoirPerSecond 0 and fixedRate 0 would trace nothing; tracing stays on: set either above 0',
      ],
      [
        { tracing: { sampleRate: 0.1 } },
        'stages.dev.monitoring.tracing.sampleRate: unknown setting (expected one of: reservoirPerSecond, fixedRate)',
      ],
      [{ metrics: true }, 'stages.dev.monitoring.metrics: unknown setting (expected one of: detailedMetrics, tracing, alarmEmails, alarmTopicArn, runbookUrl, alarms, lambdaConcurrencyLimit, canary)'],
    ])('rejects monitoring %j', (monitoring, expected) => {
      expect(problemsOf(stageWith(monitoring))).toContain(expected);
    });
  });

  describe('routes', () => {
    const stageWith = (routes: unknown) => ({ stages: { dev: { providers: { sendgrid: {} }, events: { routes } } } });

    it('reads a route with its defaults', () => {
      const config = parseConfig(
        stageWith([{ name: 'bounces', eventPattern: { 'detail-type': ['email.bounced'] }, target: { type: 'sqs' } }]),
      );
      expect(config.stages.dev?.events.routes).toEqual([
        {
          name: 'bounces',
          eventPattern: { 'detail-type': ['email.bounced'] },
          target: { type: 'sqs' },
          retryAttempts: 8,
          maxEventAgeHours: 24,
        },
      ]);
    });

    it.each([
      [
        [{ eventPattern: { 'detail-type': ['x'] }, target: { type: 'sqs' } }],
        'stages.dev.events.routes[0].name: is required',
      ],
      [
        [
          { name: 'a', eventPattern: { 'detail-type': ['x'] }, target: { type: 'sqs' } },
          { name: 'a', eventPattern: { 'detail-type': ['x'] }, target: { type: 'sqs' } },
        ],
        'stages.dev.events.routes[1].name: duplicates another route: "a"',
      ],
      [
        [{ name: 'a', eventPattern: { 'detail-type': 'email.bounced' }, target: { type: 'sqs' } }],
        'stages.dev.events.routes[0].eventPattern.detail-type: must be a non-empty list of values or matchers, got "email.bounced"',
      ],
      [
        [{ name: 'a', eventPattern: { source: ['x'] }, target: { type: 'sqs' } }],
        'stages.dev.events.routes[0].eventPattern.source: is set by Hookguard (always "hookguard")',
      ],
      [
        [{ name: 'a', eventPattern: { detail: { $or: [] } }, target: { type: 'sqs' } }],
        'stages.dev.events.routes[0].eventPattern.detail.$or: must be a non-empty list of patterns',
      ],
      [
        [{ name: 'a', eventPattern: { 'detail-type': ['x'] }, target: { type: 'lambda' } }],
        'stages.dev.events.routes[0].target.functionArn: is required for a lambda target',
      ],
      [
        [{ name: 'a', eventPattern: { 'detail-type': ['x'] }, target: { type: 'eventBus', eventBusArn: 'nope' } }],
        'stages.dev.events.routes[0].target.eventBusArn: must be an event bus ARN, got "nope"',
      ],
      [
        [{ name: 'a', eventPattern: { 'detail-type': ['x'] }, target: { type: 'sns' } }],
        'stages.dev.events.routes[0].target.type: must be one of "sqs", "lambda", "eventBus", "logs", got "sns"',
      ],
      [
        [{ name: 'a', eventPattern: { 'detail-type': ['x'] }, target: { type: 'sqs' }, retryAttempts: 500 }],
        'stages.dev.events.routes[0].retryAttempts: must be a whole number from 0 to 185, got 500',
      ],
      [
        [
          {
            name: 'a',
            eventPattern: { 'detail-type': ['x'] },
            target: { type: 'sqs' },
            local: { type: 'http', url: 'ftp://x' },
          },
        ],
        'stages.dev.events.routes[0].local.url: must be an http(s) URL, got "ftp://x"',
      ],
    ])('rejects route %#', (routes, expected) => {
      expect(problemsOf(stageWith(routes))).toContain(expected);
    });
  });
});

describe('where problems are reported', () => {
  it('reports a mistake written in shared once, at shared, whatever the number of stages', () => {
    const problems = problemsOf({
      shared: {
        providers: { sendgrid: { rateLimit: 5, allowedCidrs: ['10.0.0.1/24'], signedUrl: 'x' }, mailgun: {} },
        waf: { rateLimt: 100 },
      },
      stages: { dev: {}, staging: {}, prod: { throttling: { rateLimit: 100 } } },
    });
    expect(problems).toEqual([
      'shared.providers.sendgrid.rateLimit: must be a whole number from 10 to 2000000000, got 5',
      'shared.providers.sendgrid.allowedCidrs[0]: "10.0.0.1/24" has host bits set beyond /24',
      'shared.providers.sendgrid.signedUrl: applies only to mandrill',
      'shared.waf.rateLimt: unknown setting (expected one of: rateLimitWindowSeconds, rateLimit, logRetentionDays)',
    ]);
  });

  it('reports at the stage what the stage wrote, and a shared value a stage overrides not at all', () => {
    const problems = problemsOf({
      shared: { providers: { sendgrid: {} }, throttling: { rateLimit: 0 } },
      stages: { dev: { throttling: { rateLimit: 10 } }, prod: { throttling: { rateLimit: 10, burstLimit: -1 } } },
    });
    expect(problems).toEqual(['stages.prod.throttling.burstLimit: must be a whole number from 0 to 100000, got -1']);
  });

  it('reports a cross-field rule broken by shared once at shared, and at the stage that breaks it itself', () => {
    const problems = problemsOf({
      shared: { providers: { 'amazon-ses': {}, sendgrid: { timestampToleranceSeconds: 7200 } } },
      stages: {
        dev: { dedupe: { windowHours: 1 } },
        qa: { dedupe: { windowHours: 1 } },
        prod: { providers: { 'amazon-ses': { snsTopicArns: ['arn:aws:sns:eu-west-1:123456789012:ses'] } } },
      },
    });
    expect(problems).toEqual([
      'shared.providers.amazon-ses.snsTopicArns: is required: list the SNS topics allowed to deliver SES events',
      'shared.providers.sendgrid.timestampToleranceSeconds: must be a whole number from 0 to 3600 (the dedupe window), got 7200',
    ]);
  });

  it('still checks the cross-field rules of a stage that has other problems, without inventing new ones', () => {
    const problems = problemsOf({
      stages: {
        dev: {
          providers: { 'amazon-ses': { snsTopicArns: ['not-an-arn'] }, sendgrid: { rateLimit: 'x' } },
          auth: { rotationDays: 1, gracePeriodHours: 48 },
          events: { routes: [{ name: 'a', eventPattern: { 'detail-type': ['x'] }, target: { type: 'sqs' } }] },
        },
      },
    });
    expect(problems).toEqual([
      'stages.dev.providers.amazon-ses.snsTopicArns[0]: must be an SNS topic ARN, got "not-an-arn"',
      'stages.dev.providers.sendgrid.rateLimit: must be a whole number from 10 to 2000000000, got "x"',
      'stages.dev.auth.gracePeriodHours: must be a whole number from 0 to 24 (the rotation interval), got 48',
    ]);
  });

  it('reports a mistake in the shared alerting settings once, at shared, in alerting.ts wording', () => {
    const problems = problemsOf({
      shared: { providers: { mailgun: {} }, monitoring: { alarms: { forgry: false, wafBlocks: { threshold: -1 } } } },
      stages: { dev: {}, prod: {} },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^shared\.monitoring\.alarms\.forgry: unknown alarm \(expected one of: apiErrors, /),
      expect.stringMatching(/^shared\.monitoring\.alarms\.wafBlocks\.threshold: /),
    ]);
  });

  it('reports problems of the file itself at their top-level key', () => {
    expect(problemsOf({ $schema: 3, stages: { dev: 5 }, shared: [], extra: true })).toEqual([
      '$schema: must be a string, got 3',
      'stages.dev: must be an object, got 5',
      'shared: must be an object, got []',
      'extra: unknown setting (expected one of: $schema, shared, stages)',
    ]);
    expect(problemsOf([])).toEqual(['(root): must be a JSON object, got []']);
  });

  it('reports an unknown or missing route target type at target.type', () => {
    const stageWith = (target: unknown) => ({
      stages: { dev: { providers: { sendgrid: {} }, events: { routes: [{ name: 'a', eventPattern: { x: [1] }, target }] } } },
    });
    expect(problemsOf(stageWith({}))).toEqual([
      'stages.dev.events.routes[0].target.type: is required (sqs, lambda, eventBus or logs)',
    ]);
    expect(problemsOf(stageWith('sqs'))).toEqual(['stages.dev.events.routes[0].target: must be an object, got "sqs"']);
  });

  it('accepts the $schema key that names the JSON Schema for editors', () => {
    const config = parseConfig({ $schema: './hookguard.schema.json', stages: { dev: { providers: { sendgrid: {} } } } });
    expect(Object.keys(config.stages)).toEqual(['dev']);
  });

  it('prints the list docs/configuration.md shows: a header, then one indented line per problem, in file order', () => {
    let message = '';
    try {
      parseConfig(
        {
          stages: {
            prod: {
              providers: { sendgrid: { allowedCidrs: ['192.0.2.0/24', '10.0.0.1/24'] } },
              auth: { authorizerCacheTtlSeconds: -1 },
            },
          },
        },
        'hookguard.config.json',
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        'Invalid Hookguard configuration (hookguard.config.json): 2 problems',
        '  - stages.prod.providers.sendgrid.allowedCidrs[1]: "10.0.0.1/24" has host bits set beyond /24',
        '  - stages.prod.auth.authorizerCacheTtlSeconds: must be a whole number from 0 to 3600, got -1',
      ].join('\n'),
    );
  });
});

describe('cidrProblem', () => {
  it.each([
    '0.0.0.0/0',
    '192.0.2.0/24',
    '192.0.2.7/32',
    '2001:db8::/32',
    '2001:db8:abcd:12::/64',
    '::/0',
    '::ffff:192.0.2.0/120',
  ])('accepts %s', (cidr) => {
    expect(cidrProblem(cidr)).toBeUndefined();
  });

  it.each([
    ['192.0.2.0', 'is not a CIDR (address/prefix)'],
    ['192.0.2.0/24/1', 'is not a CIDR (address/prefix)'],
    ['192.0.2.0/x', 'is not a CIDR (address/prefix)'],
    ['192.0.2.256/32', 'has an invalid IP address'],
    ['192.0.2.0/33', 'has a prefix longer than 32'],
    ['192.0.2.1/24', 'has host bits set beyond /24'],
    ['2001:db8::1/64', 'has host bits set beyond /64'],
    ['2001:zz8::/32', 'has an invalid IP address'],
  ])('rejects %s', (cidr, problem) => {
    expect(cidrProblem(cidr)).toBe(problem);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the repository default configuration without a problem', () => {
    const config = loadConfig('hookguard.config.json');
    expect(Object.keys(config.stages)).toEqual(['dev', 'prod']);
    expect(Object.keys(stageOf(config, 'dev').providers).sort()).toEqual([...PROVIDER_IDS].sort());
    expect(stageOf(config, 'dev').events.routes.map((route) => route.name)).toEqual(['suppression']);
  });

  it('names a missing file, invalid JSON and a missing stage clearly', () => {
    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '{ "stages": ');
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(
      /missing\.json\): 1 problem\n {2}- \(file\): file not found/,
    );
    expect(() => loadConfig(badJson)).toThrow(
      /\(file\): not valid JSON at line 1, column 13: expected a value \(object, list, "string", number, true, false or null\), found the end of the file/,
    );
    expect(() => stageOf(loadConfig('hookguard.config.json'), 'qa')).toThrow(
      /stages\.qa: no such stage \(defined: dev, prod\)/,
    );
  });
});

describe('loadConfig syntax errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-config-syntax-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['{\n  "stages": {\n    "dev": { "providers": { "sendgrid": {}, } }\n  }\n}', 'line 3, column 45: expected a "quoted" key, found "}" (remove the trailing comma)'],
    ['{\n  "stages": {\n    "dev": {}\n    "prod": {}\n  }\n}', 'line 4, column 5: expected "," or "}", found "\\""'],
    ["{\n  'stages': {}\n}", 'line 2, column 3: expected a "quoted" key, found "\'"'],
  ])('names the line and column of a JSON syntax error in %j', (text, where) => {
    const file = join(dir, 'config.json');
    writeFileSync(file, text);
    expect(() => loadConfig(file)).toThrow(`(file): not valid JSON at ${where}`);
  });

  it('reads a file saved with a byte-order mark', () => {
    const file = join(dir, 'bom.json');
    writeFileSync(file, `\ufeff${JSON.stringify({ stages: { dev: { providers: { sendgrid: {} } } } })}`);
    expect(Object.keys(loadConfig(file).stages)).toEqual(['dev']);
  });
});

describe('toRuntimeSettings', () => {
  it('carries what the request path needs, with the dedupe window in seconds', () => {
    const config = parseConfig({
      stages: {
        dev: {
          providers: {
            mandrill: { signedUrl: 'https://hooks.example.com/webhooks/mandrill', timestampToleranceSeconds: 0 },
            'amazon-ses': { snsTopicArns: ['arn:aws:sns:eu-west-1:123456789012:ses'], timestampToleranceSeconds: 900 },
          },
          dedupe: { windowHours: 48, leaseSeconds: 45 },
        },
      },
    });
    const settings = toRuntimeSettings(stageOf(config, 'dev'));
    expect(settings).toEqual({
      providers: {
        mandrill: {
          auth: 'both',
          timestampToleranceSeconds: 0,
          maxBodyBytes: MAX_BODY_BYTES_LIMIT,
          signedUrl: 'https://hooks.example.com/webhooks/mandrill',
        },
        'amazon-ses': {
          auth: 'both',
          timestampToleranceSeconds: 900,
          maxBodyBytes: 1024 * 1024,
          snsTopicArns: ['arn:aws:sns:eu-west-1:123456789012:ses'],
        },
      },
      dedupeWindowSeconds: 48 * 3600,
      claimLeaseSeconds: 45,
    });
  });
});
