import { z } from 'zod';
import type { BufferEventKind } from './events.js';

/**
 * The detail of every event ScaleBuffer puts on the project's bus (source `shepherd.buffers`), as zod schemas: the
 * event catalog (docs/events.md, `npm run docs`) is generated from them, and a unit test parses what
 * functions/buffers/records.ts publishes with them. Only the docs and tests import this file, so no function bundles zod.
 * Objects are open (`looseObject`): a consumer may rely on the fields listed, and new facts can be added.
 */

const isoTime = z.string().describe('ISO 8601 time.');

/** The decision's inputs: in every ScaleBuffer event and audit entry. */
const inputs = {
  trigger: z
    .enum(['pods-unschedulable', 'provider-degraded', 'provider-recovered', 'reconcile', 'manual'])
    .describe('What started the run: a watcher event, the periodic reconcile, or a manual start with targets.'),
  pendingPods: z.number().int().min(0).describe('Unschedulable pods the run looked at.'),
  degradedProviders: z.array(z.string()).describe('Providers the watcher reported degraded and not yet recovered.'),
};

/** What a scale-up is for: in "Scaled Up" and "Scale Up Failed". */
const growth = {
  ...inputs,
  pool: z.string().describe('The buffer pool (`buffers.pools[].pool`).'),
  requested: z.number().int().min(1).describe('Nodes the run asked of this pool.'),
  added: z.number().int().min(0).describe('Nodes added and Ready.'),
  pods: z.array(z.string()).describe('The pending pods (`namespace/name`) the new nodes are for.'),
  standingInFor: z.array(z.string()).describe('Providers the new nodes stand in for (an outage), else empty.'),
  reason: z.string().optional().describe('Why this pool and count, in one sentence.'),
  skipped: z
    .array(z.looseObject({ pool: z.string(), reason: z.string() }))
    .describe('Pools the run passed over (backed off, out of capacity, at max, the cost cap), and why: the fallback trace.'),
};

export const BUFFER_DETAIL_SCHEMAS: Record<BufferEventKind, z.ZodObject> = {
  scaledUp: z
    .looseObject(growth)
    .describe(
      "ScaleBuffer added nodes to a buffer pool for pending pods or for a provider gone dark: one event per pool per run, once the nested ProvisionNode runs ended, with the decision's inputs, the count and why.",
    ),
  scaleUpSkipped: z
    .looseObject({
      ...inputs,
      unplaceable: z
        .array(z.looseObject({ pod: z.string(), reasons: z.record(z.string(), z.string()).describe('Why each pool cannot place it.') }))
        .describe('Pods no buffer pool could ever place: reported, no node added for them.'),
      waiting: z
        .array(z.looseObject({ pod: z.string(), reason: z.string() }))
        .describe('Pods a pool could place but none can now (at max, backed off, out of capacity, the cost cap).'),
      skipped: z.array(z.looseObject({ pool: z.string(), reason: z.string() })).describe('Pools passed over, and why (the fallback trace).'),
    })
    .describe('A run found pending pods but added no node: each pod that waits, and each pool passed over, with the reason.'),
  scaleUpFailed: z
    .looseObject({
      ...growth,
      failed: z.number().int().min(1).describe('Nodes whose ProvisionNode failed.'),
      outOfCapacity: z.boolean().describe('Every failure was the provider having no capacity (remembered, not a backoff).'),
      outOfCapacityUntil: isoTime.optional().describe('Until when the pool is skipped as out of capacity (`scaling.insufficientCapacityCacheSeconds`).'),
      backedOffUntil: isoTime.optional().describe('Until when the pool is backed off (5 min, doubling up to 30 min).'),
      errors: z.array(z.string()).describe("Each failed ProvisionNode's cause sentence."),
    })
    .describe(
      'Nodes of a buffer pool could not be added: the pool is backed off, or remembered out of capacity, and the next run falls back to the next pool.',
    ),
  scaledDown: z
    .looseObject({
      ...inputs,
      pool: z.string().describe('The buffer pool the node belonged to.'),
      nodeName: z.string().describe('The Node removed (drained through the Eviction API first).'),
      removed: z.literal(true),
      reason: z.string().optional().describe('Why it could go: unneeded for the cooldown, its provider back for the recovery period.'),
    })
    .describe('ScaleBuffer removed a buffer node that had been unneeded for the cooldown once the provider it stood in for was back.'),
};
