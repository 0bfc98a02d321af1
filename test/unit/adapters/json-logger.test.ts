import { isLogLevel, JsonLogger } from '../../../lambda/adapters/json-logger';
import { NOW } from '../../fixtures/verifier/fakes';

function capture(options: ConstructorParameters<typeof JsonLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = new JsonLogger({ now: () => NOW, write: (line) => lines.push(line), ...options });
  return { lines, logger, parsed: () => lines.map((line) => JSON.parse(line)) };
}

describe('JsonLogger', () => {
  it('writes one JSON line per entry with timestamp, level, message, request id and fields', () => {
    const { lines, logger, parsed } = capture({ requestId: 'req-1', fields: { service: 'verifier' } });
    logger.info('Webhook request handled', { provider: 'sendgrid', status: 200 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(parsed()).toEqual([
      {
        timestamp: NOW.toISOString(),
        level: 'info',
        message: 'Webhook request handled',
        service: 'verifier',
        requestId: 'req-1',
        provider: 'sendgrid',
        status: 200,
      },
    ]);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('at level %s writes %j', (level, written) => {
    const { logger, parsed } = capture({ level });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(parsed().map((entry) => entry.level)).toEqual(written);
  });

  it('never lets fields overwrite the timestamp, level or message', () => {
    const { logger, parsed } = capture({ fields: { level: 'debug' } });
    logger.warn('real message', { message: 'spoofed', timestamp: 'then', provider: 'x' });
    expect(parsed()[0]).toEqual({
      timestamp: NOW.toISOString(),
      level: 'warn',
      message: 'real message',
      provider: 'x',
    });
  });

  it('derives children that add fields and keep the level and output', () => {
    const { logger, parsed } = capture({ level: 'warn', fields: { service: 'verifier' } });
    const child = logger.child({ requestId: 'req-2' });
    child.info('dropped');
    child.warn('kept', { provider: 'mailgun' });
    expect(parsed()).toEqual([expect.objectContaining({ service: 'verifier', requestId: 'req-2', message: 'kept' })]);
  });

  it('writes errors as name and message, with the stack only at debug level', () => {
    const info = capture();
    info.logger.error('failed', { error: new TypeError('bad thing') });
    expect(info.parsed()[0].error).toEqual({ name: 'TypeError', message: 'bad thing' });
    const debug = capture({ level: 'debug' });
    debug.logger.error('failed', { error: new TypeError('bad thing') });
    expect(debug.parsed()[0].error.stack).toContain('TypeError: bad thing');
  });

  it('never throws on values JSON cannot write (cycles, bigint)', () => {
    const { logger, parsed } = capture();
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    logger.info('odd values', { cyclic, big: 10n });
    expect(parsed()[0]).toMatchObject({ cyclic: { name: 'a', self: '[Circular]' }, big: '10' });
  });

  it.each([
    ['info', true],
    ['warn', true],
    ['verbose', false],
    [undefined, false],
  ])('isLogLevel(%j) is %s', (value, expected) => {
    expect(isLogLevel(value)).toBe(expected);
  });
});
