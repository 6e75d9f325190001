import type { Clock } from '../clock.js';
import type { Random } from '../random.js';

/** DNS zones and records (Cloudflare-shaped), with history for the resolver view. */
export class DnsStore {
  constructor(
    readonly clock: Clock,
    readonly random: Random,
  ) {}

  snapshot(): unknown[] {
    return [];
  }
}
