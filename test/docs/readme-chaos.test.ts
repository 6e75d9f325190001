import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';

const readme = readFileSync('README.md', 'utf8');
const config = loadConfigFile('shepherd.config.json');

describe('README: shepherd chaos examples', () => {
  it('reclaims a spot node of a pool that is spot in shepherd.config.json, found by name first', () => {
    const block = readme.split('```bash').find((b) => /chaos spot-reclaim </.test(b.split('```')[0])) ?? '';
    const pool = /provision-node --input '\{"pool":"([^"]+)"\}' --local/.exec(block)?.[1];
    expect(pool).toBeDefined();
    expect(config.pools.find((p) => p.name === pool)?.spot).toBe(true);
    expect(block).toMatch(/node bin\/shepherd\.mjs status --local/);
    // Kosmos names nodes after their pool (scw-...): an EC2-style name matches no node of the shipped config.
    expect(readme).not.toMatch(/spot-reclaim ip-/);
  });

  it('runs the CLI as `node bin/shepherd.mjs` in every example (npx prints engine warnings on Node 20 and is slower)', () => {
    const blocks = readme.split('```').filter((_, i) => i % 2 === 1);
    const commands = blocks.flatMap((b) => b.split('\n')).filter((l) => /^(\$ )?(npx )?shepherd /.test(l));
    expect(commands).toEqual([]);
    expect(readme).not.toMatch(/`npx shepherd \w/);
  });

  it('says that with --virtual a chaos --for duration passes in seconds', () => {
    expect(readme).toMatch(/With `shepherd local --virtual` the simulated clock[^.]*far ahead[^.]*`--for 10m` fault can be over within seconds/);
  });
});
