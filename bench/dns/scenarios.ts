import type { EntrypointConfig } from '../../config/types.js';
import type { ShepherdLocal } from '../../local/shepherd-local.js';
import { addressLeft } from './figures.js';

/** One loss's figures, in simulated seconds from the loss; undefined when it did not happen within the cap. */
export interface LossFigures {
  kind: 'announced' | 'unannounced';
  /** What happened: 'spot warning on aws-arm64 node ...', 'home lab power off'. */
  what: string;
  node: string;
  address: string;
  /** False when the records did not hold the address when the loss came: nothing was measured. */
  publishedAtLoss: boolean;
  /** The loss to the last record name no longer holding the address. */
  recordsChangedS?: number;
  /** The loss to the last moment a resolver may still answer the address (TTL included). */
  lastStaleAnswerS?: number;
  ttlS?: number;
  /** For the announced case: when the provider takes the VM (its notice). */
  vmGoneS?: number;
}

/** How long (simulated) the bench waits for a record change before it counts as never. */
const CAP_MS = 15 * 60_000;

/** The DnsFailover state machine's ARN in the synthesized stack, if the stack has one. */
export function dnsFailoverArn(local: ShepherdLocal): string | undefined {
  return Object.entries(local.controlPlane.stateMachines).find(([name]) => /dns-?failover/i.test(name))?.[1];
}

/** Provisions one node in `pool` through ProvisionNode; its name. */
export async function provision(local: ShepherdLocal, pool: string): Promise<string> {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool, count: 1, reason: 'bench:dns' });
  const out = await local.controlPlane.waitForExecution(executionArn);
  if (out.status !== 'SUCCEEDED') throw new Error(`ProvisionNode for ${pool} ${out.status}: ${out.cause ?? out.error ?? ''}`);
  return (JSON.parse(out.output ?? '{}') as { nodes: { nodeName: string }[] }).nodes[0].nodeName;
}

/** The address the entrypoint publishes for a node: its ExternalIP, or the annotation the config names. */
export function nodeAddress(local: ShepherdLocal, entry: EntrypointConfig, node: string): string {
  const obj = local.sim.world.kube.get('nodes', undefined, node);
  const source = entry.addressSource;
  const address =
    source.from === 'annotation'
      ? obj?.metadata.annotations?.[source.key]?.split(',')[0]?.trim()
      : obj?.status?.addresses?.find((a: { type: string }) => a.type === 'ExternalIP')?.address;
  if (!address) throw new Error(`node ${node} has no address for entrypoint ${entry.name}`);
  return address;
}

/** Whether every record name of the entrypoint answers the address now (authoritatively). */
function published(local: ShepherdLocal, entry: EntrypointConfig, address: string): boolean {
  return entry.records.every((name) => local.sim.world.dns.resolve(name, entry.type).contents.includes(address));
}

/** Waits until every record name holds the address (DnsFailover added the node); false if not within the cap. */
export async function waitPublished(local: ShepherdLocal, entry: EntrypointConfig, address: string): Promise<boolean> {
  try {
    await local.sim.clock.until(() => published(local, entry, address), CAP_MS, `${address} published`);
    return true;
  } catch {
    return false;
  }
}

async function measureLeave(local: ShepherdLocal, entry: EntrypointConfig, address: string, t0: number) {
  const gone = () => entry.records.every((name) => !local.sim.world.dns.resolve(name, entry.type).contents.includes(address));
  try {
    await local.sim.clock.until(gone, CAP_MS, `${address} out of the records`);
  } catch {
    // Never within the cap: the figures say so.
  }
  const left = addressLeft(local.sim.world.dns, entry.records, entry.type, address, t0);
  const s = (at: number | undefined) => (at === undefined ? undefined : (at - t0) / 1000);
  return {
    publishedAtLoss: left.heldAtStart,
    recordsChangedS: s(left.changedAt),
    lastStaleAnswerS: s(left.lastStaleAt),
    ...(left.ttlS !== undefined ? { ttlS: left.ttlS } : {}),
  };
}

/** EC2 warns that it reclaims the spot VM of `node` (the warning on the default bus now, the VM gone after 2 min). */
export async function announcedLoss(local: ShepherdLocal, entry: EntrypointConfig, pool: string, node: string): Promise<LossFigures> {
  const { sim } = local;
  const vm = sim.world.vmOfNode(node);
  if (!vm?.spot) throw new Error(`node ${node} of pool ${pool} does not run on a spot VM`);
  const address = nodeAddress(local, entry, node);
  let actionAt: number | undefined;
  const off = sim.world.on('spot-interruption', (e) => {
    if (e.vm.id === vm.id) actionAt = e.actionAt;
  });
  const t0 = sim.clock.now();
  const reclaimed = sim.world.reclaimSpot(vm.id);
  off();
  if (!reclaimed) throw new Error(`the simulator did not reclaim ${vm.id}`);
  return {
    kind: 'announced',
    what: `spot warning on ${pool} node ${node}`,
    node,
    address,
    ...(await measureLeave(local, entry, address, t0)),
    ...(actionAt !== undefined ? { vmGoneS: (actionAt - t0) / 1000 } : {}),
  };
}

/** The home lab loses power: no cloud says anything; its machines stop answering. */
export async function unannouncedLoss(local: ShepherdLocal, entry: EntrypointConfig, node: string): Promise<LossFigures> {
  const { sim } = local;
  const address = nodeAddress(local, entry, node);
  const t0 = sim.clock.now();
  sim.world.setProviderDark('home', true);
  return { kind: 'unannounced', what: 'home lab power off (no cloud event)', node, address, ...(await measureLeave(local, entry, address, t0)) };
}
