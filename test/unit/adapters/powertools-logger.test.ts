import { isLogLevel, PowertoolsLogger } from '../../../lambda/adapters/powertools-logger';
import { type CapturedOutput, captureOutput } from '../../support/capture-output';

describe('PowertoolsLogger', () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  it('writes one JSON line per entry with level, message, timestamp, service, request id and fields', () => {
    // Prepare
    const logger = new PowertoolsLogger({ serviceName: 'hookguard-verifier' }).child({ requestId: 'req-1' });
    // Act
    logger.warn('Request rejected', { provider: 'sendgrid', status: 401 });
    // Assess
    expect(output.lines).toHaveLength(1);
    const [entry] = output.json();
    expect(entry).toMatchObject({
      level: 'WARN',
      message: 'Request rejected',
      service: 'hookguard-verifier',
      requestId: 'req-1',
      provider: 'sendgrid',
      status: 401,
    });
    expect(Number.isNaN(Date.parse(String(entry?.timestamp)))).toBe(false);
  });

  it.each([
    ['debug', ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['info', ['INFO', 'WARN', 'ERROR']],
    ['warn', ['WARN', 'ERROR']],
    ['error', ['ERROR']],
  ] as const)('at level %s writes %j', (level, written) => {
    const logger = new PowertoolsLogger({ serviceName: 'test', level });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(output.json().map((entry) => entry.level)).toEqual(written);
  });

  it('keeps the request id on every line of a request, children of children included', () => {
    const request = new PowertoolsLogger({ serviceName: 'test' }).child({ requestId: 'req-2' });
    request.info('one');
    request.child({ provider: 'mailgun' }).error('two', { step: 'publish' });
    expect(output.json()).toEqual([
      expect.objectContaining({ message: 'one', requestId: 'req-2' }),
      expect.objectContaining({ message: 'two', requestId: 'req-2', provider: 'mailgun', step: 'publish' }),
    ]);
  });

  it('never writes the value of a field named after a credential, signature, key or body', () => {
    const secret = 'hunter2-super-secret-value';
    const logger = new PowertoolsLogger({ serviceName: 'test' }).child({ requestId: 'req-3' });
    logger.warn('careless caller', {
      authorization: `Basic ${Buffer.from(`user:${secret}`).toString('base64')}`,
      password: secret,
      signature: secret,
      signingKeys: [secret],
      body: secret,
      nested: { token: secret, apiKey: secret },
    });
    const text = output.lines.join('\n');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(`user:${secret}`).toString('base64'));
    expect(output.json()[0]).toMatchObject({ password: '[REDACTED]', nested: { token: '[REDACTED]' }, requestId: 'req-3' });
  });

  it('writes errors as name and message, with the stack only at debug level', () => {
    new PowertoolsLogger({ serviceName: 'test' }).error('failed', { cause: new TypeError('bad thing') });
    new PowertoolsLogger({ serviceName: 'test', level: 'debug' }).error('failed', { cause: new TypeError('bad thing') });
    const [info, debug] = output.json();
    expect(info?.cause).toEqual({ name: 'TypeError', message: 'bad thing' });
    expect(String((debug?.cause as { stack?: string }).stack)).toContain('TypeError: bad thing');
  });

  it('keeps fields whose names Powertools reserves, under a prefixed key', () => {
    new PowertoolsLogger({ serviceName: 'test' }).warn('real message', { message: 'spoofed', level: 'debug' });
    expect(output.json()[0]).toMatchObject({
      level: 'WARN',
      message: 'real message',
      field_message: 'spoofed',
      field_level: 'debug',
    });
  });

  it('never throws on values JSON cannot write (cycles, bigint)', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    new PowertoolsLogger({ serviceName: 'test' }).info('odd values', { cyclic, big: 10n });
    expect(output.json()[0]).toMatchObject({ cyclic: { name: 'a' }, big: '10' });
  });

  it.each([
    ['info', true],
    ['warn', true],
    ['verbose', false],
    [undefined, false],
  ])('isLogLevel(%p) is %p', (value, expected) => {
    expect(isLogLevel(value)).toBe(expected);
  });
});
