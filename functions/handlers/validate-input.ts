import { type ProvisionPlan, planProvision } from '../decisions/provision.js';
import { providerFunctionsFromEnv } from '../providers/function-env.js';
import { PROVIDER_NAMES } from '../providers/registry.js';
import { config } from '../runtime/config.js';
import { withExecutionContext } from '../runtime/execution-context.js';

export interface ValidateInputEvent {
  input: unknown;
  executionName: string;
  /** The execution ARN (`$$.Execution.Id`, which every task passes): it owns the plan's claims. */
  execution: string;
}

/** First state of ProvisionNode: turns the raw input into a plan, or fails with InvalidInputError. */
export const handler = withExecutionContext(async (event: ValidateInputEvent): Promise<ProvisionPlan> => {
  const execution = { name: event.executionName, id: event.execution };
  return planProvision(event.input, config(), execution, providerFunctionsFromEnv(PROVIDER_NAMES));
});
