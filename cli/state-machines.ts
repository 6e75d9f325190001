import { paginateListStateMachines, type SFNClient } from '@aws-sdk/client-sfn';
import type { StateMachineRef } from './workflow-match.js';
import { workflowOf } from './workflows.js';

/** Every state machine in the account and region (or the local control plane), across pages. */
export async function listStateMachines(sfn: SFNClient): Promise<StateMachineRef[]> {
  const machines: StateMachineRef[] = [];
  for await (const page of paginateListStateMachines({ client: sfn }, {})) {
    for (const m of page.stateMachines ?? []) {
      if (m.name && m.stateMachineArn) machines.push({ name: m.name, stateMachineArn: m.stateMachineArn });
    }
  }
  return machines;
}

export interface ShepherdStateMachine extends StateMachineRef {
  /** The workflow as users know it (`provision-node`), or the machine's name when it is none of the known ones. */
  workflow: string;
}

/** The state machines that run one of shepherd's workflows (their names hold the workflow's, e.g. shepherd-prod-provision-node). */
export async function shepherdStateMachines(sfn: SFNClient): Promise<ShepherdStateMachine[]> {
  const machines = await listStateMachines(sfn);
  return machines.flatMap((m) => {
    const workflow = workflowOf(m.name);
    return workflow ? [{ ...m, workflow }] : [];
  });
}
