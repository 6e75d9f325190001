import { createHash, randomUUID } from 'node:crypto';

/** UUID-shaped ids from a seed and a counter: the same run gives the same ids (event ids, request ids). */
export class IdSource {
  private next = 0;

  constructor(private readonly seed: string) {}

  uuid(): string {
    const h = createHash('sha256')
      .update(`${this.seed}:${this.next++}`)
      .digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/**
 * Execution names for one start of the local control plane. Step Functions keeps a name for 90 days after its
 * execution closed, and the audit log, leases and `shepherd watch NAME` refer to executions by name, so a restart with
 * the same seed must not hand out the names of the last run again: a nonce from outside the seeded world is mixed in.
 * Everything else (event ids, request ids, jitter) stays seeded.
 */
export function executionNames(seed: string, nonce: string = randomUUID()): IdSource {
  return new IdSource(`${seed}:${nonce}`);
}
