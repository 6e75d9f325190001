import { vmTeardownText } from '../../functions/providers/vm-teardown.js';
import type { SlotData } from './slot-events.js';
import type { WorkflowPhases } from './workflow-phases.js';

interface HealData extends SlotData {
  plan?: { nodeName?: string; reason?: string };
  lease?: { acquired?: boolean; reason?: string };
  assessment?: { outcome?: string; reason?: string; remediateAt?: string; verdict?: string; pool?: string; replace?: boolean; replaceEarly?: boolean };
  teardown?: {
    cordon?: { cordoned?: boolean };
    drain?: { drained?: boolean; evicted?: string[]; blocked?: string[] };
    forced?: { deleted?: string[] };
    node?: { deleted?: boolean };
    vm?: { terminated?: string[]; alreadyGone?: string[] };
  };
  replacement?: { executionArn?: string; status?: string };
  drainState?: { pass?: number };
  drain?: { maxPasses?: number };
}

const nodeOf = (d: HealData) => d.plan?.nodeName ?? d.nodeName ?? '?';

/** HealNode (workflows/heal-node.ts): lease, assessment, cordon, drain, Node deleted, VM terminated, replacement. */
export const healNodePhases: WorkflowPhases = {
  singleNode: true,
  exits: {
    'Take node lease': (d: HealData) =>
      d.lease?.acquired ? `lease taken on node ${nodeOf(d)}` : `node ${nodeOf(d)} is already being healed: ${d.lease?.reason ?? ''}`,
    'Assess node': (d: HealData) => `node ${nodeOf(d)}: ${d.assessment?.outcome ?? '?'}: ${d.assessment?.reason ?? ''}`,
    'Cordon node': (d: HealData) => (d.teardown?.cordon?.cordoned ? `cordoned node ${nodeOf(d)}` : `node ${nodeOf(d)} is already gone`),
    'Drain node': (d: HealData) => {
      const drain = d.teardown?.drain;
      if (drain?.drained) return `drained node ${nodeOf(d)}`;
      return drain?.blocked?.length ? `drain: ${drain.blocked.length} pod(s) held by a PodDisruptionBudget; retrying until the deadline` : undefined;
    },
    'Delete remaining pods': (d: HealData) => `drain deadline passed; deleted ${d.teardown?.forced?.deleted?.length ?? 0} pod(s)`,
    'Delete node': (d: HealData) => (d.teardown?.node?.deleted ? `deleted Node ${nodeOf(d)}` : `Node ${nodeOf(d)} was already deleted`),
    'Terminate node VM': (d: HealData) => vmTeardownText(d.teardown?.vm),
    'Start replacement early': (d: HealData) => `replacement ${d.replacement?.status?.toLowerCase() ?? 'ended'} (${d.replacement?.executionArn ?? '?'})`,
    'Start replacement': (d: HealData) => `replacement ${d.replacement?.status?.toLowerCase() ?? 'ended'} (${d.replacement?.executionArn ?? '?'})`,
    'Release claim of healed node': () => 'claim of the old node released',
  },
  polls: {
    'Wait for evictions': (d: HealData) => `draining node ${nodeOf(d)} (pass ${d.drainState?.pass ?? '?'} of ${d.drain?.maxPasses ?? '?'})`,
    'Wait until remediation is due': (d: HealData) => `node ${nodeOf(d)} is not Ready; remediation is due at ${d.assessment?.remediateAt ?? '?'}`,
  },
};
