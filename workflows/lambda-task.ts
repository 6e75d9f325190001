import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * The slot's provider function, chosen at run time (`$.slot.providerFunction`, named by validate-input). The state
 * machine may invoke exactly the functions in `candidates`.
 */
export function providerFunction(candidates: lambda.IFunction[]): lambda.IFunction {
  return {
    functionArn: sfn.JsonPath.stringAt('$.slot.providerFunction'),
    resourceArnsForGrantInvoke: candidates.flatMap((f) => f.resourceArnsForGrantInvoke),
  } as Partial<lambda.IFunction> as lambda.IFunction;
}

/** A Lambda task with an explicit timeout and no retries yet: each workflow adds its own. */
export function lambdaTask(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
  timeoutSeconds: number,
  resultSelector?: Record<string, string>,
): tasks.LambdaInvoke {
  return new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    // `execution` is the correlation id every log line of the function carries (runtime/execution-context.ts).
    payload: sfn.TaskInput.fromObject({ ...payload, 'execution.$': '$$.Execution.Id' }),
    // A function chosen at run time needs the invoke integration (FunctionName.$); its result is wrapped.
    payloadResponseOnly: !sfn.JsonPath.isEncodedJsonPath(fn.functionArn),
    retryOnServiceExceptions: false,
    resultSelector,
    resultPath,
    taskTimeout: sfn.Timeout.duration(Duration.seconds(timeoutSeconds)),
  });
}
