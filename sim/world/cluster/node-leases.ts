import type { KubeObject } from '../types.js';
import type { ClusterEnv } from './context.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** kubelet `nodeLeaseDurationSeconds` default (kubelet configuration reference). */
const LEASE_DURATION_SECONDS = 40;
/** The kubelet renews its Lease every 10 s by default (Kubernetes docs, Nodes, "Heartbeats"). */
export const LEASE_RENEW_INTERVAL_MS = 10_000;

/**
 * Node heartbeats: the Lease each kubelet keeps in kube-node-lease. Its renewTime advances every 10 s while
 * the kubelet runs and reaches the control plane, and stops when it does not. Renewals are worked out when
 * Leases are read rather than by a timer every 10 s, so an idle virtual clock does not spin.
 */
export class NodeLeases {
  /** Per node: when its kubelet started (or came back) renewing, or undefined while it does not. */
  private readonly renewingSince = new Map<string, number | undefined>();

  constructor(private readonly env: ClusterEnv) {
    env.store.beforeRead('leases', () => this.catchUp());
  }

  /** The kubelet registered (or restarted): its Lease exists and is renewed from now on. */
  started(node: KubeObject): void {
    const { store, clock } = this.env;
    const name = node.metadata.name;
    this.renewingSince.set(name, clock.now());
    const renewTime = microTime(clock.now());
    if (store.get('leases', NODE_LEASE_NAMESPACE, name)) {
      this.setRenewTime(name, renewTime);
      return;
    }
    store.create('leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: NODE_LEASE_NAMESPACE,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid as string }],
      },
      spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime },
    });
  }

  /** The kubelet's reach changed: renewals stop at the last one before a cut, and resume at once after it. */
  reachability(name: string, reachable: boolean): void {
    const since = this.renewingSince.get(name);
    if (reachable && since === undefined && this.renewingSince.has(name)) {
      this.renewingSince.set(name, this.env.clock.now());
      this.setRenewTime(name, microTime(this.env.clock.now()));
    } else if (!reachable && since !== undefined) {
      this.catchUpOne(name, since);
      this.renewingSince.set(name, undefined);
    }
  }

  /** The Node is gone: the garbage collector removes the Lease it owns. */
  deleted(name: string): void {
    this.renewingSince.delete(name);
    this.env.store.remove('leases', NODE_LEASE_NAMESPACE, name);
  }

  private catchUp(): void {
    for (const [name, since] of this.renewingSince) if (since !== undefined) this.catchUpOne(name, since);
  }

  private catchUpOne(name: string, since: number): void {
    const now = this.env.clock.now();
    this.setRenewTime(name, microTime(since + Math.floor((now - since) / LEASE_RENEW_INTERVAL_MS) * LEASE_RENEW_INTERVAL_MS));
  }

  private setRenewTime(name: string, renewTime: string): void {
    const lease = this.env.store.get('leases', NODE_LEASE_NAMESPACE, name);
    if (!lease || lease.spec?.renewTime === renewTime) return;
    this.env.store.mutate('leases', NODE_LEASE_NAMESPACE, name, (l) => {
      l.spec = { ...l.spec, renewTime };
    });
  }
}

/** metav1.MicroTime as it goes on the wire: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000Z`;
}
