import type { NodeTaint, NodeView } from '../../decisions/provision.js';
import { KubeClient } from './client.js';
import { isKubeApiError } from './errors.js';
import { parseKubeconfig } from './kubeconfig.js';
import { retryableKubeCall } from './retryable.js';
import type { KubeNode } from './types.js';

/** The Kubernetes API as the node workflows need it. */
export interface NodeApi {
  list(labelSelector?: string): Promise<NodeView[]>;
  get(name: string): Promise<(NodeView & { taints: NodeTaint[]; resourceVersion: string }) | undefined>;
  /**
   * Sets labels and taints. With `resourceVersion`, the API server refuses (409) if the Node changed
   * since it was read, so two claims can never take the same Node.
   */
  label(name: string, labels: Record<string, string>, taints: NodeTaint[] | undefined, resourceVersion?: string): Promise<void>;
  /** Deletes the Node; one already gone is not an error. Returns whether it existed. */
  delete(name: string): Promise<boolean>;
  /** Marks the Node unschedulable (kubectl cordon). Returns false when there is no such Node. */
  cordon(name: string): Promise<boolean>;
}

export class NodeConflictError extends Error {
  override name = 'NodeConflictError';
}

/** The calls of KubeClient this adapter makes (a test passes a fake). */
export type NodeCalls = Pick<KubeClient, 'list' | 'get' | 'patch' | 'delete'>;

/** Nodes are cluster-scoped: one collection path (also how bench:functions tells that a bundle talks to Kubernetes). */
const NODES = '/api/v1/nodes';

export class KubeNodeApi implements NodeApi {
  constructor(private readonly kube: NodeCalls) {}

  /** From a kubeconfig's text; `origin` (the secret's reference or the file) is what its errors name. */
  static fromKubeconfig(text: string, origin: string): KubeNodeApi {
    return new KubeNodeApi(new KubeClient(parseKubeconfig(text, origin)));
  }

  async list(labelSelector?: string): Promise<NodeView[]> {
    const items = await this.call(() => this.kube.list<KubeNode>(NODES, { labelSelector }));
    return items.map(toView);
  }

  async get(name: string) {
    const n = await this.call(() => this.kube.get<KubeNode>(nodePath(name)));
    if (!n) return undefined;
    return { ...toView(n), taints: n.spec?.taints ?? [], resourceVersion: n.metadata?.resourceVersion ?? '' };
  }

  async label(name: string, labels: Record<string, string>, taints: NodeTaint[] | undefined, resourceVersion?: string): Promise<void> {
    const body: Record<string, unknown> = { metadata: { labels, ...(resourceVersion ? { resourceVersion } : {}) } };
    if (taints) body.spec = { taints };
    try {
      await this.call(() => this.kube.patch(nodePath(name), body, 'merge'));
    } catch (err) {
      if (isKubeApiError(err) && err.status === 409) throw new NodeConflictError(`node ${name} changed while being labelled; retry`);
      throw err;
    }
  }

  delete(name: string): Promise<boolean> {
    return this.call(() => this.kube.delete(nodePath(name)));
  }

  /** A merge patch of spec.unschedulable, as kubectl cordon sends: idempotent, and it leaves taints and labels alone. */
  async cordon(name: string): Promise<boolean> {
    try {
      await this.call(() => this.kube.patch(nodePath(name), { spec: { unschedulable: true } }, 'merge'));
      return true;
    } catch (err) {
      if (isKubeApiError(err) && err.status === 404) return false;
      throw err;
    }
  }

  /** Throttling and server or network failures become retryable errors; everything else is rethrown as it is. */
  private call<T>(fn: () => Promise<T>): Promise<T> {
    return retryableKubeCall(fn);
  }
}

function nodePath(name: string): string {
  return `${NODES}/${encodeURIComponent(name)}`;
}

function toView(n: KubeNode): NodeView {
  const condition = n.status?.conditions?.find((c) => c.type === 'Ready');
  const ready = condition?.status ?? 'Unknown';
  return {
    name: n.metadata?.name ?? '',
    uid: n.metadata?.uid,
    providerID: n.spec?.providerID,
    internalIp: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
    ready: ready as NodeView['ready'],
    labels: n.metadata?.labels ?? {},
    ...(n.metadata?.creationTimestamp ? { createdAt: n.metadata.creationTimestamp } : {}),
    ...(condition
      ? {
          readyCondition: {
            type: 'Ready' as const,
            status: condition.status as NodeView['ready'],
            ...(condition.lastTransitionTime ? { lastTransitionTime: condition.lastTransitionTime } : {}),
            ...(condition.reason ? { reason: condition.reason } : {}),
          },
        }
      : {}),
  };
}
