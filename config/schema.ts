import { z } from 'zod';
import { PROVIDER_NAMES, PROVIDERS } from '../functions/providers/registry.js';
import { DEFAULT_ENTRYPOINT_TTL, DEFAULT_HEALING, DEFAULT_PROVISIONING, DEFAULT_SCALING } from './defaults.js';
import {
  apiServerUrl,
  cloudflareZoneId,
  dnsTtl,
  emailAddress,
  hostname,
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

/** The shape of shepherd.config.json (briefs/config-shape.md). Objects are strict so a misspelt key is an error, not a silent default. */

export { PROVIDER_NAMES };
export const ARCHES = ['amd64', 'arm64'] as const;
export const POOL_ROLES = ['worker', 'entrypoint', 'buffer'] as const;
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export const clusterSchema = z.strictObject({
  name: resourceName,
  kubeconfigSecretArn: secretArn,
  apiServerEndpoint: apiServerUrl.optional(),
});

type Descriptor = (typeof PROVIDERS)[number];
/** `providers.<name>` for every registered provider that has a config section. */
type ProviderSections = {
  [D in Descriptor as D['configSchema'] extends z.ZodType ? D['name'] : never]: z.ZodOptional<Exclude<D['configSchema'], undefined>>;
};

export const providersSchema = z.strictObject(
  Object.fromEntries(PROVIDERS.flatMap((p) => (p.configSchema ? [[p.name, p.configSchema.optional()]] : []))) as ProviderSections,
);

export const joinSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('kosmos'), poolId: uuid, region: scalewayRegion, secretKeySecretArn: secretArn }),
  z.strictObject({ method: z.literal('script'), template: joinScriptTemplate, joinTokenSecretArn: secretArn }),
  z.strictObject({ method: z.literal('scaleway-pool'), poolId: uuid }),
  z.strictObject({ method: z.literal('none') }),
]);

export const taintSchema = z.strictObject({ key: labelKey, value: labelValue.optional(), effect: z.enum(TAINT_EFFECTS) });

const poolSize = z.number().int().min(0).max(1000);

export const poolSchema = z.strictObject({
  name: resourceName,
  provider: z.enum(PROVIDER_NAMES),
  role: z.enum(POOL_ROLES).default('worker'),
  /** Preference order; for scaleway, the pool's node type. */
  instanceTypes: z.array(instanceType).min(1),
  arch: z.enum(ARCHES),
  /** A subset of the provider's zones, in preference order; absent means all of them. */
  zones: z.array(z.string().min(1)).min(1).optional(),
  spot: z.boolean().default(false),
  min: poolSize.default(0),
  max: poolSize,
  labels: labels.default(() => ({})),
  taints: z.array(taintSchema).default(() => []),
  join: joinSchema,
});

export const entrypointSchema = z.strictObject({
  name: resourceName,
  zoneName: hostname,
  zoneId: cloudflareZoneId,
  records: z.array(hostname).min(1),
  type: z.enum(['A', 'AAAA']).default('A'),
  ttl: dnsTtl.default(DEFAULT_ENTRYPOINT_TTL),
  proxied: z.boolean().default(false),
  eligiblePools: z.array(resourceName).min(1),
});

export const dnsSchema = z.strictObject({
  cloudflare: z.strictObject({ apiTokenSecretArn: secretArn }),
  entrypoints: z.array(entrypointSchema).min(1),
});

const seconds = z.number().int().positive();

export const provisioningSchema = z
  .strictObject({
    registrationTimeoutSeconds: seconds.default(DEFAULT_PROVISIONING.registrationTimeoutSeconds),
    pollIntervalSeconds: seconds.default(DEFAULT_PROVISIONING.pollIntervalSeconds),
  })
  .prefault({});

export const healingSchema = z
  .strictObject({
    unhealthyAfterSeconds: seconds.default(DEFAULT_HEALING.unhealthyAfterSeconds),
    maxUnhealthyPercent: z.number().min(0).max(100).default(DEFAULT_HEALING.maxUnhealthyPercent),
    maxConcurrentPerPool: z.number().int().min(1).default(DEFAULT_HEALING.maxConcurrentPerPool),
    drainTimeoutSeconds: seconds.default(DEFAULT_HEALING.drainTimeoutSeconds),
    evictionRetrySeconds: seconds.default(DEFAULT_HEALING.evictionRetrySeconds),
    apiUnreachableFreezeSeconds: seconds.default(DEFAULT_HEALING.apiUnreachableFreezeSeconds),
    orphanSweepMinutes: seconds.default(DEFAULT_HEALING.orphanSweepMinutes),
  })
  .prefault({});

export const scalingSchema = z
  .strictObject({
    scaleDownUnneededSeconds: seconds.default(DEFAULT_SCALING.scaleDownUnneededSeconds),
    scaleDownUtilizationThreshold: z.number().min(0).max(1).default(DEFAULT_SCALING.scaleDownUtilizationThreshold),
    scaleDownDelayAfterScaleUpSeconds: z.number().int().min(0).default(DEFAULT_SCALING.scaleDownDelayAfterScaleUpSeconds),
    backoffSeconds: seconds.default(DEFAULT_SCALING.backoffSeconds),
    maxBackoffSeconds: seconds.default(DEFAULT_SCALING.maxBackoffSeconds),
    insufficientCapacityCacheSeconds: seconds.default(DEFAULT_SCALING.insufficientCapacityCacheSeconds),
  })
  .prefault({});

/** Where alarms go besides their SNS topic: an e-mail subscription, confirmed by its recipient. */
export const alarmsSchema = z.strictObject({ email: emailAddress.optional() });

/** Before the cross-field rules (config/rules.ts checks values of this shape). */
export const shepherdConfigShape = z.strictObject({
  cluster: clusterSchema,
  providers: providersSchema,
  pools: z.array(poolSchema).min(1),
  dns: dnsSchema.optional(),
  provisioning: provisioningSchema,
  healing: healingSchema,
  scaling: scalingSchema,
  alarms: alarmsSchema.optional(),
});

export const shepherdConfigSchema = shepherdConfigShape.superRefine(checkCrossFieldRules);
