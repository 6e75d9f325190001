/**
 * What is wrong with JSON text and where, as "<reason> at line L, column C". JSON.parse names the position for some
 * errors only (for an unexpected token it quotes the surrounding text instead, which may hold a secret), so this walks
 * the JSON grammar itself to find the first error; the reason names what was expected, never the text found.
 */
export function jsonErrorLocation(text: string): string {
  const { offset, reason } = firstError(text);
  const before = text.slice(0, offset).split('\n');
  return `${reason} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

class SyntaxAt {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

function firstError(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (reason: string): never => {
    throw new SyntaxAt(i, i >= text.length ? 'unexpected end of the text (something left unclosed or a value missing)' : reason);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (char: string, reason: string) => {
    skipSpace();
    if (text[i] !== char) fail(reason);
    i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') fail('a line break or control character inside a string (write it as \\n)');
      if (c !== '\\') {
        i++;
        continue;
      }
      i++;
      if (text[i] === 'u') {
        i++;
        for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('a \\u escape needs four hex digits');
      } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
      else fail('an unknown escape in a string');
    }
    fail('a string is not closed');
  };
  const sequence = (close: string, item: () => void) => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      expect(',', `expected "," or "${close}"`);
      skipSpace();
      if (text[i] === close) fail(`a trailing comma before "${close}"`);
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      sequence('}', () => {
        skipSpace();
        if (text[i] !== '"') fail('a property name needs double quotes');
        string();
        expect(':', 'expected ":" after a property name');
        value();
      });
    } else if (c === '[') sequence(']', value);
    else if (c === '"') string();
    else {
      const token =
        /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400))?.[0] ?? ['true', 'false', 'null'].find((l) => text.startsWith(l, i));
      if (!token) fail(c === "'" ? 'strings need double quotes' : 'expected a value (a string in double quotes, a number, true, false, null, { or [)');
      i += token!.length;
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail('more text after the JSON value');
  } catch (err) {
    if (err instanceof SyntaxAt) return { offset: err.offset, reason: err.reason };
    throw err;
  }
  // JSON.parse rejected what the grammar accepts (it should not happen): point at the end.
  return { offset: text.length, reason: 'syntax error' };
}
