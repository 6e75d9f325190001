import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageCode, stagingRoot } from '../../local/lambda/lambda-staging.js';
import type { LambdaFunctionSpec } from '../../local/types.js';

const fn = (source: string) =>
  ({ name: 'staging-test', code: { kind: 'inline' as const, source } }) as LambdaFunctionSpec & { code: { kind: 'inline'; source: string } };

describe('Function: stageCode', () => {
  it('stages the same code at the same path each time (what the compile cache is keyed by), other code elsewhere', async () => {
    const root = await stagingRoot(join(process.cwd(), 'node_modules'));
    expect(existsSync(join(root, 'node_modules'))).toBe(true);
    const source = `exports.handler = async () => ${Date.now()};`;
    const first = await stageCode(root, fn(source));
    expect(await stageCode(root, fn(source))).toBe(first);
    expect(readFileSync(join(first, 'index.js'), 'utf8')).toBe(source);
    const other = await stageCode(root, fn(`${source} // changed`));
    expect(other).not.toBe(first);
    expect(readFileSync(join(other, 'index.js'), 'utf8')).toBe(`${source} // changed`);
  });
});
