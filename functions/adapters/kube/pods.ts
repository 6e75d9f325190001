import type { DrainPod } from '../../decisions/drain.js';
import { KubeClient } from './client.js';
import { isKubeApiError } from './errors.js';
import { parseKubeconfig } from './kubeconfig.js';
import { retryableKubeCall } from './retryable.js';

/** The fields of a Pod (core/v1) a drain reads. */
interface KubePod {
  metadata?: {
    name?: string;
    namespace?: string;
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; controller?: boolean }[];
  };
  status?: { phase?: string };
}

/** What an eviction did: the pod goes, a PodDisruptionBudget forbids it now (429), or it is already gone (404). */
export type EvictionResult = 'evicted' | 'blocked' | 'gone';

/** The Kubernetes API as a drain needs it. */
export interface PodApi {
  /** Every pod bound to the node, in all namespaces (paged). */
  listOnNode(nodeName: string): Promise<DrainPod[]>;
  /** Asks the eviction subresource (policy/v1 Eviction) to evict the pod, which honours PodDisruptionBudgets. */
  evict(namespace: string, name: string): Promise<EvictionResult>;
  /** Deletes the pod, bypassing PodDisruptionBudgets (the force path). Returns whether it existed. */
  delete(namespace: string, name: string): Promise<boolean>;
}

/** The calls of KubeClient this adapter makes (a test passes a fake). */
export type PodCalls = Pick<KubeClient, 'list' | 'create' | 'delete'>;

/** The kubelet's annotation on the API server's copy of a static pod (k8s.io/api core/v1 MirrorPodAnnotationKey). */
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export class KubePodApi implements PodApi {
  constructor(private readonly kube: PodCalls) {}

  /** From a kubeconfig's text; `origin` (the secret's reference or the file) is what its errors name. */
  static fromKubeconfig(text: string, origin: string): KubePodApi {
    return new KubePodApi(new KubeClient(parseKubeconfig(text, origin)));
  }

  async listOnNode(nodeName: string): Promise<DrainPod[]> {
    // A field selector on spec.nodeName, as kubectl drain lists a node's pods; the client follows `continue`.
    const items = await retryableKubeCall(() => this.kube.list<KubePod>('/api/v1/pods', { fieldSelector: `spec.nodeName=${nodeName}` }));
    return items.map(toDrainPod);
  }

  async evict(namespace: string, name: string): Promise<EvictionResult> {
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } };
    try {
      await this.kube.create(`${podPath(namespace, name)}/eviction`, body);
      return 'evicted';
    } catch (err) {
      // Kubernetes API-initiated eviction: 429 TooManyRequests while a PodDisruptionBudget allows no disruption (the
      // caller retries later); 404 when the pod is already gone.
      if (isKubeApiError(err) && err.status === 429) return 'blocked';
      if (isKubeApiError(err) && err.status === 404) return 'gone';
      return retryableKubeCall(() => Promise.reject(err));
    }
  }

  delete(namespace: string, name: string): Promise<boolean> {
    return retryableKubeCall(() => this.kube.delete(podPath(namespace, name)));
  }
}

function podPath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
}

function toDrainPod(p: KubePod): DrainPod {
  const controller = p.metadata?.ownerReferences?.find((r) => r.controller);
  return {
    namespace: p.metadata?.namespace ?? 'default',
    name: p.metadata?.name ?? '',
    ...(controller ? { controllerKind: controller.kind } : {}),
    mirror: p.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined,
    terminating: Boolean(p.metadata?.deletionTimestamp),
    ...(p.status?.phase ? { phase: p.status.phase } : {}),
  };
}
