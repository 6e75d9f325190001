import { z } from 'zod';
import { HEAL_DETAIL_TYPES, type HealStep } from './heal-events.js';
import { HEAL_REASONS, HEAL_SOURCE_KINDS } from './heal-plan.js';

/**
 * The detail of every event healing puts on the project's bus (source `shepherd.healing`), as zod schemas: the event
 * catalog (docs/events.md, `npm run docs`) is generated from them, and the heal scenario tests validate what HealNode
 * and the orphan collector publish against them. Deployed code imports only heal-events.ts, so no function bundles zod.
 * Objects are open (`looseObject`): a consumer may rely on the fields listed, and new facts can be added.
 */

const isoTime = z.string().describe('ISO 8601 time.');

/** Every HealNode event carries these. */
const common = {
  nodeName: z.string().describe('The Node being healed.'),
  executionArn: z.string().describe('The HealNode execution: the owner of the node lease and of the claim while it heals.'),
  reason: z.enum(HEAL_REASONS).describe('Why the heal was started (`spot-interruption`, `vm-gone`, `not-ready`, `manual`, ...).'),
  source: z
    .looseObject({
      kind: z.enum(HEAL_SOURCE_KINDS),
      id: z.string().optional().describe('The EC2 event id or the watcher transitionId that started it.'),
      at: isoTime.optional(),
    })
    .describe('What started the heal.'),
};

const step = (description: string, facts: Record<string, z.ZodType>) => z.looseObject({ ...common, ...facts }).describe(description);

export const HEAL_DETAIL_SCHEMAS: Record<HealStep, z.ZodObject> = {
  started: step('A HealNode execution took the node lease and starts looking at the node.', {
    notReadySince: isoTime.nullable().describe('When the node went NotReady, as the trigger saw it.'),
    vmGone: z.boolean().describe('The trigger says the VM is gone (HealNode asks the provider again).'),
  }),
  skipped: step('The heal ends without touching the node: another heal holds it, it is Ready again, gone already, or not one shepherd heals.', {
    status: z.enum(['already-healing', 'left-alone', 'nothing', 'refused']),
    holder: z.string().optional().describe('`already-healing`: the execution holding the node lease.'),
    why: z.string().optional(),
  }),
  waiting: step('The node has been NotReady for less than the threshold (`healing.unhealthyAfterSeconds`): HealNode looks again then.', {
    remediateAt: isoTime,
    why: z.string(),
  }),
  held: step('A safety limit holds the heal back (paused, cluster API unreachable, a short-circuit, the pool busy, the claim busy): nothing is touched.', {
    verdict: z.enum(['paused', 'frozen', 'short-circuit', 'pool-busy', 'claim-busy']),
    why: z.string(),
    degradedProvider: z.string().nullable().describe('The provider whose short-circuit held it, else null.'),
  }),
  providerDegraded: step(
    "Too many of the node's provider's nodes are unhealthy at once (more than `healing.maxUnhealthyPercentPerProvider` % and `healing.okUnhealthyNodesPerProvider`): none is replaced, the capacity response is left to the buffer pools.",
    { provider: z.string(), why: z.string() },
  ),
  cordoned: step('The node is cordoned.', { cordoned: z.boolean() }),
  drained: step(
    'The drain ended: every pod evicted (`forced` false), or at the drain deadline the remaining pods were deleted (`forced` true, `deleted` lists them).',
    {
      forced: z.boolean(),
      deadlineSeconds: z.number().int().min(0),
      passes: z.number().int().min(0).optional().describe('Eviction passes before it ended (one every `healing.evictionRetrySeconds`).'),
      evicted: z.unknown().optional(),
      deleted: z.unknown().optional(),
    },
  ),
  nodeDeleted: step('The Node object is deleted.', { deleted: z.unknown() }),
  vmTerminated: step('The VM is terminated (or cleaned up) through its provider.', { terminated: z.unknown() }),
  replacementStarted: step('ProvisionNode starts for the same pool as a nested execution (`early`: beside the teardown, for a spot interruption).', {
    pool: z.string(),
    early: z.boolean(),
  }),
  succeeded: step('The node is healed: torn down, its claim released, and replaced (`replaced`) unless it cannot be (home lab) or `deleteOnly`.', {
    replaced: z.boolean(),
    pool: z.string().nullable(),
    claimId: z.string().nullable(),
    teardown: z.unknown().optional().describe('What the teardown did (cordon, drain, Node, VM).'),
    unreachable: z.boolean().optional().describe('The node could not answer: its pods were deleted after a short deadline.'),
  }),
  failed: step('A step failed for good; the execution fails with a readable cause, the claim is given back or kept.', {
    stage: z.string().describe('`beforeNodeDeleted`, `afterNodeDeleted` or `replacement`.'),
    error: z.string(),
    sentence: z.string().describe("The first sentence of the execution's cause."),
  }),
};

/** The detail-type of the orphan collector's event (functions/healing/orphan-collection.ts). */
export const ORPHAN_TERMINATED_DETAIL_TYPE = 'Shepherd Orphan VM Terminated';

export const ORPHAN_TERMINATED_SCHEMA = z
  .looseObject({
    cluster: z.string(),
    provider: z.string(),
    vmId: z.string().describe("The provider's id of the VM (a Scaleway pool node: its node id)."),
    transitionId: z.string().describe('The watcher transition that reported the orphan.'),
    withoutNodeSince: isoTime,
    vm: z.looseObject({ id: z.string() }).describe('The VM as its provider listed it (as in "Shepherd Orphan VM Found").'),
    reason: z.string(),
    terminatedAt: isoTime,
  })
  .describe(
    'The orphan collector terminated a VM this cluster created that had no Node past the registration deadline (after checking the pause switch, the cluster API, the provider and the claims).',
  );

/** Every healing event: detail-type -> schema of its detail. */
export function healingEventSchemas(): { detailType: string; schema: z.ZodObject }[] {
  return [
    ...(Object.keys(HEAL_DETAIL_TYPES) as HealStep[]).map((k) => ({ detailType: HEAL_DETAIL_TYPES[k], schema: HEAL_DETAIL_SCHEMAS[k] })),
    { detailType: ORPHAN_TERMINATED_DETAIL_TYPE, schema: ORPHAN_TERMINATED_SCHEMA },
  ];
}
