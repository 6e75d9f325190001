import { podReady } from '../cluster/status.js';
import type { KubeObject } from '../types.js';
import type { NodeListener } from './network-types.js';

interface ContainerPort {
  name?: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: string;
}

/**
 * The TCP ports a node serves: the `hostPort`s of the Running pods scheduled on it, as an ingress controller
 * DaemonSet with hostPorts does (Kubernetes API reference, Pod `containers[].ports[].hostPort`: the port exposed on
 * the node). A pod evicted, deleted or not yet Running serves nothing.
 */
export function nodeListeners(pods: readonly KubeObject[], nodeName: string): Map<number, NodeListener> {
  const listeners = new Map<number, NodeListener>();
  for (const pod of pods) {
    if (pod.spec?.nodeName !== nodeName || pod.status?.phase !== 'Running') continue;
    const ports: ContainerPort[] = (pod.spec?.containers ?? []).flatMap((c: { ports?: ContainerPort[] }) => c.ports ?? []);
    for (const p of ports) {
      if (!p.hostPort || (p.protocol && p.protocol !== 'TCP')) continue;
      const ready = podReady(pod);
      const known = listeners.get(p.hostPort);
      // Two pods on one hostPort cannot both bind it; the sim's scheduler does not refuse that, so a Ready one wins.
      if (known?.ready && !ready) continue;
      listeners.set(p.hostPort, {
        port: p.hostPort,
        ...(p.name ? { name: p.name } : {}),
        tls: p.hostPort === 443 || /https|tls/.test(p.name ?? ''),
        pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
        ready,
      });
    }
  }
  return listeners;
}
