import type { StoredSnapshot } from '../adapters/store/watcher-snapshot.js';
import { type HintVerdict, hintVerdict } from '../decisions/watcher/hints.js';
import type { WatcherPolicy } from '../decisions/watcher/types.js';
import { HINT_EVENT_SOURCE } from './constants.js';
import { observeCluster, type WatcherDeps } from './pass.js';

/** What a hint round reads and does: the cluster's half of a pass, the watcher's last snapshot, and a way to start a pass. */
export interface HintDeps {
  cluster: WatcherDeps['cluster'];
  snapshots: { read(): Promise<StoredSnapshot> };
  /** Starts a full watcher pass without waiting for it. */
  startPass(event: Record<string, unknown>): Promise<void>;
}

export interface HintSummary {
  observedAt: string;
  verdict: HintVerdict;
  /** The watcher generation the round compared with. */
  generation: number;
}

/**
 * One cluster-hint round (issue 11): the Node list and the unschedulable pods (the watcher's own cheap calls, no
 * provider), compared with the watcher's last snapshot (hintVerdict). When the watcher would publish a transition that
 * grows buffers, a full pass is started at once: its confirmation, dedupe and events do the rest.
 */
export async function runHintRound(deps: HintDeps, policy: WatcherPolicy, at: string): Promise<HintSummary> {
  const [previous, cluster] = await Promise.all([deps.snapshots.read(), observeCluster(deps, policy)]);
  const verdict = hintVerdict(previous.snapshot, cluster, policy, at);
  if (verdict.pass) await deps.startPass({ source: HINT_EVENT_SOURCE, observedAt: at, reasons: verdict.reasons });
  return { observedAt: at, verdict, generation: previous.generation };
}
