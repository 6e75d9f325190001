import type { RunDemoOptions } from '../../local/demo.js';
import { helpOption, integerOption, parseCommandArgs } from '../args.js';
import { type CliContext, processContext } from '../context.js';
import { importOptional } from '../optional-module.js';

export const summary = 'run a scripted scenario on the simulated clouds and narrate it: provision, heal, DNS failover, buffer pools';

export const usage = `usage: shepherd demo [--seed N] [--config PATH]

  --seed N       seed of the simulated world (same seed, same story)
  --config PATH  the shepherd config (default: env SHEPHERD_CONFIG_FILE, else ./shepherd.config.json); where it lacks
                 them the demo adds an entrypoint check, a buffers section and watcher.degradedMinNodes 2, and says so`;

interface DemoModule {
  runDemo(options: RunDemoOptions): Promise<number | undefined>;
}

const options = { ...helpOption, seed: { type: 'string' }, config: { type: 'string' } } as const;

/** The options for runDemo, from the command line; exported for tests. */
export function parseDemoArgs(argv: string[], env: NodeJS.ProcessEnv): RunDemoOptions | 'help' {
  const { values } = parseCommandArgs(argv, options);
  if (values.help) return 'help';
  return { seed: integerOption('seed', values.seed), configFile: values.config || env.SHEPHERD_CONFIG_FILE || undefined };
}

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const parsed = parseDemoArgs(argv, ctx.env);
  if (parsed === 'help') {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const { runDemo } = await importOptional<DemoModule>('../../local/demo.js', import.meta.url, 'the demo');
  return (await runDemo(parsed)) ?? 0;
}
