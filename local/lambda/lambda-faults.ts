/**
 * Fault injection on the local Lambda service, in the manner of AWS FIS's Lambda actions (invocation add-delay,
 * invocation error), plus the two ways a real function is lost: it hangs past its timeout, or it runs out of memory.
 * Faults are armed by the caller (a test), and each hits a chosen run of matching invocations.
 */
export type LambdaFault =
  /**
   * The invocation never answers: the function's timeout ends it (Sandbox.Timedout) and its environment is discarded.
   * By default the handler never starts; with `afterHandler` it runs to the end (its side effects happen) and its
   * answer is lost, as when a function hangs after its last call.
   */
  | { kind: 'timeout'; afterHandler?: boolean }
  /** The handler's environment allocates until its memory limit (the function's MemorySize) kills it. */
  | { kind: 'out-of-memory' }
  /** The invocation fails with this error, without running the handler (FIS invocation error). */
  | { kind: 'error'; errorType: string; errorMessage?: string }
  /** The handler starts this many simulated ms late; the delay counts toward the function's timeout (FIS add-delay). */
  | { kind: 'delay'; ms: number };

/** Which invocations a fault hits. */
export interface LambdaFaultRule {
  /** The function, by name or ARN; any function when absent. */
  functionName?: string;
  /** The state machine Task state that invokes it; any caller when absent. */
  state?: string;
  /** Matching invocations to let through first (2 makes the third one fail). Default 0. */
  after?: number;
  /** Matching invocations to hit, after those. Default 1. */
  count?: number;
  fault: LambdaFault;
}

/** Who is invoking what, as the fault rules see it. */
export interface InvocationTarget {
  functionName: string;
  functionArn: string;
  state?: string;
}

/** An armed rule: how many invocations it has hit so far. */
export interface ArmedLambdaFault {
  readonly rule: LambdaFaultRule;
  readonly hits: number;
  /** Disarms the rule. */
  clear(): void;
}

class Armed implements ArmedLambdaFault {
  seen = 0;
  hits = 0;
  cleared = false;

  constructor(readonly rule: LambdaFaultRule) {}

  clear(): void {
    this.cleared = true;
  }

  matches(target: InvocationTarget): boolean {
    const { functionName, state } = this.rule;
    if (this.cleared) return false;
    if (functionName !== undefined && functionName !== target.functionName && functionName !== target.functionArn) return false;
    return state === undefined || state === target.state;
  }

  /** Counts one matching invocation; true when this rule hits it (only if `free`: no earlier rule did). */
  take(free: boolean): boolean {
    this.seen++;
    const after = this.rule.after ?? 0;
    if (!free || this.seen <= after || this.seen > after + (this.rule.count ?? 1)) return false;
    this.hits++;
    return true;
  }
}

export class LambdaFaults {
  private readonly rules: Armed[] = [];

  /** Arms a fault; rules armed earlier are consulted first, and one invocation takes at most one fault. */
  lambda(rule: LambdaFaultRule): ArmedLambdaFault {
    const armed = new Armed(rule);
    this.rules.push(armed);
    return armed;
  }

  /** The fault this invocation suffers, if any. Every matching rule counts the invocation. */
  take(target: InvocationTarget): LambdaFault | undefined {
    let fault: LambdaFault | undefined;
    for (const rule of this.rules) {
      if (!rule.matches(target)) continue;
      if (rule.take(fault === undefined)) fault = rule.rule.fault;
    }
    return fault;
  }

  clear(): void {
    for (const rule of this.rules) rule.clear();
    this.rules.length = 0;
  }
}
