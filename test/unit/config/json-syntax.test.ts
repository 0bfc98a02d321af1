import fc from 'fast-check';
import { jsonSyntaxError } from '../../../lib/config/json-syntax';

describe('jsonSyntaxError', () => {
  it.each([
    ['', 1, 1, 'expected a value (object, list, "string", number, true, false or null), found the end of the file'],
    ['{"a":}', 1, 6, 'expected a value (object, list, "string", number, true, false or null), found "}"'],
    ['{\n  "a": 1,\n}', 3, 1, 'expected a "quoted" key, found "}" (remove the trailing comma)'],
    ['[1, 2,]', 1, 7, 'expected a value (object, list, "string", number, true, false or null), found "]" (remove the trailing comma)'],
    ['{"a" 1}', 1, 6, 'expected ":" after the key, found "1"'],
    ['{"a": tru}', 1, 7, 'expected a value (object, list, "string", number, true, false or null), found "t"'],
    ['{"a": 01}', 1, 8, 'expected "," or "}", found "1"'],
    ['{"a": "x\ny"}', 1, 9, 'a line break or control character inside a string (write it as \\n)'],
    ['{"a": "\\q"}', 1, 9, 'expected an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found "q"'],
    ['{"a": "open', 1, 12, 'expected a closing ", found the end of the file'],
    ['{} {}', 1, 4, 'expected the end of the file after the top-level value, found "{"'],
  ])('places the error in %j', (text, line, column, message) => {
    expect(JSON.parse.bind(JSON, text)).toThrow();
    expect(jsonSyntaxError(text)).toEqual({ line, column, message });
  });

  it('agrees with JSON.parse on which texts are valid', () => {
    const valid = fc.jsonValue().map((value) => JSON.stringify(value, null, 2));
    const mangled = fc
      .tuple(valid, fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\n'))
      .map(([text, at, insert]) => {
        const index = at % (text.length + 1);
        return text.slice(0, index) + insert + text.slice(index + 1);
      });
    fc.assert(
      fc.property(fc.oneof(valid, mangled), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(jsonSyntaxError(text) === undefined).toBe(parses);
      }),
      { seed: 9, numRuns: 300 },
    );
  });
});
