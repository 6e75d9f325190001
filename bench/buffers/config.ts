import { readFileSync } from 'node:fs';
import { parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';

/**
 * The config the benchmark runs with: the given file's, with a `buffers` section when it has none (Scaleway's pool
 * first, as Scaleway advises for Kosmos, then GCE's; allocatable as the simulated kubelet reports for their types).
 */
export function benchConfig(file = 'shepherd.config.json'): ShepherdConfig {
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  raw.buffers ??= {
    pools: [
      { pool: 'scw-buffer', allocatable: { cpu: '2900m', memory: '3840Mi' }, hourlyCost: 0.04 },
      { pool: 'gcp-amd64', allocatable: { cpu: '1900m', memory: '7936Mi' }, hourlyCost: 0.08 },
    ],
    maxHourlyCost: 1,
  };
  return parseConfig(raw, `${file} (bench:buffers)`);
}
