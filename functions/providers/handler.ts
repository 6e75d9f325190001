import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { offeringLabel, sameOffering } from '../decisions/offerings.js';
import type { Offering, ProvisionSlot, VmRef } from '../decisions/provision.js';
import { config, poolNamed } from '../runtime/config.js';
import { InvalidInputError, isInsufficientCapacityError, ListingLagError } from '../runtime/errors.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { joinUserData } from '../runtime/user-data.js';
import type { CloudProvider, Interruption, Page, ProviderDescriptor, TerminateOptions, VmState } from './types.js';
import type { VmTeardown } from './vm-teardown.js';

export type ProviderEvent =
  | { action: 'launch'; slot: ProvisionSlot; offering: Offering; activeClaims?: number }
  /** `removal`: RemoveNode takes the node away for good (a pool shrinks); otherwise a failed launch is undone. */
  | { action: 'cleanup'; slot: ProvisionSlot; vm?: VmRef | null; node?: { nodeName?: string | null } | null; removal?: boolean }
  | { action: 'listOwned'; pageToken?: string }
  | { action: 'describe'; pool: string; vm: VmRef }
  /** An orphan VM (no Node, no claim): terminated for good, found by the VM alone (orphan-collector). */
  | { action: 'terminate'; vm: VmRef }
  | { action: 'removeJoinSecrets'; slot: ProvisionSlot; vm: VmRef }
  | { action: 'interruptions' };

export type ProviderResult = VmRef | VmTeardown | Page<VmRef> | { state: VmState } | { interruptions: Interruption[] } | { removed: string[] };

/**
 * The Lambda handler of one provider's function. The client is built on first use and kept for the life of the
 * execution environment (a warm Lambda reuses its SDK clients and tokens).
 */
export function providerHandler(descriptor: ProviderDescriptor, makeClient: (config: ShepherdConfig) => CloudProvider) {
  let client: CloudProvider | undefined;
  return withExecutionContext(async (event: ProviderEvent): Promise<ProviderResult> => {
    const cfg = config();
    client ??= makeClient(cfg);
    switch (event.action) {
      case 'launch':
        return launch(descriptor, cfg, ownPool(descriptor, event.slot.pool, cfg), client, event.slot, event.offering, event.activeClaims);
      case 'cleanup':
        return cleanup(descriptor, ownPool(descriptor, event.slot.pool, cfg), client, event.slot, event.vm ?? undefined, event.node?.nodeName ?? undefined, {
          removal: event.removal === true,
        });
      case 'listOwned':
        return client.listOwned(event.pageToken);
      case 'describe':
        return { state: await client.describe(event.vm, ownPool(descriptor, event.pool, cfg)) };
      case 'terminate':
        return terminateOrphan(descriptor, cfg, client, event.vm);
      case 'interruptions':
        return { interruptions: await client.interruptions() };
      case 'removeJoinSecrets':
        return removeJoinSecrets(ownPool(descriptor, event.slot.pool, cfg), client, event.slot, event.vm);
      default:
        throw new InvalidInputError(`unknown action ${JSON.stringify((event as { action: string }).action)}`);
    }
  });
}

function ownPool(descriptor: ProviderDescriptor, name: string, cfg: ShepherdConfig): PoolConfig {
  const pool = poolNamed(name, cfg);
  if (pool.provider !== descriptor.name) throw new InvalidInputError(`pool ${name} belongs to provider ${pool.provider}, not ${descriptor.name}`);
  return pool;
}

/**
 * Launches the slot's VM in the one offering its claim is trying (the workflow moves the claim to the next offering
 * after a capacity error, which this rethrows). The same claim, owner and offering give the same launch token, so a
 * retry after a lost answer gets the VM the first call created.
 */
async function launch(
  descriptor: ProviderDescriptor,
  cfg: ShepherdConfig,
  pool: PoolConfig,
  client: CloudProvider,
  slot: ProvisionSlot,
  offering: Offering,
  activeClaims?: number,
): Promise<VmRef> {
  if (!offering || !descriptor.offerings(pool, cfg).some((o) => sameOffering(o, offering))) {
    throw new InvalidInputError(`offering ${offering ? offeringLabel(offering) : '(none)'} is not one of pool ${pool.name}'s`);
  }
  const userData = await joinUserData(pool, cfg);
  try {
    const vm = await client.launch({
      clusterName: cfg.cluster.name,
      pool,
      claimId: slot.claimId,
      owner: slot.owner,
      offering: { type: offering.type, zone: offering.zone, ...(offering.subnetId ? { subnetId: offering.subnetId } : {}) },
      userData,
      ...(activeClaims !== undefined ? { activeClaims } : {}),
    });
    log('info', 'launched', { pool: pool.name, claimId: slot.claimId, vmId: vm.id, type: vm.type, zone: vm.zone });
    return vm;
  } catch (err) {
    if (isInsufficientCapacityError(err)) log('warn', 'no capacity in this offering', { pool: pool.name, offering, error: (err as Error).message });
    throw err;
  }
}

/**
 * Terminates a VM that no claim holds, for good (`removal`: a Scaleway pool shrinks by the node rather than replacing
 * it). EC2 and GCE terminate a VM by its id or name and zone; a Scaleway pool node is found in its pool (the VM's
 * poolId) by its name, so that is passed as the node name. The pool only says where to look: the first of the
 * provider's pools stands in where the VM names none.
 */
async function terminateOrphan(descriptor: ProviderDescriptor, cfg: ShepherdConfig, client: CloudProvider, vm: VmRef): Promise<VmTeardown> {
  if (!vm || typeof vm.id !== 'string' || vm.id === '' || vm.provider !== descriptor.name) {
    throw new InvalidInputError(`terminate needs a ${descriptor.name} VM with an id`);
  }
  const pools = cfg.pools.filter((p) => p.provider === descriptor.name);
  const pool = pools.find((p) => vm.poolId !== undefined && p.join.method === 'scaleway-pool' && p.join.poolId === vm.poolId) ?? pools[0];
  if (!pool) throw new InvalidInputError(`no pool of provider ${descriptor.name} in the config`);
  const outcome = await client.terminate(vm, pool, vm.name || undefined, { removal: true });
  log('info', outcome === 'terminated' ? 'orphan terminated' : 'orphan was already gone', { provider: descriptor.name, vmId: vm.id, pool: pool.name });
  return outcome === 'terminated' ? { terminated: [vm.id], alreadyGone: [] } : { terminated: [], alreadyGone: [vm.id] };
}

/** Takes the join secrets off a VM whose Node joined; a no-op for providers that leave none readable. */
async function removeJoinSecrets(pool: PoolConfig, client: CloudProvider, slot: ProvisionSlot, vm: VmRef): Promise<{ removed: string[] }> {
  const out = client.removeJoinSecrets ? await client.removeJoinSecrets(vm, pool) : { removed: [] };
  log('info', 'join secrets removed', { pool: pool.name, claimId: slot.claimId, vmId: vm.id, removed: out.removed });
  return out;
}

/**
 * Terminates whatever this claim launched: the VM the workflow knows of and any other VM tagged with the claim.
 * `nodeName` is the Node the claim took, if any (pool providers remove that node). With neither VM, a provider whose
 * lists lag its launches may still be hiding one: ListingLagError, for the workflow to look again later.
 */
async function cleanup(
  descriptor: ProviderDescriptor,
  pool: PoolConfig,
  client: CloudProvider,
  slot: ProvisionSlot,
  vm?: VmRef,
  nodeName?: string,
  options: TerminateOptions = {},
): Promise<VmTeardown> {
  const found = await client.findByClaim(slot.claimId, pool);
  const all = new Map<string, VmRef>();
  if (vm) all.set(vm.id || `pool:${vm.poolId}`, vm);
  for (const f of found) all.set(f.id, f);
  if (all.size === 0 && descriptor.eventuallyConsistent) {
    throw new ListingLagError(`no VM found for claim ${slot.claimId} yet; ${descriptor.name}'s lists may lag a launch of moments ago`);
  }
  const out: VmTeardown = { terminated: [], alreadyGone: [] };
  for (const [id, v] of all) {
    const outcome = await client.terminate(v, pool, nodeName, options);
    (outcome === 'terminated' ? out.terminated : out.alreadyGone).push(id);
  }
  log('info', 'cleanup', { pool: pool.name, claimId: slot.claimId, ...out });
  return out;
}
