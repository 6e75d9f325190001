import type { KubeObject } from '../types.js';

export function readyStatus(node: KubeObject): 'True' | 'False' | 'Unknown' {
  return node.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status ?? 'Unknown';
}

export function podReady(pod: KubeObject): boolean {
  return pod.status?.phase === 'Running' && pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** A Node's conditions as the kubelet (or, for Unknown, the node-lifecycle controller) writes them. */
export function nodeConditions(ready: 'True' | 'False' | 'Unknown', reason: string, message: string, now: string) {
  const pressure = ready === 'Unknown' ? 'Unknown' : 'False';
  const pReason = ready === 'Unknown' ? 'NodeStatusUnknown' : undefined;
  const pMessage = ready === 'Unknown' ? 'Kubelet stopped posting node status.' : undefined;
  const c = (type: string, ok: string) => ({
    type,
    status: pressure,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason: pReason ?? `KubeletHas${ok}`,
    message:
      pMessage ??
      `kubelet has ${ok
        .replace(/([A-Z])/g, ' $1')
        .trim()
        .toLowerCase()}`,
  });
  return [
    c('MemoryPressure', 'SufficientMemory'),
    c('DiskPressure', 'NoDiskPressure'),
    c('PIDPressure', 'SufficientPID'),
    { type: 'Ready', status: ready, lastHeartbeatTime: now, lastTransitionTime: now, reason, message },
  ];
}
