import type { KubeObject } from '../types.js';

/** CPU in millicores, memory in bytes, summed over a pod's containers' requests. */
export function podRequests(pod: KubeObject): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += parseCpu(c.resources?.requests?.cpu);
    mem += parseQuantity(c.resources?.requests?.memory);
  }
  return { cpu, mem };
}

export function nodeAllocatable(node: KubeObject): { cpu: number; mem: number; pods: number } {
  const a = node.status?.allocatable ?? {};
  return { cpu: parseCpu(a.cpu), mem: parseQuantity(a.memory), pods: Number(a.pods ?? 110) };
}

export function parseCpu(v: string | number | undefined): number {
  if (v === undefined) return 0;
  const s = String(v);
  if (s.endsWith('m')) return Number(s.slice(0, -1));
  return Math.round(Number(s) * 1000);
}

const SUFFIX: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  m: 1e-3,
};

export function parseQuantity(v: string | number | undefined): number {
  if (v === undefined) return 0;
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(v));
  if (!m) return 0;
  return Number(m[1]) * (m[2] ? (SUFFIX[m[2]] ?? 1) : 1);
}
