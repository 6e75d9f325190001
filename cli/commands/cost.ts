import type { recordProvisionRuns } from '../../bench/provision-runs/recorder.js';
import { loadConfigFile } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import type { synthesizeStack } from '../../local/cloudformation/synth.js';
import { helpOption, integerOption, parseCommandArgs } from '../args.js';
import { type CliContext, processContext } from '../context.js';
import { bufferReconcileLines, bufferReconcileRuns } from '../cost/buffer-cost.js';
import { clusterHintsCost } from '../cost/cluster-hints-cost.js';
import { dnsChecksCost } from '../cost/dns-checks-cost.js';
import { DNS_ASSUMED_TARGETS, dnsReconcileLines } from '../cost/dns-cost.js';
import { dnsGoalCost } from '../cost/dns-goal.js';
import { idleCost, total } from '../cost/idle-cost.js';
import { DYNAMODB_ITEM_OVERHEAD_BYTES } from '../cost/prices.js';
import { provisionCost } from '../cost/provision-cost.js';
import { provisionUsage } from '../cost/provision-usage.js';
import { type CostReport, costReport, humanCostReport, type ProvisionEstimate } from '../cost/report.js';
import { secretReferences } from '../cost/secret-references.js';
import { readStackTemplate } from '../cost/template-file.js';
import { type StackInventory, stackInventory } from '../cost/template-inventory.js';
import { CommandError } from '../errors.js';
import { importOptional } from '../optional-module.js';

export const summary = 'estimate what the idle stack costs a month and what one provision costs';

export const usage = `usage: shepherd cost [--nodes N] [--config PATH] [--cdk-out DIR] [--pools A,B] [--idle-only] [--json]

  --nodes N      cluster size for the idle estimate (default 100)
  --config PATH  the shepherd config (default: env SHEPHERD_CONFIG_FILE, else ./shepherd.config.json)
  --cdk-out DIR  a synthesized cloud assembly (default: synthesize the stack for the config, bundles
                 included, cached in .shepherd/cdk-cache)
  --pools A,B    pools to run one ProvisionNode in each (default: the first pool of each provider
                 whose machines shepherd creates)
  --idle-only    skip the local runs: no per-provision figures; table size per node is assumed
  --json         machine-readable output

The idle figures come from the template and the config. The per-provision figures come from ProvisionNode runs
in the local control plane against the simulated clouds (state transitions from the execution history, Lambda
calls and their wall times, DynamoDB and Secrets Manager calls); local wall time stands in for Lambda's billed
duration. Prices: us-east-1 list prices named in cli/cost/prices.ts.`;

const options = {
  ...helpOption,
  nodes: { type: 'string' },
  config: { type: 'string' },
  'cdk-out': { type: 'string' },
  pools: { type: 'string' },
  'idle-only': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const DEFAULT_NODES = 100;
/**
 * Table bytes per node when no local run measured it: a claim, a node record and a few audit items of a few
 * hundred bytes each (an assumption, used only with --idle-only).
 */
const ASSUMED_TABLE_BYTES_PER_NODE = 2048;

/** Loaded on demand: the local control plane and the run recorder are development tools (see cli/optional-module.ts). */
type SynthModule = { synthesizeStack: typeof synthesizeStack };
type RecorderModule = { recordProvisionRuns: typeof recordProvisionRuns };

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values } = parseCommandArgs(argv, options);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const nodes = integerOption('nodes', values.nodes, 1) ?? DEFAULT_NODES;
  const config = loadConfigFile(values.config || ctx.env.SHEPHERD_CONFIG_FILE || undefined);
  const cdkOut =
    values['cdk-out'] ||
    (await (await importOptional<SynthModule>('../../local/cloudformation/synth.js', import.meta.url, 'synthesizing the stack')).synthesizeStack(config));
  const inventory = stackInventory(readStackTemplate(cdkOut));
  const pools = values.pools?.split(',').map((p) => p.trim());
  const measured = values['idle-only'] ? undefined : await measureProvisions(config, cdkOut, inventory, pools);
  const idle = idleCost({
    inventory,
    secrets: secretReferences(config),
    nodes,
    tableBytesPerNode: measured?.tableBytesPerNode ?? { bytes: ASSUMED_TABLE_BYTES_PER_NODE, source: 'assumed; run without --idle-only to measure' },
  });
  idle.push(...dnsChecksLines(config, inventory));
  idle.push(...clusterHintsLines(config, inventory));
  if (config.dns) {
    // The reconcile's schedule is priced above from the template (Lambda); its table and log use here.
    const runsPerMonth = inventory.schedules.find((s) => /DnsFailoverReconcile/.test(s.logicalId))?.runsPerMonth ?? 0;
    idle.push(...dnsReconcileLines({ entrypoints: config.dns.entrypoints.length, targets: DNS_ASSUMED_TARGETS, runsPerMonth }));
  }
  if (config.buffers) {
    // The same for the buffer reconcile: its schedule's Lambda lines above, its table reads and log here.
    idle.push(...bufferReconcileLines({ pools: config.buffers.pools.length, runsPerMonth: bufferReconcileRuns(inventory) }));
  }
  const report: CostReport = { ...costReport(nodes, idle, measured?.provisions ?? null), dns: dnsGoalCost(config, inventory) ?? null };
  ctx.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : humanCostReport(report));
  return 0;
}

/** The DNS check runner's lines, when the config has an active check (the stack then has the runner). */
function dnsChecksLines(config: ShepherdConfig, inventory: StackInventory) {
  const checked = config.dns?.entrypoints.filter((e) => e.check) ?? [];
  const runner = inventory.functions.find((f) => f.logicalId.startsWith('DnsChecksFunction'));
  if (!config.dns || checked.length === 0 || !runner) return [];
  return dnsChecksCost({ intervalSeconds: config.dns.checkIntervalSeconds, entrypoints: checked.length, targets: DNS_ASSUMED_TARGETS, runner });
}

/** The cluster hints' lines, when the stack has them (buffer pools configured, watcher on). */
export function clusterHintsLines(config: ShepherdConfig, inventory: StackInventory) {
  const runner = inventory.functions.find((f) => f.logicalId.startsWith('ClusterHintsFunction'));
  if (!config.buffers || !runner) return [];
  return clusterHintsCost({ intervalSeconds: config.watcher.hintSeconds, runner });
}

async function measureProvisions(
  config: ShepherdConfig,
  cdkOut: string,
  inventory: StackInventory,
  pools: string[] | undefined,
): Promise<{ provisions: ProvisionEstimate[]; tableBytesPerNode: { bytes: number; source: string } }> {
  const { recordProvisionRuns } = await importOptional<RecorderModule>('../../bench/provision-runs/recorder.js', import.meta.url, 'measuring local runs');
  const runs = await recordProvisionRuns({ config, cdkOut, pools });
  try {
    const logicalIds = new Map(runs.functions.map((f) => [f.name, f.logicalId]));
    const provisions = runs.executions.map((e): ProvisionEstimate => {
      const usage = provisionUsage({
        ...e,
        invocations: e.invocations.map((i) => ({ logicalId: logicalIds.get(i.functionName) ?? i.functionName, wallMs: i.wallMs })),
      });
      const lines = provisionCost(usage, inventory);
      return { usage, lines, total: total(lines) };
    });
    const nodesMade = runs.executions.filter((e) => e.status === 'SUCCEEDED').length;
    if (nodesMade === 0) throw new CommandError(`no local ProvisionNode run succeeded (${runs.executions.map((e) => `${e.pool}: ${e.status}`).join(', ')})`);
    const stored = runs.table.bytes + runs.table.items * DYNAMODB_ITEM_OVERHEAD_BYTES;
    const source = `measured: ${runs.table.items} items, ${stored} bytes with DynamoDB's per-item overhead, after ${nodesMade} local provisions`;
    return { provisions, tableBytesPerNode: { bytes: Math.ceil(stored / nodesMade), source } };
  } finally {
    await runs.stop();
  }
}
