import type { ProviderName, WorldEvents } from './types.js';

/** How long the world's machines take for what they do. */
export interface WorldTimings {
  /** Kubelet install + join, after the VM is running, plus up to joinJitterMs. */
  joinDelayMs: number;
  joinJitterMs: number;
  /** running -> stopped / terminated. */
  shutdownDelayMs: number;
  /** pending -> running per provider. */
  bootDelayMs: Record<ProviderName, number>;
}

/** Which launches a fault applies to (absent fields match anything). */
export interface VmMatch {
  provider?: ProviderName;
  zone?: string;
  type?: string;
}

export function matchesVm(m: VmMatch, provider: ProviderName, zone: string, type: string): boolean {
  return (!m.provider || m.provider === provider) && (!m.zone || m.zone === zone) && (!m.type || m.type === type);
}

/** Emits a world event to the listeners registered with World.on. */
export type EmitWorldEvent = <K extends keyof WorldEvents>(event: K, payload: WorldEvents[K]) => void;
