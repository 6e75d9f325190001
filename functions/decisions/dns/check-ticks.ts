/**
 * The sub-minute cadence of the active checks (issue 10): a chain of SQS messages, each delayed so that rounds start
 * exactly one interval apart. To spend one SendMessage (and one table write) on ten ticks rather than one, a *lead*
 * tick sends the next BATCH_TICKS ticks in one SendMessageBatch, each with its own DelaySeconds (interval, 2 x
 * interval, ...); the last of them is the next lead. SQS standard queues deliver at least once ("Amazon SQS
 * at-least-once delivery", SQS Developer Guide: a copy may come again), so a chain could fork; a failed send breaks
 * it. So every tick carries its chain's generation and a sequence number; the table keeps the current generation, the
 * last lead run, when, and when the last tick it sent is due; only a lead is claimed there (a conditional write:
 * exactly one copy of a lead sends the next batch, so the chain never forks), and a keep-alive starts a new
 * generation when the chain has gone quiet. These are the pure rules; functions/dns-checks/chain.ts applies them.
 */

/** One message of the chain. */
export interface CheckTick {
  generation: string;
  /** 1 for the tick a keep-alive sends, then one more per tick. */
  seq: number;
  /** A lead tick is claimed in the table and sends the next batch; the others only run a round. */
  lead: boolean;
}

/** The chain as the table records it. */
export interface CheckChain {
  generation: string;
  /** The last lead run (0 right after a restart). */
  seq: number;
  /** When it ran (ISO). */
  lastTickAt: string;
  /** When the last tick it sent is due (ISO): the chain is not quiet before then. Absent in an item written before batches. */
  coveredUntil?: string;
}

export type TickVerdict = { run: true } | { run: false; reason: 'other-generation' | 'already-run' };

/** The chain is restarted when it has been quiet this many intervals past its last due tick (one lost tick is not enough). */
export const STALE_AFTER_INTERVALS = 3;
/** SendMessageBatch takes at most ten entries ("SendMessageBatch", SQS API Reference: "up to 10 messages"). */
export const MAX_BATCH_ENTRIES = 10;
/** DelaySeconds per message: "Valid values: 0 to 900" (SQS API Reference, SendMessage / SendMessageBatchRequestEntry). */
export const MAX_DELAY_SECONDS = 900;

/**
 * Ticks one lead sends: ten (one SendMessageBatch), fewer only if ten intervals would pass SQS's 900 s delay limit.
 * The table is written once per batch, and a lost lead is noticed after the batch: see keepAliveVerdict.
 */
export function batchTicks(intervalSeconds: number): number {
  return Math.max(1, Math.min(MAX_BATCH_ENTRIES, Math.floor(MAX_DELAY_SECONDS / intervalSeconds)));
}

/** One entry of a batch: the tick and its DelaySeconds. */
export interface ScheduledTick {
  tick: CheckTick;
  delaySeconds: number;
}

/**
 * The batch a lead sends: ticks seq+1 .. seq+n of its generation, the k-th delayed k intervals (so rounds stay exactly
 * one interval apart, measured from the lead's send), the last one the next lead.
 */
export function nextBatch(lead: CheckTick, intervalSeconds: number, n = batchTicks(intervalSeconds)): ScheduledTick[] {
  return Array.from({ length: n }, (_, i) => ({
    tick: { generation: lead.generation, seq: lead.seq + i + 1, lead: i === n - 1 },
    delaySeconds: (i + 1) * intervalSeconds,
  }));
}

/**
 * When the chain stops being covered, given the entries of a batch that SQS took (sent at `sentAt`): the next lead's
 * due time when it was sent; when it was not, the last sent entry's (those rounds still run, then the keep-alive
 * takes over); `sentAt` when nothing was sent.
 */
export function coveredUntil(sentAt: Date, sent: readonly ScheduledTick[]): Date {
  const lead = sent.find((e) => e.tick.lead);
  const seconds = lead ? lead.delaySeconds : Math.max(0, ...sent.map((e) => e.delaySeconds));
  return new Date(sentAt.getTime() + seconds * 1000);
}

/**
 * Whether a lead tick starts a round and sends the next batch: only a lead of the current generation that comes after
 * the last one run. A lead of an older generation (a chain the keep-alive replaced) or a second copy of one already
 * run is dropped, and sends nothing, so the chain neither doubles nor forks. With no chain recorded (a fresh table)
 * the tick is run and its generation becomes the current one.
 */
export function tickVerdict(chain: CheckChain | undefined, tick: CheckTick): TickVerdict {
  if (!chain) return { run: true };
  if (tick.generation !== chain.generation) return { run: false, reason: 'other-generation' };
  if (tick.seq <= chain.seq) return { run: false, reason: 'already-run' };
  return { run: true };
}

export type KeepAliveVerdict = { restart: false; ageSeconds: number } | { restart: true; reason: 'no-chain' | 'stale'; ageSeconds?: number };

/**
 * The keep-alive's rule: start a new generation when no chain was ever recorded, or when more than
 * STALE_AFTER_INTERVALS intervals have passed since the later of its last lead and the due time of the last tick
 * that lead sent (ageSeconds counts from there). So a chain whose batch went out is never restarted while ticks are
 * still due; a lead whose send failed records that nothing more is due. Restart bounds, with the keep-alive every P s:
 * a failed send, STALE_AFTER_INTERVALS intervals + P after that lead; a lost lead message, one batch + that.
 */
export function keepAliveVerdict(chain: CheckChain | undefined, now: Date, intervalSeconds: number): KeepAliveVerdict {
  if (!chain) return { restart: true, reason: 'no-chain' };
  const quietSince = Math.max(Date.parse(chain.lastTickAt), chain.coveredUntil ? Date.parse(chain.coveredUntil) : Number.NEGATIVE_INFINITY);
  const ageSeconds = Math.max(0, (now.getTime() - quietSince) / 1000);
  if (!(ageSeconds <= STALE_AFTER_INTERVALS * intervalSeconds)) return { restart: true, reason: 'stale', ageSeconds };
  return { restart: false, ageSeconds };
}

/** The first tick of a new generation: a lead, so it sends the first batch. */
export function firstTick(generation: string): CheckTick {
  return { generation, seq: 1, lead: true };
}

/** A tick read from a message body; undefined when the body is not one (it is then dropped and logged). */
export function parseTick(body: string): CheckTick | undefined {
  try {
    const value = JSON.parse(body) as Partial<CheckTick>;
    if (typeof value.generation === 'string' && value.generation !== '' && Number.isInteger(value.seq) && (value.seq as number) >= 1) {
      // A tick without `lead` was sent before batches: each then sent the next one, so it leads.
      return { generation: value.generation, seq: value.seq as number, lead: value.lead !== false };
    }
  } catch {
    // not JSON: not a tick
  }
  return undefined;
}
