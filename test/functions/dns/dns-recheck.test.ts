import { describe, expect, it } from 'vitest';
import type { EntrypointConfig } from '../../../config/types.js';
import { FAKE_PASS, FakeTargetProbe, fakeTimeout } from '../../../functions/adapters/probe/fake-probe.js';
import type { TickQueue } from '../../../functions/adapters/queue/sqs-tick-queue.js';
import { TickSendError } from '../../../functions/adapters/queue/sqs-tick-queue.js';
import type { StoredCheckState, TargetHealthChange } from '../../../functions/decisions/dns/check-round.js';
import type { CheckTick } from '../../../functions/decisions/dns/check-ticks.js';
import type { RecheckMessage } from '../../../functions/decisions/dns/recheck.js';
import { onRecheck, type RecheckDeps } from '../../../functions/dns-checks/recheck.js';
import { MemoryCheckStates } from '../../helpers/memory-check-states.js';

const T0 = Date.parse('2026-11-30T12:00:00.000Z');
const DEAD = '203.0.113.10';
const WELL = '203.0.113.11';

const entrypoint: EntrypointConfig = {
  name: 'www',
  zoneName: 'example.com',
  records: ['www.example.com'],
  type: 'A',
  ttl: 60,
  proxied: false,
  eligiblePools: ['home'],
  addressSource: { from: 'external-ip' },
  check: { protocol: 'tcp', port: 443, timeoutMs: 2000 },
  fall: 3,
  rise: 2,
  maxChangesPerRun: 10,
};

function harness(options: { generation?: string; failSends?: boolean } = {}) {
  const states = new MemoryCheckStates();
  const probe = new FakeTargetProbe({ [DEAD]: fakeTimeout(), [WELL]: FAKE_PASS });
  const sent: { message: CheckTick | RecheckMessage; delaySeconds: number }[] = [];
  const queue: TickQueue = {
    send: async (message, delaySeconds) => {
      if (options.failSends) throw new TickSendError('SendMessage to q failed: HTTP 500');
      sent.push({ message, delaySeconds });
    },
    // A re-check goes alone (SendMessage); only the chain's lead ticks are batched.
    sendBatch: async () => {
      throw new Error('a re-check never sends a batch');
    },
  };
  const published: TargetHealthChange[][] = [];
  const logs: string[] = [];
  let now = T0;
  const deps: RecheckDeps = {
    chain: { get: async () => ({ generation: options.generation ?? 'g1', seq: 7, lastTickAt: new Date(T0).toISOString() }) },
    queue,
    states,
    probe,
    publish: async (changes) => {
      published.push(changes);
    },
    now: () => {
      now += 4_000;
      return new Date(now);
    },
    fastIntervalSeconds: 2,
    log: (_level, message, data) => logs.push(`${message} ${JSON.stringify(data)}`),
  };
  const store = (address: string, s: Partial<StoredCheckState>) => {
    const state = { healthy: true, passes: 0, failures: 1, nodeName: 'home-1', checkedAt: new Date(T0).toISOString(), detail: 'x', ...s } as StoredCheckState;
    void states.put('www', address, state);
    return state;
  };
  const recheck = (targets: { address: string; after: string }[], generation = 'g1'): RecheckMessage => ({
    kind: 'recheck',
    generation,
    entrypoint: 'www',
    targets,
  });
  return { deps, states, probe, sent, published, logs, store, recheck };
}

describe('Function: onRecheck', () => {
  it('probes only the targets it names, folds the failure, and sends the next re-check after the fast interval', async () => {
    const h = harness();
    const first = h.store(DEAD, {});
    h.store(WELL, { passes: 2, failures: 0 });
    const outcome = await onRecheck(h.deps, h.recheck([{ address: DEAD, after: first.checkedAt }]), [entrypoint]);
    expect(outcome).toMatchObject({ ran: true, probed: 1, failed: 1, written: 1, changes: [], sent: true });
    expect(h.probe.calls.map((c) => c.address)).toEqual([DEAD]);
    const stored = h.states.items.get('www')?.get(DEAD);
    expect(stored).toMatchObject({ healthy: true, failures: 2, nodeName: 'home-1' });
    expect(h.sent).toEqual([{ message: h.recheck([{ address: DEAD, after: stored?.checkedAt ?? '' }]), delaySeconds: 2 }]);
  });

  it('the fall-th failure flips the target, publishes it, and sends no further re-check', async () => {
    const h = harness();
    const second = h.store(DEAD, { failures: 2 });
    const outcome = await onRecheck(h.deps, h.recheck([{ address: DEAD, after: second.checkedAt }]), [entrypoint]);
    expect(outcome).toMatchObject({ ran: true, sent: false });
    expect(h.published).toEqual([[expect.objectContaining({ address: DEAD, healthy: false, failures: 3, nodeName: 'home-1' })]]);
    expect(h.states.items.get('www')?.get(DEAD)).toMatchObject({ healthy: false, failures: 3, ejections: 1 });
    expect(h.sent).toEqual([]);
  });

  it('a pass ends the re-checks: the target stays healthy and nothing is sent', async () => {
    const h = harness();
    const first = h.store(DEAD, {});
    h.probe.answer(DEAD, FAKE_PASS);
    expect(await onRecheck(h.deps, h.recheck([{ address: DEAD, after: first.checkedAt }]), [entrypoint])).toMatchObject({ ran: true, failed: 0, sent: false });
    expect(h.states.items.get('www')?.get(DEAD)).toMatchObject({ healthy: true, passes: 1, failures: 0 });
    expect(h.published).toEqual([]);
  });

  it('a second copy of one re-check (SQS delivers at least once) folds nothing more and sends nothing', async () => {
    const h = harness();
    const first = h.store(DEAD, {});
    const message = h.recheck([{ address: DEAD, after: first.checkedAt }]);
    await onRecheck(h.deps, message, [entrypoint]);
    expect(await onRecheck(h.deps, message, [entrypoint])).toEqual({ ran: false, reason: 'overtaken' });
    expect(h.states.items.get('www')?.get(DEAD)?.failures).toBe(2);
    expect(h.sent).toHaveLength(1);
  });

  it('two copies at once: both probe, one write wins, the other publishes and sends nothing', async () => {
    const h = harness();
    const second = h.store(DEAD, { failures: 2 });
    const message = h.recheck([{ address: DEAD, after: second.checkedAt }]);
    const outcomes = await Promise.all([onRecheck(h.deps, message, [entrypoint]), onRecheck(h.deps, message, [entrypoint])]);
    expect(outcomes.map((o) => (o.ran ? o.written : -1)).sort()).toEqual([0, 1]);
    expect(h.states.refused).toBe(1);
    expect(h.published).toHaveLength(1);
    expect(h.states.items.get('www')?.get(DEAD)).toMatchObject({ healthy: false, failures: 3 });
  });

  it('is dropped when its chain generation was replaced, or its entrypoint has no check any more', async () => {
    const h = harness({ generation: 'g2' });
    const first = h.store(DEAD, {});
    expect(await onRecheck(h.deps, h.recheck([{ address: DEAD, after: first.checkedAt }]), [entrypoint])).toEqual({ ran: false, reason: 'other-generation' });
    const { check: _check, ...unchecked } = entrypoint;
    expect(await onRecheck(h.deps, h.recheck([{ address: DEAD, after: first.checkedAt }], 'g2'), [unchecked])).toEqual({
      ran: false,
      reason: 'unknown-entrypoint',
    });
    expect(h.probe.calls).toEqual([]);
    expect(h.logs.some((l) => l.startsWith('re-check dropped') && l.includes('other-generation'))).toBe(true);
  });

  it('a re-check that cannot be sent is logged, not thrown: the next round checks the target', async () => {
    const h = harness({ failSends: true });
    const first = h.store(DEAD, {});
    expect(await onRecheck(h.deps, h.recheck([{ address: DEAD, after: first.checkedAt }]), [entrypoint])).toMatchObject({ ran: true, sent: false });
    expect(h.logs.some((l) => l.startsWith('re-check not sent'))).toBe(true);
  });
});
