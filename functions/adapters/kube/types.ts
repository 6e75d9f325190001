import type { NodeTaint } from '../../decisions/provision.js';

/** The fields of a Kubernetes Node (core/v1) that shepherd reads. */
export interface KubeNode {
  metadata?: { name?: string; uid?: string; labels?: Record<string, string>; resourceVersion?: string; creationTimestamp?: string };
  spec?: { providerID?: string; taints?: NodeTaint[] };
  status?: {
    conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[];
    addresses?: { type: string; address: string }[];
  };
}
