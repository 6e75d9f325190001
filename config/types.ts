import type { z } from 'zod';

export type { AwsProviderConfig } from '../functions/providers/aws/config.js';
export type { FakeProviderConfig } from '../functions/providers/fake/config.js';
export type { GcpProviderConfig } from '../functions/providers/gcp/config.js';
export type { ScalewayProviderConfig } from '../functions/providers/scaleway/config.js';

import type { buffersSchema } from './buffers.js';
import type {
  alarmsSchema,
  clusterSchema,
  dnsSchema,
  entrypointSchema,
  healingSchema,
  joinSchema,
  poolSchema,
  provisioningSchema,
  scalingSchema,
  shepherdConfigShape,
  taintSchema,
  watcherSchema,
} from './schema.js';

/** The validated config, defaults applied. */
export type ShepherdConfig = z.output<typeof shepherdConfigShape>;
/** What a person writes in shepherd.config.json (defaulted fields optional). */
export type ShepherdConfigInput = z.input<typeof shepherdConfigShape>;

export type ClusterConfig = z.output<typeof clusterSchema>;
export type ProvidersConfig = ShepherdConfig['providers'];

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
export type WatcherPolicy = z.output<typeof watcherSchema>;
export type ScalingPolicy = z.output<typeof scalingSchema>;
export type AlarmsConfig = z.output<typeof alarmsSchema>;
export type BuffersConfig = z.output<typeof buffersSchema>;
export type BufferPoolConfig = BuffersConfig['pools'][number];
