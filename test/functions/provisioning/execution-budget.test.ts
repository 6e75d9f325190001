import { describe, expect, it } from 'vitest';
import {
  CLAIM_EXPIRY_MARGIN_SECONDS,
  claimExpiresAt,
  type ExecutionBudget,
  executionCapSeconds,
  executionWorstSeconds,
  flowWorstSeconds,
  MAX_EXECUTION_SECONDS,
  maxCountWithinCap,
  provisionBudget,
  type StatesTiming,
  taskWorstSeconds,
} from '../../../functions/decisions/execution-budget.js';
import type { ProvisionPlan } from '../../../functions/decisions/provision.js';
import { withinBudget } from '../../../functions/handlers/validate-input.js';
import { InvalidInputError } from '../../../functions/runtime/errors.js';

describe('Function: taskWorstSeconds', () => {
  it('counts every attempt at its timeout and every retry wait at its longest, capped by MaxDelaySeconds', () => {
    // 1 + 3 + 2 attempts of 10 s; waits 2, 4, 5 (capped) and 1, 2 (ASL defaults: interval 1, backoff 2).
    const task = {
      Type: 'Task',
      TimeoutSeconds: 10,
      Retry: [
        { ErrorEquals: ['A'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3, MaxDelaySeconds: 5 },
        { ErrorEquals: ['B'], MaxAttempts: 2 },
      ],
    };
    expect(taskWorstSeconds(task)).toBe(60 + 2 + 4 + 5 + 1 + 2);
  });

  it('uses the ASL defaults of a bare Retry: 3 attempts from 1 s doubling', () => {
    expect(taskWorstSeconds({ Type: 'Task', TimeoutSeconds: 5, Retry: [{ ErrorEquals: ['States.ALL'] }] })).toBe(4 * 5 + 1 + 2 + 4);
  });
});

describe('Function: flowWorstSeconds', () => {
  const task = (next: string | undefined, timeout: number) => ({ Type: 'Task', TimeoutSeconds: timeout, ...(next ? { Next: next } : {}) });
  const flow: StatesTiming = {
    StartAt: 'Launch',
    States: {
      Launch: task('Wait', 100),
      Wait: { Type: 'Wait', Next: 'Check' },
      Check: task('Ready?', 7),
      'Ready?': { Type: 'Choice', Choices: [{ Next: 'Done' }], Default: 'Wait' },
      Done: { ...task(undefined, 3), Catch: [{ Next: 'Cleanup' }] },
      Cleanup: task(undefined, 50),
    },
  };

  it('runs the states of the poll loop `waiting` times and every other Task once, failure path included', () => {
    expect(flowWorstSeconds(flow, { waiting: 4, other: 9 }, 15)).toBe(100 + 4 * (15 + 7) + 3 + 50);
  });

  it('runs the states of a loop without a Wait (the offerings) `other` times', () => {
    const offerings: StatesTiming = {
      StartAt: 'Launch',
      States: {
        ...flow.States,
        Launch: { ...task('Wait', 100), Catch: [{ Next: 'Next offering' }] },
        'Next offering': task('Launch', 5),
      },
    };
    expect(flowWorstSeconds(offerings, { waiting: 4, other: 3 }, 15)).toBe(3 * (100 + 5) + 4 * (15 + 7) + 3 + 50);
  });
});

describe('Function: provisionBudget', () => {
  it('splits the definition into what runs once and one slot of its Map', () => {
    const definition: StatesTiming = {
      StartAt: 'Validate',
      States: {
        Validate: { Type: 'Task', TimeoutSeconds: 30, Next: 'Slots' },
        Slots: { Type: 'Map', ItemProcessor: { StartAt: 'Launch', States: { Launch: { Type: 'Task', TimeoutSeconds: 300 } } }, End: true } as never,
      },
    };
    expect(provisionBudget(definition, { seconds: 15, maxPolls: 60 }, 3, 1000)).toEqual({ fixedSeconds: 30, slotSeconds: 300, capSeconds: 1000 });
  });

  it('refuses a definition without exactly one Map', () => {
    expect(() => provisionBudget({ StartAt: 'A', States: { A: { Type: 'Pass' } } }, { seconds: 15, maxPolls: 1 }, 1, 1)).toThrow('expected one Map state');
  });
});

describe('Function: executionWorstSeconds', () => {
  it('runs slots in waves of the concurrency', () => {
    const budget = { fixedSeconds: 30, slotSeconds: 1000 };
    expect(executionWorstSeconds(budget, 20, 5)).toBe(30 + 4 * 1000);
    expect(executionWorstSeconds(budget, 4, 1)).toBe(30 + 4 * 1000);
    expect(executionWorstSeconds(budget, 1, 5)).toBe(30 + 1000);
  });
});

describe('Function: executionCapSeconds', () => {
  it('is the worst case of the largest request any pool allows, and never above MAX_EXECUTION_SECONDS', () => {
    const budget = { fixedSeconds: 30, slotSeconds: 1000 };
    expect(
      executionCapSeconds(budget, [
        { max: 5, concurrency: 5 },
        { max: 3, concurrency: 1 },
      ]),
    ).toBe(3030);
    expect(executionCapSeconds({ fixedSeconds: 0, slotSeconds: 86_400 }, [{ max: 100, concurrency: 1 }])).toBe(MAX_EXECUTION_SECONDS);
  });
});

describe('Function: claimExpiresAt', () => {
  it("is the request's own worst case plus a margin from now, not the cap", () => {
    const budget: ExecutionBudget = { fixedSeconds: 30, slotSeconds: 1000, capSeconds: 10_000 };
    expect(claimExpiresAt(budget, 2, 5, 1_000_000)).toBe(1000 + 1030 + CLAIM_EXPIRY_MARGIN_SECONDS);
  });
});

describe('Function: withinBudget', () => {
  const plan = (count: number, maxConcurrency: number): ProvisionPlan => ({
    pool: 'scw-buffer',
    provider: 'scaleway',
    count,
    reason: 'r',
    slots: Array.from({ length: count }, (_, slot) => ({
      pool: 'scw-buffer',
      provider: 'scaleway' as const,
      claimId: `c${slot}`,
      slot,
      reason: 'r',
      owner: 'e',
      providerFunction: 'f',
    })),
    maxConcurrency,
    offerings: [{ type: 'DEV1-S', zone: 'fr-par-1' }],
    poll: { seconds: 15, maxPolls: 60 },
    noVm: null,
  });
  const budget: ExecutionBudget = { fixedSeconds: 30, slotSeconds: 3600, capSeconds: 3 * 3600 + 30 };

  it('gives every slot the same claim expiry', () => {
    const out = withinBudget(plan(3, 1), budget, 0);
    expect(out.slots.map((s) => s.expiresAt)).toEqual([
      3 * 3600 + 30 + CLAIM_EXPIRY_MARGIN_SECONDS,
      3 * 3600 + 30 + CLAIM_EXPIRY_MARGIN_SECONDS,
      3 * 3600 + 30 + CLAIM_EXPIRY_MARGIN_SECONDS,
    ]);
  });

  it('refuses a count that could not finish within the timeout, naming the most it can take', () => {
    expect(maxCountWithinCap(budget, 1)).toBe(3);
    const refusal = () => withinBudget(plan(4, 1), budget, 0);
    expect(refusal).toThrow(InvalidInputError);
    expect(refusal).toThrow(
      '"count": 4 nodes of pool scw-buffer (1 at a time) may take up to 4.0 h, longer than the workflow\'s timeout of 3.0 h; ask for at most 3 per request',
    );
  });
});
