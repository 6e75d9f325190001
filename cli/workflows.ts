import { dnsFailoverPhases } from './progress/dns-failover-phases.js';
import { healNodePhases } from './progress/heal-node-phases.js';
import { provisionNodePhases } from './progress/provision-node-phases.js';
import { removeNodePhases } from './progress/remove-node-phases.js';
import { scaleBufferPhases } from './progress/scale-buffer-phases.js';
import type { WorkflowPhases } from './progress/workflow-phases.js';

/** shepherd's workflows by the names users know them by, each with how its progress reads (one line per workflow). */
const WORKFLOWS: Record<string, WorkflowPhases> = {
  'provision-node': provisionNodePhases,
  'remove-node': removeNodePhases,
  'heal-node': healNodePhases,
  'scale-buffer': scaleBufferPhases,
  'dns-failover': dnsFailoverPhases,
};

export const WORKFLOW_NAMES = Object.keys(WORKFLOWS);

/** Workflows the stack creates only when the config has their section. */
const CONFIG_SECTION: Record<string, string> = { 'scale-buffer': 'buffers', 'dns-failover': 'dns' };

/** The config section a workflow needs to exist in the stack, if it is one of those created only with it. */
export function configSectionOf(workflow: string): string | undefined {
  const wanted = normalizeWorkflowName(workflow);
  const name = WORKFLOW_NAMES.find((w) => normalizeWorkflowName(w) === wanted);
  return name ? CONFIG_SECTION[name] : undefined;
}

/** `provision-node`, `ProvisionNode` and `provision_node` all name the same workflow. */
export function normalizeWorkflowName(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** The workflow a state machine runs: its name holds the workflow's (shepherd-<cluster>-provision-node). */
export function workflowOf(stateMachineName: string): string | undefined {
  const name = normalizeWorkflowName(stateMachineName);
  return WORKFLOW_NAMES.find((w) => name.includes(normalizeWorkflowName(w)));
}

/** How a state machine's progress reads, when it runs one of shepherd's workflows. */
export function phasesFor(stateMachineName: string): WorkflowPhases | undefined {
  const workflow = workflowOf(stateMachineName);
  return workflow ? WORKFLOWS[workflow] : undefined;
}
