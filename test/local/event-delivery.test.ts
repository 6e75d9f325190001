import { afterEach, describe, expect, it } from 'vitest';
import { AT_LEAST_ONCE, deliveryDelays, type EventDeliveryMode } from '../../local/events/delivery.js';
import { EventBridgeService } from '../../local/events/events.js';
import { IdSource } from '../../local/ids.js';
import type { RuleSpec } from '../../local/types.js';
import { Clock } from '../../sim/clock.js';
import { Random } from '../../sim/random.js';

const REGION = 'eu-west-3';
const ACCOUNT = '123456789012';
const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:on-node-event`;

const rule: RuleSpec = {
  logicalId: 'OnNodeEvent',
  name: 'on-node-event',
  arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/on-node-event`,
  busName: 'default',
  eventPattern: { source: ['shepherd.test'] },
  state: 'ENABLED',
  targets: [{ id: 'workflow', arn: MACHINE, inputPath: '$.detail' }],
};

interface Started {
  seq: number;
  name: string;
  at: number;
}

let clock: Clock | undefined;
let events: EventBridgeService | undefined;

afterEach(() => {
  events?.stop();
  clock?.stop();
});

/** An EventBridge with one rule whose target records each StartExecution it gets. */
function eventBridge(delivery: EventDeliveryMode, seed = 1) {
  clock = new Clock({ mode: 'virtual', autoAdvance: false });
  const started: Started[] = [];
  const random = new Random(seed);
  const service = new EventBridgeService({
    clock,
    region: REGION,
    accountId: ACCOUNT,
    buses: [],
    rules: [rule],
    ids: new IdSource(`${seed}:events`),
    delivery,
    random: () => random.next(),
    targets: {
      startExecution: (_arn, input, name) => started.push({ seq: (JSON.parse(input) as { seq: number }).seq, name, at: (clock as Clock).now() }),
      invokeLambda: async () => undefined,
    },
  });
  events = service;
  return { clock, events: service, started };
}

/** Puts `count` events one second apart, then lets every delivery land. */
async function putSequence(bridge: ReturnType<typeof eventBridge>, count: number) {
  for (let seq = 0; seq < count; seq++) {
    const entries = bridge.events.putEvents([{ Source: 'shepherd.test', DetailType: 'Node Event', Detail: JSON.stringify({ seq }) }]);
    expect(entries[0]).toHaveProperty('EventId');
    await bridge.clock.advance(1_000);
  }
  await bridge.clock.advance(AT_LEAST_ONCE.maxDuplicateDelayMs);
}

describe('Function: deliveryDelays', () => {
  it('exactly-once hands over one copy synchronously', () => {
    expect(deliveryDelays('exactly-once', () => 0.5)).toBeUndefined();
  });

  it('at-least-once gives one or two copies within the tuned delays, the same for the same seed', () => {
    const draw = (seed: number) => {
      const random = new Random(seed);
      return Array.from({ length: 1_000 }, () => deliveryDelays('at-least-once', () => random.next()) ?? []);
    };
    const plans = draw(3);
    expect(plans.every((d) => d.length === 1 || d.length === 2)).toBe(true);
    expect(plans.every((d) => d[0] >= 0 && d[0] <= AT_LEAST_ONCE.maxDelayMs)).toBe(true);
    expect(plans.every((d) => d.length === 1 || (d[1] >= 0 && d[1] <= AT_LEAST_ONCE.maxDuplicateDelayMs))).toBe(true);
    const duplicated = plans.filter((d) => d.length === 2).length;
    expect(duplicated).toBeGreaterThan(50);
    expect(duplicated).toBeLessThan(150);
    expect(draw(3)).toEqual(plans);
    expect(draw(4)).not.toEqual(plans);
  });
});

describe('Class: EventBridgeService', () => {
  it('at-least-once: over many seeded events every one arrives, some twice, some out of order, none before it was put', async () => {
    const bridge = eventBridge('at-least-once', 7);
    // Nothing is handed over synchronously.
    bridge.events.putEvents([{ Source: 'shepherd.test', DetailType: 'Node Event', Detail: JSON.stringify({ seq: -1 }) }]);
    expect(bridge.started).toEqual([]);
    await bridge.clock.advance(AT_LEAST_ONCE.maxDuplicateDelayMs);
    expect(bridge.started.map((s) => s.seq)).toContain(-1);
    bridge.started.length = 0;
    bridge.events.deliveries.length = 0;

    await putSequence(bridge, 200);
    const seqs = bridge.started.map((s) => s.seq);
    const counts = new Map<number, number>();
    for (const seq of seqs) counts.set(seq, (counts.get(seq) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect([...counts.values()].every((n) => n === 1 || n === 2)).toBe(true);
    expect([...counts.values()].filter((n) => n === 2).length).toBeGreaterThan(0);
    // Out of order: some event reaches the target after one put later than it.
    const inversions = seqs.filter((seq, i) => seqs.slice(i + 1).some((later) => later < seq)).length;
    expect(inversions).toBeGreaterThan(0);
    // A duplicate starts an execution of its own, as EventBridge names each StartExecution itself.
    expect(new Set(bridge.started.map((s) => s.name)).size).toBe(seqs.length);
    const deliveries = bridge.events.deliveries.filter((d) => d.ok);
    expect(deliveries).toHaveLength(seqs.length);
    expect(deliveries.every((d) => d.at >= d.matchedAt && d.at <= d.matchedAt + AT_LEAST_ONCE.maxDuplicateDelayMs)).toBe(true);
    expect(deliveries.some((d) => d.at > d.matchedAt)).toBe(true);
  });

  it('at-least-once repeats itself for the same seed', async () => {
    const first = eventBridge('at-least-once', 11);
    await putSequence(first, 50);
    const firstRun = first.started.map((s) => [s.seq, s.at]);
    first.events.stop();
    first.clock.stop();
    const second = eventBridge('at-least-once', 11);
    await putSequence(second, 50);
    expect(second.started.map((s) => [s.seq, s.at])).toEqual(firstRun);
  });

  it('exactly-once: each event once, at once, in the order it was put', async () => {
    const bridge = eventBridge('exactly-once');
    bridge.events.putEvents([{ Source: 'shepherd.test', DetailType: 'Node Event', Detail: JSON.stringify({ seq: 0 }) }]);
    expect(bridge.started.map((s) => s.seq)).toEqual([0]);
    bridge.started.length = 0;
    await putSequence(bridge, 200);
    expect(bridge.started.map((s) => s.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(bridge.events.deliveries.every((d) => d.at === d.matchedAt)).toBe(true);
  });

  it('stop() drops the deliveries still on their way', async () => {
    const bridge = eventBridge('at-least-once', 5);
    for (let seq = 0; seq < 20; seq++) bridge.events.putEvents([{ Source: 'shepherd.test', DetailType: 'Node Event', Detail: JSON.stringify({ seq }) }]);
    bridge.events.stop();
    await bridge.clock.advance(AT_LEAST_ONCE.maxDuplicateDelayMs);
    expect(bridge.started).toEqual([]);
  });
});
