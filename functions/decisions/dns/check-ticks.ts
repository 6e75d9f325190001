/**
 * The sub-minute cadence of the active checks (issue 10): a chain of SQS messages, each delayed by the check interval,
 * each starting one round of checks and sending the next. SQS standard queues deliver at least once ("Amazon SQS
 * at-least-once delivery", SQS Developer Guide: a copy may come again), so a chain can double; a failed send breaks
 * it. Each tick therefore carries its chain's generation and a sequence number, the table keeps the current
 * generation, the last sequence run and when, and a once-a-minute keep-alive starts a new generation when the chain
 * has gone quiet. These are the pure rules; functions/adapters/store/check-chain.ts applies them with conditional
 * writes, so that two copies of one tick (or two keep-alives) never both win.
 */

/** One message of the chain. */
export interface CheckTick {
  generation: string;
  /** 1 for the tick a keep-alive sends, then one more per tick. */
  seq: number;
}

/** The chain as the table records it. */
export interface CheckChain {
  generation: string;
  /** The last tick run. */
  seq: number;
  /** When it ran (ISO). */
  lastTickAt: string;
}

export type TickVerdict = { run: true } | { run: false; reason: 'other-generation' | 'already-run' };

/** The chain is restarted when its last tick is older than this many intervals (one lost tick is not enough). */
export const STALE_AFTER_INTERVALS = 3;

/**
 * Whether a tick starts a round: only a tick of the current generation that comes after the last one run. A tick of
 * an older generation (a chain the keep-alive replaced) or a second copy of one already run is dropped, and sends
 * nothing, so the chain neither doubles nor forks. With no chain recorded (a fresh table) the tick is run and its
 * generation becomes the current one.
 */
export function tickVerdict(chain: CheckChain | undefined, tick: CheckTick): TickVerdict {
  if (!chain) return { run: true };
  if (tick.generation !== chain.generation) return { run: false, reason: 'other-generation' };
  if (tick.seq <= chain.seq) return { run: false, reason: 'already-run' };
  return { run: true };
}

/** The tick a round sends for the next one. */
export function followingTick(tick: CheckTick): CheckTick {
  return { generation: tick.generation, seq: tick.seq + 1 };
}

export type KeepAliveVerdict = { restart: false; ageSeconds: number } | { restart: true; reason: 'no-chain' | 'stale'; ageSeconds?: number };

/**
 * The keep-alive's rule, once a minute: start a new generation when no chain was ever recorded or its last tick is
 * older than STALE_AFTER_INTERVALS intervals. A chain broken just after one keep-alive is restarted by the next one
 * (within a minute plus three intervals at most).
 */
export function keepAliveVerdict(chain: CheckChain | undefined, now: Date, intervalSeconds: number): KeepAliveVerdict {
  if (!chain) return { restart: true, reason: 'no-chain' };
  const ageSeconds = Math.max(0, (now.getTime() - Date.parse(chain.lastTickAt)) / 1000);
  if (!(ageSeconds <= STALE_AFTER_INTERVALS * intervalSeconds)) return { restart: true, reason: 'stale', ageSeconds };
  return { restart: false, ageSeconds };
}

/** The first tick of a new generation. */
export function firstTick(generation: string): CheckTick {
  return { generation, seq: 1 };
}

/** A tick read from a message body; undefined when the body is not one (it is then dropped and logged). */
export function parseTick(body: string): CheckTick | undefined {
  try {
    const value = JSON.parse(body) as Partial<CheckTick>;
    if (typeof value.generation === 'string' && value.generation !== '' && Number.isInteger(value.seq) && (value.seq as number) >= 1) {
      return { generation: value.generation, seq: value.seq as number };
    }
  } catch {
    // not JSON: not a tick
  }
  return undefined;
}
