import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as chaos from './commands/chaos.js';
import * as cost from './commands/cost.js';
import * as demo from './commands/demo.js';
import * as executions from './commands/executions.js';
import * as history from './commands/history.js';
import * as local from './commands/local.js';
import * as pause from './commands/pause.js';
import * as resume from './commands/resume.js';
import * as secrets from './commands/secrets.js';
import * as start from './commands/start.js';
import * as status from './commands/status.js';
import * as watch from './commands/watch.js';
import { type CliContext, type Command, processContext } from './context.js';
import { describeError, UsageError } from './errors.js';
import { didYouMean } from './suggest.js';

export const commands: Record<string, Command> = { start, watch, executions, status, history, pause, resume, local, chaos, demo, cost, secrets };

export function mainUsage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const list = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: shepherd <command> [options]', '', 'commands:', ...list, '', 'Run `shepherd <command> --help` for its options.'].join('\n');
}

/** Runs one command line (the arguments after `shepherd`) and returns the exit code: 0 ok, 1 failed, 2 usage. */
export async function main(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? ctx.stderr : ctx.stdout)(`${mainUsage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    // The Node line matters: the local control plane runs the Lambdas in this process's worker threads.
    ctx.stdout(`shepherd ${packageVersion()} on Node ${process.version}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    ctx.stderr(`shepherd: unknown command ${JSON.stringify(name)}${didYouMean(name, Object.keys(commands))}\n\n${mainUsage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.stderr(`shepherd ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    ctx.stderr(`shepherd ${name}: ${describeError(err)}\n`);
    if (ctx.env.SHEPHERD_DEBUG && err instanceof Error && err.stack) ctx.stderr(`${err.stack}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}

/** The version in package.json (the CLI runs from a checkout, beside it). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
