import { addressLeft } from '../../bench/dns/figures.js';
import { nodeAddress } from '../../bench/dns/scenarios.js';
import type { EntrypointConfig } from '../../config/types.js';
import { poolOfNode } from '../../functions/decisions/healing/node-pool.js';
import type { ShepherdLocal } from '../shepherd-local.js';
import { type ActLine, type ActOutcome, printLines, seconds } from './act.js';

/** How long (simulated) the act waits for the records to hold a cloud node before the power cut, and for them to move. */
const PUBLISHED_CAP_MS = 10 * 60_000;
const MOVE_CAP_MS = 5 * 60_000;
/** After the power returns, how long (simulated) the act watches for the home node to come back into the records. */
const BACK_CAP_MS = 3 * 60_000;

/**
 * Third act: the home lab loses power; no cloud sends an event, only the entrypoint's active check notices. DnsFailover
 * moves the records onto the cloud nodes. Printed from the simulated Cloudflare (its change log and resolver view), not
 * from shepherd's reports: the resolver's answer before and after, when the records changed, and the last moment a
 * resolver may still hand out the dead address (the TTL of the answer it cached). Then the power returns.
 */
export async function dnsAct(local: ShepherdLocal, out: (line: string) => void): Promise<ActOutcome> {
  const { sim } = local;
  const { world } = sim;
  const entry = local.config.dns?.entrypoints.find((e) => e.check);
  if (!entry) return { ok: true, summary: 'no DNS entrypoint with a check in the config: no DNS act' };
  const homeNode = () => world.listVms('home').find((v) => v.nodeName && eligible(entry, poolOf(local, v.nodeName)))?.nodeName;
  const waitedFrom = sim.clock.now();
  try {
    await sim.clock.until(() => homeNode() !== undefined, PUBLISHED_CAP_MS, 'a home node');
  } catch {
    return { ok: false, why: `no home node of entrypoint ${entry.name}'s pools runs in the simulated home lab` };
  }
  const node = homeNode() as string;
  const home = { node, address: nodeAddress(local, entry, node) };
  const cloudAddresses = () =>
    world.kube
      .list('nodes')
      .filter((n) => n.metadata.labels?.['shepherd.io/provider'] && eligible(entry, poolOf(local, n.metadata.name)))
      .flatMap((n) => {
        try {
          return [nodeAddress(local, entry, n.metadata.name)];
        } catch {
          return [];
        }
      });
  const answer = (name: string, at?: number) => world.dns.resolve(name, entry.type, at === undefined ? {} : { at }).contents;
  const holdsHomeAndCloud = () => entry.records.every((name) => answer(name).includes(home.address) && answer(name).some((a) => cloudAddresses().includes(a)));

  try {
    await sim.clock.until(holdsHomeAndCloud, PUBLISHED_CAP_MS, 'the records holding the home node and a cloud node');
  } catch {
    return { ok: false, why: `the records of ${entry.name} never held ${home.address} (home) and a cloud node's address together` };
  }
  const t0 = sim.clock.now();
  out('');
  out(
    `Third act at ${sim.clock.iso(t0)} (simulated): the home lab loses power; no cloud sends an event, only ${entry.name}'s ${entry.check?.protocol} check notices.`,
  );
  if (t0 > waitedFrom) out(`  (the records held the home node and a cloud node ${seconds(t0 - waitedFrom)} after the second act)`);
  const label = labeller(local, entry);
  for (const name of entry.records)
    out(`  resolver before the power cut:  ${name} ${entry.type} -> ${label(answer(name))} (TTL ${world.dns.resolve(name, entry.type).ttl} s)`);

  world.setProviderDark('home', true);
  const gone = () => entry.records.every((name) => !answer(name).includes(home.address));
  try {
    await sim.clock.until(gone, MOVE_CAP_MS, `${home.address} out of the records`);
  } catch {
    world.setProviderDark('home', false);
    return { ok: false, why: `${home.address} (home) still in the records of ${entry.name} ${seconds(MOVE_CAP_MS)} after the power cut` };
  }
  const left = addressLeft(world.dns, entry.records, entry.type, home.address, t0);
  const emptied = emptiedAt(local, entry, t0);
  const changes = world.dns.changes().filter((c) => c.at >= t0).length;
  const lines: ActLine[] = [{ at: t0, text: `power off in the home lab (${home.node}, ${home.address})` }];
  if (left.changedAt !== undefined)
    lines.push({ at: left.changedAt, text: `records changed: ${home.address} out (${changes} record change(s) at Cloudflare)` });
  if (left.lastStaleAt !== undefined)
    lines.push({
      at: left.lastStaleAt,
      text: `last moment a resolver may still answer ${home.address} (it asked just before the change; TTL ${left.ttlS} s)`,
    });

  world.setProviderDark('home', false);
  lines.push({ at: sim.clock.now(), text: 'power back in the home lab' });
  try {
    await sim.clock.until(() => entry.records.every((name) => answer(name).includes(home.address)), BACK_CAP_MS, 'the home node back in the records');
    lines.push({ at: sim.clock.now(), text: `${home.address} back in the records (its checks passed again)` });
  } catch {
    lines.push({ at: sim.clock.now(), text: `${home.address} not back in the records yet` });
  }
  printLines(lines, t0, out);
  for (const name of entry.records) out(`  resolver after the move:  ${name} ${entry.type} -> ${label(answer(name, left.changedAt))}`);

  if (emptied !== undefined) return { ok: false, why: `the records of ${entry.name} were empty at +${seconds(emptied - t0)}` };
  if (entry.records.some((name) => answer(name, left.changedAt).length === 0))
    return { ok: false, why: `the records of ${entry.name} held no address after the move` };
  return {
    ok: true,
    summary: `entrypoint ${entry.name} moved off the home lab ${seconds((left.changedAt ?? t0) - t0)} after its power cut, never empty (resolvers may answer the dead address until ${seconds((left.lastStaleAt ?? t0) - t0)})`,
  };
}

function eligible(entry: EntrypointConfig, pool: string | undefined): boolean {
  return pool !== undefined && (!entry.eligiblePools || entry.eligiblePools.includes(pool));
}

/** A Node's pool as shepherd names it (its label, else the home pool whose labels it carries). */
function poolOf(local: ShepherdLocal, node: string): string | undefined {
  return poolOfNode(local.sim.world.kube.get('nodes', undefined, node)?.metadata.labels ?? {}, local.config)?.name;
}

/** "198.18.0.2 (home-1), 198.18.0.9 (aws-amd64)": addresses with the pool of the node behind each. */
function labeller(local: ShepherdLocal, entry: EntrypointConfig): (addresses: string[]) => string {
  const owners = new Map<string, string>();
  for (const n of local.sim.world.kube.list('nodes')) {
    try {
      owners.set(nodeAddress(local, entry, n.metadata.name), poolOf(local, n.metadata.name) ?? n.metadata.name);
    } catch {
      // A node without an address publishes nothing.
    }
  }
  return (addresses) => (addresses.length === 0 ? '(no address)' : addresses.map((a) => `${a} (${owners.get(a) ?? 'not a node'})`).join(', '));
}

/** The first moment since `from` at which a record name of the entrypoint answered no address, from Cloudflare's log. */
function emptiedAt(local: ShepherdLocal, entry: EntrypointConfig, from: number): number | undefined {
  const { dns } = local.sim.world;
  const times = [from, ...dns.changes().flatMap((c) => (c.at > from ? [c.at] : []))];
  return times.find((t) => entry.records.some((name) => dns.resolve(name, entry.type, { at: t }).contents.length === 0));
}
