import { parseRuntimeSettings, validateRuntimeSettings } from '../../../lambda/core/runtime-settings';
import { ConfigurationError } from '../../../lambda/errors';

const valid = {
  providers: {
    sendgrid: { auth: 'both', timestampToleranceSeconds: 600, maxBodyBytes: 4194304 },
    'amazon-ses': {
      auth: 'both',
      timestampToleranceSeconds: 3600,
      maxBodyBytes: 1048576,
      snsTopicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-events'],
    },
    mandrill: {
      auth: 'both',
      timestampToleranceSeconds: 0,
      maxBodyBytes: 4194304,
      signedUrl: 'https://hooks.example.com/webhooks/mandrill',
    },
    'standard-webhooks': {
      auth: 'signature',
      timestampToleranceSeconds: 300,
      maxBodyBytes: 1048576,
      eventTypeMap: { 'email.sent': 'sent' },
    },
    postmark: { auth: 'basic', timestampToleranceSeconds: 0, maxBodyBytes: 1048576 },
  },
  dedupeWindowSeconds: 604800,
  claimLeaseSeconds: 60,
};

const errorOf = (input: unknown): ConfigurationError => {
  try {
    validateRuntimeSettings(input);
  } catch (error) {
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
};

describe('parseRuntimeSettings', () => {
  it('returns the settings of a valid HOOKGUARD_SETTINGS value', () => {
    expect(parseRuntimeSettings(JSON.stringify(valid))).toEqual(valid);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseRuntimeSettings('{"providers":')).toThrow(
      new ConfigurationError('Invalid runtime settings: HOOKGUARD_SETTINGS is not valid JSON'),
    );
  });

  it.each([
    ['not an object', [], 'expected a JSON object'],
    ['no providers', { ...valid, providers: undefined }, 'providers: expected an object keyed by provider id'],
    ['a zero dedupe window', { ...valid, dedupeWindowSeconds: 0 }, 'dedupeWindowSeconds: expected a positive integer'],
    ['a fractional lease', { ...valid, claimLeaseSeconds: 1.5 }, 'claimLeaseSeconds: expected a positive integer'],
    ['an unknown top-level key', { ...valid, dedupeWindow: 1 }, 'dedupeWindow: unknown setting'],
    ['an unknown provider', { ...valid, providers: { sendmail: {} } }, 'providers.sendmail: unknown provider id'],
    [
      'an unknown auth mode',
      { ...valid, providers: { sendgrid: { ...valid.providers.sendgrid, auth: 'none' } } },
      'providers.sendgrid.auth: expected one of basic, signature, both',
    ],
    [
      'a negative tolerance',
      { ...valid, providers: { sendgrid: { ...valid.providers.sendgrid, timestampToleranceSeconds: -1 } } },
      'providers.sendgrid.timestampToleranceSeconds: expected a non-negative integer',
    ],
    [
      'a missing body limit',
      { ...valid, providers: { postmark: { auth: 'basic', timestampToleranceSeconds: 0 } } },
      'providers.postmark.maxBodyBytes: expected a positive integer',
    ],
    [
      'topic ARNs that are not strings',
      { ...valid, providers: { 'amazon-ses': { ...valid.providers['amazon-ses'], snsTopicArns: [1] } } },
      'providers.amazon-ses.snsTopicArns: expected an array of non-empty strings',
    ],
    [
      'an unknown event type in the map',
      {
        ...valid,
        providers: {
          'standard-webhooks': { ...valid.providers['standard-webhooks'], eventTypeMap: { 'a.b': 'exploded' } },
        },
      },
      'providers.standard-webhooks.eventTypeMap.a.b: not a normalised event type',
    ],
    [
      'a provider setting with a typo',
      { ...valid, providers: { postmark: { ...valid.providers.postmark, maxBodyByte: 1 } } },
      'providers.postmark.maxBodyByte: unknown setting',
    ],
  ])('reports %s', (_case, input, problem) => {
    const error = errorOf(input);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain(problem);
  });

  it.each([
    'ftp://hooks.example.com/x',
    'not a url',
    'https://user:password-in-url@hooks.example.com/webhooks/mandrill',
  ])('rejects signedUrl %s without echoing it', (signedUrl) => {
    const error = errorOf({ ...valid, providers: { mandrill: { ...valid.providers.mandrill, signedUrl } } });
    expect(error.message).toContain(
      'providers.mandrill.signedUrl: expected an absolute http(s) URL without credentials',
    );
    expect(error.message).not.toContain(signedUrl);
  });

  it('lists every problem at once', () => {
    const error = errorOf({ providers: { sendgrid: { auth: 'x' } }, dedupeWindowSeconds: -5 });
    expect(error.message).toMatch(/^Invalid runtime settings \(5 problems\): /);
    for (const problem of [
      'dedupeWindowSeconds',
      'claimLeaseSeconds',
      'providers.sendgrid.auth',
      'providers.sendgrid.timestampToleranceSeconds',
      'providers.sendgrid.maxBodyBytes',
    ]) {
      expect(error.message).toContain(problem);
    }
  });
});
