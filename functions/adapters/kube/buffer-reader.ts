import type { BufferClusterRead, BufferKubeNode, BufferKubePod } from '../../decisions/buffer/kube-types.js';
import type { KubeClient } from './client.js';

/** The calls of KubeClient this adapter makes (a test passes a fake). */
export type ListCalls = Pick<KubeClient, 'list'>;

interface KubeBudget {
  metadata?: { name?: string; namespace?: string };
  spec?: { selector?: { matchLabels?: Record<string, string> } };
  status?: { disruptionsAllowed?: number };
}

/** Reads Nodes, live Pods and PodDisruptionBudgets through the Kubernetes API (one list each, paged by the client). */
export class KubeBufferReader {
  constructor(private readonly kube: ListCalls) {}

  async read(): Promise<BufferClusterRead> {
    const [nodes, pods, budgets] = await Promise.all([
      this.kube.list<BufferKubeNode>('/api/v1/nodes'),
      this.kube.list<BufferKubePod>('/api/v1/pods'),
      this.kube.list<KubeBudget>('/apis/policy/v1/poddisruptionbudgets'),
    ]);
    return {
      nodes,
      pods: pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'),
      budgets: budgets.map((b) => ({
        namespace: b.metadata?.namespace ?? 'default',
        name: b.metadata?.name ?? '',
        matchLabels: b.spec?.selector?.matchLabels ?? {},
        disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
      })),
    };
  }
}
