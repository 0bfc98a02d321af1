import { compileEventPattern, EventPatternError, matchesEventPattern } from '../../src/local/event-pattern';

const bounce = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'email.bounced',
  source: 'hookguard',
  account: '000000000000',
  time: '2026-11-22T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    schemaVersion: 1,
    eventType: 'bounced',
    provider: 'sendgrid',
    recipient: 'Jane.Doe@Example.com',
    rejectReason: 'bounced',
    messageId: null,
    description: '',
    tags: ['welcome', 'onboarding'],
    metadata: { tenant: 'acme', attempt: 3, flags: { vip: true } },
    clickUrl: 'https://example.com/docs/guide.html',
    sourceIp: '10.0.0.17',
    ipv6: '2001:db8::1',
    recipients: [
      { email: 'a@example.com', status: 'sent' },
      { email: 'b@example.com', status: 'bounced' },
    ],
    matrix: [
      [1, 2],
      [3, 4],
    ],
    emptyList: [],
  },
};

describe('compileEventPattern', () => {
  describe('exact values', () => {
    it.each([
      ['a matching string', { source: ['hookguard'] }, true],
      ['one of several strings', { 'detail-type': ['email.delivered', 'email.bounced'] }, true],
      ['a different string', { source: ['aws.ses'] }, false],
      ['case matters', { source: ['HookGuard'] }, false],
      ['a number', { detail: { schemaVersion: [1] } }, true],
      ['a number equal in value', { detail: { schemaVersion: [1.0] } }, true],
      ['a number against its string form', { detail: { schemaVersion: ['1'] } }, false],
      ['null matches a null field', { detail: { messageId: [null] } }, true],
      ['null does not match an absent field', { detail: { userAgent: [null] } }, false],
      ['the empty string', { detail: { description: [''] } }, true],
      ['a boolean', { detail: { metadata: { flags: { vip: [true] } } } }, true],
      ['a boolean against its string form', { detail: { metadata: { flags: { vip: ['true'] } } } }, false],
      ['a leaf pattern against an object', { detail: { metadata: ['acme'] } }, false],
      ['an absent field', { detail: { nope: ['x'] } }, false],
    ])('%s', (_name, pattern, expected) => {
      expect(compileEventPattern(pattern)(bounce)).toBe(expected);
    });
  });

  describe('arrays in the event', () => {
    it.each([
      ['matches when any element matches', { detail: { tags: ['onboarding'] } }, true],
      ['fails when no element matches', { detail: { tags: ['billing'] } }, false],
      ['nested arrays are flattened', { detail: { matrix: [4] } }, true],
      ['a nested pattern matches any object in an array', { detail: { recipients: { status: ['bounced'] } } }, true],
      [
        'both fields must match within the same element',
        { detail: { recipients: { email: ['a@example.com'], status: ['bounced'] } } },
        false,
      ],
      ['an empty array carries no value', { detail: { emptyList: [{ exists: true }] } }, false],
      ['anything-but matches when some element differs', { detail: { tags: [{ 'anything-but': 'welcome' }] } }, true],
    ])('%s', (_name, pattern, expected) => {
      expect(compileEventPattern(pattern)(bounce)).toBe(expected);
    });
  });

  describe('prefix and suffix', () => {
    it.each([
      ['prefix', { 'detail-type': [{ prefix: 'email.' }] }, true],
      ['prefix that does not match', { 'detail-type': [{ prefix: 'sms.' }] }, false],
      ['prefix is case-sensitive', { 'detail-type': [{ prefix: 'EMAIL.' }] }, false],
      ['prefix with equals-ignore-case', { 'detail-type': [{ prefix: { 'equals-ignore-case': 'EMAIL.' } }] }, true],
      ['prefix never matches a number', { detail: { schemaVersion: [{ prefix: '1' }] } }, false],
      ['suffix', { detail: { clickUrl: [{ suffix: '.html' }] } }, true],
      ['suffix that does not match', { detail: { clickUrl: [{ suffix: '.png' }] } }, false],
      [
        'suffix with equals-ignore-case',
        { detail: { recipient: [{ suffix: { 'equals-ignore-case': '@EXAMPLE.COM' } }] } },
        true,
      ],
    ])('%s', (_name, pattern, expected) => {
      expect(compileEventPattern(pattern)(bounce)).toBe(expected);
    });
  });

  describe('anything-but', () => {
    it.each([
      ['a single excluded value that differs', { detail: { eventType: [{ 'anything-but': 'delivered' }] } }, true],
      ['a single excluded value that is equal', { detail: { eventType: [{ 'anything-but': 'bounced' }] } }, false],
      ['a list of excluded values', { detail: { eventType: [{ 'anything-but': ['opened', 'bounced'] }] } }, false],
      ['an excluded number', { detail: { schemaVersion: [{ 'anything-but': [2, 3] }] } }, true],
      ['an excluded prefix that differs', { 'detail-type': [{ 'anything-but': { prefix: 'sms.' } }] }, true],
      ['an excluded prefix that matches', { 'detail-type': [{ 'anything-but': { prefix: 'email.' } }] }, false],
      ['an excluded suffix', { detail: { clickUrl: [{ 'anything-but': { suffix: '.html' } }] } }, false],
      [
        'excluded values ignoring case',
        { detail: { provider: [{ 'anything-but': { 'equals-ignore-case': ['SENDGRID', 'Mailgun'] } }] } },
        false,
      ],
      ['an excluded wildcard', { detail: { clickUrl: [{ 'anything-but': { wildcard: '*/docs/*' } }] } }, false],
      ['an absent field', { detail: { nope: [{ 'anything-but': 'x' }] } }, false],
      ['null is a value that can differ', { detail: { messageId: [{ 'anything-but': 'abc' }] } }, true],
    ])('%s', (_name, pattern, expected) => {
      expect(compileEventPattern(pattern)(bounce)).toBe(expected);
    });
  });

  describe('numeric', () => {
    it.each([
      ['greater than', ['>', 2], true],
      ['greater than, equal', ['>', 3], false],
      ['at least', ['>=', 3], true],
      ['less than', ['<', 3], false],
      ['at most', ['<=', 3], true],
      ['equal', ['=', 3], true],
      ['equal, written as a float', ['=', 3.0], true],
      ['inside a range', ['>', 0, '<=', 5], true],
      ['outside a range', ['>', 3, '<', 10], false],
    ])('%s', (_name, condition, expected) => {
      expect(matchesEventPattern({ detail: { metadata: { attempt: [{ numeric: condition }] } } }, bounce)).toBe(
        expected,
      );
    });

    it('never matches a string', () => {
      expect(matchesEventPattern({ detail: { metadata: { tenant: [{ numeric: ['>', 0] }] } } }, bounce)).toBe(false);
    });
  });

  describe('exists', () => {
    it.each([
      ['exists: true on a present field', { detail: { recipient: [{ exists: true }] } }, true],
      ['exists: true on a null field', { detail: { messageId: [{ exists: true }] } }, true],
      ['exists: true on an absent field', { detail: { userAgent: [{ exists: true }] } }, false],
      ['exists: false on an absent field', { detail: { userAgent: [{ exists: false }] } }, true],
      ['exists: false on a present field', { detail: { recipient: [{ exists: false }] } }, false],
      ['exists: false under an absent parent', { detail: { nothing: { here: [{ exists: false }] } } }, true],
      ['exists: true on an object (not a leaf)', { detail: { metadata: [{ exists: true }] } }, false],
    ])('%s', (_name, pattern, expected) => {
      expect(compileEventPattern(pattern)(bounce)).toBe(expected);
    });
  });

  describe('equals-ignore-case, wildcard and cidr', () => {
    it.each([
      ['equals-ignore-case', { detail: { recipient: [{ 'equals-ignore-case': 'jane.doe@example.com' }] } }, true],
      [
        'equals-ignore-case that differs',
        { detail: { recipient: [{ 'equals-ignore-case': 'john@example.com' }] } },
        false,
      ],
      ['wildcard in the middle', { detail: { clickUrl: [{ wildcard: 'https://*.com/*.html' }] } }, true],
      [
        'wildcard must match the whole value',
        { detail: { clickUrl: [{ wildcard: 'https://example.com/*.png' }] } },
        false,
      ],
      ['wildcard with regex characters taken literally', { detail: { recipient: [{ wildcard: 'Jane.Doe@*' }] } }, true],
      ['wildcard dot is not "any character"', { detail: { recipient: [{ wildcard: 'Jane?Doe@*' }] } }, false],
      ['wildcard with an escaped star', { detail: { description: [{ wildcard: '\\*' }] } }, false],
      ['cidr containing an IPv4 address', { detail: { sourceIp: [{ cidr: '10.0.0.0/24' }] } }, true],
      ['cidr not containing it', { detail: { sourceIp: [{ cidr: '10.0.1.0/24' }] } }, false],
      ['cidr containing an IPv6 address', { detail: { ipv6: [{ cidr: '2001:db8::/32' }] } }, true],
      ['cidr against a non-address', { detail: { recipient: [{ cidr: '10.0.0.0/8' }] } }, false],
    ])('%s', (_name, pattern, expected) => {
      expect(compileEventPattern(pattern)(bounce)).toBe(expected);
    });
  });

  describe('$or and combinations', () => {
    it.each([
      ['every top-level field must match', { source: ['hookguard'], 'detail-type': ['email.delivered'] }, false],
      [
        'one $or branch matching is enough',
        { detail: { $or: [{ eventType: ['complained'] }, { rejectReason: ['bounced'] }] } },
        true,
      ],
      [
        'no $or branch matching fails',
        { detail: { $or: [{ eventType: ['complained'] }, { provider: ['mailgun'] }] } },
        false,
      ],
      [
        '$or combines with sibling fields',
        { source: ['aws.ses'], $or: [{ 'detail-type': ['email.bounced'] }, { region: ['us-east-1'] }] },
        false,
      ],
      [
        '$or across nesting levels',
        { $or: [{ 'detail-type': ['email.opened'] }, { detail: { metadata: { tenant: ['acme'] } } }] },
        true,
      ],
      [
        'several matchers in one list are alternatives',
        { detail: { eventType: [{ prefix: 'deliv' }, 'bounced'] } },
        true,
      ],
      ['an empty pattern matches everything', {}, true],
    ])('%s', (_name, pattern, expected) => {
      expect(compileEventPattern(pattern)(bounce)).toBe(expected);
    });
  });

  describe('invalid patterns', () => {
    it.each([
      ['a pattern that is not an object', ['x'], /\$ must be an object/],
      ['a bare value instead of a list', { source: 'hookguard' }, /\$\.source must be an array/],
      ['an empty list', { source: [] }, /\$\.source must not be an empty array/],
      ['an unknown matcher', { source: [{ startsWith: 'h' }] }, /unknown matcher "startsWith"/],
      ['two matcher keys in one object', { source: [{ prefix: 'h', suffix: 'd' }] }, /exactly one matcher key/],
      ['a prefix that is not a string', { source: [{ prefix: 1 }] }, /prefix must be a string/],
      ['exists that is not a boolean', { source: [{ exists: 'yes' }] }, /exists must be true or false/],
      ['numeric with an unknown operator', { detail: { n: [{ numeric: ['!=', 1] }] } }, /\[0\] must be one of/],
      [
        'numeric with a bound that is not a number',
        { detail: { n: [{ numeric: ['>', '1'] }] } },
        /must be a finite number/,
      ],
      ['numeric range in the wrong order', { detail: { n: [{ numeric: ['<', 5, '>', 1] }] } }, /lower bound/],
      ['numeric range that is empty', { detail: { n: [{ numeric: ['>', 5, '<', 1] }] } }, /lower bound above/],
      ['$or without branches', { $or: [] }, /non-empty array of patterns/],
      ['wildcard with consecutive stars', { source: [{ wildcard: 'a**b' }] }, /consecutive wildcards/],
      [
        'anything-but with an unknown operator',
        { source: [{ 'anything-but': { numeric: ['>', 1] } }] },
        /anything-but must be/,
      ],
      ['anything-but with an empty list', { source: [{ 'anything-but': [] }] }, /must not be an empty array/],
      ['cidr that is not a block', { source: [{ cidr: '10.0.0.0/33' }] }, /CIDR block/],
    ])('rejects %s with a message naming the problem', (_name, pattern, message) => {
      expect(() => compileEventPattern(pattern)).toThrow(EventPatternError);
      expect(() => compileEventPattern(pattern)).toThrow(message);
    });
  });
});
