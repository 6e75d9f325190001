import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DNS_DETAIL_TYPES } from '../../../functions/decisions/dns/failover-events.js';
import {
  addressTransitions,
  auditEntries,
  type DnsLocal,
  dnsCheckConfig,
  dnsEvents,
  nodeAddress,
  nodeReady,
  provision,
  startDnsLocal,
  waitPublished,
  watchReady,
} from '../../helpers/dns-local.js';

/**
 * A new node joins an entrypoint with an active check (issue 10) as soon as its checks pass, not at the next
 * 5-minute reconcile: the check runner holds a never-checked target undecided, publishes its first decision (healthy
 * after `rise` passes) as Target Health Changed, and DnsFailover adds it. In the local control plane against the
 * simulated clouds; records and times from the simulated Cloudflare's history and the simulated clock. Nothing of
 * ours is mocked.
 */

const config = dnsCheckConfig();
const entry = config.dns!.entrypoints[0];
const INTERVAL_MS = config.dns!.checkIntervalSeconds * 1000;
const RECONCILE_MS = 5 * 60_000;
/**
 * Ready -> records: the ingress pod starting on the new node and the first tick after it (one interval), `rise`
 * passes (rise - 1 more intervals), then the event through the simulated bus (at least once, 0-5 s late) and one
 * DnsFailover run.
 */
const BOUND_MS = entry.rise * INTERVAL_MS + 10_000;

let d: DnsLocal;
let readyLog: ReturnType<typeof watchReady>;

beforeAll(async () => {
  d = await startDnsLocal(config, 31);
  readyLog = watchReady(d.local);
  const home = d.local.sim.world.listVms('home')[0];
  const homeNode = home.nodeName ?? home.name;
  await d.local.sim.clock.until(() => nodeReady(d.local, homeNode) === 'True', 600_000, 'the home node Ready');
  expect(await waitPublished(d.local, entry, nodeAddress(d.local, entry, homeNode)), 'the home address published').toBe(true);
}, 900_000);

afterAll(async () => {
  await d?.local.stop();
});

describe('Scenario: a new node with an active check (local control plane, simulated Cloudflare)', () => {
  it('a newly provisioned cloud node is in the records within rise x interval + 10 s of becoming Ready, through its first health decision', async () => {
    const node = await provision(d.local, 'aws-amd64');
    const address = nodeAddress(d.local, entry, node);
    expect(await waitPublished(d.local, entry, address), `${address} published`).toBe(true);

    const readyAt = readyLog.find((e) => e.node === node && e.ready === 'True')?.at;
    expect(readyAt, 'the new node became Ready').toBeDefined();
    for (const name of entry.records) {
      const added = addressTransitions(d, name, address).find((t) => t.present)?.at;
      expect(added, `${address} added at ${name}`).toBeDefined();
      const joinMs = added! - readyAt!;
      console.log(`new node ${node}: Ready -> in the records at ${name} in ${joinMs / 1000} s (simulated; bound ${BOUND_MS / 1000} s)`);
      expect(joinMs).toBeLessThanOrEqual(BOUND_MS);
      expect(joinMs).toBeLessThan(RECONCILE_MS);
    }

    // One first decision for the address, healthy, and the run it started is the one that added it.
    const decisions = dnsEvents(d, DNS_DETAIL_TYPES.targetHealthChanged)
      .map((e) => e.detail as { address: string; healthy: boolean })
      .filter((x) => x.address === address);
    expect(decisions.map((x) => x.healthy)).toEqual([true]);
    const adding = (await auditEntries(d.local, 'dns.records.changed')).find((a) =>
      (a.added as { address: string }[] | undefined)?.some((x) => x.address === address),
    );
    expect(adding?.why).toBe(`target ${address} of ${entry.name} turned healthy`);
  }, 900_000);
});
