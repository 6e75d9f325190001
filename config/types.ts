import type { z } from 'zod';
import type {
  alarmsSchema,
  awsProviderSchema,
  clusterSchema,
  dnsSchema,
  entrypointSchema,
  gcpProviderSchema,
  healingSchema,
  joinSchema,
  poolSchema,
  provisioningSchema,
  scalewayProviderSchema,
  scalingSchema,
  shepherdConfigShape,
  taintSchema,
} from './schema.js';

/** The validated config, defaults applied. */
export type ShepherdConfig = z.output<typeof shepherdConfigShape>;
/** What a person writes in shepherd.config.json (defaulted fields optional). */
export type ShepherdConfigInput = z.input<typeof shepherdConfigShape>;

export type ClusterConfig = z.output<typeof clusterSchema>;
export type ProvidersConfig = ShepherdConfig['providers'];
export type AwsProviderConfig = z.output<typeof awsProviderSchema>;
export type GcpProviderConfig = z.output<typeof gcpProviderSchema>;
export type ScalewayProviderConfig = z.output<typeof scalewayProviderSchema>;

export type PoolConfig = z.output<typeof poolSchema>;
export type ProviderName = PoolConfig['provider'];
export type Arch = PoolConfig['arch'];
export type PoolRole = PoolConfig['role'];
export type TaintConfig = z.output<typeof taintSchema>;
export type TaintEffect = TaintConfig['effect'];

export type JoinConfig = z.output<typeof joinSchema>;
export type JoinMethod = JoinConfig['method'];
export type KosmosJoinConfig = Extract<JoinConfig, { method: 'kosmos' }>;
export type ScriptJoinConfig = Extract<JoinConfig, { method: 'script' }>;
export type ScalewayPoolJoinConfig = Extract<JoinConfig, { method: 'scaleway-pool' }>;

export type DnsConfig = z.output<typeof dnsSchema>;
export type EntrypointConfig = z.output<typeof entrypointSchema>;

export type ProvisioningPolicy = z.output<typeof provisioningSchema>;
export type HealingPolicy = z.output<typeof healingSchema>;
export type ScalingPolicy = z.output<typeof scalingSchema>;
export type AlarmsConfig = z.output<typeof alarmsSchema>;
