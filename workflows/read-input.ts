import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * A workflow's first state: the input becomes one field of an object, `$.input`. Any JSON a person can start an
 * execution with (an array, a string, a number) then has room for the results beside it, and the validator's refusal
 * is the readable InvalidInput; on a bare array a task's ResultPath fails with States.ResultPathMatchFailure instead
 * ("ResultPath", Step Functions Developer Guide: the result cannot be inserted into a non-object input).
 */
export function readInput(scope: Construct): sfn.Pass {
  return new sfn.Pass(scope, 'Read input', { parameters: { 'input.$': '$' } });
}
