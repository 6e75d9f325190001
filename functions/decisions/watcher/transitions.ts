import type { VmRef } from '../provision.js';
import type { WatcherEventKind } from './event-types.js';
import { neverReadySinceRegistration } from './never-ready.js';
import { pairNodesWithVms } from './pairing.js';
import { transitionId } from './transition-id.js';
import type {
  NodeMemory,
  NodeObservation,
  Observation,
  Preemption,
  ProviderObservation,
  Transition,
  VmMemory,
  WatcherPolicy,
  WatcherSnapshot,
} from './types.js';

export interface PassDecision {
  /** What to publish, in this order. */
  transitions: Transition[];
  /** The snapshot to save once they are published. */
  next: WatcherSnapshot;
}

/**
 * One watcher pass: the transitions between the previous snapshot and what the pass observed, and the next snapshot.
 * Pure. `basis` names the previous snapshot (its generation): transition ids derive from it, so that a pass repeated
 * from the same snapshot publishes the same ids. Only changes are published, never state: the same world observed
 * twice gives no transition the second time.
 */
export function decidePass(previous: WatcherSnapshot, observation: Observation, policy: WatcherPolicy, basis: string): PassDecision {
  const at = observation.at;
  const transitions: Transition[] = [];
  const emit = <K extends WatcherEventKind>(
    kind: K,
    subject: string,
    fields: Omit<Extract<Transition, { kind: K }>['detail'], 'transitionId' | 'cluster' | 'observedAt'>,
  ) => {
    const detail = { transitionId: transitionId(kind, subject, basis), cluster: policy.cluster, observedAt: at, ...fields };
    transitions.push({ kind, detail } as unknown as Transition);
  };

  const { cluster } = observation;
  if (!cluster.reachable) {
    // Nothing is known of Nodes or pods: everything is kept as it was, and only the API's own transition goes out.
    if (previous.api.unreachableSince) return { transitions, next: previous };
    emit('apiUnreachable', 'api', { error: cluster.error, ...(previous.api.lastReachableAt ? { lastReachableAt: previous.api.lastReachableAt } : {}) });
    return { transitions, next: { ...previous, api: { ...previous.api, unreachableSince: at } } };
  }
  if (previous.api.unreachableSince) emit('apiReachable', 'api', { unreachableSince: previous.api.unreachableSince });

  const next: WatcherSnapshot = { api: { lastReachableAt: at }, nodes: {}, vms: {}, degraded: {}, pods: { count: 0 }, notices: {} };
  const listed = new Map<string, Extract<ProviderObservation, { listed: true }>>();
  for (const p of observation.providers) if (p.listed) listed.set(p.provider, p);
  const failed = new Set(observation.providers.filter((p) => !p.listed).map((p) => p.provider));
  const pairing = pairNodesWithVms(
    cluster.nodes,
    [...listed.values()].flatMap((p) => p.vms),
  );
  const preemptions = new Map<string, { provider: string; notice: Preemption }>();
  for (const p of listed.values()) for (const n of p.preemptions) preemptions.set(`${p.provider}\u0000${n.vmId}`, { provider: p.provider, notice: n });

  // Preemption notices stay remembered while their provider still reports them (or could not be asked).
  for (const [noticeId, provider] of Object.entries(previous.notices)) {
    const stillReported = listed.get(provider)?.preemptions.some((n) => n.noticeId === noticeId);
    if (failed.has(provider) || stillReported) next.notices[noticeId] = provider;
  }

  for (const node of cluster.nodes) {
    const was = previous.nodes[node.name] ?? {};
    const mem: NodeMemory = {};
    const nodeFields = fieldsOf(node);
    if (node.ready !== 'True') {
      mem.notReadySince = was.notReadySince ?? node.readySince ?? at;
      if (!was.notReadySince) {
        emit('nodeNotReady', node.name, {
          ...nodeFields,
          ready: node.ready,
          since: mem.notReadySince,
          ...(node.readyReason ? { reason: node.readyReason } : {}),
          ...(node.registeredAt ? { registeredAt: node.registeredAt } : {}),
          neverReady: neverReadySinceRegistration(node),
        });
      }
    } else if (was.notReadySince) {
      emit('nodeReady', node.name, { ...nodeFields, notReadySince: was.notReadySince });
    }
    Object.assign(mem, vmGone(node, was, nodeFields));
    if (Object.keys(mem).length > 0) next.nodes[node.name] = mem;
  }

  /** The VM-gone part of a Node's memory, publishing the event when the VM has just been found gone. */
  function vmGone(node: NodeObservation, was: NodeMemory, nodeFields: ReturnType<typeof fieldsOf>): NodeMemory {
    const provider = node.provider;
    if (!provider) return {};
    // Its provider could not be listed this pass: nothing new is known, the memory stays.
    if (failed.has(provider)) return pick(was, 'vmMissingSince', 'vmGoneAt');
    if (!listed.has(provider)) return {};
    const vm = pairing.vmOfNode.get(node.name);
    if (vm) {
      const preempted = preemptions.get(`${provider}\u0000${vm.id}`);
      if (!preempted) return {};
      if (next.notices[preempted.notice.noticeId] !== undefined || previous.notices[preempted.notice.noticeId] !== undefined) {
        next.notices[preempted.notice.noticeId] = provider;
        return pick(was, 'vmGoneAt');
      }
      next.notices[preempted.notice.noticeId] = provider;
      emit('nodeVmGone', node.name, {
        ...nodeFields,
        provider,
        cause: 'preempted',
        vm: vmView(vm),
        noticeId: preempted.notice.noticeId,
        nodeReady: node.ready,
      });
      return { vmGoneAt: at };
    }
    const mem: NodeMemory = { vmMissingSince: was.vmMissingSince ?? at };
    if (was.vmGoneAt) return { ...mem, vmGoneAt: was.vmGoneAt };
    // Missing from one list while the Node is Ready may be a list that lags a launch (EC2): a second pass confirms,
    // unless the provider, asked about the VM itself this pass (vmsToConfirm), said it is gone.
    if (node.ready === 'True' && !was.vmMissingSince && observation.vmStates?.[node.name] !== 'gone') return mem;
    emit('nodeVmGone', node.name, { ...nodeFields, provider, cause: 'missing', nodeReady: node.ready });
    return { ...mem, vmGoneAt: at };
  }

  // VMs without a Node: remembered from the first pass that saw them so, orphans once past the registration deadline.
  for (const [key, mem] of Object.entries(previous.vms)) if (failed.has(mem.provider)) next.vms[key] = mem;
  for (const vm of pairing.unpaired) {
    const key = `${vm.provider}/${vm.id || vm.name}`;
    const was: VmMemory | undefined = previous.vms[key];
    const mem: VmMemory = {
      provider: vm.provider,
      firstSeenWithoutNode: was?.firstSeenWithoutNode ?? at,
      ...(was?.orphanAt ? { orphanAt: was.orphanAt } : {}),
    };
    if (!mem.orphanAt && Date.parse(at) - Date.parse(mem.firstSeenWithoutNode) >= policy.registrationTimeoutSeconds * 1000) {
      emit('orphanVm', key, {
        provider: vm.provider,
        vm: vmView(vm),
        withoutNodeSince: mem.firstSeenWithoutNode,
        deadlineSeconds: policy.registrationTimeoutSeconds,
      });
      mem.orphanAt = at;
    }
    next.vms[key] = mem;
  }

  // Providers and regions with many NotReady Nodes at once.
  const scopes = new Map<string, { provider: string; region?: string; total: number; notReady: number }>();
  const count = (key: string, provider: string, region: string | undefined, notReady: boolean) => {
    const s = scopes.get(key) ?? { provider, ...(region ? { region } : {}), total: 0, notReady: 0 };
    s.total++;
    if (notReady) s.notReady++;
    scopes.set(key, s);
  };
  for (const node of cluster.nodes) {
    if (!node.provider) continue;
    count(node.provider, node.provider, undefined, node.ready !== 'True');
    if (node.region) count(`${node.provider}/${node.region}`, node.provider, node.region, node.ready !== 'True');
  }
  for (const [key, s] of [...scopes].sort(([a], [b]) => a.localeCompare(b))) {
    const percent = (s.notReady * 100) / s.total;
    if (s.notReady < policy.degradedMinNodes || percent < policy.degradedPercent) continue;
    next.degraded[key] = previous.degraded[key] ?? at;
    if (!previous.degraded[key]) emit('providerDegraded', key, { ...s, percent: Math.round(percent * 10) / 10, thresholdPercent: policy.degradedPercent });
  }
  for (const [key, since] of Object.entries(previous.degraded)) {
    if (next.degraded[key]) continue;
    const [provider, region] = key.split('/');
    const s = scopes.get(key) ?? { provider, ...(region ? { region } : {}), total: 0, notReady: 0 };
    emit('providerRecovered', key, { ...s, degradedSince: since });
  }

  // Unschedulable pods: one event when there are more than at the previous pass, one when none are left.
  const pods = cluster.pods;
  const was = previous.pods;
  if (!pods) next.pods = was;
  else {
    if (pods.count > was.count) {
      emit('podsUnschedulable', 'pods', {
        count: pods.count,
        previousCount: was.count,
        ...(pods.oldestSince ? { oldestSince: pods.oldestSince } : {}),
        sample: pods.sample.slice(0, policy.podSampleSize),
      });
    } else if (pods.count === 0 && was.count > 0) {
      emit('podsSchedulable', 'pods', { previousCount: was.count, unschedulableSince: was.since ?? at });
    }
    next.pods = pods.count > 0 ? { count: pods.count, since: was.count > 0 && was.since ? was.since : at } : { count: 0 };
  }

  return { transitions, next };
}

function fieldsOf(node: NodeObservation) {
  return {
    node: node.name,
    ...(node.provider ? { provider: node.provider } : {}),
    ...(node.pool ? { pool: node.pool } : {}),
    ...(node.region ? { region: node.region } : {}),
  };
}

/** The VM as the watcher's and healing's events carry it. */
export function vmView(vm: VmRef) {
  return {
    id: vm.id,
    name: vm.name,
    zone: vm.zone,
    region: vm.region,
    type: vm.type,
    ...(vm.providerID ? { providerID: vm.providerID } : {}),
    ...(vm.poolId ? { poolId: vm.poolId } : {}),
  };
}

function pick(mem: NodeMemory, ...keys: (keyof NodeMemory)[]): NodeMemory {
  const out: NodeMemory = {};
  for (const k of keys) if (mem[k] !== undefined) out[k] = mem[k];
  return out;
}
