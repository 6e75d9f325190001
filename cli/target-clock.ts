import { ChaosClient } from './chaos/chaos-client.js';
import type { LocalEndpoints } from './local-endpoints.js';

/** The time of the control plane a command reads: backoffs, holds and leases are written on its clock. */
export interface TargetClock {
  now: Date;
  /** `simulated`: the local control plane's clock (its chaos endpoint answers with it); `machine`: this one's. */
  source: 'simulated' | 'machine';
}

/**
 * AWS writes on the real clock; the local control plane on its simulated one (virtual or scaled, starting 2026-01-01),
 * which its chaos endpoint reports with every answer. Times it wrote compared with this machine's clock would be wrong.
 */
export async function targetClock(local: LocalEndpoints | undefined, machineNow: () => Date = () => new Date()): Promise<TargetClock> {
  // An endpoints file without a chaos endpoint comes from a control plane that runs on this machine's clock.
  if (!local?.endpoints.chaos) return { now: machineNow(), source: 'machine' };
  const { clock } = await ChaosClient.of(local, 'the endpoints file').list();
  return { now: new Date(clock.now), source: 'simulated' };
}
