import type { ClaimStatus } from '../../../adapters/store/claims.js';
import type { NodeView, VmRef } from '../../provision.js';
import type { Ec2HealingEvent } from '../ec2-events/types.js';
import type { InstanceFacts } from '../types.js';
import { healExecutionName } from './execution-name.js';
import type { HealReason, HealStart } from './types.js';

/** The label ProvisionNode puts on every Node it registers: the claim that owns the Node's VM. */
export const CLAIM_LABEL = 'shepherd.io/claim';

/**
 * A spot warning comes two minutes before EC2 takes the instance; the drain gets what is left after a margin for
 * deleting the Node, so the pods are out before the VM goes.
 */
export const SPOT_DRAIN_TIMEOUT_SECONDS = 90;

/** The Node whose providerID names the instance (`aws:///<zone>/<instance id>`). */
export function nodeOfInstance(nodes: readonly NodeView[], instanceId: string): NodeView | undefined {
  return nodes.find((n) => n.providerID?.startsWith('aws://') && n.providerID.endsWith(`/${instanceId}`));
}

/** The claim the Node's label names, as much of it as ownership needs. */
export interface ClaimOfNode {
  claimId: string;
  pool: string;
  status: ClaimStatus;
  vm?: VmRef;
}

/** Whose instance it is, and what to ask EC2 about it (the claim's VM and pool). */
export interface InstanceOwnership {
  /** True: the Node's claim launched this very instance; false: not this cluster's; undefined: no Node to ask. */
  clusterTagged?: boolean;
  pool?: string;
  vm?: VmRef;
  reason: string;
}

/**
 * An event pattern cannot see an instance's tags, and a stale event may name an instance whose tags are gone: an
 * instance is this cluster's when a Node carries its providerID and that Node's claim (shepherd.io/claim) is a claim
 * of the table that launched this very instance. A Node without the label, or whose claim names another VM, is left
 * alone (another cluster's or a hand-made node behind the same account).
 */
export function instanceOwnership(instanceId: string, node: NodeView | undefined, claim: ClaimOfNode | undefined): InstanceOwnership {
  if (!node) return { reason: `no Node carries instance ${instanceId}'s providerID` };
  const claimId = node.labels[CLAIM_LABEL];
  if (!claimId) return { clusterTagged: false, reason: `Node ${node.name} has no ${CLAIM_LABEL} label: shepherd did not provision it` };
  if (!claim) return { clusterTagged: false, reason: `Node ${node.name}'s claim ${claimId} is not in the table` };
  if (claim.vm?.id !== instanceId) {
    return { clusterTagged: false, reason: `Node ${node.name}'s claim ${claimId} launched ${claim.vm?.id || 'no VM yet'}, not ${instanceId}` };
  }
  return { clusterTagged: true, pool: claim.pool, vm: claim.vm, reason: `Node ${node.name} is claim ${claimId}'s (pool ${claim.pool})` };
}

/** The facts eventConfirmation weighs: EC2's answer and the Node's Ready status. */
export function instanceFacts(ownership: InstanceOwnership, node: NodeView | undefined, state: InstanceFacts['state']): InstanceFacts {
  return {
    state,
    ...(ownership.clusterTagged !== undefined ? { clusterTagged: ownership.clusterTagged } : {}),
    ...(node ? { nodeReady: node.ready } : {}),
  };
}

/** The HealNode execution for a confirmed EC2 event about one instance and its Node. */
export function healStartForEc2Event(event: Ec2HealingEvent, instanceId: string, nodeName: string, facts: InstanceFacts): HealStart {
  const reason = healReasonOf(event);
  return {
    name: healExecutionName('ec2', event.id, instanceId),
    input: {
      nodeName,
      reason,
      source: { kind: 'ec2-event', id: event.id, at: event.time },
      ...(facts.state === 'gone' ? { vmGone: true } : {}),
      ...(event.kind === 'spot-interruption' ? { drainTimeoutSeconds: SPOT_DRAIN_TIMEOUT_SECONDS } : {}),
    },
  };
}

function healReasonOf(event: Ec2HealingEvent): HealReason {
  switch (event.kind) {
    case 'spot-interruption':
      return 'spot-interruption';
    case 'rebalance-recommendation':
      return 'rebalance';
    case 'state-change':
      return event.state === 'terminated' ? 'vm-gone' : 'vm-stopping';
    case 'scheduled-change':
      return 'scheduled-change';
  }
}
