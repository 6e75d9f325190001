import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { batchTicks, STALE_AFTER_INTERVALS } from '../../../functions/decisions/dns/check-ticks.js';
import { DNS_KEEP_ALIVE_MINUTES } from '../../../infra/constructs/dns-checks-sizing.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';

/**
 * The DNS check chain in the local control plane: the synthesized stack's tick queue, its event source mapping, the
 * bundled dns-checks function and its keep-alive schedule, on the simulated clock. SQS's at-least-once delivery and
 * EventBridge's are on (their unkindness defaults). Nothing of ours is mocked.
 */

/**
 * The shipped config with an active check on the entrypoint, served by a pool with no node yet, so that a round
 * probes nothing (what a round does with targets is test/functions/dns/dns-check-round.test.ts's; this file is about the
 * cadence).
 */
function testConfig(): ShepherdConfig {
  const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
  raw.dns.checkIntervalSeconds = 10;
  raw.dns.entrypoints[0] = { ...raw.dns.entrypoints[0], eligiblePools: ['aws-arm64'], check: { protocol: 'tcp', port: 443 } };
  return parseConfig(raw, 'test config');
}

const config = testConfig();
let local: ShepherdLocal;
const queueName = `shepherd-${config.cluster.name}-dns-check-ticks`;
const INTERVAL_MS = config.dns!.checkIntervalSeconds * 1000;
/** What one lead's batch covers, and how often the keep-alive looks. */
const BATCH_MS = batchTicks(config.dns!.checkIntervalSeconds) * INTERVAL_MS;
const KEEP_ALIVE_MS = DNS_KEEP_ALIVE_MINUTES * 60_000;
/** The runner's log messages, in order (its rounds and the ticks it dropped). */
const runnerLog: string[] = [];

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({
    config,
    seed: 5,
    clock: { mode: 'virtual' },
    onLambdaLog: (fn, line) => {
      if (!fn.includes('dns-checks')) return;
      try {
        runnerLog.push(String((JSON.parse(line) as { message?: unknown }).message));
      } catch {
        // not a structured line
      }
    },
  });
}, 600_000);

afterAll(async () => {
  await local?.stop();
});

interface TickRun {
  at: number;
  generation: string;
  seq: number;
  lead: boolean;
}

/** The ticks the mapping delivered and the function took without error, in order. */
function delivered(): TickRun[] {
  return local.controlPlane.eventSourceMappings.invocations
    .filter((i) => i.ok)
    .flatMap((i) => i.bodies.map((b) => ({ at: i.at, ...(JSON.parse(b) as { generation: string; seq: number; lead: boolean }) })));
}

/** The first delivery of each tick: a second copy of one (SQS at least once) arrives later and is dropped by the runner. */
function firstDeliveries(): TickRun[] {
  const seen = new Set<string>();
  return delivered().filter((t) => {
    const key = `${t.generation}/${t.seq}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const clock = () => local.sim.clock;

const rounds = () => runnerLog.filter((m) => m === 'check round').length;

describe('Function: dns-checks (tick chain, local control plane)', () => {
  it('the keep-alive starts the chain within its first period, then a tick arrives every checkIntervalSeconds, ten sent at a time', async () => {
    const start = clock().now();
    await clock().until(() => firstDeliveries().length >= 1, KEEP_ALIVE_MS + 60_000, 'the first tick');
    expect(firstDeliveries()[0].at - start).toBeLessThanOrEqual(KEEP_ALIVE_MS + 5_000);
    await clock().until(() => firstDeliveries().length >= 31, 600_000, '30 more ticks');
    const ticks = firstDeliveries();
    expect(new Set(ticks.map((t) => t.generation)).size).toBe(1);
    expect(ticks.map((t) => t.seq)).toEqual(ticks.map((_, i) => i + 1));
    const gaps = ticks.slice(1).map((t, i) => t.at - ticks[i].at);
    expect(new Set(gaps)).toEqual(new Set([INTERVAL_MS]));
    // Every tenth tick leads (it sent the ten after it in one SendMessageBatch).
    expect(ticks.filter((t) => t.lead).map((t) => t.seq)).toEqual(ticks.filter((t) => t.seq % 10 === 1).map((t) => t.seq));
    // One round per tick run; second copies (SQS at least once) dropped.
    expect(rounds()).toBeGreaterThanOrEqual(ticks.length);
    expect(rounds()).toBeLessThanOrEqual(delivered().length);
  }, 300_000);

  it('a duplicate lead and a duplicate batch do not double the chain: still one tick per interval, extra copies dropped', async () => {
    const [last] = firstDeliveries().slice(-1);
    const lastLead = firstDeliveries()
      .filter((t) => t.lead)
      .at(-1)!;
    const roundsBefore = rounds();
    const droppedBefore = runnerLog.filter((m) => m === 'tick dropped').length;
    // Two more copies of a lead already run, as SQS may hand one out again...
    const copy = (seq: number, lead: boolean) => JSON.stringify({ generation: last.generation, seq, lead });
    local.controlPlane.sqs.send(queueName, copy(lastLead.seq, true), 0);
    local.controlPlane.sqs.send(queueName, copy(lastLead.seq, true), 3);
    // ...and a second copy of the batch that lead sent (its ticks already run, a second later).
    for (let seq = lastLead.seq + 1; seq <= last.seq; seq++) local.controlPlane.sqs.send(queueName, copy(seq, seq === lastLead.seq + 10), 1);
    const from = clock().now();
    await clock().sleep(60_000);
    const after = firstDeliveries().filter((t) => t.at > from);
    expect(after.length).toBeGreaterThanOrEqual(5);
    expect(after.length).toBeLessThanOrEqual(6);
    expect(after.map((t) => t.seq)).toEqual(after.map((_, i) => after[0].seq + i));
    expect(new Set(after.slice(1).map((t, i) => t.at - after[i].at))).toEqual(new Set([INTERVAL_MS]));
    expect(delivered().filter((t) => t.generation === last.generation && t.seq === lastLead.seq).length).toBeGreaterThanOrEqual(3);
    // Every copy was dropped (the lead's by its claim, the others by the environment that ran them): one round a tick.
    const copies = 2 + (last.seq - lastLead.seq);
    expect(runnerLog.filter((m) => m === 'tick dropped').length - droppedBefore).toBeGreaterThanOrEqual(copies);
    expect(rounds() - roundsBefore).toBeLessThanOrEqual(firstDeliveries().filter((t) => t.at > from - 1).length);
  }, 300_000);

  it("a batch that partly fails on SQS's side is sent again: no tick missing", async () => {
    const [last] = firstDeliveries().slice(-1);
    const nextLead =
      firstDeliveries()
        .filter((t) => t.lead)
        .at(-1)!.seq + 10;
    await clock().until(() => firstDeliveries().at(-1)!.seq === nextLead - 1, 120_000, 'the tick before the next lead');
    // The next lead's batch: its first three entries fail once (InternalError, SenderFault false).
    local.controlPlane.sqs.failSends(queueName, 3);
    await clock().until(() => firstDeliveries().at(-1)!.seq >= nextLead + 10, 200_000, 'the batch after the failure');
    const since = firstDeliveries().filter((t) => t.generation === last.generation && t.seq >= nextLead);
    expect(since.map((t) => t.seq)).toEqual(since.map((_, i) => nextLead + i));
    expect(new Set(since.slice(1).map((t, i) => t.at - since[i].at))).toEqual(new Set([INTERVAL_MS]));
  }, 300_000);

  it(`a batch that cannot be sent leaves the chain to the keep-alive: a new generation within ${STALE_AFTER_INTERVALS} intervals + one keep-alive period of that lead`, async () => {
    const generation = firstDeliveries().at(-1)!.generation;
    const known = new Set(firstDeliveries().map((t) => t.generation));
    const nextLead =
      firstDeliveries()
        .filter((t) => t.lead)
        .at(-1)!.seq + 10;
    await clock().until(() => firstDeliveries().at(-1)!.seq === nextLead - 1, 120_000, 'the tick before the next lead');
    // Every entry of the next lead's batch fails, and again on the retry.
    local.controlPlane.sqs.failSends(queueName, 20);
    await clock().until(() => firstDeliveries().some((t) => !known.has(t.generation)), 400_000, 'a new generation');
    const lead = firstDeliveries().find((t) => t.generation === generation && t.seq === nextLead)!;
    const restarted = firstDeliveries().find((t) => !known.has(t.generation))!;
    expect(firstDeliveries().filter((t) => t.generation === generation && t.seq > nextLead)).toEqual([]);
    expect(restarted.seq).toBe(1);
    expect(restarted.at - lead.at).toBeGreaterThan(STALE_AFTER_INTERVALS * INTERVAL_MS);
    expect(restarted.at - lead.at).toBeLessThanOrEqual(STALE_AFTER_INTERVALS * INTERVAL_MS + KEEP_ALIVE_MS);
  }, 300_000);

  it(`a broken chain (its ticks lost) is restarted by the keep-alive within one batch + ${STALE_AFTER_INTERVALS} intervals + one keep-alive period, as a new generation`, async () => {
    const [last] = firstDeliveries().slice(-1);
    const known = new Set(firstDeliveries().map((t) => t.generation));
    local.controlPlane.sqs.purge(queueName);
    await clock().until(() => firstDeliveries().some((t) => !known.has(t.generation)), 400_000, 'a new generation');
    const restarted = firstDeliveries().find((t) => !known.has(t.generation))!;
    expect(restarted.seq).toBe(1);
    // Stale three intervals after the batch's last due tick (at least the next one, at most a whole batch away), noticed by the next keep-alive.
    expect(restarted.at - last.at).toBeGreaterThan(INTERVAL_MS + STALE_AFTER_INTERVALS * INTERVAL_MS);
    expect(restarted.at - last.at).toBeLessThanOrEqual(BATCH_MS + STALE_AFTER_INTERVALS * INTERVAL_MS + KEEP_ALIVE_MS);
    await clock().sleep(30_000);
    const newGen = firstDeliveries().filter((t) => t.generation === restarted.generation);
    expect(newGen.length).toBeGreaterThanOrEqual(3);
    // The old generation sends nothing more.
    expect(firstDeliveries().filter((t) => t.generation === last.generation && t.at > last.at)).toEqual([]);
  }, 300_000);
});
