/**
 * Where JSON text goes wrong, as "line L, column C". JSON.parse names the position for some errors only
 * (for an unexpected token it quotes the surrounding text instead, which may hold a secret), so this walks
 * the JSON grammar itself to find the offset of the first error.
 */
export function jsonErrorLocation(text: string): string {
  const offset = firstErrorOffset(text);
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}

function firstErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[i] !== char) fail();
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
      if (c < ' ') fail();
      if (c !== '\\') {
        i++;
        continue;
      }
      i++;
      if (text[i] === 'u') {
        i++;
        for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
      } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
      else fail();
    }
    fail();
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
      expect(',');
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      sequence('}', () => {
        skipSpace();
        if (text[i] !== '"') fail();
        string();
        expect(':');
        value();
      });
    } else if (c === '[') sequence(']', value);
    else if (c === '"') string();
    else {
      const token =
        /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400))?.[0] ?? ['true', 'false', 'null'].find((l) => text.startsWith(l, i));
      if (!token) fail();
      i += token!.length;
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail();
  } catch (err) {
    if (err instanceof SyntaxAt) return err.offset;
    throw err;
  }
  // JSON.parse rejected what the grammar accepts (it should not happen): point at the end.
  return text.length;
}
