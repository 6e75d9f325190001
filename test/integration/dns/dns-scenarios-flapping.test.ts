import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EJECTION_FACTOR, QUIET_PERIOD_MS, risePassesNeeded } from '../../../functions/decisions/dns/ejection-backoff.js';
import {
  checkStates,
  type DnsLocal,
  dnsCheckConfig,
  nodeAddress,
  nodeReady,
  ownedAddresses,
  provision,
  resolvedNow,
  startDnsLocal,
  waitPublished,
} from '../../helpers/dns-local.js';

/**
 * A flapping entrypoint node (issue 10): its health endpoint answers 503 for 20 s, then 200 for 20 s, and so on (the
 * simulator's `chaos flapping`), while its check runs every checkIntervalSeconds with the config's fall and rise. The
 * record changes are counted in the simulated Cloudflare's history, not from shepherd's reports.
 */

const config = dnsCheckConfig();
const entry = config.dns!.entrypoints[0];
const INTERVAL_MS = config.dns!.checkIntervalSeconds * 1000;
const FAST_MS = config.dns!.fastCheckIntervalSeconds * 1000;
/** How long each half of the flap lasts: unhealthy 20 s, healthy 20 s. */
const FLAP_HALF_MS = 20_000;
const WINDOW_MS = 5 * 60_000;

/**
 * The most record changes the hysteresis (fall, rise, fast re-checks, ejection backoff) allows for the flapping
 * address over the window.
 * - A fall takes one failed round and `fall - 1` fast re-checks, FAST apart (a 503 answers at once): it fits in an
 *   unhealthy half when (fall - 1) x FAST < FLAP_HALF. If it does not, failures come one interval apart, and a run of
 *   them within an unhealthy half holds at most ceil(FLAP_HALF / INTERVAL) checks: fewer than `fall`, no change at all.
 * - A healthy half holds at most ceil(FLAP_HALF / INTERVAL) passing rounds. The k-th return after falls within the
 *   quiet period needs rise x min(k, MAX_EJECTION_FACTOR) passes (ejection-backoff.ts): once a half cannot hold that
 *   many, the target stays out. So a run of falls and returns is at most R returns and R + 1 falls, where R is the
 *   number of returns a half can hold (unbounded if it holds rise x MAX_EJECTION_FACTOR).
 * - The count is forgotten a quiet period after the last fall: one such run per started QUIET_PERIOD of the window.
 * - Never more than two flips per full flap (2 x FLAP_HALF). Each flip is one change per record name.
 */
function hysteresisBound(fall: number, rise: number): number {
  const checksPerHalf = Math.ceil(FLAP_HALF_MS / INTERVAL_MS);
  const fastFall = (fall - 1) * FAST_MS < FLAP_HALF_MS;
  if (!fastFall && checksPerHalf < fall) return 0;
  const flapsInWindow = Math.ceil(WINDOW_MS / (2 * FLAP_HALF_MS));
  const unbackedFlips = flapsInWindow * (checksPerHalf >= rise ? 2 : 1);
  let returns = 0;
  while (returns < MAX_EJECTION_FACTOR && checksPerHalf >= rise * (returns + 1)) returns += 1;
  const flips = returns === MAX_EJECTION_FACTOR ? unbackedFlips : Math.min(unbackedFlips, (2 * returns + 1) * Math.ceil(WINDOW_MS / QUIET_PERIOD_MS));
  return flips * entry.records.length;
}

let d: DnsLocal;
let flappingNode = '';
let flappingIp = '';
let homeIp = '';

beforeAll(async () => {
  d = await startDnsLocal(config, 23);
  const home = d.local.sim.world.listVms('home')[0];
  const homeNode = home.nodeName ?? home.name;
  await d.local.sim.clock.until(() => nodeReady(d.local, homeNode) === 'True', 600_000, 'the home node Ready');
  flappingNode = await provision(d.local, 'aws-amd64');
  homeIp = nodeAddress(d.local, entry, homeNode);
  flappingIp = nodeAddress(d.local, entry, flappingNode);
  for (const address of [homeIp, flappingIp]) expect(await waitPublished(d.local, entry, address), `${address} published`).toBe(true);
}, 900_000);

afterAll(async () => {
  await d?.local.stop();
});

describe('Scenario: a flapping entrypoint node (local control plane, simulated Cloudflare)', () => {
  it('healthy, unhealthy, healthy every 20 s for 5 minutes: the records change no more than fall/rise allow', async () => {
    const { world } = d.local.sim;
    const clock = d.local.sim.clock;
    const from = clock.now();
    world.network.setFlapping(flappingNode, FLAP_HALF_MS);
    // What the check runner stored for the address, sampled every 5 s: it did see the flap.
    const failuresSeen: number[] = [];
    const passesSeen: number[] = [];
    while (clock.now() < from + WINDOW_MS) {
      await clock.sleep(5_000);
      const state = (await checkStates(d)).get(flappingIp);
      if (state) {
        failuresSeen.push(state.failures);
        passesSeen.push(state.passes);
      }
    }
    world.network.setFlapping(flappingNode, undefined);

    const zoneId = world.dns.zoneByName(entry.zoneName)!.id;
    const changes = world.dns
      .changes()
      .filter((c) => c.zoneId === zoneId && c.at >= from && c.at <= from + WINDOW_MS)
      .filter((c) => c.before?.content === flappingIp || c.after?.content === flappingIp);
    const bound = hysteresisBound(entry.fall, entry.rise);
    console.log(
      `flapping every ${FLAP_HALF_MS / 1000} s for ${WINDOW_MS / 1000} s, checks every ${INTERVAL_MS / 1000} s, fall ${entry.fall}, rise ${entry.rise}: ${changes.length} record changes (bound ${bound}); most consecutive failures stored ${Math.max(...failuresSeen)}`,
    );
    expect(Math.max(...failuresSeen)).toBeGreaterThan(0);
    expect(Math.max(...passesSeen)).toBeGreaterThan(0);
    expect(changes.length).toBeLessThanOrEqual(bound);
    // Never emptied: the steady home node served throughout, and now both do.
    for (const name of entry.records) {
      const answers = [from, ...changes.map((c) => c.at)].map((at) => world.dns.resolve(name, entry.type, { at }).contents);
      for (const answer of answers) expect(answer).toContain(homeIp);
    }
    // Out for good while it flapped: back after the passes its ejections call for, one interval apart, and a run.
    const last = (await checkStates(d)).get(flappingIp);
    const history: { ejections?: number; fellAt?: string } = last && 'healthy' in last ? last : {};
    const needed = risePassesNeeded(history, entry.rise, new Date(clock.now()).toISOString());
    console.log(`after the flapping: ${history.ejections ?? 0} recent ejection(s), ${needed} passes to come back`);
    await clock.sleep(needed * INTERVAL_MS + 15_000);
    for (const name of entry.records) {
      expect(ownedAddresses(d, name)).toEqual([homeIp, flappingIp].sort());
      expect(resolvedNow(d, name)).toEqual([homeIp, flappingIp].sort());
    }
  }, 900_000);
});
