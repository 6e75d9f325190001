import { parseTick } from '../../decisions/dns/check-ticks.js';
import { type ChainDeps, type KeepAliveOutcome, keepAlive, onTick, type TickOutcome } from '../../dns-checks/chain.js';

/** A batch of a tick queue, as the event source mapping delivers it (batch size 1). */
export interface SqsEvent {
  Records: { messageId: string; body: string }[];
}

export const isSqsEvent = (event: unknown): event is SqsEvent => Array.isArray((event as SqsEvent | null)?.Records);

/**
 * A tick chain's function (functions/dns-checks/chain.ts) as Lambda invokes it: each tick of an SQS batch, or, for any
 * other event (its once-a-minute schedule), the keep-alive. A body that is not a tick is logged and dropped.
 */
export async function runChainEvent(deps: ChainDeps, event: unknown): Promise<{ keepAlive: KeepAliveOutcome } | { ticks: TickOutcome[] }> {
  if (!isSqsEvent(event)) return { keepAlive: await keepAlive(deps) };
  const ticks: TickOutcome[] = [];
  for (const record of event.Records) {
    const tick = parseTick(record.body);
    if (!tick) {
      deps.log('warn', 'message is not a tick; dropped', { messageId: record.messageId });
      continue;
    }
    ticks.push(await onTick(deps, tick));
  }
  return { ticks };
}
