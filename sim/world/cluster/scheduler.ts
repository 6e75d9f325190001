import type { Timer } from '../../clock.js';
import { isoSeconds } from '../kube-store.js';
import type { KubeObject, Taint } from '../types.js';
import type { ClusterEnv } from './context.js';
import { nodeAllocatable, podRequests } from './resources.js';
import { podKey, readyStatus } from './status.js';
import { NOT_READY, tolerates, UNREACHABLE, UNSCHEDULABLE } from './taints.js';

/** kube-scheduler: binds pending pods to the Ready node with the most CPU left, or reports why none fits. */
export class Scheduler {
  private timer?: Timer;

  constructor(private readonly env: ClusterEnv) {}

  scheduleSoon(): void {
    if (this.timer && !this.timer.cancelled) return;
    this.timer = this.env.clock.setTimer(500, () => this.schedulePending(), 'scheduler');
  }

  /** One scheduling pass over pending pods, oldest first. */
  schedulePending(): void {
    const { store } = this.env;
    const pending = store
      .list('pods')
      .filter((p) => !p.spec.nodeName && !p.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    if (pending.length === 0) return;
    const nodes = store.list('nodes');
    const used = new Map<string, { cpu: number; mem: number; pods: number }>();
    for (const p of store.list('pods')) {
      if (!p.spec.nodeName || ['Succeeded', 'Failed'].includes(p.status?.phase)) continue;
      const u = used.get(p.spec.nodeName) ?? { cpu: 0, mem: 0, pods: 0 };
      const r = podRequests(p);
      u.cpu += r.cpu;
      u.mem += r.mem;
      u.pods++;
      used.set(p.spec.nodeName, u);
    }
    for (const pod of pending) {
      const req = podRequests(pod);
      const reasons = new Map<string, number>();
      const note = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
      let best: { name: string; free: number } | undefined;
      for (const node of nodes) {
        if (readyStatus(node) !== 'True') {
          note(`node(s) had untolerated taint {${readyStatus(node) === 'Unknown' ? UNREACHABLE : NOT_READY}: }`);
          continue;
        }
        if (node.spec?.unschedulable && !tolerates(pod, { key: UNSCHEDULABLE, effect: 'NoSchedule' })) {
          note('node(s) were unschedulable');
          continue;
        }
        const selector: Record<string, string> = pod.spec.nodeSelector ?? {};
        if (Object.entries(selector).some(([k, v]) => node.metadata.labels?.[k] !== v)) {
          note("node(s) didn't match Pod's node affinity/selector");
          continue;
        }
        const taint = (node.spec?.taints as Taint[] | undefined)?.find((t) => t.effect !== 'PreferNoSchedule' && !tolerates(pod, t));
        if (taint) {
          note(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
          continue;
        }
        const alloc = nodeAllocatable(node);
        const u = used.get(node.metadata.name) ?? { cpu: 0, mem: 0, pods: 0 };
        if (u.cpu + req.cpu > alloc.cpu) {
          note('Insufficient cpu');
          continue;
        }
        if (u.mem + req.mem > alloc.mem) {
          note('Insufficient memory');
          continue;
        }
        if (u.pods + 1 > alloc.pods) {
          note('Too many pods');
          continue;
        }
        const free = (alloc.cpu - u.cpu - req.cpu) / Math.max(1, alloc.cpu);
        if (!best || free > best.free) best = { name: node.metadata.name, free };
      }
      if (best) {
        const u = used.get(best.name) ?? { cpu: 0, mem: 0, pods: 0 };
        used.set(best.name, { cpu: u.cpu + req.cpu, mem: u.mem + req.mem, pods: u.pods + 1 });
        this.bind(pod, best.name);
      } else {
        const parts = [...reasons].sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${n} ${r}`);
        const message = `0/${nodes.length} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.`;
        this.markUnschedulable(pod, message);
      }
    }
  }

  /** Puts a pod on a node (the scheduler's binding, or a pod created with spec.nodeName). */
  bind(pod: KubeObject, nodeName: string): void {
    const { store, clock, random, machines } = this.env;
    const now = isoSeconds(clock.now());
    const node = store.get('nodes', undefined, nodeName);
    const ready = node ? readyStatus(node) === 'True' && machines.reachable(nodeName) : false;
    store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
      p.spec.nodeName = nodeName;
      p.status = {
        phase: ready ? 'Running' : 'Pending',
        hostIP: node?.status?.addresses?.find((a: { type: string }) => a.type === 'InternalIP')?.address,
        podIP: `10.244.${random.int(0, 255)}.${random.int(2, 254)}`,
        startTime: now,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
        ],
      };
    });
  }

  private markUnschedulable(pod: KubeObject, message: string): void {
    const prev = pod.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled');
    if (prev?.reason === 'Unschedulable' && prev.message === message) return;
    // The condition's time is when its status last changed: a new message keeps it (Kubernetes' UpdatePodCondition,
    // pkg/api/v1/pod/util.go: "if condition.Status == oldCondition.Status, keep LastTransitionTime").
    const since = prev?.status === 'False' && prev.lastTransitionTime ? prev.lastTransitionTime : isoSeconds(this.env.clock.now());
    this.env.store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
      p.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: since }],
      };
    });
    if (!prev) this.env.machines.record('pod.unschedulable', `pod ${podKey(pod)} Pending: ${message}`, podKey(pod));
  }
}
