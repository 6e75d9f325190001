import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import type { NodeTaint, NodeView } from '../../decisions/provision.js';
import { ThrottledError, TransientError } from '../../runtime/errors.js';
import { networkErrorCode } from './network-errors.js';

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
}

export class NodeConflictError extends Error {
  override name = 'NodeConflictError';
}

/** The calls of CoreV1Api this adapter makes (a test passes a fake). */
export type NodeCalls = Pick<CoreV1Api, 'listNode' | 'readNode' | 'patchNode' | 'deleteNode'>;

export class KubeNodeApi implements NodeApi {
  private readonly core: NodeCalls;

  /** From a kubeconfig (YAML or JSON text), or from the calls themselves. */
  constructor(source: string | NodeCalls) {
    if (typeof source !== 'string') {
      this.core = source;
      return;
    }
    const kc = new KubeConfig();
    kc.loadFromString(source);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async list(labelSelector?: string): Promise<NodeView[]> {
    const out: NodeView[] = [];
    let _continue: string | undefined;
    do {
      const page = await this.call(() => this.core.listNode({ labelSelector, limit: 500, _continue }));
      out.push(...page.items.map(toView));
      _continue = page.metadata?._continue || undefined;
    } while (_continue);
    return out;
  }

  async get(name: string) {
    try {
      const n = await this.call(() => this.core.readNode({ name }));
      return { ...toView(n), taints: (n.spec?.taints ?? []) as NodeTaint[], resourceVersion: n.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async label(name: string, labels: Record<string, string>, taints: NodeTaint[] | undefined, resourceVersion?: string): Promise<void> {
    const body: Record<string, unknown> = { metadata: { labels, ...(resourceVersion ? { resourceVersion } : {}) } };
    if (taints) body.spec = { taints };
    try {
      await this.call(() => this.core.patchNode({ name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    } catch (err) {
      if (statusOf(err) === 409) throw new NodeConflictError(`node ${name} changed while being labelled; retry`);
      throw err;
    }
  }

  async delete(name: string): Promise<boolean> {
    try {
      await this.call(() => this.core.deleteNode({ name }));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** Throttling and server or network failures become retryable errors; everything else is rethrown as it is. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = statusOf(err);
      const network = networkErrorCode(err);
      const msg = () => `Kubernetes API: ${code ?? network ?? ''} ${String((err as Error).message).slice(0, 300)}`;
      if (code === 429) throw new ThrottledError(msg());
      if ((code !== undefined && code >= 500) || network !== undefined) throw new TransientError(msg());
      throw err;
    }
  }
}

function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function toView(n: V1Node): NodeView {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  return {
    name: n.metadata?.name ?? '',
    providerID: n.spec?.providerID,
    internalIp: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
    ready: ready as NodeView['ready'],
    labels: n.metadata?.labels ?? {},
  };
}
