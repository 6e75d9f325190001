import { parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';

/** The pool the demo's buffer act grows, with what one DEV1-M node's kubelet reports allocatable in the simulator. */
const DEMO_BUFFER_POOL = { pool: 'scw-buffer', allocatable: { cpu: '2900m', memory: '3840Mi' }, hourlyCost: 0.04 };

/** The check the demo gives an entrypoint that has none: HTTPS as a load balancer's health check (bench:dns uses the same). */
const DEMO_CHECK = { protocol: 'https', port: 443, path: '/healthz', timeoutMs: 2000 } as const;

/**
 * The demo's cluster is small: a provider runs one or two nodes. Cluster Autoscaler's 4 NotReady nodes (the default)
 * would never call such a provider degraded; 2 still tells one lost node (the second act's) from a provider gone dark.
 */
const DEMO_DEGRADED_MIN_NODES = 2;

export interface DemoConfig {
  config: ShepherdConfig;
  /** What the demo added to the given config, one phrase each, for a person reading its output. */
  added: string[];
}

/**
 * The given config with what the third and fourth acts need when it lacks them: an active check on the first
 * entrypoint (a home lab that loses power sends no event; only a probe notices), a `buffers` section with the
 * Scaleway pool, and a watcher that calls a two-node provider degraded. The shipped config stays without them: each
 * adds periodic functions to every `shepherd local` and test stack (the check chain ticks every 10 s). A config that
 * has them keeps its own.
 */
export function demoConfig(base: ShepherdConfig): DemoConfig {
  const raw = structuredClone(base);
  const added: string[] = [];
  const entry = raw.dns?.entrypoints[0];
  if (entry && !entry.check) {
    entry.check = { ...DEMO_CHECK };
    added.push(`an HTTPS check on entrypoint ${entry.name}`);
  }
  if (!raw.buffers && raw.pools.some((p) => p.name === DEMO_BUFFER_POOL.pool)) {
    (raw as Record<string, unknown>).buffers = { pools: [DEMO_BUFFER_POOL], maxHourlyCost: 1 };
    added.push(`buffer pool ${DEMO_BUFFER_POOL.pool}`);
  }
  if (raw.watcher.degradedMinNodes > DEMO_DEGRADED_MIN_NODES) {
    raw.watcher.degradedMinNodes = DEMO_DEGRADED_MIN_NODES;
    added.push(`watcher.degradedMinNodes ${DEMO_DEGRADED_MIN_NODES}`);
  }
  return { config: added.length > 0 ? parseConfig(raw, 'the demo config (the given config plus what the demo adds)') : base, added };
}
