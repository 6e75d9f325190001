import { vmTeardownText } from '../../functions/providers/vm-teardown.js';
import type { SlotData } from './slot-events.js';
import { causeSummary, type WorkflowPhases } from './workflow-phases.js';

interface RemovalData extends SlotData {
  removal?: { done?: boolean; nodeName?: string | null; slot?: { claimId?: string; pool?: string }; takeover?: boolean };
  teardown?: {
    cordon?: { cordoned?: boolean };
    drain?: { drained?: boolean; evicted?: string[]; blocked?: string[]; terminating?: number };
    forced?: { deleted?: string[] };
    node?: { deleted?: boolean };
    vm?: { terminated?: string[]; alreadyGone?: string[] };
  };
  drainState?: { pass?: number };
  drain?: { maxPasses?: number };
  failure?: { error?: string; cause?: string };
  message?: string;
}

const nodeOf = (d: RemovalData) => d.nodeName ?? d.removal?.nodeName ?? 'of the claim';

function failed(d: RemovalData): string {
  return `failed: ${d.failure?.error ?? 'error'}${d.failure?.cause ? `: ${causeSummary(d.failure.cause)}` : ''}`;
}

/** RemoveNode (workflows/remove-node.ts): taken, cordoned, drained, Node deleted, VM terminated, claim released. */
export const removeNodePhases: WorkflowPhases = {
  singleNode: true,
  exits: {
    // A refusal exits this state too (caught, with no removal): the outcome says why, and there is no claim to name.
    'Take claim for removal': (d: RemovalData) =>
      d.removal?.done || !d.removal?.slot
        ? undefined
        : `removing node ${nodeOf(d)} (claim ${d.removal?.slot?.claimId ?? '?'} in pool ${d.removal?.slot?.pool ?? '?'}${d.removal?.takeover ? ', taken over' : ''})`,
    'Nothing to remove': (d: RemovalData) => d.message,
    'Cordon node': (d: RemovalData) => (d.teardown?.cordon?.cordoned ? `cordoned node ${nodeOf(d)}` : `node ${nodeOf(d)} is already gone`),
    'Drain node': (d: RemovalData) => {
      const drain = d.teardown?.drain;
      if (drain?.drained) return `drained node ${nodeOf(d)}`;
      if (drain?.blocked?.length) return `drain: ${drain.blocked.length} pod(s) held by a PodDisruptionBudget; retrying until the deadline`;
      return drain?.evicted?.length ? `drain: evicted ${drain.evicted.length} pod(s)` : undefined;
    },
    'Delete remaining pods': (d: RemovalData) => `drain deadline passed; forced: deleted ${d.teardown?.forced?.deleted?.length ?? 0} pod(s)`,
    'Delete node': (d: RemovalData) => (d.teardown?.node?.deleted ? `deleted Node ${nodeOf(d)}` : `Node ${nodeOf(d)} was already deleted`),
    'Terminate node VM': (d: RemovalData) => vmTeardownText(d.teardown?.vm),
    'No node VM found': () => 'no VM left to terminate',
    'Release claim of node': () => 'claim released',
    'Give claim back': (d: RemovalData) => `${failed(d)} The claim is active again.`,
    'Keep claim for another run': (d: RemovalData) => `${failed(d)} The claim is kept for another run.`,
  },
  polls: {
    'Wait for evictions': (d: RemovalData) => `draining node ${nodeOf(d)} (pass ${d.drainState?.pass ?? '?'} of ${d.drain?.maxPasses ?? '?'})`,
  },
};
