import type { EntrypointConfig } from '../../config/types.js';
import type { TargetProbe } from '../adapters/probe/types.js';
import type { TickQueue } from '../adapters/queue/sqs-tick-queue.js';
import type { CheckChainStore } from '../adapters/store/check-chain.js';
import type { DnsCheckStateStore } from '../adapters/store/dns-check-states.js';
import { checkRound, type TargetHealthChange } from '../decisions/dns/check-round.js';
import { type RecheckMessage, recheckDue, recheckTargets } from '../decisions/dns/recheck.js';
import { type DueRecheck, probeAll } from './round.js';

export interface RecheckDeps {
  chain: Pick<CheckChainStore, 'get'>;
  queue: TickQueue;
  /** Read strongly consistent: a re-check follows the last write by a few seconds only. */
  states: DnsCheckStateStore;
  probe: TargetProbe;
  publish(changes: TargetHealthChange[]): Promise<void>;
  now(): Date;
  fastIntervalSeconds: number;
  log(level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void;
}

export type RecheckOutcome =
  | { ran: false; reason: 'other-generation' | 'unknown-entrypoint' | 'overtaken' }
  | { ran: true; probed: number; failed: number; written: number; changes: TargetHealthChange[]; sent: boolean };

/**
 * One fast re-check (decisions/dns/recheck.ts): dropped when its chain generation was replaced, or when every target
 * it names was overtaken; otherwise only those targets are probed, their states folded and written on the condition
 * that nothing wrote them since (so that a duplicate delivery folds nothing twice), the flips published, and the next
 * re-check sent for those still on their way down.
 */
export async function onRecheck(deps: RecheckDeps, message: RecheckMessage, entrypoints: readonly EntrypointConfig[]): Promise<RecheckOutcome> {
  const chain = await deps.chain.get();
  if (chain && chain.generation !== message.generation) return dropped(deps, message, 'other-generation');
  const entrypoint = entrypoints.find((e) => e.name === message.entrypoint);
  if (!entrypoint?.check) return dropped(deps, message, 'unknown-entrypoint');
  const stored = await deps.states.list(entrypoint.name);
  const targets = recheckTargets(message, stored, entrypoint.fall);
  if (targets.length === 0) return dropped(deps, message, 'overtaken');

  const outcomes = await probeAll(deps.probe, entrypoint.check, targets);
  const round = checkRound({
    entrypoint: entrypoint.name,
    limits: { fall: entrypoint.fall, rise: entrypoint.rise },
    candidates: targets.map((t) => ({ address: t.address, nodeName: t.nodeName ?? '' })),
    previous: stored,
    results: new Map(outcomes),
    now: deps.now().toISOString(),
  });
  const after = new Map(targets.map((t) => [t.address, t.after]));
  const won = (
    await Promise.all(
      round.writes.map(async (w) => ((await deps.states.putIfUnchanged(entrypoint.name, w.address, w.state, after.get(w.address) ?? '')) ? w : undefined)),
    )
  ).filter((w) => w !== undefined);
  const wonAddresses = new Set(won.map((w) => w.address));
  const changes = round.changes.filter((c) => wonAddresses.has(c.address));
  if (changes.length > 0) await deps.publish(changes);
  const due = recheckDue(won, entrypoint.fall, deps.fastIntervalSeconds);
  const sent = due ? await sendRecheck(deps, message.generation, { entrypoint: entrypoint.name, ...due }) : false;
  return { ran: true, probed: outcomes.length, failed: outcomes.filter(([, o]) => !o.passed).length, written: won.length, changes, sent };
}

/**
 * Sends a re-check on the tick queue, delayed by the fast interval. A send that fails is logged, not thrown: the next
 * round probes the targets anyway (they only fall at the check interval's pace then).
 */
export async function sendRecheck(deps: Pick<RecheckDeps, 'queue' | 'log'>, generation: string, due: DueRecheck): Promise<boolean> {
  const message: RecheckMessage = { kind: 'recheck', generation, entrypoint: due.entrypoint, targets: due.targets };
  try {
    await deps.queue.send(message, due.delaySeconds);
    return true;
  } catch (err) {
    deps.log('error', 're-check not sent; the next round checks these targets', {
      entrypoint: due.entrypoint,
      addresses: due.targets.map((t) => t.address),
      error: `${(err as Error).name}: ${(err as Error).message}`,
    });
    return false;
  }
}

function dropped(deps: RecheckDeps, message: RecheckMessage, reason: Extract<RecheckOutcome, { ran: false }>['reason']): RecheckOutcome {
  deps.log('info', 're-check dropped', { generation: message.generation, entrypoint: message.entrypoint, reason });
  return { ran: false, reason };
}
