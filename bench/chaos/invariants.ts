import type { ChaosObservation, InvariantResult, ObservedClaim, ObservedNode } from './types.js';

/** A claim still on its way (claimed, launched, or any step before active): its execution should be running. */
export function isInFlight(claim: ObservedClaim): boolean {
  return claim.status !== 'active' && claim.status !== 'released';
}

/** When an in-flight claim stops being believable: its own expiry, else its creation plus the execution's worst case. */
export function claimDeadline(claim: ObservedClaim, worstCaseMs: number): number {
  return claim.expiresAt ?? claim.createdAt + worstCaseMs;
}

/**
 * The chaos benchmark's invariants, computed from what the clouds, the cluster and the claims table show once a run
 * has settled. Each is 0 when it holds. Pure: the benchmark observes, this judges.
 */
export function checkInvariants(o: ChaosObservation): InvariantResult[] {
  return [vmsWithoutNode(o), vmsPerClaim(o), claimsVsNodes(o), stuckClaims(o), foreignNodesTouched(o)];
}

/** A machine that runs (and is billed) but is not in the cluster. */
function vmsWithoutNode(o: ChaosObservation): InvariantResult {
  const details = o.vms
    .filter((v) => v.live && !v.hasNode)
    .map((v) => `${v.provider} VM ${v.id} (pool ${v.pool ?? '?'}, claim ${v.claimId ?? 'none'}) has no Node`);
  const live = o.vms.filter((v) => v.live).length;
  return { name: 'vmsWithoutNode', title: 'VMs without a Node', violations: details.length, details, context: `${live} live VMs` };
}

/** One claim, one machine: a second one is capacity nobody tracks. */
function vmsPerClaim(o: ChaosObservation): InvariantResult {
  const byClaim = new Map<string, string[]>();
  for (const v of o.vms) if (v.live && v.claimId) byClaim.set(v.claimId, [...(byClaim.get(v.claimId) ?? []), `${v.provider}/${v.id}`]);
  const details = [...byClaim].filter(([, vms]) => vms.length > 1).map(([claim, vms]) => `claim ${claim} has ${vms.length} live VMs: ${vms.join(', ')}`);
  const max = Math.max(0, ...[...byClaim.values()].map((v) => v.length));
  return { name: 'vmsPerClaim', title: 'claims with more than one VM', violations: details.length, details, context: `max ${max} VM per claim` };
}

/**
 * Each pool's counter against the machines that exist: the counter equals the claims it holds, every counted claim
 * that is done (active, released or without a record) has a live VM, and every live VM of the pool is counted.
 * Claims still in flight are left to the stuck-claims invariant.
 */
function claimsVsNodes(o: ChaosObservation): InvariantResult {
  const details: string[] = [];
  const records = new Map(o.claims.map((c) => [c.claimId, c]));
  let counted = 0;
  let backed = 0;
  for (const pool of o.pools) {
    const counter = o.counters.find((c) => c.pool === pool) ?? { pool, active: 0, counted: [] };
    counted += counter.counted.length;
    if (counter.active !== counter.counted.length) {
      details.push(`pool ${pool}: counter says ${counter.active} but holds ${counter.counted.length} claims`);
    }
    const liveVms = o.vms.filter((v) => v.live && v.pool === pool);
    const withVm = new Set(liveVms.flatMap((v) => (v.claimId ? [v.claimId] : [])));
    for (const claimId of counter.counted) {
      const record = records.get(claimId);
      if (withVm.has(claimId)) backed++;
      else if (!record || !isInFlight(record)) {
        details.push(`pool ${pool}: claim ${claimId} is counted (${record ? record.status : 'no record'}) but no VM or Node serves it`);
      }
    }
    const countedIds = new Set(counter.counted);
    for (const v of liveVms) {
      if (!v.claimId || !countedIds.has(v.claimId)) {
        details.push(`pool ${pool}: ${v.provider} VM ${v.id} (claim ${v.claimId ?? 'none'}${v.hasNode ? ', in the cluster' : ''}) runs but is not counted`);
      }
    }
  }
  return {
    name: 'claimsVsNodes',
    title: 'claims counted against Nodes',
    violations: details.length,
    details,
    context: `${counted} counted, ${backed} with a VM`,
  };
}

/** A claim in flight long after its execution must have ended: counted for nothing until someone notices. */
function stuckClaims(o: ChaosObservation): InvariantResult {
  const details = o.claims
    .filter((c) => isInFlight(c) && o.now > claimDeadline(c, o.worstCaseMs))
    .map((c) => {
      const minutes = Math.round((o.now - claimDeadline(c, o.worstCaseMs)) / 60_000);
      return `claim ${c.claimId} (pool ${c.pool}, ${c.status}) is ${minutes} min past its ${c.expiresAt === undefined ? 'worst case' : 'expiry'}`;
    });
  const inFlight = o.claims.filter(isInFlight).length;
  return { name: 'stuckClaims', title: 'claims stuck past their expiry', violations: details.length, details, context: `${inFlight} in flight` };
}

/** A Node shepherd did not create: it must keep its labels, taints, schedulability, existence and machine. */
function foreignNodesTouched(o: ChaosObservation): InvariantResult {
  const now = new Map(o.nodes.map((n) => [n.name, n]));
  const details: string[] = [];
  for (const before of o.foreignBefore) {
    const changes = nodeChanges(before, now.get(before.name));
    if (changes.length > 0) details.push(`node ${before.name}: ${changes.join('; ')}`);
  }
  return { name: 'foreignNodesTouched', title: 'foreign nodes touched', violations: details.length, details, context: `of ${o.foreignBefore.length}` };
}

/** What changed on a Node, in words; empty when nothing did. */
export function nodeChanges(before: ObservedNode, after: ObservedNode | undefined): string[] {
  if (!after) return ['deleted'];
  const changes: string[] = [];
  const keys = new Set([...Object.keys(before.labels), ...Object.keys(after.labels)]);
  const labels = [...keys]
    .filter((k) => before.labels[k] !== after.labels[k])
    .map((k) => {
      if (!(k in before.labels)) return `+${k}=${after.labels[k]}`;
      if (!(k in after.labels)) return `-${k}`;
      return `${k}=${before.labels[k]} -> ${after.labels[k]}`;
    });
  if (labels.length) changes.push(`labels ${labels.join(', ')}`);
  const added = after.taints.filter((t) => !before.taints.includes(t));
  const removed = before.taints.filter((t) => !after.taints.includes(t));
  if (added.length || removed.length) changes.push(`taints ${[...added.map((t) => `+${t}`), ...removed.map((t) => `-${t}`)].join(', ')}`);
  if (before.unschedulable !== after.unschedulable) changes.push(after.unschedulable ? 'cordoned' : 'uncordoned');
  if (before.providerID !== after.providerID) changes.push(`providerID ${before.providerID ?? '(none)'} -> ${after.providerID ?? '(none)'}`);
  if (before.vmLive && !after.vmLive) changes.push('its machine is gone');
  return changes;
}
