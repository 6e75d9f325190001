import { CommandError } from './errors.js';
import { configSectionOf, normalizeWorkflowName, workflowOf } from './workflows.js';

export interface StateMachineRef {
  name: string;
  stateMachineArn: string;
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
    const known = machines.flatMap((m) => {
      const w = workflowOf(m.name);
      return w ? [`${w} (${m.name})`] : [];
    });
    const available =
      known.length > 0 ? `available: ${known.join(', ')}` : "none of shepherd's state machines exist there; is the stack deployed in this region?";
    const section = known.length > 0 ? configSectionOf(workflow) : undefined;
    const why = section ? `; the stack creates ${workflow} only when the config has a \`${section}\` section: add one and deploy again` : '';
    throw new CommandError(`no state machine matches workflow "${workflow}" (${available})${why}`);
  }
  throw new CommandError(`workflow "${workflow}" matches several state machines (${found.map((m) => m.name).join(', ')}); pass the full name or the ARN`);
}
