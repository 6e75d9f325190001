import type { TickQueue } from '../adapters/queue/sqs-tick-queue.js';
import type { CheckChainStore } from '../adapters/store/check-chain.js';
import { type CheckTick, firstTick, followingTick, keepAliveVerdict, type TickVerdict, tickVerdict } from '../decisions/dns/check-ticks.js';

export interface ChainDeps {
  chain: CheckChainStore;
  queue: TickQueue;
  intervalSeconds: number;
  newGeneration(): string;
  now(): Date;
  /** One round of checks, for this tick (its generation goes on the round's fast re-checks). */
  round(tick: CheckTick): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void;
}

export type TickOutcome = { ran: true; sent: boolean } | { ran: false; reason: Extract<TickVerdict, { run: false }>['reason'] };

/**
 * One tick: claimed in the table first (exactly one copy of a tick wins: tickVerdict, as a conditional write), then
 * the next tick is sent, then the round runs. Sending before the round keeps the cadence at the interval whatever
 * the round takes, and a round that fails does not break the chain. A send that fails is logged and not thrown:
 * retrying this tick would be dropped as already run, so the keep-alive restarts the chain instead.
 */
export async function onTick(deps: ChainDeps, tick: CheckTick): Promise<TickOutcome> {
  if (!(await deps.chain.claim(tick, deps.now()))) {
    const verdict = tickVerdict(await deps.chain.get(), tick);
    const reason = verdict.run ? 'already-run' : verdict.reason;
    deps.log('info', 'tick dropped', { ...tick, reason });
    return { ran: false, reason };
  }
  const sent = await send(deps, followingTick(tick), deps.intervalSeconds);
  await deps.round(tick);
  return { ran: true, sent };
}

export type KeepAliveOutcome =
  | { restarted: false; ageSeconds: number }
  | { restarted: true; generation: string; reason: string; sent: boolean }
  | { restarted: false; raced: true };

/**
 * The once-a-minute keep-alive: when the chain has gone quiet (keepAliveVerdict) it starts a new generation, whose
 * first tick goes out at once (DelaySeconds 0); the old generation's ticks, if any come back, are dropped.
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
  const sent = await send(deps, firstTick(generation), 0);
  return { restarted: true, generation, reason: verdict.reason, sent };
}

async function send(deps: ChainDeps, tick: CheckTick, delaySeconds: number): Promise<boolean> {
  try {
    await deps.queue.send(tick, delaySeconds);
    return true;
  } catch (err) {
    deps.log('error', 'next tick not sent; the keep-alive restarts the chain', { ...tick, error: `${(err as Error).name}: ${(err as Error).message}` });
    return false;
  }
}
