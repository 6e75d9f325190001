/**
 * The ways the real services are unkind that the simulator models. Each is on by default (seeded by the
 * world's Random) because a kind simulator hides bugs; a test that needs a kind world turns off the ones it
 * names with `WorldOptions.kind`. Each behaviour's module cites the documentation it follows.
 */
export const UNKIND_BEHAVIOURS = [
  /** EC2 reads lag writes: DescribeInstances by id answers InvalidInstanceID.NotFound and tag filters miss a new instance for a while. */
  'ec2-eventual-consistency',
  /** Sites reuse the same RFC 1918 ranges: a home machine, an EC2 VM and a GCE VM can share a private IP (vm-identity.ts). */
  'overlapping-private-ips',
  /** A PodDisruptionBudget (default IfHealthyBudget) blocks evicting a pod that is not Ready unless the budget is healthy: 429 (cluster/disruption-budgets.ts). */
  'pdb-guards-unready-pods',
  /** etcd compacts its history every 5 minutes: a continue token older than that answers 410 Expired (kube-store.ts, servers/kube/list.ts). */
  'etcd-compaction',
  /** EC2 zones lack some instance types (the catalog's gaps): RunInstances answers Unsupported there. */
  'ec2-instance-types-per-zone',
  /** GCE answers a rate limit with 403 and reason rateLimitExceeded, not 429 (https://cloud.google.com/compute/api-quota). */
  'gce-rate-limit-403',
  /** GCE machine types exist only in the zones that offer them (t2a in few): an insert elsewhere is a 400 (https://cloud.google.com/compute/docs/regions-zones#available). */
  'gce-zonal-machine-types',
  /** GCE refuses a boot image whose architecture differs from the machine type's (400 invalidResourceUsage). */
  'gce-image-arch-check',
  /** Scaleway removes a node of its choice when a pool shrinks (undocumented which): here a seeded random one, not the newest. */
  'scaleway-random-shrink',
  /** Kosmos names an external node scw-<cluster>-<pool>-<hex> (API and Node alike) and gives it no providerID; kind: the machine's own name and cloud providerID (scaleway/node-identity.ts). */
  'kosmos-node-identity',
  /** Kapsule's cluster autoscaler sizes pools that have autoscaling on (pending pods up, unneeded nodes down after 10 min). */
  'scaleway-autoscaler',
  /** Cloudflare zones have a plan (Free by default): Free refuses record tags, caps comments at 100 characters and holds 200 records. */
  'cloudflare-plans',
  /** Kubernetes Events expire an hour after their last write (kube-apiserver --event-ttl default 1h): older ones are gone from lists (cluster/events.ts). */
  'event-ttl',
  /** EventBridge delivers at least once, best effort, in no set order: the local control plane duplicates, reorders and delays events. */
  'eventbridge-delivery',
  /** The internet drops packets: now and then a probe's SYN is lost and its connect takes the 1 s initial retransmission timeout longer (RFC 6298 section 2.1; servers/network/gateway.ts). */
  'tcp-syn-loss',
  /** SQS standard queues deliver at least once: the local control plane hands some messages out twice (local/sqs/sqs.ts). */
  'sqs-delivery',
] as const;

export type UnkindBehaviour = (typeof UNKIND_BEHAVIOURS)[number];

/** Which behaviours are switched off: a list, or 'all' for a fully kind world. */
export type KindSwitches = readonly UnkindBehaviour[] | 'all';

export class Unkindness {
  private readonly off: ReadonlySet<UnkindBehaviour>;

  constructor(kind: KindSwitches = []) {
    if (kind !== 'all') {
      const unknown = kind.filter((k) => !(UNKIND_BEHAVIOURS as readonly string[]).includes(k));
      if (unknown.length) throw new Error(`WorldOptions.kind: unknown behaviour(s) ${unknown.join(', ')}; known: ${UNKIND_BEHAVIOURS.join(', ')}`);
    }
    this.off = new Set(kind === 'all' ? UNKIND_BEHAVIOURS : kind);
  }

  /** True when the world models this unkind behaviour (the default). */
  has(behaviour: UnkindBehaviour): boolean {
    return !this.off.has(behaviour);
  }
}
