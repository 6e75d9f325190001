import type { HealingPolicy, ProvisioningPolicy } from '../../../config/types.js';
import { epochMs } from './time.js';
import type { OrphanInput, OrphanSweep, OrphanVerdict, OwnedVm } from './types.js';

/** How long a VM may be without a Node: healing.orphanGraceSeconds, else the registration deadline. */
export function orphanGraceSeconds(config: {
  healing: Pick<HealingPolicy, 'orphanGraceSeconds'>;
  provisioning: Pick<ProvisioningPolicy, 'registrationTimeoutSeconds'>;
}): number {
  return config.healing.orphanGraceSeconds ?? config.provisioning.registrationTimeoutSeconds;
}

/**
 * The VMs this cluster created that have had no Node for longer than the grace: terminate them (Gardener's
 * machine safety controller sweeps orphan VMs; Karpenter deletes an instance that does not register in 15 min).
 * Kept: VMs with a Node, VMs a running workflow is dealing with, VMs whose claim is still in flight (claimed or
 * launched, before its expiry: its ProvisionNode may still see the Node join), and VMs younger than the grace.
 */
export function orphanVms(input: OrphanInput): OrphanSweep {
  const sweep: OrphanSweep = { terminate: [], keep: [] };
  const claims = new Map(input.claims.map((c) => [c.claimId, c]));
  const busy = new Set(input.busyVmIds);
  const now = epochMs(input.now) ?? Number.NaN;
  const keep = (vm: OwnedVm, reason: string) => sweep.keep.push({ vm, reason });
  for (const vm of input.vms) {
    if (vm.hasNode) {
      keep(vm, 'it has a Node');
      continue;
    }
    if (busy.has(vm.id)) {
      keep(vm, 'a running workflow is already dealing with it');
      continue;
    }
    const claim = vm.claimId ? claims.get(vm.claimId) : undefined;
    const inFlight = claim && (claim.status === 'claimed' || claim.status === 'launched');
    if (claim && inFlight && (claim.expiresAt === undefined || now < claim.expiresAt * 1000)) {
      const until = claim.expiresAt === undefined ? 'its execution ends' : new Date(claim.expiresAt * 1000).toISOString();
      keep(vm, `its claim ${claim.claimId} is ${claim.status} until ${until}: its ProvisionNode may still see the Node join`);
      continue;
    }
    const since = epochMs(vm.withoutNodeSince);
    if (since === undefined || Number.isNaN(now)) {
      keep(vm, `since when it has had no Node is unknown (${JSON.stringify(vm.withoutNodeSince)}): the next sweep records it`);
      continue;
    }
    const seconds = Math.floor((now - since) / 1000);
    if (seconds < input.graceSeconds) {
      keep(vm, `no Node for ${Math.max(seconds, 0)} s, under the ${input.graceSeconds} s grace`);
      continue;
    }
    sweep.terminate.push(orphan(vm, seconds, input.graceSeconds, claim?.status));
  }
  return sweep;
}

function orphan(vm: OwnedVm, seconds: number, grace: number, claimStatus: string | undefined): OrphanVerdict {
  const claim = !vm.claimId ? 'it carries no claim' : claimStatus ? `its claim is ${claimStatus}` : 'its claim is not in the table';
  return { vm, reason: `${vm.provider} VM ${vm.id} has had no Node for ${seconds} s (grace ${grace} s) and ${claim}: an orphan` };
}
