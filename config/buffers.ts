import { z } from 'zod';
import { cpuMillis, memoryBytes } from '../functions/decisions/buffer/quantity.js';
import { DEFAULT_BUFFERS } from './defaults.js';
import { resourceName } from './fields.js';

/**
 * `buffers`: the pools ScaleBuffer grows when pods go unschedulable or a provider goes dark, in priority order.
 * Scale-down timing and backoff come from `scaling` (Cluster Autoscaler's defaults); this section says which pools,
 * in which order, how far, at what cost.
 */

const cpuQuantity = z
  .string({ error: 'a Kubernetes CPU quantity, e.g. "2" or "1900m"' })
  .refine((v) => (cpuMillis(v) ?? 0) > 0, { error: 'a Kubernetes CPU quantity above 0, e.g. "2" or "1900m"' })
  .meta({ allowed: 'a Kubernetes CPU quantity, e.g. "2" or "1900m"' });

const memoryQuantity = z
  .string({ error: 'a Kubernetes memory quantity, e.g. "3584Mi" or "7.5Gi"' })
  .refine((v) => (memoryBytes(v) ?? 0) > 0, { error: 'a Kubernetes memory quantity above 0, e.g. "3584Mi" or "7.5Gi"' })
  .meta({ allowed: 'a Kubernetes memory quantity, e.g. "3584Mi" or "7.5Gi"' });

export const bufferAllocatableSchema = z
  .strictObject({
    cpu: cpuQuantity.describe('CPU one node offers pods.'),
    memory: memoryQuantity.describe('Memory one node offers pods.'),
    pods: z.number().int().min(1).max(1000).default(DEFAULT_BUFFERS.podsPerNode).describe('Pods one node takes.'),
  })
  .describe("What one new node of the pool offers pods: its Node's status.allocatable (the instance type less what the kubelet reserves).");

export const bufferPoolSchema = z.strictObject({
  pool: resourceName.describe('A pool of `pools` that grows as a buffer (its min and max apply).'),
  maxNodes: z.number().int().min(0).max(1000).optional().describe("At most this many nodes in the pool while it buffers; absent: the pool's max."),
  allocatable: bufferAllocatableSchema,
  hourlyCost: z.number().min(0).describe('What one node of the pool costs an hour (USD), for maxHourlyCost.'),
});

export const buffersSchema = z
  .strictObject({
    pools: z.array(bufferPoolSchema).min(1).describe('Buffer pools in priority order: a scale-up takes the first that fits, then falls back to the next.'),
    maxHourlyCost: z
      .number()
      .positive()
      .optional()
      .describe('Cap on what all buffer pools nodes together cost an hour (USD); a scale-up stops at it. Absent: no cap.'),
    recoveryPeriodSeconds: z
      .number()
      .int()
      .min(0)
      .default(DEFAULT_BUFFERS.recoveryPeriodSeconds)
      .describe('How long a provider that recovered stays healthy before the buffer nodes standing in for it may go.'),
    batchIdleSeconds: z
      .number()
      .int()
      .min(0)
      .default(DEFAULT_BUFFERS.batchIdleSeconds)
      .describe('Pending pods are batched until none arrived for this long...'),
    batchMaxSeconds: z.number().int().min(1).default(DEFAULT_BUFFERS.batchMaxSeconds).describe('...or this long after the first.'),
  })
  .describe('Buffer pools: capacity ScaleBuffer adds for unschedulable pods or a dark provider, and removes calmly.');
