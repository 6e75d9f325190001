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

/** The kubelet's reason and message for each pressure condition while it is False (kubelet setters.go). */
const PRESSURE_CONDITIONS: ReadonlyArray<readonly [type: string, reason: string, message: string]> = [
  ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
];

/** A Node's conditions as the kubelet (or, for Unknown, the node-lifecycle controller) writes them. */
export function nodeConditions(ready: 'True' | 'False' | 'Unknown', reason: string, message: string, now: string) {
  const unknown = ready === 'Unknown';
  const pressure = PRESSURE_CONDITIONS.map(([type, okReason, okMessage]) => ({
    type,
    status: unknown ? 'Unknown' : 'False',
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason: unknown ? 'NodeStatusUnknown' : okReason,
    message: unknown ? 'Kubelet stopped posting node status.' : okMessage,
  }));
  return [...pressure, { type: 'Ready', status: ready, lastHeartbeatTime: now, lastTransitionTime: now, reason, message }];
}
