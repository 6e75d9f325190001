import type { RunLocalOptions } from '../../local/run-local.js';
import { helpOption, integerOption, parseCommandArgs, positiveNumberOption } from '../args.js';
import { type CliContext, processContext } from '../context.js';
import { UsageError } from '../errors.js';
import { DEFAULT_LOCAL_ENDPOINTS_FILE } from '../local-endpoints.js';
import { importOptional } from '../optional-module.js';

/** Simulated seconds per real second when neither --speed nor --virtual is given. */
export const DEFAULT_LOCAL_SPEED = 10;

export const summary = 'run the control plane locally against the simulated clouds';

export const usage = `usage: shepherd local [--endpoints PATH] [--config PATH] [--seed N] [--speed FACTOR | --virtual] [--all-logs]

  --endpoints PATH  where to write the endpoints file that \`shepherd start|status --local\` read
                    (default: env SHEPHERD_LOCAL_ENDPOINTS, else ${DEFAULT_LOCAL_ENDPOINTS_FILE})
  --config PATH     the shepherd config (default: env SHEPHERD_CONFIG_FILE, else ./shepherd.config.json)
  --seed N          seed of the simulated world (same seed, same events)
  --speed FACTOR    simulated seconds per real second (default: ${DEFAULT_LOCAL_SPEED})
  --virtual         virtual time: jump ahead whenever nothing is running (a minute of
                    simulated time can pass in a real second)
  --all-logs        print every Lambda log line here; by default all of them go to local.log
                    beside the endpoints file, and only warnings and errors are printed

Runs until interrupted (Ctrl-C).`;

interface RunLocalModule {
  runLocal(options: RunLocalOptions): Promise<number | undefined>;
}

const options = {
  ...helpOption,
  endpoints: { type: 'string' },
  config: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  virtual: { type: 'boolean' },
  'all-logs': { type: 'boolean' },
} as const;

/** The options for runLocal, from the command line; exported for tests. */
export function parseLocalArgs(argv: string[], env: NodeJS.ProcessEnv): RunLocalOptions | 'help' {
  const { values } = parseCommandArgs(argv, options);
  if (values.help) return 'help';
  if (values.speed !== undefined && values.virtual) throw new UsageError('--speed and --virtual exclude each other');
  const speed = positiveNumberOption('speed', values.speed);
  return {
    endpointsFile: values.endpoints || env.SHEPHERD_LOCAL_ENDPOINTS || DEFAULT_LOCAL_ENDPOINTS_FILE,
    configFile: values.config || env.SHEPHERD_CONFIG_FILE || undefined,
    seed: integerOption('seed', values.seed),
    clock: values.virtual ? { mode: 'virtual' } : { mode: 'scaled', factor: speed ?? DEFAULT_LOCAL_SPEED },
    allLogs: values['all-logs'] ?? false,
  };
}

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const parsed = parseLocalArgs(argv, ctx.env);
  if (parsed === 'help') {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const { runLocal } = await importOptional<RunLocalModule>('../../local/run-local.js', import.meta.url, 'the local control plane');
  return (await runLocal(parsed)) ?? 0;
}
