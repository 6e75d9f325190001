/**
 * The overshoot and no-flapping figures of bench:buffers' simulated day, computed by the benchmark on its own (not
 * with ScaleBuffer's scheduling simulation: measuring the product against itself would hide a packing error).
 */

/** What a pod requests, or the room a node has: CPU in millicores, memory in bytes. */
export interface Room {
  cpuMillis: number;
  memoryBytes: number;
}

/**
 * The fewest new nodes of `allocatable` that, with the free room of the nodes already there, hold every pod:
 * first-fit decreasing by CPU (existing room first). For the day's bursts (one shape each) it is exact: it fills each
 * node with as many pods as fit, which no packing beats.
 */
export function nodesNeeded(pods: readonly Room[], freeRoom: readonly Room[], allocatable: Room): number {
  const bins = freeRoom.map((r) => ({ ...r }));
  const existing = bins.length;
  const fits = (bin: Room, pod: Room) => bin.cpuMillis >= pod.cpuMillis && bin.memoryBytes >= pod.memoryBytes;
  for (const pod of [...pods].sort((a, b) => b.cpuMillis - a.cpuMillis || b.memoryBytes - a.memoryBytes)) {
    if (!fits(allocatable, pod)) throw new Error(`a pod of ${pod.cpuMillis}m fits no node of the pool`);
    let bin = bins.find((b) => fits(b, pod));
    if (!bin) {
      bin = { ...allocatable };
      bins.push(bin);
    }
    bin.cpuMillis -= pod.cpuMillis;
    bin.memoryBytes -= pod.memoryBytes;
  }
  return bins.length - existing;
}

/** A buffer pool's Node appearing or going, as the benchmark saw it (simulated ms). */
export interface NodeChange {
  node: string;
  pool: string;
  at: number;
  change: 'added' | 'removed';
}

/** One need of the day: a burst of pending pods, or a provider's outage. */
export interface Need {
  name: string;
  kind: 'burst' | 'outage';
  /** When its pods went pending, or the provider dark (simulated ms). */
  startedAt: number;
  pods: number;
  /** Nodes it needed (nodesNeeded), and the buffer nodes added for it (between its start and the next need's). */
  needed: number;
  added: number;
  /** How many decisions added nodes for it (ScaleBuffer plans with a scale-up). */
  decisions: number;
}

/** Nodes added to any buffer pool from each need's start until the next need's: the need they were added for. */
export function addedPerNeed(needs: readonly Pick<Need, 'startedAt'>[], changes: readonly NodeChange[]): number[] {
  const starts = needs.map((n) => n.startedAt);
  return starts.map((start, i) => changes.filter((c) => c.change === 'added' && c.at >= start && c.at < (starts[i + 1] ?? Number.POSITIVE_INFINITY)).length);
}

export interface Flap {
  pool: string;
  removed: string;
  removedAt: number;
  added: string;
  addedAt: number;
  need: string;
}

/**
 * Flapping: a node of a pool removed, then one added to that pool within `windowMs` for the same need, that is a
 * need that had started before the removal (a need that starts at or after it is new demand, not a flap).
 */
export function flaps(needs: readonly Pick<Need, 'name' | 'startedAt'>[], changes: readonly NodeChange[], windowMs = 30 * 60_000): Flap[] {
  const needAt = (at: number) => [...needs].reverse().find((n) => n.startedAt <= at);
  const out: Flap[] = [];
  for (const removal of changes.filter((c) => c.change === 'removed')) {
    for (const addition of changes.filter((c) => c.change === 'added' && c.pool === removal.pool && c.at > removal.at && c.at <= removal.at + windowMs)) {
      const need = needAt(addition.at);
      if (need && need.startedAt < removal.at) {
        out.push({ pool: removal.pool, removed: removal.node, removedAt: removal.at, added: addition.node, addedAt: addition.at, need: need.name });
      }
    }
  }
  return out;
}

/** The issue's goals for the day: at most 1 node over what each need needed; no flap. */
export const DAY_GOALS = { overshootPerNeed: 1, flapWindowMinutes: 30 } as const;

export interface DayFigures {
  kind: 'day';
  /** Simulated hours the day's events took, and its counts. */
  hours: number;
  needs: Need[];
  changes: NodeChange[];
  flaps: Flap[];
}

export interface DayCheck {
  met: boolean;
  line: string;
}

export function dayChecks(day: DayFigures): DayCheck[] {
  const checks = day.needs.map((n) => {
    const over = n.added - n.needed;
    const met = over <= DAY_GOALS.overshootPerNeed && n.added >= n.needed;
    const short = n.added < n.needed ? `; ${n.needed - n.added} short` : '';
    return {
      met,
      line: `${met ? 'PASS' : 'FAIL'}  ${n.name} (${n.kind}, ${n.pods} pods): added ${n.added}, needed ${n.needed}, overshoot ${over} (goal <= ${DAY_GOALS.overshootPerNeed}${short}); ${n.decisions} scale-up decision(s)`,
    };
  });
  const start = day.needs[0]?.startedAt ?? 0;
  const flapLines = day.flaps.map(
    (f) => `${f.pool}: ${f.removed} removed at ${minutes(f.removedAt - start)}, ${f.added} added at ${minutes(f.addedAt - start)} for ${f.need}`,
  );
  checks.push({
    met: day.flaps.length === 0,
    line: `${day.flaps.length === 0 ? 'PASS' : 'FAIL'}  no flapping: ${day.changes.filter((c) => c.change === 'removed').length} buffer node(s) removed, none re-added within ${DAY_GOALS.flapWindowMinutes} min for the same need${day.flaps.length ? `; flaps: ${flapLines.join('; ')}` : ''}`,
  });
  return checks;
}

/** The node changes as lines, in simulated minutes from the day's start. */
export function formatDay(day: DayFigures): string[] {
  const start = day.needs[0]?.startedAt ?? 0;
  return [
    `Simulated day (${day.needs.filter((n) => n.kind === 'burst').length} bursts, ${day.needs.filter((n) => n.kind === 'outage').length} outage, ${day.hours.toFixed(1)} simulated hours):`,
    ...day.changes.map((c) => `  ${minutes(c.at - start)}  ${c.change === 'added' ? '+' : '-'} ${c.node} (${c.pool})`),
  ];
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}
