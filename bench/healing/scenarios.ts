import type { HealingObserver } from '../../local/healing-observer.js';
import type { ShepherdLocal } from '../../local/shepherd-local.js';
import type { ExecutionView } from '../../local/stepfunctions/stepfunctions.js';

/** One scenario's figures, in simulated seconds from its event; undefined when it never happened within the cap. */
export interface SpotFigures {
  kind: 'spot-warning';
  pool: string;
  node: string;
  /** The spot warning to the Node cordoned. */
  cordonedS?: number;
  /** The spot warning to the replacement's ProvisionNode execution started. */
  replacementStartedS?: number;
  /** When EC2 reclaims the VM (the warning's notice). */
  reclaimS: number;
  /** The stale Node deleted, and a replacement Ready, for the record. */
  nodeDeletedS?: number;
  replacementReadyS?: number;
  heals: string[];
}

export interface VmGoneFigures {
  kind: 'vm-gone';
  provider: string;
  pool: string;
  node: string;
  /** The VM deleted out of band to the stale Node deleted. */
  nodeDeletedS?: number;
  replacementStartedS?: number;
  replacementReadyS?: number;
  heals: string[];
}

export type ScenarioFigures = SpotFigures | VmGoneFigures;

/** How long (simulated) a scenario may take before it counts as never healed. */
const CAP_MS = 20 * 60_000;

/** Provisions one node in `pool` through ProvisionNode; its name. */
export async function provision(local: ShepherdLocal, pool: string): Promise<string> {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool, count: 1, reason: 'bench:healing' });
  const out = await local.controlPlane.waitForExecution(executionArn);
  if (out.status !== 'SUCCEEDED') throw new Error(`ProvisionNode for ${pool} ${out.status}: ${out.cause ?? out.error ?? ''}`);
  return (JSON.parse(out.output ?? '{}') as { nodes: { nodeName: string }[] }).nodes[0].nodeName;
}

/** A heal as the report lists it; a failed one with the first sentence of its cause (the fail-cause convention). */
function healLine(h: ExecutionView): string {
  return h.status === 'FAILED' ? `${h.name} FAILED (${(h.cause ?? h.error ?? '').split(' {')[0].slice(0, 400)})` : `${h.name} ${h.status}`;
}

const seconds = (from: number, to: number | undefined) => (to === undefined ? undefined : (to - from) / 1000);

/**
 * EC2 reclaims a spot VM of `pool`: its Spot Instance Interruption Warning goes to the default bus now, the VM is
 * terminated after the notice. Waits until the Node is deleted and a replacement is Ready (or the cap).
 */
export async function spotWarning(local: ShepherdLocal, observer: HealingObserver, pool: string, node: string): Promise<SpotFigures> {
  const { sim } = local;
  const vm = sim.world.vmOfNode(node);
  if (!vm?.spot) throw new Error(`node ${node} of pool ${pool} does not run on a spot VM`);
  let actionAt = 0;
  const off = sim.world.on('spot-interruption', (e) => {
    if (e.vm.id === vm.id) actionAt = e.actionAt;
  });
  const t0 = sim.clock.now();
  const reclaimed = sim.world.reclaimSpot(vm.id);
  off();
  if (!reclaimed) throw new Error(`the simulator did not reclaim ${vm.id}`);
  await waitHealed(local, observer, pool, node, t0);
  const replacement = observer.provisionsSince(pool, t0)[0];
  return {
    kind: 'spot-warning',
    pool,
    node,
    cordonedS: seconds(t0, observer.fate(node).cordonedAt),
    replacementStartedS: seconds(t0, replacement?.startDate),
    reclaimS: (actionAt - t0) / 1000,
    nodeDeletedS: seconds(t0, observer.fate(node).deletedAt),
    replacementReadyS: seconds(t0, observer.readyReplacement(pool, node, t0)?.readyAt),
    heals: observer.healsOf(node).map(healLine),
  };
}

/** Someone deletes the VM of `node` out of band (EC2 publishes its state changes; the other clouds nothing). */
export async function vmDeleted(local: ShepherdLocal, observer: HealingObserver, pool: string, node: string): Promise<VmGoneFigures> {
  const { sim } = local;
  const vm = sim.world.vmOfNode(node);
  if (!vm) throw new Error(`node ${node} has no VM`);
  const t0 = sim.clock.now();
  sim.world.terminateVm(vm.id);
  const replaces = local.config.pools.find((p) => p.name === pool)?.provider !== 'home';
  await waitHealed(local, observer, pool, node, t0, replaces);
  return {
    kind: 'vm-gone',
    provider: vm.provider,
    pool,
    node,
    nodeDeletedS: seconds(t0, observer.fate(node).deletedAt),
    replacementStartedS: seconds(t0, observer.provisionsSince(pool, t0)[0]?.startDate),
    replacementReadyS: seconds(t0, observer.readyReplacement(pool, node, t0)?.readyAt),
    heals: observer.healsOf(node).map(healLine),
  };
}

/** Until the Node is deleted, its heals have ended, and (when it is replaced) a replacement is Ready; or the cap. */
async function waitHealed(local: ShepherdLocal, observer: HealingObserver, pool: string, node: string, t0: number, replaced = true): Promise<void> {
  const done = () =>
    observer.fate(node).deletedAt !== undefined &&
    observer.healsOf(node).every((h) => h.status !== 'RUNNING') &&
    (!replaced || observer.readyReplacement(pool, node, t0) !== undefined);
  try {
    await local.sim.clock.until(done, CAP_MS, `node ${node} healed`);
  } catch {
    // Not healed within the cap: the figures say what did not happen.
  }
}
