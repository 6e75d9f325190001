import type { SlotData } from './slot-events.js';
import { causeSummary, type WorkflowPhases } from './workflow-phases.js';

function errorName(d: SlotData): string {
  return typeof d.error === 'string' ? d.error : (d.error?.Error ?? 'error');
}

/** A slot's error: a Catch's { Error, Cause }, or a slot result's error name and message (fail-cause convention). */
function failed(d: SlotData): string {
  const cause = typeof d.error === 'object' ? d.error?.Cause : (d.message ?? d.cause);
  return `failed: ${errorName(d)}${cause ? `: ${causeSummary(cause)}` : ''}`;
}

/** ProvisionNode (workflows/provision-node.ts): claimed, launched, registered, Ready, labelled; or failed and cleaned up. */
export const provisionNodePhases: WorkflowPhases = {
  exits: {
    'Claim capacity': (d) =>
      `claimed ${d.slot?.claimId ?? ''} in pool ${d.slot?.pool ?? '?'}${d.claim?.activeClaims !== undefined ? ` (${d.claim.activeClaims} active)` : ''}`,
    'Claim refused': (d) => `refused: ${errorName(d)}${d.message ? `: ${causeSummary(d.message)}` : ''}`,
    'Already provisioned': (d) => `already provisioned: node ${d.nodeName ?? '?'}`,
    'Keep VM': (d) => (d.vm ? `launched ${d.vm.id} (${d.vm.type} in ${d.vm.zone})` : undefined),
    'Check node': (d) => {
      if (!d.node?.registered) return undefined;
      return d.node.ready ? `node ${d.node.nodeName} is Ready` : `registered as node ${d.node.nodeName}, not Ready yet`;
    },
    'Label and taint node': (d) => {
      const prepared = d.prepared as { nodeName?: string; taints?: unknown[] } | undefined;
      return `labelled${prepared?.taints?.length ? ' and tainted' : ''} node ${prepared?.nodeName ?? d.node?.nodeName ?? '?'}`;
    },
    'Registration timed out': (d) => failed(d),
    'Terminate VM': (d) => (d.vm ? `cleanup: VM ${d.vm.id} terminated` : undefined),
    'Release claim': () => 'cleanup: claim released',
    'Node failed': (d) => failed(d),
    'Cleanup incomplete': (d) => `${failed(d)}; cleanup incomplete, the VM may still run`,
  },
  polls: {
    'Wait for node': (d) => `waiting for the Node (poll ${d.pollState?.attempt ?? '?'} of ${d.poll?.maxPolls ?? '?'})`,
  },
};
