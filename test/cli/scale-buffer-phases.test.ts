import { describe, expect, it } from 'vitest';
import { phasesFor, workflowOf } from '../../cli/workflows.js';

describe('Function: phasesFor (scale-buffer)', () => {
  const phases = phasesFor('shepherd-kosmos-demo-scale-buffer');

  it('knows the scale-buffer workflow by its state machine name', () => {
    expect(workflowOf('shepherd-kosmos-demo-scale-buffer')).toBe('scale-buffer');
    expect(phases).toBeDefined();
  });

  it('reads the plan as the trigger, the pending pods, the nodes per pool and the pods no pool can place', () => {
    const line = phases?.exits.Plan({
      plan: {
        trigger: 'pods-unschedulable',
        pendingPods: 7,
        grow: [{ pool: 'scw-buffer' }, { pool: 'gcp-amd64' }, { pool: 'gcp-amd64' }],
        remove: [],
        scaleUp: { unplaceable: [{}] },
      },
    } as never);
    expect(line).toBe('pods-unschedulable: 7 pending pod(s); add 1 in scw-buffer, 2 in gcp-amd64; 1 pod(s) no buffer pool can place');
  });

  it("counts a Scaleway pool's one item by its count, and says which pools are already at their target", () => {
    const line = phases?.exits.Plan({
      plan: {
        trigger: 'manual',
        pendingPods: 0,
        grow: [{ pool: 'scw-buffer', count: 2 }],
        remove: [],
        atTarget: [
          { pool: 'gcp-amd64', size: 0 },
          { pool: 'aws-buffer', size: 1 },
        ],
      },
    } as never);
    expect(line).toBe('manual: 0 pending pod(s); add 2 in scw-buffer; gcp-amd64 already has 0 nodes, its target; aws-buffer already has 1 node, its target');
  });

  it('says whether the batch of pending pods is still open, and why', () => {
    expect(phases?.exits['Check batch']({ batch: { closed: false, waitSeconds: 2, pendingPods: 4, why: 'pods still arriving' } } as never)).toBe(
      'batch open, 4 pending pod(s), checking again in 2 s: pods still arriving',
    );
    expect(
      phases?.exits['Check batch']({ batch: { closed: true, waitSeconds: 0, pendingPods: 6, why: 'no pod arrived for batchIdleSeconds (1 s)' } } as never),
    ).toBe('batch closed, 6 pending pod(s): no pod arrived for batchIdleSeconds (1 s)');
  });

  it('says when another run holds the leases, and what a failed pool is skipped until', () => {
    expect(phases?.exits['Take pool leases']({ lease: { acquired: false, reason: 'buffer pool scw-buffer is being scaled by execution x' } } as never)).toBe(
      'another run is scaling: buffer pool scw-buffer is being scaled by execution x',
    );
    expect(
      phases?.exits['Record growth']({ growth: { pools: { 'gcp-amd64': { added: 1, failed: 1, backedOffUntil: '2026-11-30T12:05:00Z' } } } } as never),
    ).toBe('pool gcp-amd64: 1 added, 1 failed (skipped until 2026-11-30T12:05:00Z)');
  });
});
