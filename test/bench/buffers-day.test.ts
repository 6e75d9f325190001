import { describe, expect, it } from 'vitest';
import { addedPerNeed, type DayFigures, dayChecks, flaps, type NodeChange, nodesNeeded } from '../../bench/buffers/day-figures.js';

const GI = 1024 ** 3;
const scw = { cpuMillis: 2900, memoryBytes: 3.75 * GI };
const pod = (cpuMillis: number, memoryBytes = 0.5 * GI) => ({ cpuMillis, memoryBytes });
const min = (m: number) => m * 60_000;

describe('Function: nodesNeeded', () => {
  it('fills each new node with as many pods as fit: five 1-CPU pods need three 2.9-CPU nodes', () => {
    expect(nodesNeeded(Array(5).fill(pod(1000)), [], scw)).toBe(3);
    expect(nodesNeeded(Array(6).fill(pod(900)), [], { cpuMillis: 1900, memoryBytes: 7.75 * GI })).toBe(3);
  });

  it('uses the free room of the nodes already there first', () => {
    expect(nodesNeeded(Array(4).fill(pod(1000)), [pod(2000, GI)], scw)).toBe(1);
  });

  it('counts memory as well as CPU', () => {
    expect(nodesNeeded(Array(3).fill(pod(100, 1.5 * GI)), [], scw)).toBe(2);
  });

  it('refuses a pod no node of the pool can hold', () => {
    expect(() => nodesNeeded([pod(4000)], [], scw)).toThrow('fits no node');
  });
});

describe('Function: flaps', () => {
  const needs = [
    { name: 'burst-1', startedAt: 0 },
    { name: 'burst-2', startedAt: min(60) },
  ];
  const change = (node: string, at: number, c: NodeChange['change']): NodeChange => ({ node, pool: 'scw-buffer', at, change: c });

  it('finds a node removed and one re-added within 30 min for a need that started before the removal', () => {
    const changes = [change('a', min(1), 'added'), change('a', min(20), 'removed'), change('b', min(25), 'added')];
    expect(flaps(needs, changes)).toEqual([{ pool: 'scw-buffer', removed: 'a', removedAt: min(20), added: 'b', addedAt: min(25), need: 'burst-1' }]);
  });

  it('does not count a need that starts at the removal: new demand once the pool shrank', () => {
    const changes = [change('a', min(1), 'added'), change('a', min(60), 'removed'), change('b', min(62), 'added')];
    expect(flaps(needs, changes)).toEqual([]);
  });

  it('does not count new demand after the removal, nor a re-add after 30 min, nor another pool', () => {
    const changes = [change('a', min(1), 'added'), change('a', min(50), 'removed'), change('b', min(61), 'added')];
    expect(flaps(needs, changes)).toEqual([]);
    const late = [change('a', min(1), 'added'), change('a', min(10), 'removed'), change('b', min(41), 'added')];
    expect(flaps([{ name: 'burst-1', startedAt: 0 }], late)).toEqual([]);
    const other = [change('a', min(10), 'removed'), { node: 'g', pool: 'gcp-amd64', at: min(12), change: 'added' as const }];
    expect(flaps(needs, other)).toEqual([]);
  });
});

describe('Function: addedPerNeed', () => {
  it('gives each need the nodes added from its start until the next one', () => {
    const changes: NodeChange[] = [
      { node: 'a', pool: 'p', at: min(1), change: 'added' },
      { node: 'b', pool: 'p', at: min(2), change: 'added' },
      { node: 'a', pool: 'p', at: min(30), change: 'removed' },
      { node: 'c', pool: 'p', at: min(61), change: 'added' },
    ];
    expect(addedPerNeed([{ startedAt: 0 }, { startedAt: min(60) }], changes)).toEqual([2, 1]);
  });
});

describe('Function: dayChecks', () => {
  const day = (added: number, needed: number, flapCount = 0): DayFigures => ({
    kind: 'day',
    hours: 1,
    needs: [{ name: 'burst-1', kind: 'burst', startedAt: 0, pods: 5, needed, added, decisions: 1 }],
    changes: [],
    flaps: Array.from({ length: flapCount }, () => ({ pool: 'p', removed: 'a', removedAt: 1, added: 'b', addedAt: 2, need: 'burst-1' })),
  });

  it('passes an overshoot of at most 1 and no flap; fails more, fewer than needed, or a flap', () => {
    expect(dayChecks(day(3, 3)).map((c) => c.met)).toEqual([true, true]);
    expect(dayChecks(day(4, 3)).map((c) => c.met)).toEqual([true, true]);
    expect(dayChecks(day(5, 3))[0]).toMatchObject({
      met: false,
      line: expect.stringContaining('FAIL  burst-1 (burst, 5 pods): added 5, needed 3, overshoot 2'),
    });
    expect(dayChecks(day(2, 3))[0].met).toBe(false);
    expect(dayChecks(day(3, 3, 1))[1]).toMatchObject({ met: false, line: expect.stringContaining('FAIL  no flapping') });
  });
});
