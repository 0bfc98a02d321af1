/**
 * Where a JSON text breaks, for a configuration error a person can act on. Node's `JSON.parse` messages differ
 * between versions and often give no position at all ("Unexpected end of JSON input"), so this scanner walks the
 * text once (RFC 8259 grammar) and names the first place it stops making sense, with line and column.
 */

/** The first syntax error of a JSON text. */
export interface JsonSyntaxError {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in characters. */
  readonly column: number;
  /** What was expected or found there. */
  readonly message: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/**
 * Finds the first syntax error in `text`.
 *
 * @returns undefined when `text` is valid JSON.
 * @example
 * jsonSyntaxError('{\n  "a": 1,\n}'); // { line: 3, column: 1, message: 'expected a "quoted" key, found "}"' }
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let at = 0;
  const found = (): string => (at >= text.length ? 'the end of the file' : JSON.stringify(text[at]));
  const fail = (expected: string): never => {
    const trailingComma = /,\s*$/.test(text.slice(0, at)) && (text[at] === '}' || text[at] === ']');
    throw new Stop(at, `expected ${expected}, found ${found()}${trailingComma ? ' (remove the trailing comma)' : ''}`);
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at += 1;
  };
  const string = () => {
    at += 1;
    while (at < text.length && text[at] !== '"') {
      const char = text.charCodeAt(at);
      if (char < 0x20) throw new Stop(at, 'a line break or control character inside a string (write it as \\n)');
      if (text[at] === '\\') {
        at += 1;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('four hex digits after \\u');
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x') || at >= text.length) {
          fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
      }
      at += 1;
    }
    if (at >= text.length) fail('a closing "');
    at += 1;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at += 1;
      space();
      if (text[at] === '}') {
        at += 1;
        return;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail('a "quoted" key');
        string();
        space();
        if (text[at] !== ':') fail('":" after the key');
        at += 1;
        value();
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === '}') {
          at += 1;
          return;
        } else fail('"," or "}"');
      }
    }
    if (char === '[') {
      at += 1;
      space();
      if (text[at] === ']') {
        at += 1;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === ']') {
          at += 1;
          return;
        } else fail('"," or "]"');
      }
    }
    if (char === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at, at + 400));
    if (literal === null) fail('a value (object, list, "string", number, true, false or null)');
    at += (literal as RegExpExecArray)[0].length;
  };
  try {
    value();
    space();
    if (at < text.length) fail('the end of the file after the top-level value');
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, error.offset).split('\n');
    return {
      line: before.length,
      column: (before.at(-1) as string).length + 1,
      message: error.message,
    };
  }
}
