import type { ChaosClock, FaultRequest, InjectedFault } from '../../local/chaos/types.js';
import { helpOption, parseCommandArgs } from '../args.js';
import { ChaosClient } from '../chaos/chaos-client.js';
import { formatDuration, parseDuration } from '../chaos/duration.js';
import { type CliContext, processContext } from '../context.js';
import { UsageError } from '../errors.js';
import { localEndpointsPath, readLocalEndpoints } from '../local-endpoints.js';
import { didYouMean } from '../suggest.js';

export const summary = 'inject failures into a running `shepherd local` (provider dark, spot reclaim, API down...)';

export const usage = `usage: shepherd chaos <fault> [args] [--endpoints PATH] [--json]

faults:
  provider-dark <aws|gcp|scaleway|home> [--region R] [--for DURATION]
                            the provider (or one region) loses power: its VMs are unreachable
  spot-reclaim <node|vm-id> the provider reclaims a spot VM after its notice (EC2 publishes the warning)
  delete-vm <node|vm-id>    the VM is deleted out of band (EC2 publishes state-change events; others nothing)
  api-down [--for DURATION] the cluster API server refuses connections
  partition <provider> [--for DURATION]
                            the provider's nodes cannot reach the control plane; their VMs run on
  flapping <node|vm-id> [--for DURATION]
                            the node's health endpoint flaps: unhealthy, healthy, ... every 20 s
  list                      the faults in force and when each ends
  clear                     ends every fault in force

  --for DURATION    end by itself after this long on the simulated clock (90s, 10m, 1h30m); default: until \`clear\`
  --region R        provider-dark: one region instead of the whole provider
  --endpoints PATH  the endpoints file of \`shepherd local\` (default: env SHEPHERD_LOCAL_ENDPOINTS, else .shepherd/local.json)
  --json            print the endpoint's answer as JSON`;

const options = {
  ...helpOption,
  endpoints: { type: 'string' },
  region: { type: 'string' },
  for: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** How each fault is typed: what its one argument names (if any) and which options it takes. */
const FAULTS: Record<string, { arg?: 'provider' | 'target'; region?: boolean; lasting?: boolean }> = {
  'provider-dark': { arg: 'provider', region: true, lasting: true },
  'spot-reclaim': { arg: 'target' },
  'delete-vm': { arg: 'target' },
  'api-down': { lasting: true },
  partition: { arg: 'provider', lasting: true },
  flapping: { arg: 'target', lasting: true },
};
const VERBS = [...Object.keys(FAULTS), 'list', 'clear'];

const ARG_NAMES = { provider: 'a provider (aws, gcp, scaleway or home)', target: 'a node name or a VM id (`shepherd status --local` lists the nodes)' };

/** The request to send for a fault's command line, or 'list' / 'clear'; exported for tests. */
export function parseChaosArgs(argv: string[]): { verb: 'list' | 'clear' | 'help' } | { verb: 'inject'; request: FaultRequest } {
  const { values, positionals } = parseCommandArgs(argv, options, 2);
  if (values.help) return { verb: 'help' };
  const [name, arg] = positionals;
  if (!name) throw new UsageError(`name a fault: ${VERBS.join(', ')}`);
  if (name === 'list' || name === 'clear') {
    if (arg !== undefined) throw new UsageError(`${name} takes no argument`);
    if (values.region !== undefined || values.for !== undefined) throw new UsageError(`${name} takes no --region or --for`);
    return { verb: name };
  }
  const spec = Object.hasOwn(FAULTS, name) ? FAULTS[name] : undefined;
  if (!spec) throw new UsageError(`unknown fault ${JSON.stringify(name)}${didYouMean(name, VERBS)}; the faults are ${VERBS.join(', ')}`);
  if (spec.arg && arg === undefined) throw new UsageError(`${name} needs ${ARG_NAMES[spec.arg]}`);
  if (!spec.arg && arg !== undefined) throw new UsageError(`${name} takes no argument, got ${JSON.stringify(arg)}`);
  if (values.region !== undefined && !spec.region) throw new UsageError(`--region is for provider-dark only`);
  if (values.for !== undefined && !spec.lasting) throw new UsageError(`${name} happens at once: it takes no --for`);
  return {
    verb: 'inject',
    request: {
      fault: name,
      ...(spec.arg && arg !== undefined ? { [spec.arg]: arg } : {}),
      ...(values.region !== undefined ? { region: values.region } : {}),
      ...(values.for !== undefined ? { forMs: parseDuration('for', values.for) } : {}),
    },
  };
}

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const parsed = parseChaosArgs(argv);
  if (parsed.verb === 'help') {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const { values } = parseCommandArgs(argv, options, 2);
  const path = localEndpointsPath(values.endpoints, ctx.env);
  const client = ChaosClient.of(readLocalEndpoints(path), path);
  const print = (answer: unknown, text: string) => ctx.stdout(values.json ? `${JSON.stringify(answer, null, 2)}\n` : `${text}\n`);
  if (parsed.verb === 'list') {
    const answer = await client.list();
    const lines = answer.faults.map((f) => `${f.fault} ${f.subject}: since ${f.startedAt}, ${ending(f, answer.clock)}`);
    print(answer, lines.length ? lines.join('\n') : 'no faults injected');
  } else if (parsed.verb === 'clear') {
    const answer = await client.clear();
    const names = answer.cleared.map((f) => `${f.fault} ${f.subject}`);
    print(answer, names.length ? `cleared ${names.length} fault${names.length === 1 ? '' : 's'}: ${names.join(', ')}` : 'no faults to clear');
  } else if (parsed.verb === 'inject') {
    const answer = await client.inject(parsed.request);
    const f = answer.injected;
    print(answer, f.lasting ? `${f.description}; ${ending(f, answer.clock)}` : f.description);
  }
  return 0;
}

/** When a lasting fault ends, on the simulated clock and (scaled) in real time. */
function ending(f: InjectedFault, clock: ChaosClock): string {
  if (!f.endsAt) return 'until `shepherd chaos clear`';
  const left = Date.parse(f.endsAt) - Date.parse(clock.now);
  const real = clock.mode === 'scaled' && clock.factor !== 1 ? `, about ${formatDuration(left / clock.factor)} real at ${clock.factor}x` : '';
  return `ends at ${f.endsAt} (in ${formatDuration(left)} on the simulated clock${real})`;
}
