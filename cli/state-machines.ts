import { paginateListStateMachines, type SFNClient } from '@aws-sdk/client-sfn';
import type { StateMachineRef } from './workflow-match.js';

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
