import type { KubePodForScheduling } from './pod-views.js';
import type { DisruptionBudget } from './scale-down.js';
import type { Taint } from './types.js';

/** A Node (core/v1) as ScaleBuffer reads it: labels, taints, allocatable, Ready. */
export interface BufferKubeNode {
  metadata?: { name?: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec?: { taints?: Taint[]; unschedulable?: boolean };
  status?: { allocatable?: { cpu?: string; memory?: string; pods?: string }; conditions?: { type: string; status: string }[] };
}

/** A Pod (core/v1) as ScaleBuffer reads it: what scheduling and scale-down look at, its node and phase. */
export interface BufferKubePod extends KubePodForScheduling {
  spec?: KubePodForScheduling['spec'] & { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[] };
}

/** What one ScaleBuffer plan reads of the cluster, in three lists. */
export interface BufferClusterRead {
  nodes: BufferKubeNode[];
  /** Pods not finished (Pending or Running), bound or not. */
  pods: BufferKubePod[];
  budgets: DisruptionBudget[];
}
