import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

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
