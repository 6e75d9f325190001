import { z } from 'zod';
import { WATCHER_DETAIL_TYPES, type WatcherEventKind } from './event-types.js';

/**
 * The detail of every watcher event, as zod schemas: the event catalog (docs/events.md, `npm run docs`) is generated
 * from them and a test checks that what the transition decisions publish matches them. Only types are imported from
 * here by code that is deployed (event-types.ts holds the names), so no function bundles zod.
 */

const isoTime = z.string().describe('ISO 8601 time.');
const providerName = z.string().describe('The provider (`aws`, `gcp`, `scaleway`, `home`, ...), from the Node label `shepherd.io/provider`.');

/** Every watcher event carries these. */
const common = {
  transitionId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .describe('Names this transition: a pass that publishes it again (it crashed before saving its snapshot) uses the same id. Consumers dedupe by it.'),
  cluster: z.string().describe('The cluster name from the config.'),
  observedAt: isoTime.describe('When the watcher pass that saw the transition started.'),
};

const nodeFields = {
  node: z.string().describe('The Node name.'),
  provider: providerName.optional(),
  pool: z.string().optional().describe('The pool, from the Node label `shepherd.io/pool`.'),
  region: z.string().optional().describe('From the Node label `topology.kubernetes.io/region`.'),
};

const vmFields = z
  .strictObject({
    id: z.string().describe("The provider's id of the VM (EC2 instance id, GCE instance id, Scaleway node id)."),
    name: z.string(),
    zone: z.string(),
    region: z.string(),
    type: z.string(),
    providerID: z.string().optional().describe('The `spec.providerID` its Node would carry.'),
    poolId: z.string().optional().describe('Scaleway pool nodes: their pool.'),
  })
  .describe('The VM as its provider lists it.');

const scopeFields = {
  provider: providerName,
  region: z.string().optional().describe('Absent when the whole provider is meant.'),
  notReady: z.number().int().min(0).describe('Nodes of the scope NotReady in this pass.'),
  total: z.number().int().min(0).describe('Nodes of the scope in this pass.'),
};

const podSample = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  since: isoTime.optional().describe('When the scheduler first found it unschedulable (PodScheduled lastTransitionTime).'),
  message: z.string().optional().describe("The scheduler's reason, e.g. `0/5 nodes are available: 5 Insufficient cpu.`"),
});

export const WATCHER_DETAIL_SCHEMAS = {
  nodeNotReady: z
    .strictObject({
      ...common,
      ...nodeFields,
      ready: z.enum(['False', 'Unknown']).describe("The Node's Ready condition: False (the kubelet says so) or Unknown (it stopped reporting)."),
      since: isoTime.describe("When the Node stopped being Ready (its Ready condition's lastTransitionTime, else the pass that first saw it)."),
      reason: z.string().optional().describe("The Ready condition's reason, e.g. `NodeStatusUnknown`."),
      registeredAt: isoTime.optional().describe('When the Node registered (its creationTimestamp).'),
      neverReady: z
        .boolean()
        .describe(
          "The Node has not been Ready once since it registered (no Ready condition yet, `NodeStatusNeverUpdated`, or Ready last changed when it registered): it is still joining, which is its provisioning's to wait for; the heal intake starts no heal for it.",
        ),
    })
    .describe('A Node stopped being Ready, or registered NotReady. Published once per NotReady spell.'),
  nodeReady: z
    .strictObject({
      ...common,
      ...nodeFields,
      notReadySince: isoTime.describe('When the NotReady spell that ends here began.'),
    })
    .describe('A Node the watcher had seen NotReady is Ready again.'),
  nodeVmGone: z
    .strictObject({
      ...common,
      ...nodeFields,
      provider: providerName,
      cause: z
        .enum(['missing', 'preempted'])
        .describe(
          "`missing`: the provider's list of the cluster's VMs no longer holds the Node's VM (on two passes in a row, or on one while the Node is not Ready); `preempted`: the provider reported a preemption (GCE zone operations).",
        ),
      vm: vmFields.optional().describe('The VM, when the watcher knew it (preemptions, VMs it saw before).'),
      noticeId: z.string().optional().describe("The provider's id of the preemption notice (GCE operation name)."),
      nodeReady: z
        .enum(['True', 'False', 'Unknown'])
        .describe("The Node's Ready condition at the time: a hint is not proof; act only after asking the provider."),
    })
    .describe('A Node whose VM is gone, as its provider reports it. The covering event where no cloud event exists (GCE, Scaleway, a home lab has no API).'),
  orphanVm: z
    .strictObject({
      ...common,
      provider: providerName,
      vm: vmFields,
      withoutNodeSince: isoTime.describe('The first pass that saw the VM without a Node.'),
      deadlineSeconds: z.number().int().positive().describe('The registration deadline it is past (`provisioning.registrationTimeoutSeconds`).'),
    })
    .describe('A VM this cluster created (by its tag or label) that has had no Node for longer than the registration deadline.'),
  podsUnschedulable: z
    .strictObject({
      ...common,
      count: z.number().int().positive().describe('Pending pods the scheduler marked Unschedulable (PodScheduled=False, reason Unschedulable).'),
      previousCount: z.number().int().min(0).describe('The count at the previous pass: published when the count grows.'),
      oldestSince: isoTime.optional().describe('The earliest `since` among them.'),
      sample: z.array(podSample).describe("At most `watcher.podSampleSize` of them, in the API server's order."),
    })
    .describe('More pods are unschedulable than at the previous pass (one event for all of them).'),
  podsSchedulable: z
    .strictObject({
      ...common,
      previousCount: z.number().int().positive().describe('Unschedulable pods at the previous pass.'),
      unschedulableSince: isoTime.describe('The pass that first saw unschedulable pods in this spell.'),
    })
    .describe('No pod is unschedulable any more.'),
  providerDegraded: z
    .strictObject({
      ...common,
      ...scopeFields,
      percent: z.number().min(0).max(100).describe('notReady / total, in percent.'),
      thresholdPercent: z.number().describe('`watcher.degradedPercent`.'),
    })
    .describe(
      'Many Nodes of one provider (or of one of its regions) are NotReady at once: at least `watcher.degradedPercent` of them and at least `watcher.degradedMinNodes`. A provider outage or a partition, not node failures: the healing short-circuit decides what to do.',
    ),
  providerRecovered: z
    .strictObject({
      ...common,
      ...scopeFields,
      degradedSince: isoTime.describe('The pass that found the scope degraded.'),
    })
    .describe('A degraded provider or region is below the threshold again.'),
  apiUnreachable: z
    .strictObject({
      ...common,
      error: z.string().describe('What the Node list failed with: the error name and message (no secrets).'),
      lastReachableAt: isoTime.optional().describe('The last pass that reached it.'),
    })
    .describe('The cluster API server did not answer the Node list. The pass publishes no node or pod event while it is unreachable.'),
  apiReachable: z
    .strictObject({
      ...common,
      unreachableSince: isoTime.describe('The pass that first failed to reach it.'),
    })
    .describe('The cluster API server answers again.'),
} satisfies Record<WatcherEventKind, z.ZodType>;

export type WatcherDetail<K extends WatcherEventKind> = z.output<(typeof WATCHER_DETAIL_SCHEMAS)[K]>;

/** detail-type -> schema, for validating an event read off the bus. */
export function schemaOfDetailType(detailType: string): z.ZodType | undefined {
  const kind = (Object.keys(WATCHER_DETAIL_TYPES) as WatcherEventKind[]).find((k) => WATCHER_DETAIL_TYPES[k] === detailType);
  return kind ? WATCHER_DETAIL_SCHEMAS[kind] : undefined;
}
