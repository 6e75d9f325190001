import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressLeft } from '../../../bench/dns/figures.js';
import { DNS_DETAIL_TYPES } from '../../../functions/decisions/dns/failover-events.js';
import {
  addressTransitions,
  atPhaseOfTick,
  auditEntries,
  type DnsLocal,
  dnsCheckConfig,
  dnsEvents,
  nodeAddress,
  nodeReady,
  ownedAddresses,
  provision,
  readyAt,
  resolvedNow,
  startDnsLocal,
  waitPublished,
  watchReady,
} from '../../helpers/dns-local.js';

/**
 * DNS failover scenarios with an active check (issue 10), in the local control plane against the simulated clouds:
 * the home lab loses power with no cloud event, then gets it back; a Node that says NotReady while its check passes.
 * Records are read from the simulated Cloudflare (its API view, its change history and its resolver view), times
 * from the simulated clock. Nothing of ours is mocked. The scenarios run in order on one world.
 */

const config = dnsCheckConfig();
const entry = config.dns!.entrypoints[0];
const INTERVAL_MS = config.dns!.checkIntervalSeconds * 1000;
const TTL_MS = entry.ttl * 1000;
/** The goal for a loss no cloud announces: power loss -> records changed. */
const UNANNOUNCED_GOAL_MS = 30_000;
/**
 * From a flip of a target's health to the records changed: the check runner's event through EventBridge (the
 * simulated bus delivers at least once, 0 to 5 s late) plus one DnsFailover run (the announced-loss goal is 5 s).
 */
const RUN_LATENCY_MS = 10_000;
const FAST_MS = config.dns!.fastCheckIntervalSeconds * 1000;
const TIMEOUT_MS = entry.check?.timeoutMs ?? 0;
/**
 * The latest the records may change after a loss no cloud announces, whatever the phase of the check interval the
 * power goes off in. The worst phase is just after a round probed the target: the next round's check fails one
 * interval later (a black-holed probe takes its whole timeout), then `fall - 1` fast re-checks fail, each the fast
 * interval after the last failure and each taking the timeout, then the flip's run:
 * interval + (fall - 1) x (fast interval + timeout) + timeout + run = 10 + 2 x (2 + 2) + 2 + 10 = 30 s.
 */
const WORST_UNANNOUNCED_MS = INTERVAL_MS + (entry.fall - 1) * (FAST_MS + TIMEOUT_MS) + TIMEOUT_MS + RUN_LATENCY_MS;
/** Where in the check interval the two losses fall: just after a round's probe (the worst), just before the next. */
const LATE_PHASE_MS = 500;
const EARLY_PHASE_MS = INTERVAL_MS - 1_000;

let d: DnsLocal;
let homeNode = '';
let homeIp = '';
let cloudIps: string[] = [];
let readyLog: ReturnType<typeof watchReady>;
let powerOffAt = 0;

const clock = () => d.local.sim.clock;
const everyName = (holds: (name: string) => boolean) => entry.records.every(holds);
const served = (name: string, address: string) => ownedAddresses(d, name).includes(address) || resolvedNow(d, name).includes(address);

beforeAll(async () => {
  d = await startDnsLocal(config, 21);
  readyLog = watchReady(d.local);
  const home = d.local.sim.world.listVms('home')[0];
  // A home machine joins by itself under its own name.
  homeNode = home.nodeName ?? home.name;
  await clock().until(() => nodeReady(d.local, homeNode) === 'True', 600_000, 'the home node Ready');
  const cloudNodes = [await provision(d.local, 'aws-amd64'), await provision(d.local, 'aws-arm64')];
  homeIp = nodeAddress(d.local, entry, homeNode);
  cloudIps = cloudNodes.map((n) => nodeAddress(d.local, entry, n)).sort();
  for (const address of [homeIp, ...cloudIps]) expect(await waitPublished(d.local, entry, address), `${address} published`).toBe(true);
}, 900_000);

afterAll(async () => {
  await d?.local.stop();
});

describe('Scenario: DNS failover with an active check (local control plane, simulated Cloudflare)', () => {
  it('the home lab loses power with no cloud event just after a round checked it (the worst phase): the records move to the cloud nodes within the 30 s goal, no resolver serves the dead address after that + TTL', async () => {
    const { world } = d.local.sim;
    // The bound itself meets the goal, whatever the phase.
    expect(WORST_UNANNOUNCED_MS).toBeLessThanOrEqual(UNANNOUNCED_GOAL_MS);
    const phase = await atPhaseOfTick(d, LATE_PHASE_MS);
    powerOffAt = clock().now();
    world.setProviderDark('home', true);
    await clock().until(() => everyName((n) => !ownedAddresses(d, n).includes(homeIp)), 180_000, 'the home address out of the records');

    const left = addressLeft(world.dns, entry.records, entry.type, homeIp, powerOffAt);
    expect(left.heldAtStart).toBe(true);
    const changedMs = left.changedAt! - powerOffAt;
    console.log(
      `home lab power off ${phase / 1000} s after a tick -> records changed in ${changedMs / 1000} s (goal ${UNANNOUNCED_GOAL_MS / 1000} s: ${changedMs <= UNANNOUNCED_GOAL_MS ? 'met' : 'MISSED'}; worst-phase bound ${WORST_UNANNOUNCED_MS / 1000} s), last resolver answer with it ${(left.lastStaleAt! - powerOffAt) / 1000} s (simulated)`,
    );
    expect(changedMs).toBeLessThanOrEqual(WORST_UNANNOUNCED_MS);
    expect(changedMs).toBeLessThanOrEqual(UNANNOUNCED_GOAL_MS);
    // Fell by the fast re-checks: at the interval's pace the fall-th failure could come no sooner than `fall`
    // intervals after the last pass (interval - phase + (fall - 1) x interval after the loss).
    const unhealthy = dnsEvents(d, DNS_DETAIL_TYPES.targetHealthChanged)
      .map((e) => e.detail as { address: string; healthy: boolean; failures: number; checkedAt: string })
      .find((e) => e.address === homeIp && !e.healthy && Date.parse(e.checkedAt) > powerOffAt)!;
    expect(unhealthy.failures).toBe(entry.fall);
    expect(Date.parse(unhealthy.checkedAt) - powerOffAt).toBeLessThan(INTERVAL_MS - phase + (entry.fall - 1) * INTERVAL_MS);
    for (const name of entry.records) {
      expect(ownedAddresses(d, name)).toEqual(cloudIps);
      expect(resolvedNow(d, name)).toEqual(cloudIps);
    }

    // One TTL after the change, a resolver that asked at any moment since a TTL before the loss answers only the
    // cloud nodes: whatever it cached before the change has expired.
    const allClear = left.changedAt! + TTL_MS;
    if (clock().now() < allClear) await clock().sleep(allClear - clock().now());
    for (const name of entry.records) {
      for (let asked = powerOffAt - TTL_MS; asked <= allClear; asked += 1_000) {
        const answer = world.dns.resolve(name, entry.type, { at: allClear, lastQueriedAt: asked }).contents;
        expect(answer, `${name} asked ${(asked - powerOffAt) / 1000} s after the power loss`).not.toContain(homeIp);
      }
    }

    // The audit says why each address left: the home address because its check failed (its Node was still Ready
    // when it left: the node-monitor grace period is 40 s).
    const changes = (await auditEntries(d.local, 'dns.records.changed')).filter((c) => (c.removed as { address: string }[]).some((r) => r.address === homeIp));
    expect(changes.length).toBeGreaterThan(0);
    for (const change of changes) {
      for (const removed of change.removed as { name: string; address: string; reason?: string; detail?: string }[]) {
        expect(removed.reason, `why ${removed.address} left ${removed.name}`).toEqual(expect.any(String));
      }
    }
    const homeRemovals = changes.flatMap((c) => (c.removed as { address: string; reason: string; detail: string }[]).filter((r) => r.address === homeIp));
    expect(homeRemovals.map((r) => r.reason)).toEqual(entry.records.map(() => 'check-failing'));
    expect(homeRemovals[0].detail).toMatch(/consecutive failures/);
  }, 600_000);

  it('power back: the home address returns only after `rise` passing checks, and never while its Node is NotReady', async () => {
    const { world } = d.local.sim;
    expect(nodeReady(d.local, homeNode)).toBe('Unknown');
    const powerOnAt = clock().now();
    world.setProviderDark('home', false);

    // After rise - 1 check intervals at most rise - 1 checks have passed: not back yet.
    await clock().sleep((entry.rise - 1) * INTERVAL_MS);
    for (const name of entry.records) expect(served(name, homeIp), name).toBe(false);

    const check = entry.check!;
    const backBy = powerOnAt + entry.rise * INTERVAL_MS + check.timeoutMs + RUN_LATENCY_MS;
    await clock().until(() => everyName((n) => ownedAddresses(d, n).includes(homeIp)), backBy - clock().now(), 'the home address back');
    for (const name of entry.records) {
      expect(ownedAddresses(d, name)).toEqual([homeIp, ...cloudIps].sort());
      expect(resolvedNow(d, name)).toEqual([homeIp, ...cloudIps].sort());
    }

    // The check runner's flip to healthy came after `rise` passes, one check interval apart.
    const healthy = dnsEvents(d, DNS_DETAIL_TYPES.targetHealthChanged)
      .map((e) => e.detail as { address: string; healthy: boolean; passes: number; checkedAt: string })
      .find((e) => e.address === homeIp && e.healthy && Date.parse(e.checkedAt) > powerOnAt)!;
    expect(healthy.passes).toBe(entry.rise);
    const healthyAt = Date.parse(healthy.checkedAt);
    expect(healthyAt - powerOnAt).toBeGreaterThan((entry.rise - 1) * INTERVAL_MS);
    expect(healthyAt - powerOnAt).toBeLessThanOrEqual(entry.rise * INTERVAL_MS + check.timeoutMs);
    const backAt = Math.max(...entry.records.map((n) => addressTransitions(d, n, homeIp).filter((t) => t.present && t.at > powerOnAt)[0].at));
    expect(backAt).toBeGreaterThanOrEqual(healthyAt);
    console.log(
      `home lab power back -> healthy after ${entry.rise} checks in ${(healthyAt - powerOnAt) / 1000} s, records changed ${(backAt - powerOnAt) / 1000} s (run latency ${(backAt - healthyAt) / 1000} s, simulated)`,
    );

    // Over the whole run, the home address entered the records only while its Node was Ready.
    for (const name of entry.records) {
      for (const t of addressTransitions(d, name, homeIp).filter((x) => x.present && x.at > powerOffAt)) {
        expect(readyAt(readyLog, homeNode, t.at), `${name} at ${t.at}`).toBe('True');
      }
    }
  }, 600_000);

  it('a Node that says NotReady while its check keeps passing leaves the records and comes back only once Ready', async () => {
    const { kube } = d.local.sim.world;
    const setReady = (status: 'True' | 'False', reason: string, message: string) =>
      kube.mutate('nodes', undefined, homeNode, (n) => {
        const now = new Date(clock().now()).toISOString();
        n.status.conditions = (n.status.conditions as { type: string }[]).map((c) =>
          c.type === 'Ready' ? { type: 'Ready', status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now } : c,
        );
      });
    // The kubelet reports NotReady (its container runtime's network is down) while the machine and its ingress pod
    // still answer the check.
    const notReadyAt = clock().now();
    setReady('False', 'KubeletNotReady', 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady');
    await clock().until(() => everyName((n) => !served(n, homeIp)), 6 * 60_000, 'the NotReady home node out of the records');
    const removals = (await auditEntries(d.local, 'dns.records.changed'))
      .flatMap((c) => (c.removed as { address: string; reason: string }[]).filter((r) => r.address === homeIp))
      .slice(-entry.records.length);
    expect(removals.map((r) => r.reason)).toEqual(entry.records.map(() => 'not-ready'));
    console.log(`home Node NotReady (check passing) -> records changed in ${(clock().now() - notReadyAt) / 1000} s at most (simulated)`);

    // Many more passing checks than `rise` while NotReady: still out, and the check never called it unhealthy.
    await clock().sleep((entry.rise + 3) * INTERVAL_MS);
    for (const name of entry.records) expect(served(name, homeIp), name).toBe(false);
    const flips = dnsEvents(d, DNS_DETAIL_TYPES.targetHealthChanged)
      .map((e) => e.detail as { address: string; checkedAt: string })
      .filter((e) => e.address === homeIp && Date.parse(e.checkedAt) > notReadyAt);
    expect(flips).toEqual([]);

    const readyAgainAt = clock().now();
    setReady('True', 'KubeletReady', 'kubelet is posting ready status');
    await clock().until(() => everyName((n) => ownedAddresses(d, n).includes(homeIp)), 6 * 60_000, 'the Ready home node back');
    const backAt = Math.max(
      ...entry.records.map(
        (n) =>
          addressTransitions(d, n, homeIp)
            .filter((t) => t.present)
            .at(-1)!.at,
      ),
    );
    expect(backAt).toBeGreaterThanOrEqual(readyAgainAt);
    for (const name of entry.records) {
      expect(resolvedNow(d, name)).toEqual([homeIp, ...cloudIps].sort());
      for (const t of addressTransitions(d, name, homeIp).filter((x) => x.present && x.at > powerOffAt)) {
        expect(readyAt(readyLog, homeNode, t.at), `${name} at ${t.at}`).toBe('True');
      }
    }
  }, 900_000);

  it('a second loss just before a round (the early phase): the records move within the goal too', async () => {
    const { world } = d.local.sim;
    for (const name of entry.records) expect(ownedAddresses(d, name)).toContain(homeIp);
    const phase = await atPhaseOfTick(d, EARLY_PHASE_MS);
    const offAt = clock().now();
    world.setProviderDark('home', true);
    await clock().until(() => everyName((n) => !ownedAddresses(d, n).includes(homeIp)), 180_000, 'the home address out of the records again');
    const left = addressLeft(world.dns, entry.records, entry.type, homeIp, offAt);
    const changedMs = left.changedAt! - offAt;
    console.log(`home lab power off ${phase / 1000} s after a tick -> records changed in ${changedMs / 1000} s (simulated)`);
    expect(changedMs).toBeLessThanOrEqual(UNANNOUNCED_GOAL_MS);
    // Early in the interval the first failure comes with the next round: the fall needs less than one more interval.
    expect(changedMs).toBeLessThanOrEqual(INTERVAL_MS - phase + (entry.fall - 1) * (FAST_MS + TIMEOUT_MS) + TIMEOUT_MS + RUN_LATENCY_MS);
    for (const name of entry.records) expect(ownedAddresses(d, name)).toEqual(cloudIps);
  }, 600_000);
});
