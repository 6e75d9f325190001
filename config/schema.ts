import { z } from 'zod';
import { PROVIDER_NAMES, PROVIDERS } from '../functions/providers/registry.js';
import { buffersSchema } from './buffers.js';
import { DEFAULT_HEALING, DEFAULT_PROVISIONING, DEFAULT_SCALING, DEFAULT_WATCHER } from './defaults.js';
import { dnsSchema } from './dns-schema.js';
import {
  apiServerUrl,
  emailAddress,
  instanceType,
  joinScriptTemplate,
  labelKey,
  labels,
  labelValue,
  resourceName,
  scalewayRegion,
  secretArn,
  uuid,
} from './fields.js';
import { checkCrossFieldRules } from './rules.js';

export { dnsSchema, entrypointSchema } from './dns-schema.js';

/** The shape of shepherd.config.json (briefs/config-shape.md). Objects are strict so a misspelt key is an error, not a silent default. */

export { PROVIDER_NAMES };
export const ARCHES = ['amd64', 'arm64'] as const;
export const POOL_ROLES = ['worker', 'entrypoint', 'buffer'] as const;
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export const clusterSchema = z
  .strictObject({
    name: resourceName.describe('Names the stack (shepherd-<name>) and tags every VM shepherd creates (shepherd:cluster).'),
    kubeconfigSecretArn: secretArn.describe('Secret holding a kubeconfig (YAML) that may list, label and delete Nodes.'),
    apiServerEndpoint: apiServerUrl.optional().describe('API server URL that script joins put in {{apiServerEndpoint}}.'),
  })
  .describe('The Kubernetes cluster shepherd manages.');

type Descriptor = (typeof PROVIDERS)[number];
/** `providers.<name>` for every registered provider that has a config section. */
type ProviderSections = {
  [D in Descriptor as D['configSchema'] extends z.ZodType ? D['name'] : never]: z.ZodOptional<Exclude<D['configSchema'], undefined>>;
};

export const providersSchema = z.strictObject(
  Object.fromEntries(PROVIDERS.flatMap((p) => (p.configSchema ? [[p.name, p.configSchema.optional()]] : []))) as ProviderSections,
);

export const joinSchema = z
  .discriminatedUnion('method', [
    z.strictObject({
      method: z.literal('kosmos').describe("Scaleway's node agent joins the VM to a Kosmos external pool."),
      poolId: uuid.describe('The Kosmos external pool the node joins.'),
      region: scalewayRegion.describe("The Kosmos cluster's Scaleway region."),
      secretKeySecretArn: secretArn.describe('Secret holding the Scaleway secret key the node agent uses (plain text).'),
    }),
    z.strictObject({
      method: z.literal('script').describe('User data rendered from `template`, e.g. a kubeadm join.'),
      template: joinScriptTemplate.describe('The user-data script; placeholders are filled at launch.'),
      joinTokenSecretArn: secretArn.describe('Secret holding the join token for {{joinToken}} (plain text).'),
    }),
    z.strictObject({
      method: z.literal('scaleway-pool').describe('Scaleway creates the node by resizing a Kapsule/Kosmos pool.'),
      poolId: uuid.describe('The Scaleway pool to resize.'),
    }),
    z.strictObject({ method: z.literal('none').describe('Machines join by themselves (home lab); shepherd cannot provision them.') }),
  ])
  .describe('How a new machine becomes a Node of the cluster.');

export const taintSchema = z.strictObject({
  key: labelKey.describe('Taint key.'),
  value: labelValue.optional().describe('Taint value.'),
  effect: z.enum(TAINT_EFFECTS).describe('What the taint does to pods that do not tolerate it.'),
});

const poolSize = z.number().int().min(0).max(1000);

export const poolSchema = z.strictObject({
  name: resourceName.describe('Pool name, unique; workflow inputs name the pool.'),
  provider: z.enum(PROVIDER_NAMES).describe('Where the pool\'s machines run; "home" machines have no API.'),
  role: z.enum(POOL_ROLES).default('worker').describe('What the nodes are for; set as the node-role label.'),
  instanceTypes: z.array(instanceType).min(1).describe("Instance types in preference order; for scaleway, the pool's node type."),
  arch: z.enum(ARCHES).describe('CPU architecture of the images and instance types.'),
  zones: z.array(z.string().min(1)).min(1).optional().describe("A subset of the provider's zones in preference order; absent: all of them."),
  spot: z.boolean().default(false).describe('Launch spot (preemptible) VMs.'),
  min: poolSize.default(0).describe('Nodes the pool should keep at least.'),
  max: poolSize.describe('Nodes the pool may have at most; caps capacity claims.'),
  labels: labels.default(() => ({})).describe('Labels put on every node of the pool.'),
  taints: z
    .array(taintSchema)
    .default(() => [])
    .describe('Taints put on every node of the pool.'),
  join: joinSchema,
});

const seconds = z.number().int().positive();

export const provisioningSchema = z
  .strictObject({
    registrationTimeoutSeconds: seconds
      .default(DEFAULT_PROVISIONING.registrationTimeoutSeconds)
      .describe('How long a new VM has to become a Ready Node before it is cleaned up.'),
    pollIntervalSeconds: seconds.default(DEFAULT_PROVISIONING.pollIntervalSeconds).describe('Time between two checks of a new Node.'),
  })
  .prefault({})
  .describe('ProvisionNode policy.');

export const REBALANCE_POLICIES = ['replace', 'taint'] as const;

const percent = z.number().min(0).max(100);
const nodeCount = z.number().int().min(0).max(10000);

export const healingSchema = z
  .strictObject({
    unhealthyAfterSeconds: seconds.default(DEFAULT_HEALING.unhealthyAfterSeconds).describe('How long a Node is NotReady or Unknown before it is replaced.'),
    maxUnhealthyPercent: percent
      .default(DEFAULT_HEALING.maxUnhealthyPercent)
      .describe('Above this share of unhealthy nodes in the cluster, healing stops (a partition looks like mass node loss).'),
    okUnhealthyNodes: nodeCount
      .default(DEFAULT_HEALING.okUnhealthyNodes)
      .describe('Unhealthy nodes the cluster may have whatever their share: maxUnhealthyPercent applies only above this many.'),
    maxUnhealthyPercentPerProvider: percent
      .default(DEFAULT_HEALING.maxUnhealthyPercentPerProvider)
      .describe("Above this share of one provider's nodes unhealthy, that provider's nodes are not healed (provider or region degraded)."),
    okUnhealthyNodesPerProvider: nodeCount
      .default(DEFAULT_HEALING.okUnhealthyNodesPerProvider)
      .describe('Unhealthy nodes one provider may have whatever their share: maxUnhealthyPercentPerProvider applies only above this many.'),
    maxConcurrentPerPool: z.number().int().min(1).default(DEFAULT_HEALING.maxConcurrentPerPool).describe('Replacements in flight per pool.'),
    drainTimeoutSeconds: seconds.default(DEFAULT_HEALING.drainTimeoutSeconds).describe('How long a drain may take before pods are deleted.'),
    evictionRetrySeconds: seconds.default(DEFAULT_HEALING.evictionRetrySeconds).describe('Time between evictions a PodDisruptionBudget blocked.'),
    apiUnreachableFreezeSeconds: seconds
      .default(DEFAULT_HEALING.apiUnreachableFreezeSeconds)
      .describe('How long the cluster API fails before the watcher reports it unreachable; no heal starts while it fails.'),
    orphanSweepMinutes: seconds.default(DEFAULT_HEALING.orphanSweepMinutes).describe('Minutes between sweeps for tagged VMs without a Node.'),
    orphanGraceSeconds: seconds
      .optional()
      .describe('How long a VM shepherd created may be without a Node before the sweep terminates it; absent: provisioning.registrationTimeoutSeconds.'),
    rebalanceRecommendation: z
      .enum(REBALANCE_POLICIES)
      .default(DEFAULT_HEALING.rebalanceRecommendation)
      .describe('On an EC2 rebalance recommendation: "replace" the node early, or only "taint" it so new pods avoid it.'),
    watcherIntervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(DEFAULT_HEALING.watcherIntervalMinutes)
      .describe('Minutes between two passes of the cluster watcher (each pass is billed; see the README).'),
  })
  .prefault({})
  .describe('Node healing policy.');

export const watcherSchema = z
  .strictObject({
    enabled: z.boolean().default(DEFAULT_WATCHER.enabled).describe('Run the cluster watcher; false disables its schedule rule.'),
    everyMinutes: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(DEFAULT_WATCHER.everyMinutes)
      .describe('Minutes between two watcher passes (EventBridge schedules fire at most once a minute).'),
    degradedPercent: z
      .number()
      .min(1)
      .max(100)
      .default(DEFAULT_WATCHER.degradedPercent)
      .describe('A provider or region is degraded when at least this share of its nodes is NotReady at once...'),
    degradedMinNodes: z.number().int().min(1).default(DEFAULT_WATCHER.degradedMinNodes).describe('...and at least this many of them.'),
    podSampleSize: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(DEFAULT_WATCHER.podSampleSize)
      .describe('How many unschedulable pods an event names (the count covers all of them).'),
    hintSeconds: z
      .number()
      .int()
      .min(5)
      .max(30)
      .default(DEFAULT_WATCHER.hintSeconds)
      .describe('With buffer pools: seconds between two cluster hints, which start a watcher pass at once on a new NotReady Node or pending pods.'),
  })
  .prefault({})
  .describe('The cluster watcher: a scheduled pass that publishes node, VM, pod and API transitions to the bus.');

export const scalingSchema = z
  .strictObject({
    scaleDownUnneededSeconds: seconds.default(DEFAULT_SCALING.scaleDownUnneededSeconds).describe('How long a node is unneeded before it is removed.'),
    scaleDownUtilizationThreshold: z
      .number()
      .min(0)
      .max(1)
      .default(DEFAULT_SCALING.scaleDownUtilizationThreshold)
      .describe('A node below this share of requested capacity is unneeded.'),
    scaleDownDelayAfterScaleUpSeconds: z
      .number()
      .int()
      .min(0)
      .default(DEFAULT_SCALING.scaleDownDelayAfterScaleUpSeconds)
      .describe('No scale-down this long after a scale-up.'),
    backoffSeconds: seconds.default(DEFAULT_SCALING.backoffSeconds).describe('First wait before a failed pool is tried again.'),
    maxBackoffSeconds: seconds.default(DEFAULT_SCALING.maxBackoffSeconds).describe('Longest wait the backoff grows to.'),
    insufficientCapacityCacheSeconds: seconds
      .default(DEFAULT_SCALING.insufficientCapacityCacheSeconds)
      .describe('How long an offering out of capacity is skipped.'),
  })
  .prefault({})
  .describe('Scaling policy.');

/** Where alarms go besides their SNS topic: an e-mail subscription, confirmed by its recipient. */
export const alarmsSchema = z
  .strictObject({ email: emailAddress.optional().describe('An address subscribed to the alarm topic; AWS mails it a confirmation link first.') })
  .describe('Where alarms go besides their SNS topic.');

/** Before the cross-field rules (config/rules.ts checks values of this shape). */
export const shepherdConfigShape = z.strictObject({
  cluster: clusterSchema,
  providers: providersSchema,
  pools: z.array(poolSchema).min(1).describe('Groups of alike nodes; each workflow acts on one pool.'),
  dns: dnsSchema.optional(),
  provisioning: provisioningSchema,
  healing: healingSchema,
  watcher: watcherSchema,
  scaling: scalingSchema,
  buffers: buffersSchema.optional(),
  alarms: alarmsSchema.optional(),
});

export const shepherdConfigSchema = shepherdConfigShape.superRefine(checkCrossFieldRules);
