import type { DnsNodeView } from '../../decisions/dns/types.js';
import type { KubeClient } from './client.js';
import type { KubeNode } from './types.js';

/** The Node fields DNS reads besides those of KubeNode. */
interface DnsKubeNode extends KubeNode {
  metadata?: KubeNode['metadata'] & { annotations?: Record<string, string> };
  spec?: KubeNode['spec'] & { unschedulable?: boolean };
}

/** Every Node as the DNS decisions read it (decisions/dns/types.ts), page by page. */
export class KubeDnsNodeReader {
  constructor(private readonly kube: Pick<KubeClient, 'pages'>) {}

  async nodes(): Promise<DnsNodeView[]> {
    let out: DnsNodeView[] = [];
    for await (const page of this.kube.pages<DnsKubeNode>('/api/v1/nodes')) {
      if (page.restarted) out = [];
      for (const n of page.items) out.push(dnsNodeView(n));
    }
    return out;
  }
}

export function dnsNodeView(n: DnsKubeNode): DnsNodeView {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return {
    name: n.metadata?.name ?? '',
    labels: n.metadata?.labels ?? {},
    annotations: n.metadata?.annotations ?? {},
    ready: ready === 'True' || ready === 'False' ? ready : 'Unknown',
    unschedulable: n.spec?.unschedulable === true,
    taints: (n.spec?.taints ?? []).map((t) => ({ key: t.key, effect: t.effect })),
    addresses: n.status?.addresses ?? [],
  };
}
