import type { NodeObservation, UnschedulablePods } from '../../decisions/watcher/types.js';
import { type PendingPod, UnschedulableTally } from '../../decisions/watcher/unschedulable-pods.js';
import { KubeClient } from './client.js';
import { parseKubeconfig } from './kubeconfig.js';
import type { KubeNode } from './types.js';

/** The calls of KubeClient this adapter makes (a test passes a fake). */
export type PageCalls = Pick<KubeClient, 'pages'>;

const NODES = '/api/v1/nodes';
/** Pending pods of every namespace: the API server filters by phase, so Running pods never cross the wire. */
const PODS = '/api/v1/pods';

/** The cluster as the watcher reads it: Nodes reduced to what transitions need, and a tally of unschedulable pods. */
export class KubeClusterReader {
  constructor(private readonly kube: PageCalls) {}

  /** From a kubeconfig's text; `origin` (the secret's reference) is what its errors name. */
  static fromKubeconfig(text: string, origin: string): KubeClusterReader {
    return new KubeClusterReader(new KubeClient(parseKubeconfig(text, origin)));
  }

  async nodes(): Promise<NodeObservation[]> {
    let out: NodeObservation[] = [];
    for await (const page of this.kube.pages<KubeNode>(NODES)) {
      if (page.restarted) out = [];
      for (const n of page.items) out.push(observeNode(n));
    }
    return out;
  }

  /** Pending pods, page by page; only the tally is kept (50,000 pods never sit in memory at once). */
  async unschedulablePods(sampleSize: number): Promise<UnschedulablePods> {
    const tally = new UnschedulableTally(sampleSize);
    for await (const page of this.kube.pages<PendingPod>(PODS, { fieldSelector: 'status.phase=Pending' })) {
      if (page.restarted) tally.restart();
      tally.add(page.items);
    }
    return tally.result();
  }
}

function observeNode(n: KubeNode): NodeObservation {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  const labels = n.metadata?.labels ?? {};
  const status = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
  const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  return {
    name: n.metadata?.name ?? '',
    ready: status,
    ...(ready?.lastTransitionTime ? { readySince: ready.lastTransitionTime } : {}),
    ...(ready?.reason ? { readyReason: ready.reason } : {}),
    ...(n.metadata?.creationTimestamp ? { registeredAt: n.metadata.creationTimestamp } : {}),
    ...(n.spec?.providerID ? { providerID: n.spec.providerID } : {}),
    ...(ip ? { internalIp: ip } : {}),
    ...(labels['shepherd.io/provider'] ? { provider: labels['shepherd.io/provider'] } : {}),
    ...(labels['shepherd.io/pool'] ? { pool: labels['shepherd.io/pool'] } : {}),
    ...(labels['shepherd.io/claim'] ? { claim: labels['shepherd.io/claim'] } : {}),
    ...(labels['topology.kubernetes.io/region'] ? { region: labels['topology.kubernetes.io/region'] } : {}),
  };
}
