import type { DnsNodeView } from '../../decisions/dns/types.js';
import { KubeClient } from './client.js';
import { parseKubeconfig } from './kubeconfig.js';
import { retryableKubeCall } from './retryable.js';
import type { KubeNode } from './types.js';

/** A Node as DNS failover reads it: the decisions' view plus the providerID that ties an EC2 event to it. */
export interface DnsNode {
  view: DnsNodeView;
  providerID?: string;
}

/** The Node fields DNS failover reads beyond KubeNode's: annotations (an address source) and cordoning. */
type DnsKubeNode = KubeNode & {
  metadata?: KubeNode['metadata'] & { annotations?: Record<string, string> };
  spec?: KubeNode['spec'] & { unschedulable?: boolean };
};

/** The calls of KubeClient this adapter makes (a test passes a fake). */
export type DnsNodeCalls = Pick<KubeClient, 'list'>;

/** Every Node of the cluster, reduced to what entrypointTargets reads. */
export class KubeDnsNodeReader {
  /** `poolOf` names a Node's pool from its labels (poolOfNode with the config): a home node has no shepherd.io/pool label. */
  constructor(
    private readonly kube: DnsNodeCalls,
    private readonly poolOf: (labels: Record<string, string>) => string | undefined = () => undefined,
  ) {}

  /** From a kubeconfig's text; `origin` (the secret's reference) is what its errors name. */
  static fromKubeconfig(text: string, origin: string, poolOf?: (labels: Record<string, string>) => string | undefined): KubeDnsNodeReader {
    return new KubeDnsNodeReader(new KubeClient(parseKubeconfig(text, origin)), poolOf);
  }

  async nodes(): Promise<DnsNode[]> {
    const items = await retryableKubeCall(() => this.kube.list<DnsKubeNode>('/api/v1/nodes'));
    return items.map((n) => toDnsNode(n, this.poolOf));
  }
}

export function toDnsNode(n: DnsKubeNode, poolOf: (labels: Record<string, string>) => string | undefined = () => undefined): DnsNode {
  const condition = n.status?.conditions?.find((c) => c.type === 'Ready');
  const ready = condition?.status;
  const labels = n.metadata?.labels ?? {};
  const pool = poolOf(labels);
  return {
    view: {
      name: n.metadata?.name ?? '',
      ...(pool ? { pool } : {}),
      labels,
      annotations: n.metadata?.annotations ?? {},
      ready: ready === 'True' || ready === 'False' ? ready : 'Unknown',
      ...(condition?.lastTransitionTime ? { readySince: condition.lastTransitionTime } : {}),
      unschedulable: n.spec?.unschedulable === true,
      taints: (n.spec?.taints ?? []).map((t) => ({ key: t.key, ...(t.effect ? { effect: t.effect } : {}) })),
      addresses: n.status?.addresses ?? [],
    },
    ...(n.spec?.providerID ? { providerID: n.spec.providerID } : {}),
  };
}
