import type { EntrypointConfig } from '../../../config/types.js';

/** An entrypoint's active check: TCP connect, or an HTTP(S) GET of a path (config/dns-schema.ts). */
export type ActiveCheck = NonNullable<EntrypointConfig['check']>;

/** One address to probe, and how. */
export interface ProbeTarget {
  address: string;
  check: ActiveCheck;
}

/** What one probe saw. `detail` is one short phrase: 'connected in 12 ms', 'connect timeout after 2000 ms', 'HTTP 503'. */
export interface ProbeResult {
  passed: boolean;
  detail: string;
  elapsedMs: number;
}

/** Probes a target's address from where the function runs; never throws for a failed probe (that is a result). */
export interface TargetProbe {
  probe(target: ProbeTarget): Promise<ProbeResult>;
}
