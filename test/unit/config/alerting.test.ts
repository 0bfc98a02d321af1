import { ConfigError, parseConfig } from '../../../lib/config';
import { ALARM_IDS, DEFAULT_ALARMS, defaultCanaryEnabled, readAlerting } from '../../../lib/config/alerting';

function stage(monitoring: unknown, providers: Record<string, unknown> = { mailgun: {} }, name = 'dev') {
  return parseConfig({ stages: { [name]: { providers, monitoring } } }, 'test').stages[name];
}

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('alerting configuration', () => {
  it('defaults every alarm on with its documented threshold, no e-mail, the repository runbook', () => {
    const alerting = stage(undefined)?.alerting;
    expect(alerting?.alarmEmails).toEqual([]);
    expect(alerting?.alarmTopicArn).toBeUndefined();
    expect(alerting?.runbookUrl).toBe('docs/operations.md');
    expect(alerting?.lambdaConcurrencyLimit).toBe(1000);
    for (const id of ALARM_IDS) {
      const { enabled, threshold, evaluationPeriods, datapointsToAlarm } = DEFAULT_ALARMS[id];
      expect(alerting?.alarms[id]).toEqual({ enabled, threshold, evaluationPeriods, datapointsToAlarm });
    }
  });

  it('turns the canary on by default for stages whose name contains prod, off otherwise', () => {
    expect(stage(undefined, { mailgun: {} }, 'prod')?.alerting.canary).toEqual({ enabled: true, intervalMinutes: 5 });
    expect(stage(undefined, { mailgun: {} }, 'preprod2')?.alerting.canary.enabled).toBe(true);
    expect(stage(undefined, { mailgun: {} }, 'dev')?.alerting.canary.enabled).toBe(false);
    expect(stage({ canary: true })?.alerting.canary.enabled).toBe(true);
    expect(stage({ canary: { intervalMinutes: 10 } }, { mailgun: {} }, 'prod')?.alerting.canary).toEqual({ enabled: true, intervalMinutes: 10 });
    expect(defaultCanaryEnabled('Production')).toBe(true);
  });

  it('switches alarms off with false or enabled: false, and overrides thresholds and periods', () => {
    const alarms = stage({
      alarms: { wafBlocks: false, forgery: { enabled: false }, bruteForce: { threshold: 7, evaluationPeriods: 3 } },
    })?.alerting.alarms;
    expect(alarms?.wafBlocks.enabled).toBe(false);
    expect(alarms?.forgery.enabled).toBe(false);
    expect(alarms?.bruteForce).toEqual({ enabled: true, threshold: 7, evaluationPeriods: 3, datapointsToAlarm: 1 });
    expect(alarms?.apiErrors.enabled).toBe(true);
  });

  it('reads e-mails, an existing topic, the runbook URL and the silence hours of a provider', () => {
    const config = stage(
      {
        alarmEmails: ['oncall@example.com'],
        alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:pager',
        runbookUrl: 'https://wiki.example.com/hookguard',
      },
      { mailgun: { silenceAlarmHours: 12 } },
    );
    expect(config?.alerting).toMatchObject({
      alarmEmails: ['oncall@example.com'],
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:pager',
      runbookUrl: 'https://wiki.example.com/hookguard',
    });
    expect(config?.providers.mailgun?.silenceAlarmHours).toBe(12);
    expect(stage(undefined)?.providers.mailgun).not.toHaveProperty('silenceAlarmHours');
  });

  it('names every problem with its path', () => {
    const found = problems(() =>
      stage(
        {
          alarmEmails: ['not-an-address'],
          alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:queue',
          alarms: { nope: {}, apiErrors: { threshold: -1 }, forgery: { evaluationPeriods: 2, datapointsToAlarm: 3 }, silentProvider: { typo: 1 } },
          canary: 'yes',
        },
        { mailgun: { silenceAlarmHours: 500 } },
      ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stages\.dev\.monitoring\.alarmEmails\[0\]: must be an e-mail address/),
        expect.stringMatching(/^stages\.dev\.monitoring\.alarmTopicArn: must be an SNS topic ARN/),
        expect.stringMatching(/^stages\.dev\.monitoring\.alarms\.nope: unknown alarm \(expected one of: apiErrors, /),
        expect.stringMatching(/^stages\.dev\.monitoring\.alarms\.apiErrors\.threshold/),
        expect.stringMatching(/^stages\.dev\.monitoring\.alarms\.silentProvider\.typo: unknown setting/),
        expect.stringMatching(/^stages\.dev\.monitoring\.canary: must be true, false or/),
        expect.stringMatching(/^stages\.dev\.providers\.mailgun\.silenceAlarmHours: must be a whole number of hours from 1 to 168/),
      ]),
    );
    // datapointsToAlarm beyond evaluationPeriods is caught once the values are valid on their own.
    expect(readAlerting({ alarms: { forgery: { evaluationPeriods: 2, datapointsToAlarm: 3 } } }, 'dev').problems).toEqual([
      { path: '.alarms.forgery.datapointsToAlarm', message: 'must be at most evaluationPeriods (2)' },
    ]);
  });

  it('refuses an evaluation range CloudWatch refuses (over 1 day for periods under an hour)', () => {
    expect(readAlerting({ alarms: { apiErrors: { evaluationPeriods: 24 } } }, 'dev').problems).toEqual([]);
    const hourly = readAlerting({ alarms: { rotationOverdue: { evaluationPeriods: 24 } } }, 'dev');
    expect(hourly.problems).toEqual([]);
  });
});
