import { createHash } from 'node:crypto';

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
