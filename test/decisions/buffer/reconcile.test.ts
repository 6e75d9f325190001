import { describe, expect, it } from 'vitest';
import { reconcileDecision, reconcileExecutionName, unneededChanged } from '../../../functions/decisions/buffer/reconcile.js';

describe('Function: reconcileDecision', () => {
  it('starts nothing when the plan adds and removes nothing', () => {
    expect(reconcileDecision({ grow: [], remove: [] }, '2026-11-30T20:10:00Z')).toEqual({ start: false, why: 'nothing to add or remove' });
  });

  it('starts an execution named for the period when the plan adds or removes, saying how many', () => {
    expect(reconcileDecision({ grow: [{ count: 2 }], remove: [] }, '2026-11-30T20:10:00Z')).toEqual({
      start: true,
      name: 'reconcile-20261130T2010',
      why: 'the plan adds 2 and removes 0 node(s)',
    });
    expect(reconcileDecision({ grow: [], remove: [{}] }, '2026-11-30T20:20:00Z')).toMatchObject({ start: true, why: 'the plan adds 0 and removes 1 node(s)' });
  });
});

describe('Function: reconcileExecutionName', () => {
  it('gives a repeated delivery of the same period the same name, and the next period another', () => {
    expect(reconcileExecutionName('2026-11-30T20:10:00Z')).toBe(reconcileExecutionName('2026-11-30T20:10:00Z'));
    expect(reconcileExecutionName('2026-11-30T20:20:00Z')).not.toBe(reconcileExecutionName('2026-11-30T20:10:00Z'));
    expect(reconcileExecutionName('2026-11-30T20:20:00Z')).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('Function: unneededChanged', () => {
  const memory = (unneededSince: Record<string, string>) => ({ unneededSince, providers: [] });
  it('is true when a node became unneeded or needed again, false when the times are the same', () => {
    expect(unneededChanged(memory({}), memory({ a: 't1' }))).toBe(true);
    expect(unneededChanged(memory({ a: 't1' }), memory({}))).toBe(true);
    expect(unneededChanged(memory({ a: 't1' }), memory({ a: 't1' }))).toBe(false);
  });
});
