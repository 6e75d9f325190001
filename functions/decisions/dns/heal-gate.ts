import { leaseAvailability, type NodeLease } from '../node-lease.js';
import type { Announcements, DnsNodeView } from './types.js';

/**
 * Whether a heal holding a node's lease (taken at `healSince`, ISO) takes the node away from the entrypoint. A heal
 * starts on a NotReady node, waits for its threshold, and ends doing nothing when it finds the node Ready again;
 * one that remediates cordons and drains the node first, which the target gate sees. So a node that turned Ready
 * after the heal took its lease has recovered under a heal that will leave it alone: it may serve again as soon as
 * its checks pass, not only when the heal's wait ends and some later run looks again. A heal of a node that was
 * Ready all along (started by hand) still takes it away from its start.
 */
export function healTakesNodeAway(node: Pick<DnsNodeView, 'ready' | 'readySince'>, healSince: string | undefined): boolean {
  if (node.ready !== 'True' || node.readySince === undefined || healSince === undefined) return true;
  const readySince = Date.parse(node.readySince);
  const since = Date.parse(healSince);
  if (Number.isNaN(readySince) || Number.isNaN(since)) return true;
  return readySince <= since;
}

/**
 * The nodes a heal takes away now: those whose lease a heal holds (not released, not expired) and that have not
 * recovered under it (healTakesNodeAway). DnsFailover and `shepherd status` judge a node the same way.
 */
export function healsInProgress(nodes: readonly DnsNodeView[], leaseOf: (node: string) => NodeLease | undefined, nowSeconds: number): Announcements {
  const out: Announcements = {};
  for (const node of nodes) {
    const lease = leaseOf(node.name);
    if (lease?.owner && !leaseAvailability(lease, '', nowSeconds).free && healTakesNodeAway(node, lease.acquiredAt)) out[node.name] = 'heal in progress';
  }
  return out;
}
