import type { BufferPoolView, PodSpecView } from '../../../functions/decisions/buffer/types.js';

const GI = 2 ** 30;

/** A pending pod requesting `cpu` cores and `memGi` GiB, with whatever restrictions `extra` adds. */
export function pod(name: string, cpu: number, memGi: number, extra: Partial<PodSpecView> = {}): PodSpecView {
  return { namespace: 'default', name, requests: { cpuMillis: Math.round(cpu * 1000), memoryBytes: Math.round(memGi * GI) }, ...extra };
}

/** A buffer pool of `cpu`-core, `memGi`-GiB nodes, empty, amd64, in one zone. */
export function pool(name: string, cpu: number, memGi: number, extra: Partial<BufferPoolView> = {}): BufferPoolView {
  return {
    pool: name,
    provider: name.split('-')[0],
    labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux', 'shepherd.io/pool': name },
    zones: [`${name}-zone-a`],
    taints: [],
    allocatable: { cpuMillis: cpu * 1000, memoryBytes: memGi * GI, pods: 110 },
    hourlyCost: 0.05,
    min: 0,
    maxNodes: 5,
    size: 0,
    upcoming: 0,
    ...extra,
  };
}

export const NOW = '2026-11-30T12:00:00Z';

export function at(offsetSeconds: number): string {
  return new Date(Date.parse(NOW) + offsetSeconds * 1000).toISOString();
}
