/**
 * How long a ProvisionNode execution can take at worst, read from its own state machine definition, so that the
 * execution timeout and the claims' expiry follow the definition instead of a guess.
 *
 * Step Functions has no per-execution timeout (StartExecution takes none; `TimeoutSeconds`/`TimeoutSecondsPath` are
 * fields of Task states, and the machine's top-level `TimeoutSeconds` covers every execution: "Amazon States
 * Language", "State machine structure" and "Task state"). So the machine's TimeoutSeconds is a cap sized from the
 * config's largest request, validate-input refuses a count whose worst case exceeds it, and each claim expires
 * after its own execution's worst case.
 */

/** One Retry entry, as ASL writes it (defaults from the ASL spec: interval 1 s, 3 attempts, backoff 2). */
export interface RetrierTiming {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

/** The fields of an ASL state this module reads. */
export interface StateTiming {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Catch?: Array<{ Next: string }>;
  TimeoutSeconds?: number;
  Retry?: RetrierTiming[];
  ItemProcessor?: StatesTiming;
  Iterator?: StatesTiming;
}

export interface StatesTiming {
  StartAt: string;
  States: Record<string, StateTiming>;
}

/** What validate-input needs to size an execution: read from the definition at synthesis, passed in its environment. */
export interface ExecutionBudget {
  /** The states outside the slot Map (validate-input), at worst. */
  fixedSeconds: number;
  /** One slot (claim, launch, registration polls, labelling, record, cleanup), at worst. */
  slotSeconds: number;
  /** The state machine's TimeoutSeconds: no execution runs longer. */
  capSeconds: number;
}

/** The environment variable through which the stack gives validate-input the budget (ExecutionBudget as JSON). */
export const EXECUTION_BUDGET_ENV = 'SHEPHERD_EXECUTION_BUDGET';

/** Step Functions Standard workflows run at most one year ("Step Functions service quotas"). */
export const STANDARD_MAX_SECONDS = 365 * 86_400;

/**
 * The most shepherd sets as the cap: a request that may take longer is refused up front and should be split. A
 * claim expires after its own request's worst case, not after the cap, so the cap only bounds the largest requests.
 */
export const MAX_EXECUTION_SECONDS = 7 * 86_400;

/** Added to an execution's worst case before its claims expire: start-up and scheduling latency of the service. */
export const CLAIM_EXPIRY_MARGIN_SECONDS = 15 * 60;

/** A Task entered once, at worst: every attempt runs to TimeoutSeconds, every retrier is used up at its longest waits. */
export function taskWorstSeconds(state: StateTiming): number {
  const timeout = state.TimeoutSeconds ?? 0;
  let attempts = 1;
  let waits = 0;
  for (const r of state.Retry ?? []) {
    const max = r.MaxAttempts ?? 3;
    attempts += max;
    for (let n = 0; n < max; n++) {
      const delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n;
      waits += Math.min(delay, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
    }
  }
  return attempts * timeout + waits;
}

/** How many times the states of each kind of bounded loop run at most. */
export interface LoopRounds {
  /** A loop with a Wait: the registration poll. */
  waiting: number;
  /** A loop without one: the move from offering to offering after a capacity error. */
  other: number;
}

/**
 * The worst time through a flow of states with bounded loops (the registration poll, the offerings): every Task runs
 * once at its worst, every state on a cycle runs as many times as its kind of loop allows (`rounds`), each Wait
 * waits `waitSeconds`. A sum over all states, not over one path, so it also bounds the failure path (a timeout at
 * the last step, then the cleanup).
 */
export function flowWorstSeconds(flow: StatesTiming, rounds: LoopRounds, waitSeconds: number): number {
  const looping = statesOnCycles(flow);
  let total = 0;
  for (const [name, state] of Object.entries(flow.States)) {
    const waits = looping.get(name);
    const times = waits === undefined ? 1 : waits ? rounds.waiting : rounds.other;
    if (state.Type === 'Task') total += times * taskWorstSeconds(state);
    else if (state.Type === 'Wait') total += times * waitSeconds;
  }
  return total;
}

/**
 * The budget of the ProvisionNode definition: its states outside the Map, and one Map item, with the registration
 * poll (`maxPolls` rounds of `pollSeconds`) and a launch in each of up to `offerings` offerings (the most any pool has).
 */
export function provisionBudget(definition: StatesTiming, poll: { seconds: number; maxPolls: number }, offerings: number, capSeconds: number): ExecutionBudget {
  const maps = Object.values(definition.States).filter((s) => s.Type === 'Map');
  if (maps.length !== 1) throw new Error(`expected one Map state in the ProvisionNode definition, found ${maps.length}`);
  const items = maps[0].ItemProcessor ?? maps[0].Iterator;
  if (!items) throw new Error('the Map state of the ProvisionNode definition has no ItemProcessor');
  return {
    fixedSeconds: flowWorstSeconds(definition, { waiting: 1, other: 1 }, 0),
    slotSeconds: flowWorstSeconds(items, { waiting: poll.maxPolls, other: Math.max(1, offerings) }, poll.seconds),
    capSeconds,
  };
}

/** Slots run in waves of `concurrency`: a request of `count` nodes takes this long at worst. */
export function executionWorstSeconds(budget: Omit<ExecutionBudget, 'capSeconds'>, count: number, concurrency: number): number {
  return budget.fixedSeconds + Math.ceil(count / Math.max(1, concurrency)) * budget.slotSeconds;
}

/** The machine's cap: the worst case of the largest request any pool allows, at most MAX_EXECUTION_SECONDS. */
export function executionCapSeconds(budget: Omit<ExecutionBudget, 'capSeconds'>, pools: ReadonlyArray<{ max: number; concurrency: number }>): number {
  const largest = Math.max(0, ...pools.map((p) => executionWorstSeconds(budget, p.max, p.concurrency)));
  return Math.min(MAX_EXECUTION_SECONDS, STANDARD_MAX_SECONDS, Math.ceil(largest));
}

/** The largest count that finishes within the cap (0 when not even one does). */
export function maxCountWithinCap(budget: ExecutionBudget, concurrency: number): number {
  const waves = Math.floor((budget.capSeconds - budget.fixedSeconds) / budget.slotSeconds);
  return Math.max(0, waves) * Math.max(1, concurrency);
}

/** Epoch seconds after which a claim of this request is no longer counted and may be reaped. */
export function claimExpiresAt(budget: ExecutionBudget, count: number, concurrency: number, nowMs: number): number {
  return Math.ceil(nowMs / 1000 + Math.min(executionWorstSeconds(budget, count, concurrency), budget.capSeconds) + CLAIM_EXPIRY_MARGIN_SECONDS);
}

/**
 * The states that sit on a cycle of Next/Choices/Default/Catch edges (Tarjan's strongly connected components), each
 * with whether its cycle has a Wait state.
 */
function statesOnCycles(flow: StatesTiming): Map<string, boolean> {
  const edges = (s: StateTiming) =>
    [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter((n): n is string => !!n);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out = new Map<string, boolean>();
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    const state = flow.States[v];
    const next = state ? edges(state) : [];
    for (const w of next) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.includes(v)) {
        const waits = component.some((c) => flow.States[c]?.Type === 'Wait');
        for (const c of component) out.set(c, waits);
      }
    }
  };
  for (const name of Object.keys(flow.States)) if (!index.has(name)) visit(name);
  return out;
}
