import type { ClaimStatus } from '../../../adapters/store/claims.js';
import type { VmRef } from '../../provision.js';
import { pairNodesWithVms } from '../../watcher/pairing.js';
import type { NodeObservation } from '../../watcher/types.js';
import type { PauseSwitch } from '../types.js';
import type { OrphanReport, OrphanVerdict } from './types.js';

/** A claim counted in one of the provider's pools, as much as the confirmation needs. */
export interface CountedClaim {
  claimId: string;
  pool: string;
  status: ClaimStatus;
  vm?: Pick<VmRef, 'id' | 'poolId'>;
}

/** What the collector found when the orphan event arrived; `undefined` where the source could not be read. */
export interface OrphanFacts {
  pause: PauseSwitch;
  /** The cluster's Nodes now; undefined when the API server did not answer. */
  nodes?: readonly NodeObservation[];
  apiError?: string;
  /** The provider's list of the cluster's live VMs now; undefined when it did not answer. */
  listed?: readonly VmRef[];
  providerError?: string;
  /** Claims the VM's provider's pools count (claimed, launched, active, removing). */
  claims: readonly CountedClaim[];
}

/**
 * Whether to terminate a VM the watcher reported as an orphan (tagged for the cluster, no Node past the registration
 * deadline), as Gardener's machine safety controller does, on every provider. The report is a hint: everything is
 * asked again before anything is destroyed, and any doubt keeps the VM:
 * - remediation paused -> keep;
 * - the cluster API does not answer -> keep (a Node may exist that cannot be seen: a partition is not an orphan);
 * - the provider does not answer -> keep; it no longer lists the VM -> keep (gone already, nothing to do);
 * - a Node pairs with the VM now (it joined late) -> keep;
 * - a claim still counted holds the VM (its ProvisionNode or RemoveNode owns it; a claim of a Scaleway pool still
 *   waiting for a node could be waiting for this one) -> keep: ClaimCleanup, not the sweep, deals with claims;
 * - otherwise terminate the VM as the provider lists it now.
 */
export function orphanConfirmation(report: OrphanReport, facts: OrphanFacts): OrphanVerdict {
  const about = `${report.provider} VM ${report.vm.id || report.vm.name}`;
  if (facts.pause.paused) return { verdict: 'keep', why: 'paused', reason: `${about}: remediation is paused; the orphan is left until it is resumed` };
  if (!facts.nodes) {
    return {
      verdict: 'keep',
      why: 'api-unreachable',
      reason: `${about}: the cluster API did not answer (${facts.apiError ?? 'unknown error'}); a Node may exist`,
    };
  }
  if (!facts.listed) {
    return { verdict: 'keep', why: 'provider-unreachable', reason: `${about}: ${report.provider} did not answer (${facts.providerError ?? 'unknown error'})` };
  }
  const vm = facts.listed.find((v) => v.id === report.vm.id);
  if (!vm) return { verdict: 'keep', why: 'vm-gone', reason: `${about}: ${report.provider} no longer lists it; nothing to terminate` };
  if (pairNodesWithVms(facts.nodes, [vm]).unpaired.length === 0) {
    return { verdict: 'keep', why: 'has-node', reason: `${about}: a Node is its now (it joined after the watcher's report)` };
  }
  const holder = facts.claims.find((c) => holds(c, vm));
  if (holder) {
    return {
      verdict: 'keep',
      why: 'claimed',
      reason: `${about}: claim ${holder.claimId} of pool ${holder.pool} is ${holder.status} and may be its; the claim's workflow or ClaimCleanup deals with it`,
    };
  }
  return {
    verdict: 'terminate',
    vm,
    reason: `${about}: no Node since ${report.withoutNodeSince}, no claim holds it, the API and ${report.provider} answered: an orphan, terminated`,
  };
}

/** The claim's VM is this one, or it is a Scaleway pool claim still waiting for a node of the VM's pool. */
function holds(claim: CountedClaim, vm: VmRef): boolean {
  if (claim.vm?.id && claim.vm.id === vm.id) return true;
  const waiting = claim.status === 'claimed' || claim.status === 'launched';
  return waiting && vm.poolId !== undefined && !claim.vm?.id && (claim.vm?.poolId === undefined || claim.vm.poolId === vm.poolId);
}
