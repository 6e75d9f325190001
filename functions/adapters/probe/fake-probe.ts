import type { ProbeResult, ProbeTarget, TargetProbe } from './types.js';

/** What a fake probe answers for an address: a result, or a function of the call's index for that address (0, 1, ...). */
export type FakeAnswer = ProbeResult | ((call: number) => ProbeResult);

export const FAKE_PASS: ProbeResult = { passed: true, detail: 'connected in 1 ms', elapsedMs: 1 };

/** A failed probe as net-probe reports a black-holed address. */
export function fakeTimeout(timeoutMs = 2000): ProbeResult {
  return { passed: false, detail: `connect timeout after ${timeoutMs} ms`, elapsedMs: timeoutMs };
}

/**
 * A TargetProbe for unit tests: answers from a table by address, records every call. An address not in the table is
 * refused (nothing listens there), so a test sees every probe it did not plan for fail.
 */
export class FakeTargetProbe implements TargetProbe {
  readonly calls: ProbeTarget[] = [];
  private readonly answers = new Map<string, FakeAnswer>();

  constructor(answers: Record<string, FakeAnswer> = {}) {
    for (const [address, answer] of Object.entries(answers)) this.answers.set(address, answer);
  }

  /** Sets (or replaces) what `address` answers from now on. */
  answer(address: string, answer: FakeAnswer): this {
    this.answers.set(address, answer);
    return this;
  }

  async probe(target: ProbeTarget): Promise<ProbeResult> {
    const call = this.calls.filter((c) => c.address === target.address).length;
    this.calls.push(target);
    const answer = this.answers.get(target.address);
    if (!answer) return { passed: false, detail: 'connection refused', elapsedMs: 0 };
    return typeof answer === 'function' ? answer(call) : answer;
  }
}
