import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SCALE_BUFFER_ARN_ENV } from '../buffers/constants.js';
import { isInvalidScaleBufferInputError, readScaleBufferRequest, scaleBufferExecutionName } from '../decisions/buffer/request.js';
import { runTrigger } from '../healing/handler-support.js';
import { requiredEnv } from '../runtime/env.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';

let client: SFNClient | undefined;

/**
 * The buffer intake, invoked by the rule on the watcher's "Pods Became Unschedulable", "Provider Degraded" and
 * "Provider Recovered": starts ScaleBuffer with the event as its input, named after the transition
 * (scaleBufferExecutionName), so that the same transition delivered twice (EventBridge delivers at least once; a
 * watcher pass that crashed publishes it again) starts one execution: Step Functions refuses the second name.
 * An EventBridge target cannot name the execution it starts, hence this function.
 */
export const handler = withExecutionContext(async (event: unknown) =>
  runTrigger('buffer intake', async () => {
    let name: string | undefined;
    try {
      name = scaleBufferExecutionName(readScaleBufferRequest(event));
    } catch (err) {
      if (!isInvalidScaleBufferInputError(err)) throw err;
      log('warn', 'buffer intake: event dropped', { error: err });
      return { outcome: 'dropped', reason: err.message };
    }
    client ??= new SFNClient({});
    try {
      const out = await client.send(new StartExecutionCommand({ stateMachineArn: requiredEnv(SCALE_BUFFER_ARN_ENV), name, input: JSON.stringify(event) }));
      return { outcome: 'started', executionArn: out.executionArn, name };
    } catch (err) {
      if ((err as Error).name === 'ExecutionAlreadyExists') return { outcome: 'duplicate', name };
      throw err;
    }
  }),
);
