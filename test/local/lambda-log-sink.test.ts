import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaLogSink, showsOnTerminal } from '../../local/lambda/lambda-log-sink.js';

// Lines as the functions' logger (functions/runtime/logger.ts) writes them.
const info = '{"level":"INFO","message":"watcher pass","timestamp":"2026-11-30T13:13:00.453Z","service":"shepherd","reachable":true}';
const warn = '{"level":"WARN","message":"watcher pass","timestamp":"2026-11-30T13:13:00.527Z","service":"shepherd","reachable":false}';
const error = '{"level":"ERROR","message":"launch failed","timestamp":"2026-11-30T13:13:01.000Z","service":"shepherd"}';
const debug = '{"level":"DEBUG","message":"request","timestamp":"2026-11-30T13:13:01.000Z","service":"shepherd"}';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('Function: showsOnTerminal', () => {
  it('keeps INFO and DEBUG off the terminal; shows WARN, ERROR and lines that are not structured (a crash)', () => {
    expect(showsOnTerminal(info)).toBe(false);
    expect(showsOnTerminal(debug)).toBe(false);
    expect(showsOnTerminal(warn)).toBe(true);
    expect(showsOnTerminal(error)).toBe(true);
    expect(showsOnTerminal('Error: Cannot find module @aws-sdk/client-ec2')).toBe(true);
    expect(showsOnTerminal('{not json')).toBe(true);
    expect(showsOnTerminal('')).toBe(false);
  });
});

describe('Class: LambdaLogSink', () => {
  async function run(all: boolean) {
    dir = mkdtempSync(join(tmpdir(), 'log-sink-'));
    const file = join(dir, 'sub', 'local.log');
    const terminal: string[] = [];
    const sink = new LambdaLogSink({ file, all, terminal: (text) => terminal.push(text) });
    sink.write('cluster-watcher', info);
    sink.write('cluster-watcher', warn);
    sink.write('provider-aws', error);
    await sink.close();
    return { terminal, file: readFileSync(file, 'utf8') };
  }

  it('writes every line to the file, and only warnings and errors to the terminal', async () => {
    const { terminal, file } = await run(false);
    expect(file).toBe(`[cluster-watcher] ${info}\n[cluster-watcher] ${warn}\n[provider-aws] ${error}\n`);
    expect(terminal).toEqual([`[cluster-watcher] ${warn}\n`, `[provider-aws] ${error}\n`]);
  });

  it('prints every line on the terminal too when asked to', async () => {
    const { terminal, file } = await run(true);
    expect(terminal.join('')).toBe(file);
    expect(terminal).toHaveLength(3);
  });
});
