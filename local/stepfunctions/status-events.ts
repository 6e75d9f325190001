import type { EventBridgeEvent } from '../types.js';
import type { ExecutionView } from './stepfunctions.js';

export const STATUS_CHANGE_DETAIL_TYPE = 'Step Functions Execution Status Change';

/**
 * The event Step Functions sends to the account's default bus whenever a Standard workflow's execution changes
 * status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED), in the envelope and with the detail fields the Step
 * Functions developer guide documents ("Automating Step Functions event delivery with EventBridge": source
 * `aws.states`, resources [the execution ARN], detail with executionArn, stateMachineArn, name, status, startDate,
 * stopDate, input, output, inputDetails, outputDetails, error, cause, redrive fields). Dates are epoch milliseconds.
 */
export function statusChangeEvent(execution: ExecutionView, at: { id: string; region: string; accountId: string; now: number }): EventBridgeEvent {
  const ended = execution.status !== 'RUNNING';
  return {
    version: '0',
    id: at.id,
    'detail-type': STATUS_CHANGE_DETAIL_TYPE,
    source: 'aws.states',
    account: at.accountId,
    // EventBridge event times have whole seconds.
    time: new Date(Math.floor(at.now / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: at.region,
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate ?? null,
      input: execution.input,
      output: execution.output ?? null,
      inputDetails: { included: true },
      outputDetails: execution.output !== undefined ? { included: true } : null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
      redriveCount: 0,
      redriveDate: null,
      redriveStatus: ended && execution.status !== 'SUCCEEDED' ? 'NOT_REDRIVABLE' : null,
      redriveStatusReason: null,
    },
  };
}
