import type { KubeObject, Taint, Toleration } from '../types.js';

export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export function tolerates(pod: KubeObject, taint: Taint): boolean {
  return ((pod.spec?.tolerations as Toleration[] | undefined) ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** The tolerations the DaemonSet controller adds to its pods. */
export function daemonTolerations(existing: Toleration[] | undefined): Toleration[] {
  const out = [...(existing ?? [])];
  for (const [key, effect] of [
    [NOT_READY, 'NoExecute'],
    [UNREACHABLE, 'NoExecute'],
    [UNSCHEDULABLE, 'NoSchedule'],
    ['node.kubernetes.io/disk-pressure', 'NoSchedule'],
    ['node.kubernetes.io/memory-pressure', 'NoSchedule'],
  ]) {
    if (!out.some((t) => t.key === key && t.effect === effect)) out.push({ key, operator: 'Exists', effect });
  }
  return out;
}
