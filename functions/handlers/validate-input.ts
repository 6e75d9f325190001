import { DynamoClaimStore } from '../adapters/store/claims.js';
import { claimExpiresAt, EXECUTION_BUDGET_ENV, type ExecutionBudget, executionWorstSeconds, maxCountWithinCap } from '../decisions/execution-budget.js';
import { type HealPlan, planHeal } from '../decisions/healing/heal-plan.js';
import { checkFreeCapacity } from '../decisions/pool-capacity.js';
import { type ProvisionPlan, planProvision } from '../decisions/provision.js';
import { planRemoval, type RemovalPlan } from '../decisions/remove-node.js';
import { providerFunctionsFromEnv } from '../providers/function-env.js';
import { PROVIDER_NAMES } from '../providers/registry.js';
import { config, poolNamed } from '../runtime/config.js';
import { InvalidInputError } from '../runtime/errors.js';
import { withExecutionContext } from '../runtime/execution-context.js';

export interface ValidateInputEvent {
  /** Which workflow's input: ProvisionNode's when absent. */
  workflow?: 'provision-node' | 'remove-node' | 'heal-node';
  input: unknown;
  executionName: string;
  /** The execution ARN (`$$.Execution.Id`, which every task passes): it owns the plan's claims. */
  execution: string;
}

let store: DynamoClaimStore | undefined;

function claims(): DynamoClaimStore {
  const table = process.env.TABLE_NAME;
  if (!table) throw new Error('TABLE_NAME is not set: the stack gives it to this function');
  store ??= new DynamoClaimStore(table);
  return store;
}

/**
 * First state of ProvisionNode, RemoveNode and HealNode: turns the raw input into a plan, or fails with InvalidInputError. A
 * provision request that could not finish within the state machine's timeout, or that the pool's free capacity cannot
 * hold, is refused here, before it claims anything; each slot carries the moment its claim expires.
 */
export const handler = withExecutionContext(async (event: ValidateInputEvent): Promise<ProvisionPlan | RemovalPlan | HealPlan> => {
  const execution = { name: event.executionName, id: event.execution };
  if (event.workflow === 'remove-node') return planRemoval(event.input, config(), execution, providerFunctionsFromEnv(PROVIDER_NAMES));
  if (event.workflow === 'heal-node') return planHeal(event.input, config(), execution, providerFunctionsFromEnv(PROVIDER_NAMES));
  const plan = planProvision(event.input, config(), execution, providerFunctionsFromEnv(PROVIDER_NAMES));
  const now = Date.now();
  const planned = withinBudget(plan, executionBudget(), now);
  const request = { pool: plan.pool, max: poolNamed(plan.pool, config()).max, claimIds: plan.slots.map((s) => s.claimId) };
  checkFreeCapacity(request, await claims().poolClaims(plan.pool), now / 1000);
  return planned;
});

/** The plan with each slot's claim expiry, or InvalidInputError when its worst case exceeds the timeout. */
export function withinBudget(plan: ProvisionPlan, budget: ExecutionBudget, nowMs: number): ProvisionPlan {
  const worst = executionWorstSeconds(budget, plan.count, plan.maxConcurrency);
  if (worst > budget.capSeconds) {
    const most = maxCountWithinCap(budget, plan.maxConcurrency);
    throw new InvalidInputError(
      `"count": ${plan.count} nodes of pool ${plan.pool} (${plan.maxConcurrency} at a time) may take up to ${hours(worst)} h, longer than the workflow's timeout of ${hours(budget.capSeconds)} h; ask for at most ${most} per request`,
    );
  }
  const expiresAt = claimExpiresAt(budget, plan.count, plan.maxConcurrency, nowMs);
  return { ...plan, slots: plan.slots.map((s) => ({ ...s, expiresAt })) };
}

function executionBudget(): ExecutionBudget {
  const raw = process.env[EXECUTION_BUDGET_ENV];
  if (!raw) throw new Error(`${EXECUTION_BUDGET_ENV} is not set: the stack gives it to this function`);
  return JSON.parse(raw) as ExecutionBudget;
}

function hours(seconds: number): string {
  return (seconds / 3600).toFixed(1);
}
