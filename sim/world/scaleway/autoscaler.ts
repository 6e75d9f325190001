import type { Timer } from '../../clock.js';
import { findType } from '../catalog.js';
import { podRequests } from '../cluster/resources.js';
import { readyStatus } from '../cluster/status.js';
import type { KubeObject, ScalewayPool } from '../types.js';
import type { World } from '../world.js';
import type { ScalewayPools } from './pools.js';

/**
 * Kapsule's cluster autoscaler for pools with autoscaling on, with the settings Scaleway reports in a cluster's
 * `autoscaler_config` (https://www.scaleway.com/en/docs/kubernetes/reference-content/using-kapsule-autoscaler/):
 * it scans every 10 s (Cluster Autoscaler's default), grows a pool for pending pods that a node of its type would
 * fit (binpacking, up to max_size), and removes a node that has held nothing but DaemonSet pods for
 * `scale_down_unneeded_time` (10 min), not within `scale_down_delay_after_add` (10 min) of a scale-up, nor below
 * min_size. (Cluster Autoscaler also removes nodes under 50 % use whose pods fit elsewhere; this one removes empty
 * nodes only, which is where a buffer pool's claimed but idle nodes meet it.)
 */
export const AUTOSCALER_SCAN_MS = 10_000;
export const SCALE_DOWN_UNNEEDED_MS = 10 * 60_000;
export const SCALE_DOWN_DELAY_AFTER_ADD_MS = 10 * 60_000;

export class PoolAutoscaler {
  private timer?: Timer;
  /** VM id -> since when its node has been unneeded. */
  private readonly unneededSince = new Map<string, number>();
  /** Pool id -> its last scale-up. */
  private readonly lastScaleUp = new Map<string, number>();

  constructor(
    private readonly world: World,
    private readonly pools: ScalewayPools,
  ) {}

  /** Starts scanning when some pool has autoscaling on (and the world models it); scanning stops when none has. */
  watch(): void {
    if (this.timer && !this.timer.cancelled) return;
    if (!this.world.unkindness.has('scaleway-autoscaler') || !this.autoscaled().length) return;
    this.timer = this.world.clock.setTimer(AUTOSCALER_SCAN_MS, () => this.scan(), 'scaleway autoscaler');
  }

  private autoscaled(): ScalewayPool[] {
    return this.pools.list().filter((p) => p.autoscaling && p.nodeType !== 'external');
  }

  private scan(): void {
    this.timer = undefined;
    for (const pool of this.autoscaled()) {
      if (!this.scaleUp(pool)) this.scaleDown(pool);
    }
    this.watch();
  }

  /** Grows the pool by as many nodes as the pending pods that fit its node type need, less those still coming up. */
  private scaleUp(pool: ScalewayPool): boolean {
    const { kube, catalog, clock } = this.world;
    const type = findType(catalog, 'scaleway', pool.nodeType);
    if (!type || pool.size >= pool.maxSize) return false;
    const capacity = { cpu: type.cpu * 1000, mem: type.memoryMiB * 1024 * 1024 };
    const template = this.templateLabels(pool, type.arch);
    const fitting = kube
      .list('pods')
      .filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp && isUnschedulable(p))
      .filter((p) => fits(p, template, capacity));
    if (fitting.length === 0) return false;
    const cpu = fitting.reduce((sum, p) => sum + podRequests(p).cpu, 0);
    const mem = fitting.reduce((sum, p) => sum + podRequests(p).mem, 0);
    const needed = Math.max(1, Math.ceil(cpu / capacity.cpu), Math.ceil(mem / capacity.mem));
    const vms = this.pools.vms(pool.id).filter((v) => v.state !== 'shutting-down');
    const upcoming = vms.filter((v) => {
      const node = v.nodeName ? kube.get('nodes', undefined, v.nodeName) : undefined;
      return !node || readyStatus(node) !== 'True';
    }).length;
    const target = Math.min(pool.maxSize, pool.size + Math.max(0, needed - upcoming));
    if (target <= pool.size) return false;
    this.world.record('pool.autoscaled', `scaleway autoscaler: pool ${pool.name} ${pool.size} -> ${target} for ${fitting.length} pending pod(s)`, pool.id);
    this.pools.resize(pool.id, target);
    this.lastScaleUp.set(pool.id, clock.now());
    return true;
  }

  /** Removes one node that has been empty (DaemonSet pods aside) for the unneeded time. */
  private scaleDown(pool: ScalewayPool): void {
    const { kube, clock } = this.world;
    const now = clock.now();
    const pods = kube.list('pods').filter((p) => p.spec?.nodeName && !isDaemonSetPod(p) && !['Succeeded', 'Failed'].includes(p.status?.phase));
    const busy = new Set(pods.map((p) => p.spec.nodeName as string));
    const candidates: string[] = [];
    for (const vm of this.pools.vms(pool.id)) {
      const node = vm.nodeName ? kube.get('nodes', undefined, vm.nodeName) : undefined;
      if (vm.state !== 'running' || !node || readyStatus(node) !== 'True' || busy.has(node.metadata.name)) {
        this.unneededSince.delete(vm.id);
        continue;
      }
      const since = this.unneededSince.get(vm.id) ?? now;
      this.unneededSince.set(vm.id, since);
      if (now - since >= SCALE_DOWN_UNNEEDED_MS) candidates.push(vm.id);
    }
    if (candidates.length === 0 || pool.size <= pool.minSize) return;
    if (now - (this.lastScaleUp.get(pool.id) ?? Number.NEGATIVE_INFINITY) < SCALE_DOWN_DELAY_AFTER_ADD_MS) return;
    const victim = candidates.sort()[0];
    this.unneededSince.delete(victim);
    this.world.record('pool.autoscaled', `scaleway autoscaler: pool ${pool.name} removes unneeded node ${this.world.getVm(victim)?.name}`, pool.id);
    this.pools.deleteNode(victim, { replace: false });
  }

  /** The labels a new node of the pool would register with (what a pod's nodeSelector can ask for). */
  private templateLabels(pool: ScalewayPool, arch: string): Record<string, string> {
    return {
      'k8s.scaleway.com/pool-name': pool.name,
      'k8s.scaleway.com/pool': pool.id,
      'k8s.scaleway.com/managed': 'true',
      'node.kubernetes.io/instance-type': pool.nodeType,
      'kubernetes.io/arch': arch,
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/region': pool.region,
      'topology.kubernetes.io/zone': pool.zone,
    };
  }
}

function isUnschedulable(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some((c: { type: string; reason?: string }) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');
}

function isDaemonSetPod(pod: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet');
}

function fits(pod: KubeObject, labels: Record<string, string>, capacity: { cpu: number; mem: number }): boolean {
  const selector: Record<string, string> = pod.spec?.nodeSelector ?? {};
  if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) return false;
  // New pool nodes carry no taints once Ready, so any pod tolerates them; only the requests must fit.
  const r = podRequests(pod);
  return r.cpu <= capacity.cpu && r.mem <= capacity.mem;
}
