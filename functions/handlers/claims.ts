import { DynamoClaimStore } from '../adapters/store/claims.js';
import { DynamoNodeLeaseStore } from '../adapters/store/node-lease.js';
import { leaseRequest } from '../decisions/node-lease.js';
import { offeringLabel } from '../decisions/offerings.js';
import type { Offering, OfferingAttempt, ProvisionSlot, VmRef } from '../decisions/provision.js';
import {
  decideRemoval,
  REMOVAL_LEASE_SECONDS,
  type RemovalFailureFacts,
  type RemovalFailureKind,
  type RemovalNode,
  type RemovalPlan,
  removalFailureCause,
} from '../decisions/remove-node.js';
import { type VmTeardown, vmTeardownText } from '../providers/vm-teardown.js';
import { config, poolNamed } from '../runtime/config.js';
import { InsufficientCapacityError, NodeNotOwnedError, REMOVAL_REFUSALS } from '../runtime/errors.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';

/** Every action acts for `slot.owner`, the execution (ARN) running the slot; only a claim's owner changes it. */
export type ClaimsEvent =
  | { action: 'claim'; slot: ProvisionSlot; offerings: Offering[] }
  | { action: 'attachVm'; slot: ProvisionSlot; vm: VmRef }
  | { action: 'complete'; slot: ProvisionSlot; vm: VmRef; nodeName: string }
  | { action: 'nextOffering'; slot: ProvisionSlot; offerings: Offering[]; from: number }
  | { action: 'checkOwner'; slot: ProvisionSlot }
  | { action: 'release'; slot: ProvisionSlot; error?: { Error?: string; Cause?: string } }
  | { action: 'findRemoval'; plan: RemovalPlan }
  | { action: 'takeForRemoval'; plan: RemovalPlan; claimId: string | null; node: RemovalNode }
  | { action: 'recordRemoval'; slot: ProvisionSlot; nodeName: string | null; vm?: Partial<VmTeardown> | null }
  | { action: 'giveBack'; slot: ProvisionSlot; kind: RemovalFailureKind; failure: Omit<RemovalFailureFacts, 'claimId' | 'pool'> }
  | { action: 'endLease'; slot: ProvisionSlot; failure: Omit<RemovalFailureFacts, 'claimId' | 'pool'> }
  | LeaseEvent;

/**
 * HealNode's lease on a node (one heal per node), for `owner`, the execution (ARN) healing it. The ProvisionNode
 * actions above carry a slot; these carry the node. Checked here: a workflow's input reaches them.
 */
export type LeaseEvent =
  | { action: 'acquireLease' | 'renewLease'; node: string; owner: string; ttlSeconds: number; slot?: undefined }
  | { action: 'releaseLease'; node: string; owner: string; slot?: undefined };

let store: DynamoClaimStore | undefined;
let leaseStore: DynamoNodeLeaseStore | undefined;

function tableName(): string {
  const table = process.env.TABLE_NAME;
  if (!table) throw new Error('TABLE_NAME is not set: the stack gives it to this function');
  return table;
}

function claims(): DynamoClaimStore {
  store ??= new DynamoClaimStore(tableName());
  return store;
}

function leases(): DynamoNodeLeaseStore {
  leaseStore ??= new DynamoNodeLeaseStore(tableName());
  return leaseStore;
}

export const handler = withExecutionContext(async (event: ClaimsEvent) => {
  if (isLeaseEvent(event)) return lease(event);
  switch (event.action) {
    case 'findRemoval':
      return findRemoval(event.plan);
    case 'takeForRemoval':
      return takeForRemoval(event.plan, event.claimId, event.node);
    case 'recordRemoval': {
      const { slot } = event;
      const out = await claims().release(slot.claimId, slot.pool, slot.owner, `removed by RemoveNode: ${slot.reason}`.slice(0, 1000));
      // What happened to the VM, in words: one deleted out of band "was already gone", not "terminated".
      const vm = { vm: vmTeardownText(event.vm ?? undefined), terminated: event.vm?.terminated ?? [], alreadyGone: event.vm?.alreadyGone ?? [] };
      await claims().audit('node.removed', {
        pool: slot.pool,
        claimId: slot.claimId,
        nodeName: event.nodeName,
        owner: slot.owner,
        released: out.released,
        ...vm,
      });
      log('info', 'node removed, claim released', { pool: slot.pool, claimId: slot.claimId, nodeName: event.nodeName, released: out.released, ...vm });
      return { ...out, vm: vm.vm };
    }
    case 'giveBack': {
      // The removal gave up before the Node went: the claim is active again, for the execution that provisioned it.
      await claims().giveBack(event.slot.claimId, event.slot.owner);
      const failure = removalFailureCause(event.kind, { ...event.failure, claimId: event.slot.claimId, pool: event.slot.pool });
      await claims().audit('node.removal.failed', {
        pool: event.slot.pool,
        claimId: event.slot.claimId,
        nodeName: event.failure.nodeName,
        error: failure.error,
      });
      return failure;
    }
    case 'endLease': {
      // The Node is gone but the VM may run: the claim stays (counted), free for the next RemoveNode to take over.
      await claims().endLease(event.slot.claimId, event.slot.owner);
      const failure = removalFailureCause('failedAfterNodeDeleted', { ...event.failure, claimId: event.slot.claimId, pool: event.slot.pool });
      await claims().audit('node.removal.failed', {
        pool: event.slot.pool,
        claimId: event.slot.claimId,
        nodeName: event.failure.nodeName,
        error: failure.error,
      });
      return failure;
    }
  }
  const slot = event.slot;
  switch (event.action) {
    case 'claim': {
      const pool = poolNamed(slot.pool, config());
      const first: OfferingAttempt = { index: 0, ...event.offerings[0] };
      const out = await claims().claim({
        pool: slot.pool,
        claimId: slot.claimId,
        owner: slot.owner,
        max: pool.max,
        reason: slot.reason,
        expiresAt: slot.expiresAt,
        offering: first,
      });
      log('info', 'claim', { pool: slot.pool, claimId: slot.claimId, created: out.created, activeClaims: out.activeClaims });
      return {
        status: out.claim.status,
        created: out.created,
        activeClaims: out.activeClaims,
        // The offering the claim is trying: a retried execution resumes it rather than starting over.
        offering: out.claim.offering ?? first,
        vm: out.claim.vm ?? null,
        nodeName: out.claim.nodeName ?? null,
      };
    }
    case 'attachVm':
      await claims().attachVm(slot.claimId, slot.owner, event.vm);
      return { attached: true };
    case 'complete': {
      const claim = await claims().complete(slot.claimId, slot.owner, event.vm, event.nodeName);
      return { status: claim.status, nodeName: claim.nodeName };
    }
    case 'nextOffering':
      return nextOffering(slot, event.offerings, event.from);
    case 'checkOwner': {
      const claim = await claims().get(slot.claimId);
      const owned = claim !== undefined && claim.owner === slot.owner && claim.status !== 'released';
      if (!owned) log('warn', 'not the claim owner: cleanup leaves the claim alone', { claimId: slot.claimId, owner: claim?.owner, status: claim?.status });
      return { owned, owner: claim?.owner ?? null, status: claim?.status ?? null };
    }
    case 'release': {
      const reason = describeFailure(event.error);
      const out = await claims().release(slot.claimId, slot.pool, slot.owner, reason);
      log('warn', 'claim released', { pool: slot.pool, claimId: slot.claimId, released: out.released, reason });
      return { ...out, reason };
    }
    default:
      throw new Error(`unknown action ${(event as { action: string }).action}`);
  }
});

function isLeaseEvent(event: ClaimsEvent): event is LeaseEvent {
  return event.action === 'acquireLease' || event.action === 'renewLease' || event.action === 'releaseLease';
}

/** A lease held by another heal is an answer, not an error: the workflow's Choice leaves the node to that heal. */
async function lease(event: LeaseEvent) {
  const { node, owner, ttlSeconds } = leaseRequest(event, event.action !== 'releaseLease');
  switch (event.action) {
    case 'acquireLease': {
      const out = await leases().acquire(node, owner, ttlSeconds);
      // Info either way: a second trigger for a node being healed is expected (EventBridge delivers at least once, the
      // watcher and the cloud events both report a lost VM), and nobody can act on it.
      log('info', out.acquired ? 'lease acquired' : 'lease held by another heal', { node, ...out });
      return out;
    }
    case 'renewLease': {
      const out = await leases().renew(node, owner, ttlSeconds);
      log(out.renewed ? 'info' : 'warn', out.renewed ? 'lease renewed' : 'lease not renewed', { node, ...out });
      return out;
    }
    case 'releaseLease': {
      const out = await leases().release(node, owner);
      log(out.released ? 'info' : 'warn', out.released ? 'lease released' : 'lease not released: not held by this execution', { node, ...out });
      return out;
    }
  }
}

/**
 * The claim and Node a removal names: by claim id, the claim's Node; by Node name, the claim a removal recorded for
 * that name (the Node may be gone). A claim the Node's label names is read later, once the Node is read.
 */
async function findRemoval(plan: RemovalPlan): Promise<{ claimId: string | null; nodeName: string | null; pool: string | null }> {
  const claimId = plan.claimId ?? (plan.nodeName ? ((await claims().claimOfNode(plan.nodeName)) ?? null) : null);
  const claim = claimId ? await claims().get(claimId) : undefined;
  return { claimId, nodeName: plan.nodeName ?? claim?.nodeName ?? null, pool: claim?.pool ?? null };
}

/**
 * Decides whether this execution may remove the node (decisions/remove-node.ts) and, when it may, fences the claim
 * to it. Returns the slot the teardown steps act for (the claim's pool, provider and provider function, this
 * execution as owner) and the VM the claim recorded; `done` when a removal already finished (a second run).
 */
async function takeForRemoval(plan: RemovalPlan, foundClaimId: string | null, node: RemovalNode) {
  const claimId = foundClaimId ?? node.claimLabel;
  const claim = claimId ? await claims().get(claimId) : undefined;
  const pool = claim ? config().pools.find((p) => p.name === claim.pool) : undefined;
  const now = Math.floor(Date.now() / 1000);
  const decision = decideRemoval({ plan, claim, node, poolMin: pool?.min, now });
  if (decision.kind === 'refuse') throw new REMOVAL_REFUSALS[decision.error](decision.message);
  if (decision.kind === 'done') {
    log('info', 'nothing to remove', { claimId, nodeName: plan.nodeName, why: decision.why });
    return { done: true, message: `Nothing to do: ${decision.why}.`, claimId, nodeName: claim?.nodeName ?? plan.nodeName };
  }
  // Only a claim with a pool in the config reaches here with a pool (a pool removed from the config keeps its claims).
  if (!claim || !pool) throw new NodeNotOwnedError(`Claim ${claimId} belongs to pool ${claim?.pool}, which the config no longer has; remove its node by hand.`);
  const providerFunction = plan.providerFunctions[pool.provider];
  if (!providerFunction) throw new Error(`no function for provider ${pool.provider} in this stack: the stack and the config disagree; deploy again`);
  const taken = await claims().takeForRemoval(claim.claimId, plan.owner, now + REMOVAL_LEASE_SECONDS);
  const slot: ProvisionSlot = {
    pool: pool.name,
    provider: pool.provider,
    claimId: claim.claimId,
    slot: 0,
    reason: plan.reason,
    owner: plan.owner,
    providerFunction,
  };
  log('info', 'claim taken for removal', { claimId: claim.claimId, nodeName: taken.nodeName, takeover: decision.takeover, previousOwner: taken.previousOwner });
  return { done: false, slot, vm: taken.vm ?? null, nodeName: taken.nodeName ?? plan.nodeName, takeover: decision.takeover };
}

/**
 * After a definite capacity error on offering `from`: records the next one in the claim (before it is launched, so a
 * retry resumes it), or fails with InsufficientCapacityError naming every offering tried.
 */
async function nextOffering(slot: ProvisionSlot, offerings: Offering[], from: number): Promise<OfferingAttempt> {
  const index = from + 1;
  if (index >= offerings.length) {
    const tried = offerings.map(offeringLabel).join(', ');
    throw new InsufficientCapacityError(`no capacity in any offering of pool ${slot.pool}: tried ${tried}`);
  }
  const next = await claims().tryOffering(slot.claimId, slot.owner, from, { index, ...offerings[index] });
  log('warn', 'no capacity, trying the next offering', { pool: slot.pool, claimId: slot.claimId, skipped: offeringLabel(offerings[from]), next });
  return next;
}

/** A failure caught by Step Functions as a one-line reason: "<ErrorName>: <message>". */
export function describeFailure(error: { Error?: string; Cause?: string } | undefined): string {
  if (!error) return 'released';
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: string };
    if (parsed.errorMessage) message = parsed.errorMessage;
  } catch {
    // Cause is plain text (e.g. States.Timeout).
  }
  return `${error.Error ?? 'Error'}: ${message}`.slice(0, 1000);
}
