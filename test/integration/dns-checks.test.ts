import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';

/**
 * The DNS check chain in the local control plane: the synthesized stack's tick queue, its event source mapping, the
 * bundled dns-checks function and its keep-alive schedule, on the simulated clock. SQS's at-least-once delivery and
 * EventBridge's are on (their unkindness defaults). Nothing of ours is mocked.
 */

/**
 * The shipped config with an active check on the entrypoint, served by a pool with no node yet, so that a round
 * probes nothing (what a round does with targets is test/functions/dns-check-round.test.ts's; this file is about the
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

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({ config, seed: 5, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
}, 600_000);

afterAll(async () => {
  await local?.stop();
});

interface TickRun {
  at: number;
  generation: string;
  seq: number;
}

/** The ticks the mapping delivered and the function took without error, in order. */
function delivered(): TickRun[] {
  return local.controlPlane.eventSourceMappings.invocations
    .filter((i) => i.ok)
    .flatMap((i) => i.bodies.map((b) => ({ at: i.at, ...(JSON.parse(b) as { generation: string; seq: number }) })));
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

describe('Function: dns-checks (tick chain, local control plane)', () => {
  it('the keep-alive starts the chain within its first minute, then a tick arrives every checkIntervalSeconds', async () => {
    const start = clock().now();
    await clock().until(() => firstDeliveries().length >= 1, 120_000, 'the first tick');
    expect(firstDeliveries()[0].at - start).toBeLessThanOrEqual(65_000);
    await clock().until(() => firstDeliveries().length >= 31, 600_000, '30 more ticks');
    const ticks = firstDeliveries();
    expect(new Set(ticks.map((t) => t.generation)).size).toBe(1);
    expect(ticks.map((t) => t.seq)).toEqual(ticks.map((_, i) => i + 1));
    const gaps = ticks.slice(1).map((t, i) => t.at - ticks[i].at);
    expect(new Set(gaps)).toEqual(new Set([config.dns!.checkIntervalSeconds * 1000]));
  }, 300_000);

  it('a duplicate tick does not double the chain: one message in the queue, one tick per interval', async () => {
    const [last] = firstDeliveries().slice(-1);
    // Two more copies of a tick already run, as SQS may hand one out again.
    local.controlPlane.sqs.send(queueName, JSON.stringify({ generation: last.generation, seq: last.seq }), 0);
    local.controlPlane.sqs.send(queueName, JSON.stringify({ generation: last.generation, seq: last.seq }), 3);
    const from = clock().now();
    await clock().sleep(60_000);
    const after = firstDeliveries().filter((t) => t.at > from);
    expect(after.length).toBeGreaterThanOrEqual(5);
    expect(after.length).toBeLessThanOrEqual(6);
    expect(after.map((t) => t.seq)).toEqual(after.map((_, i) => after[0].seq + i));
    expect(delivered().filter((t) => t.generation === last.generation && t.seq === last.seq).length).toBeGreaterThanOrEqual(3);
    // At most the next tick and a late duplicate copy of it wait in the queue.
    expect(local.controlPlane.sqs.depth(queueName)).toBeLessThanOrEqual(2);
  }, 300_000);

  it('a broken chain (its tick lost) is restarted by the keep-alive within a minute and a half, as a new generation', async () => {
    const [last] = firstDeliveries().slice(-1);
    local.controlPlane.sqs.purge(queueName);
    await clock().until(() => firstDeliveries().some((t) => t.generation !== last.generation), 180_000, 'a new generation');
    const restarted = firstDeliveries().find((t) => t.generation !== last.generation)!;
    expect(restarted.seq).toBe(1);
    // Stale after 3 intervals, noticed by the next once-a-minute keep-alive.
    expect(restarted.at - last.at).toBeGreaterThan(30_000);
    expect(restarted.at - last.at).toBeLessThanOrEqual(90_000);
    await clock().sleep(30_000);
    const newGen = firstDeliveries().filter((t) => t.generation === restarted.generation);
    expect(newGen.length).toBeGreaterThanOrEqual(3);
    // The old generation sends nothing more.
    expect(firstDeliveries().filter((t) => t.generation === last.generation && t.at > last.at)).toEqual([]);
  }, 300_000);
});
