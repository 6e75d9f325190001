import { CommandError } from './errors.js';

export interface StateMachineRef {
  name: string;
  stateMachineArn: string;
}

/** `provision-node`, `ProvisionNode` and `provision_node` all name the same workflow. */
export function normalizeWorkflowName(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The state machine a workflow name refers to. Deployed names carry construct ids and suffixes
 * (`ProvisionNodeStateMachine2E01A3A5-AbCd`), so a name that contains the workflow counts; an exact match wins.
 */
export function matchStateMachine(workflow: string, machines: StateMachineRef[]): StateMachineRef {
  const wanted = normalizeWorkflowName(workflow);
  if (!wanted) throw new CommandError('the workflow name is empty');
  const exact = machines.filter((m) => normalizeWorkflowName(m.name) === wanted);
  const found = exact.length > 0 ? exact : machines.filter((m) => normalizeWorkflowName(m.name).includes(wanted));
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    const available = machines.length > 0 ? `available: ${machines.map((m) => m.name).join(', ')}` : 'no state machines exist there';
    throw new CommandError(`no state machine matches workflow "${workflow}" (${available})`);
  }
  throw new CommandError(`workflow "${workflow}" matches several state machines (${found.map((m) => m.name).join(', ')}); pass the full name or the ARN`);
}
