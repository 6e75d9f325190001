import type { SlotData } from './slot-events.js';
import type { WorkflowPhases } from './workflow-phases.js';

interface ScaleBufferData extends SlotData {
  lease?: { acquired?: boolean; reason?: string };
  batch?: { closed?: boolean; waitSeconds?: number; pendingPods?: number; why?: string };
  plan?: {
    trigger?: string;
    pendingPods?: number;
    grow?: { pool: string; count?: number }[];
    remove?: { nodeName: string }[];
    atTarget?: { pool: string; size: number }[];
    scaleUp?: { unplaceable?: unknown[]; waiting?: unknown[] };
  };
  growth?: { pools?: Record<string, { added: number; failed: number; backedOffUntil?: string; outOfCapacityUntil?: string }> };
  removal?: { removed?: number; failed?: number };
}

/** Nodes per pool, as "2 in scw-buffer, 1 in gcp-amd64": an item of a Scaleway pool carries all its nodes (`count`). */
function perPool(items: { pool: string; count?: number }[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.pool, (counts.get(i.pool) ?? 0) + (i.count ?? 1));
  return [...counts].map(([pool, n]) => `${n} in ${pool}`).join(', ');
}

/** ScaleBuffer (workflows/scale-buffer.ts): pool leases, the plan, nodes added and removed per pool. */
export const scaleBufferPhases: WorkflowPhases = {
  singleNode: true,
  exits: {
    'Take pool leases': (d: ScaleBufferData) => (d.lease?.acquired ? 'buffer pool leases taken' : `another run is scaling: ${d.lease?.reason ?? ''}`),
    'Check batch': (d: ScaleBufferData) =>
      d.batch?.closed
        ? `batch closed, ${d.batch.pendingPods ?? 0} pending pod(s): ${d.batch.why ?? ''}`
        : `batch open, ${d.batch?.pendingPods ?? 0} pending pod(s), checking again in ${d.batch?.waitSeconds ?? '?'} s: ${d.batch?.why ?? ''}`,
    Plan: (d: ScaleBufferData) => {
      const p = d.plan;
      const grow = p?.grow ?? [];
      const remove = p?.remove ?? [];
      const unplaceable = p?.scaleUp?.unplaceable?.length ?? 0;
      const atTarget = p?.atTarget ?? [];
      const parts = [
        `${p?.trigger ?? '?'}: ${p?.pendingPods ?? 0} pending pod(s)`,
        grow.length > 0 ? `add ${perPool(grow)}` : 'add nothing',
        ...atTarget.map((t) => `${t.pool} already has ${t.size} node${t.size === 1 ? '' : 's'}, its target`),
        ...(remove.length > 0 ? [`remove ${remove.map((r) => r.nodeName).join(', ')}`] : []),
        ...(unplaceable > 0 ? [`${unplaceable} pod(s) no buffer pool can place`] : []),
      ];
      return parts.join('; ');
    },
    'Record growth': (d: ScaleBufferData) =>
      Object.entries(d.growth?.pools ?? {})
        .map(
          ([pool, o]) =>
            `pool ${pool}: ${o.added} added${o.failed ? `, ${o.failed} failed (skipped until ${o.backedOffUntil ?? o.outOfCapacityUntil ?? '?'})` : ''}`,
        )
        .join('; ') || undefined,
    'Record removal': (d: ScaleBufferData) => `${d.removal?.removed ?? 0} buffer node(s) removed${d.removal?.failed ? `, ${d.removal.failed} failed` : ''}`,
  },
  polls: {},
};
