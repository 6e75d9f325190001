import type { TickQueue } from '../adapters/queue/sqs-tick-queue.js';
import type { CheckChainStore } from '../adapters/store/check-chain.js';
import {
  type CheckTick,
  coveredUntil,
  firstTick,
  keepAliveVerdict,
  nextBatch,
  type ScheduledTick,
  type TickVerdict,
  tickVerdict,
} from '../decisions/dns/check-ticks.js';
import type { RecentTicks } from './recent-ticks.js';

export interface ChainDeps {
  chain: CheckChainStore;
  queue: TickQueue;
  intervalSeconds: number;
  newGeneration(): string;
  now(): Date;
  /** One round of whatever the chain paces, for this tick (its generation goes on the round's fast re-checks). */
  round(tick: CheckTick): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void;
  /** The ticks this execution environment ran lately: a copy of a non-lead tick that comes back here is dropped. */
  recent?: RecentTicks;
}

export type TickOutcome =
  | { ran: true; lead: true; sent: number; failed: number }
  | { ran: true; lead: false }
  | { ran: false; reason: Extract<TickVerdict, { run: false }>['reason'] | 'seen-here' };

/**
 * One tick. A lead is claimed in the table first (exactly one copy of a lead wins: tickVerdict, as a conditional
 * write, which also records what its batch covers), then the next batch is sent, then the round runs. Sending before
 * the round keeps the cadence at the interval whatever the round takes, and a round that fails does not break the
 * chain. A send that fails is logged and not thrown: retrying this tick would be dropped as already run, so the
 * keep-alive restarts the chain instead, once the ticks that were sent are past.
 *
 * A non-lead tick only runs the round: it sends nothing, so a second copy of it cannot fork the chain. It is not
 * claimed (that write per tick was most of the table's cost); a copy that reaches the execution environment that ran
 * the original is dropped (`recent`), one that reaches another one runs a second round. That round probes every
 * target again a moment after the first and folds the result as one more check: a real observation, but it can bring
 * a target's fall or rise one round early, so on the rare copy SQS delivers, the hysteresis is one check shorter.
 */
export async function onTick(deps: ChainDeps, tick: CheckTick): Promise<TickOutcome> {
  const recent = deps.recent;
  if (!tick.lead) {
    if (recent && !recent.add(tick)) {
      deps.log('info', 'tick dropped', { ...tick, reason: 'seen-here' });
      return { ran: false, reason: 'seen-here' };
    }
    await deps.round(tick);
    return { ran: true, lead: false };
  }
  const batch = nextBatch(tick, deps.intervalSeconds);
  const claimedAt = deps.now();
  if (!(await deps.chain.claim(tick, claimedAt, coveredUntil(claimedAt, batch)))) {
    const verdict = tickVerdict(await deps.chain.get(), tick);
    const reason = verdict.run ? 'already-run' : verdict.reason;
    deps.log('info', 'tick dropped', { ...tick, reason });
    return { ran: false, reason };
  }
  recent?.add(tick);
  const sent = await sendBatch(deps, batch);
  if (sent.length < batch.length) {
    // The claim said the whole batch would go; the keep-alive must not wait for ticks that were not sent.
    const until = coveredUntil(claimedAt, sent);
    if (!(await deps.chain.cover(tick, until).catch(() => false))) {
      deps.log('warn', 'could not record what the batch covers; the keep-alive restarts the chain one batch later', { ...tick });
    }
  }
  await deps.round(tick);
  return { ran: true, lead: true, sent: sent.length, failed: batch.length - sent.length };
}

export type KeepAliveOutcome =
  | { restarted: false; ageSeconds: number }
  | { restarted: true; generation: string; reason: string; sent: boolean }
  | { restarted: false; raced: true };

/**
 * The keep-alive: when the chain has gone quiet (keepAliveVerdict) it starts a new generation, whose first tick, a
 * lead, goes out at once (DelaySeconds 0); the old generation's leads, if any come back, are dropped.
 */
export async function keepAlive(deps: ChainDeps): Promise<KeepAliveOutcome> {
  const observed = await deps.chain.get();
  const verdict = keepAliveVerdict(observed, deps.now(), deps.intervalSeconds);
  if (!verdict.restart) return { restarted: false, ageSeconds: verdict.ageSeconds };
  const generation = deps.newGeneration();
  if (!(await deps.chain.restart(observed, generation, deps.now()))) return { restarted: false, raced: true };
  // The first start of a chain (a new deploy) is expected; a chain that went quiet is not.
  deps.log(verdict.reason === 'no-chain' ? 'info' : 'warn', 'check chain restarted', {
    generation,
    reason: verdict.reason,
    previous: observed?.generation,
    ageSeconds: verdict.ageSeconds,
  });
  const tick = firstTick(generation);
  let sent = true;
  try {
    await deps.queue.send(tick, 0);
  } catch (err) {
    sent = false;
    deps.log('error', 'first tick not sent; the next keep-alive restarts the chain', { ...tick, error: errorText(err) });
  }
  return { restarted: true, generation, reason: verdict.reason, sent };
}

/**
 * Sends a batch; entries SQS failed on its side (SenderFault false) are sent once more, as the SQS API Reference
 * advises for batch errors. Returns the entries SQS took.
 */
async function sendBatch(deps: ChainDeps, batch: readonly ScheduledTick[]): Promise<ScheduledTick[]> {
  let pending = [...batch];
  const taken: ScheduledTick[] = [];
  for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
    let failed: Awaited<ReturnType<TickQueue['sendBatch']>>['failed'];
    try {
      failed = (await deps.queue.sendBatch(pending)).failed;
    } catch (err) {
      deps.log('error', 'tick batch not sent', { first: pending[0].tick, entries: pending.length, attempt, error: errorText(err) });
      return taken;
    }
    const failedAt = new Set(failed.map((f) => f.index));
    taken.push(...pending.filter((_, i) => !failedAt.has(i)));
    if (failed.length > 0) {
      deps.log(attempt === 1 ? 'warn' : 'error', 'ticks of a batch not sent', {
        attempt,
        failed: failed.map((f) => ({ seq: pending[f.index]?.tick.seq, code: f.code, senderFault: f.senderFault })),
      });
    }
    pending = failed.filter((f) => !f.senderFault && pending[f.index]).map((f) => pending[f.index]);
  }
  return taken.sort((a, b) => a.tick.seq - b.tick.seq);
}

const errorText = (err: unknown) => `${(err as Error).name}: ${(err as Error).message}`;
