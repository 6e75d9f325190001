import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { Ec2Provider } from '../adapters/cloud/ec2.js';
import { GceProvider } from '../adapters/cloud/gce.js';
import { ScalewayPoolProvider } from '../adapters/cloud/scaleway.js';
import type { CloudProvider } from '../adapters/cloud/types.js';
import { offeringsFor, type ProvisionSlot, type VmRef } from '../decisions/provision.js';
import { config, poolNamed } from '../runtime/config.js';
import { InsufficientCapacityError, isInsufficientCapacityError } from '../runtime/errors.js';
import { log } from '../runtime/logger.js';
import { joinUserData } from '../runtime/user-data.js';

export type CloudVmsEvent = { action: 'launch'; slot: ProvisionSlot; activeClaims?: number } | { action: 'cleanup'; slot: ProvisionSlot; vm?: VmRef | null };

const providers = new Map<string, CloudProvider>();

export function providerFor(pool: PoolConfig, cfg: ShepherdConfig): CloudProvider {
  let p = providers.get(pool.provider);
  if (p) return p;
  if (pool.provider === 'aws') p = new Ec2Provider(cfg);
  else if (pool.provider === 'gcp') p = new GceProvider(cfg);
  else if (pool.provider === 'scaleway') p = new ScalewayPoolProvider(cfg);
  else throw new Error(`pool ${pool.name}: provider ${pool.provider} has no API`);
  providers.set(pool.provider, p);
  return p;
}

export async function handler(event: CloudVmsEvent): Promise<VmRef | { terminated: string[] }> {
  const cfg = config();
  const pool = poolNamed(event.slot.pool, cfg);
  const provider = providerFor(pool, cfg);
  if (event.action === 'launch') return launch(cfg, pool, provider, event.slot, event.activeClaims);
  return cleanup(pool, provider, event.slot, event.vm ?? undefined);
}

/** Tries the pool's offerings in order; a capacity error moves on to the next one. */
async function launch(cfg: ShepherdConfig, pool: PoolConfig, provider: CloudProvider, slot: ProvisionSlot, activeClaims?: number): Promise<VmRef> {
  const userData = await joinUserData(pool, cfg);
  const tried: string[] = [];
  for (const offering of offeringsFor(pool, cfg)) {
    try {
      const vm = await provider.launch({
        clusterName: cfg.cluster.name,
        pool,
        claimId: slot.claimId,
        owner: slot.owner,
        offering,
        userData,
        ...(activeClaims !== undefined ? { activeClaims } : {}),
      });
      log('info', 'launched', { pool: pool.name, claimId: slot.claimId, vmId: vm.id, type: vm.type, zone: vm.zone, skipped: tried });
      return vm;
    } catch (err) {
      if (!isInsufficientCapacityError(err)) throw err;
      tried.push(`${offering.type}@${offering.zone}`);
      log('warn', 'no capacity, trying the next offering', { pool: pool.name, offering, error: (err as Error).message });
    }
  }
  throw new InsufficientCapacityError(`no capacity in any offering of pool ${pool.name}: tried ${tried.join(', ')}`);
}

/** Terminates whatever this claim launched: the VM the workflow knows of and any other VM tagged with the claim. */
async function cleanup(pool: PoolConfig, provider: CloudProvider, slot: ProvisionSlot, vm?: VmRef): Promise<{ terminated: string[] }> {
  const found = await provider.findByClaim(slot.claimId, pool);
  const all = new Map<string, VmRef>();
  if (vm) all.set(vm.id || `pool:${vm.poolId}`, vm);
  for (const f of found) all.set(f.id, f);
  for (const v of all.values()) await provider.terminate(v, pool);
  const terminated = [...all.keys()];
  log('info', 'cleanup', { pool: pool.name, claimId: slot.claimId, terminated });
  return { terminated };
}
