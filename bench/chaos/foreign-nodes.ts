import type { ShepherdConfig } from '../../config/types.js';
import type { Random, Sim } from '../../sim/index.js';
import type { KubeObject } from '../../sim/world/types.js';

/** Labels and a taint that mark a Node as another site's, which shepherd must never change. */
const SITE_LABEL = 'example.com/site';
const SITE_TAINT = { key: 'example.com/dedicated', value: 'branch-office', effect: 'NoSchedule' as const };
/** The claim of another cluster (or another shepherd) on a node of a shared Scaleway pool. */
export const FOREIGN_CLAIM = 'c-another-cluster';

const ready = (n: KubeObject | undefined) => n?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

/**
 * Nodes shepherd did not create, as a real multi-site cluster has them: machines on another site with no
 * providerID whose private addresses are the very ones the clouds will hand to the next VMs (home labs and VPCs
 * reuse RFC 1918 ranges), and a node of the Scaleway pool that another claim holds. Resolves once they are Ready.
 */
export async function addForeignNodes(sim: Sim, config: ShepherdConfig, random: Random): Promise<void> {
  const { world, clock } = sim;
  const branch = ['branch-1', 'branch-2', 'branch-3'];
  for (const name of branch) world.addHomeMachine(name);
  const scw = config.pools.find((p) => p.join.method === 'scaleway-pool');
  const scwPoolId = scw && 'poolId' in scw.join ? scw.join.poolId : undefined;
  if (scwPoolId) world.resizePool(scwPoolId, (world.getPool(scwPoolId)?.size ?? 0) + 1);
  const poolNodes = () => (scwPoolId ? world.kube.list('nodes', { labelSelector: `k8s.scaleway.com/pool=${scwPoolId}` }) : []);
  await clock.until(
    () => branch.every((n) => ready(world.kube.get('nodes', undefined, n))) && (!scwPoolId || (poolNodes().length > 0 && poolNodes().every(ready))),
    20 * 60_000,
    'the foreign nodes to be Ready',
  );

  // The next addresses the simulated clouds hand out (one per VM launched, in order): a few of them are taken.
  const launched = world.listVms().length;
  const offsets = new Set<number>();
  while (offsets.size < branch.length) offsets.add(random.int(1, 12));
  [...offsets].forEach((offset, i) => {
    world.kube.mutate('nodes', undefined, branch[i], (n) => {
      n.metadata.labels = { ...n.metadata.labels, [SITE_LABEL]: 'branch-office' };
      n.spec.taints = [...(n.spec.taints ?? []), SITE_TAINT];
      n.status.addresses = n.status.addresses.map((a: { type: string; address: string }) =>
        a.type === 'InternalIP' ? { ...a, address: privateIp(launched + offset) } : a,
      );
    });
  });
  const held = poolNodes()[0];
  if (held) {
    world.kube.mutate('nodes', undefined, held.metadata.name, (n) => {
      n.metadata.labels = { ...n.metadata.labels, 'shepherd.io/claim': FOREIGN_CLAIM };
    });
  }
}

/** The simulator's n-th private address (its allocator hands them out in order from 10.0.0.1). */
function privateIp(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}
