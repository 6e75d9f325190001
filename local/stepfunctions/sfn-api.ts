import type { JsonService } from '../aws-api/api-server.js';
import { epochSeconds, page } from '../aws-api/pagination.js';
import type { HistoryEvent } from './execution-history.js';
import type { ExecutionStatus, ExecutionView, StepFunctionsService } from './stepfunctions.js';

/** The Step Functions operations of the local API (AWS JSON 1.0, target prefix AWSStepFunctions). */
export function stepFunctionsApi(sfn: StepFunctionsService): JsonService {
  return {
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    operations: {
      ListStateMachines: (r) => {
        const p = page(sfn.listStateMachines(), r.maxResults, r.nextToken);
        return {
          stateMachines: p.items.map((m) => ({
            stateMachineArn: m.spec.arn,
            name: m.spec.name,
            type: m.spec.type,
            creationDate: epochSeconds(m.creationDate),
          })),
          nextToken: p.nextToken,
        };
      },
      DescribeStateMachine: (r) => {
        const m = sfn.describeStateMachine(String(r.stateMachineArn));
        return {
          stateMachineArn: m.spec.arn,
          name: m.spec.name,
          status: 'ACTIVE',
          definition: JSON.stringify(m.spec.definition),
          roleArn: m.spec.roleArn,
          type: m.spec.type,
          creationDate: epochSeconds(m.creationDate),
        };
      },
      StartExecution: (r) => {
        const out = sfn.startExecution({
          stateMachineArn: String(r.stateMachineArn),
          name: typeof r.name === 'string' ? r.name : undefined,
          input: typeof r.input === 'string' ? r.input : undefined,
        });
        return { executionArn: out.executionArn, startDate: epochSeconds(out.startDate) };
      },
      DescribeExecution: (r) => describe(sfn.describeExecution(String(r.executionArn))),
      ListExecutions: (r) => {
        const all = sfn.listExecutions(String(r.stateMachineArn), r.statusFilter as ExecutionStatus | undefined);
        const p = page(all, r.maxResults, r.nextToken);
        return {
          executions: p.items.map(listItem),
          nextToken: p.nextToken,
        };
      },
      GetExecutionHistory: (r) => {
        const events = sfn.history(String(r.executionArn));
        const ordered = r.reverseOrder === true ? [...events].reverse() : events;
        const p = page(ordered, r.maxResults, r.nextToken);
        return { events: p.items.map((e) => historyEvent(e, r.includeExecutionData !== false)), nextToken: p.nextToken };
      },
      StopExecution: (r) => {
        const out = sfn.stopExecution(String(r.executionArn), r.error as string | undefined, r.cause as string | undefined);
        return { stopDate: epochSeconds(out.stopDate) };
      },
    },
  };
}

/** An execution as ListExecutions lists it; DescribeExecution adds input, output and the error. */
function listItem(e: ExecutionView): Record<string, unknown> {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: epochSeconds(e.startDate),
    stopDate: epochSeconds(e.stopDate),
  };
}

function describe(e: ExecutionView): Record<string, unknown> {
  return {
    ...listItem(e),
    input: e.input,
    inputDetails: { included: true },
    output: e.output,
    outputDetails: e.output === undefined ? undefined : { included: true },
    error: e.error,
    cause: e.cause,
    redriveCount: 0,
  };
}

const EXECUTION_DATA = new Set(['input', 'inputDetails', 'output', 'outputDetails', 'parameters']);

function historyEvent(e: HistoryEvent, includeExecutionData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e)) {
    if (key === 'timestamp') out.timestamp = epochSeconds(e.timestamp);
    else if (!includeExecutionData && key.endsWith('EventDetails') && value) {
      out[key] = Object.fromEntries(Object.entries(value as object).filter(([k]) => !EXECUTION_DATA.has(k)));
    } else out[key] = value;
  }
  return out;
}
