import type { Clock } from '../../clock.js';
import type { Random } from '../../random.js';
import type { KubeStore } from '../kube-store.js';
import type { Vm } from '../types.js';
import type { ClusterEvents } from './events.js';
import type { NodeLifecycle } from './node-lifecycle.js';
import type { PodLifecycle } from './pod-lifecycle.js';
import type { Scheduler } from './scheduler.js';
import type { WorkloadControllers } from './workloads.js';

/** What the cluster needs to know about the machines under its nodes. */
export interface MachineView {
  /** Whether the kubelet on this node can reach the control plane. */
  reachable(nodeName: string): boolean;
  /** The VM behind a node, if any. */
  vmOfNode(nodeName: string): Vm | undefined;
  record(type: string, message: string, subject?: string): void;
}

export interface ClusterOptions {
  /** The simulated Kubernetes version (`1.31.2`): the kubelets' version, and defaults that follow it. */
  kubernetesVersion: string;
  /** Node-monitor grace period: Ready goes Unknown this long after the kubelet stops reporting. */
  nodeMonitorGracePeriodMs: number;
  /** Default tolerationSeconds for not-ready/unreachable added to every pod. */
  defaultTolerationSeconds: number;
  /** Delete a Node whose VM is gone (the cloud node-lifecycle controller). Kosmos external nodes have none. */
  cloudLifecycleController: boolean;
  /** Time from registration to Ready (CNI and kubelet warm-up). */
  nodeReadyDelayMs: number;
  /** PodDisruptionBudgets with the default IfHealthyBudget policy guard pods that are not Ready too (disruption-budgets.ts). */
  unhealthyPodsNeedHealthyBudget: boolean;
  /** How long an Event lives after its last write (kube-apiserver --event-ttl); 0 for ever (events.ts). */
  eventTtlMs: number;
}

/** What every controller of the simulated control plane works with. */
export interface ClusterEnv {
  readonly store: KubeStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly machines: MachineView;
  readonly options: ClusterOptions;
  /** The controllers' and kubelets' Events. */
  readonly events: ClusterEvents;
}

/** The controllers, as they reach each other (a node turning Ready wakes the scheduler, and so on). */
export interface ClusterControllers {
  readonly nodes: NodeLifecycle;
  readonly pods: PodLifecycle;
  readonly scheduler: Scheduler;
  readonly workloads: WorkloadControllers;
}

/**
 * kube-controller-manager's default `--node-monitor-grace-period` for a Kubernetes version: 40 s up to 1.31,
 * 50 s from 1.32 (kubernetes/kubernetes#126287, in the 1.32 changelog; kube-controller-manager reference,
 * `--node-monitor-grace-period`, default 50s).
 */
export function defaultNodeMonitorGracePeriodMs(version: string): number {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 32) ? 50_000 : 40_000;
}
