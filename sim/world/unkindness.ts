/**
 * The ways the real services are unkind that the simulator models. Each is on by default (seeded by the
 * world's Random) because a kind simulator hides bugs; a test that needs a kind world turns off the ones it
 * names with `WorldOptions.kind`. Each behaviour's module cites the documentation it follows.
 */
export const UNKIND_BEHAVIOURS = [
  /** EC2 reads lag writes: DescribeInstances by id answers InvalidInstanceID.NotFound and tag filters miss a new instance for a while. */
  'ec2-eventual-consistency',
  /** Cloudflare zones have a plan (Free by default): Free refuses record tags, caps comments at 100 characters and holds 200 records. */
  'cloudflare-plans',
  /** EventBridge delivers at least once, best effort, in no set order: the local control plane duplicates, reorders and delays events. */
  'eventbridge-delivery',
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
