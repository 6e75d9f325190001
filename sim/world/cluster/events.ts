import type { Clock } from '../../clock.js';
import { isoSeconds, type KubeStore } from '../kube-store.js';
import type { KubeObject } from '../types.js';

/** What an Event is about: a core/v1 ObjectReference. */
export interface InvolvedObject {
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
  apiVersion?: string;
}

export interface EventInput {
  reason: string;
  message: string;
  type?: 'Normal' | 'Warning';
  /** source.component (`kubelet`, `node-controller`), and the node it ran on. */
  component: string;
  host?: string;
}

/** The fields of a stored core/v1 Event this module reads. */
type StoredEvent = KubeObject & {
  involvedObject?: { uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  source?: { component?: string };
  count?: number;
};

/**
 * The control plane's own Events (core/v1, as client-go's recorder writes them): one object per object, reason,
 * type, source and message, whose count and lastTimestamp grow when it happens again. An Event about a
 * cluster-scoped object lives in `default`. With a TTL, an Event disappears that long after its last write, as
 * kube-apiserver stores Events with an etcd lease of `--event-ttl` (default 1h, kube-apiserver reference):
 * expired ones are removed when Events are next read.
 */
export class ClusterEvents {
  /** When each stored Event expires, by namespace/name (its last write plus the TTL). */
  private readonly expiry = new Map<string, number>();
  /** Nanoseconds added to the clock's milliseconds, so two Events recorded in one millisecond get distinct names. */
  private sequence = 0;

  constructor(
    private readonly store: KubeStore,
    private readonly clock: Clock,
    ttlMs: number,
  ) {
    if (ttlMs <= 0) return;
    store.onChange((resource, type, obj) => {
      if (resource !== 'events') return;
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      if (type === 'DELETED') this.expiry.delete(key);
      else this.expiry.set(key, clock.now() + ttlMs);
    });
    store.beforeRead('events', () => this.expire());
  }

  record(about: InvolvedObject, input: EventInput): KubeObject {
    const namespace = about.namespace || 'default';
    const now = isoSeconds(this.clock.now());
    const same = (this.store.list('events', { namespace }) as StoredEvent[]).find(
      (e) =>
        e.involvedObject?.uid === about.uid &&
        e.reason === input.reason &&
        e.message === input.message &&
        e.source?.component === input.component &&
        e.type === (input.type ?? 'Normal'),
    );
    if (same) {
      const updated = this.store.mutate('events', namespace, same.metadata.name, (e) => {
        e.count = ((e as StoredEvent).count ?? 1) + 1;
        e.lastTimestamp = now;
      });
      if (updated) return updated;
    }
    return this.store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      // client-go's recorder names an Event after its object and the time in nanoseconds, in hex.
      metadata: { name: `${about.name}.${this.nanos().toString(16)}`, namespace },
      involvedObject: {
        ...(about.apiVersion ? { apiVersion: about.apiVersion } : {}),
        kind: about.kind,
        name: about.name,
        uid: about.uid,
        ...(about.namespace ? { namespace } : {}),
      },
      reason: input.reason,
      message: input.message,
      source: { component: input.component, ...(input.host ? { host: input.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: input.type ?? 'Normal',
      reportingComponent: input.component,
      reportingInstance: input.host ?? '',
    });
  }

  private nanos(): bigint {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return BigInt(this.clock.now()) * 1_000_000n + BigInt(this.sequence);
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [key, at] of this.expiry) {
      if (at > now) continue;
      const [namespace, name] = key.split('/');
      this.store.remove('events', namespace, name);
    }
  }
}
