import type { RestResponse, RestRoute } from '../aws-api/api-server.js';
import { AwsApiError, LambdaFunctionError, LambdaServiceError } from '../errors.js';
import type { LambdaRunner } from './lambda-runner.js';

/**
 * Lambda's Invoke operation (`POST /2015-03-31/functions/{FunctionName}/invocations`), as a function that invokes
 * another (the cluster watcher asks the provider functions; a cluster hint starts the watcher) calls it with the AWS
 * SDK. `Event` (asynchronous) invocations are answered 202 with no payload at once and run in the background, their
 * errors left to the function's log, as Lambda does ("Invoking a Lambda function asynchronously"). A
 * handler that throws is answered as Lambda does: 200, `X-Amz-Function-Error: Unhandled` and the error as payload.
 * While the invoked function runs, the request is parked (RequestHold.parked): the invoked function holds the clock
 * for itself, so neither this request nor its caller (itself an invocation holding the clock) may, or a server the
 * function waits on (a latency fault) could never let time move.
 */
export function lambdaApi(lambdas: LambdaRunner): RestRoute[] {
  return [
    {
      method: 'POST',
      path: /^\/2015-03-31\/functions\/([^/]+)\/invocations$/,
      async run([functionName], body, headers, request): Promise<RestResponse> {
        const type = String(headers['x-amz-invocation-type'] ?? 'RequestResponse');
        if (type !== 'RequestResponse' && type !== 'Event')
          throw new AwsApiError('InvalidParameterValueException', `InvocationType ${type} is not run by the local control plane`);
        let event: unknown;
        try {
          event = body.length ? JSON.parse(body.toString('utf8')) : {};
        } catch {
          throw new AwsApiError('InvalidRequestContentException', 'Could not parse request body into json');
        }
        if (!lambdas.has(functionName)) throw new AwsApiError('ResourceNotFoundException', `Function not found: ${functionName}`, 404);
        if (type === 'Event') {
          // The invocation takes its own hold on the clock; its outcome is the function's log's business.
          lambdas.invoke(functionName, event).catch(() => {});
          return { status: 202, headers: { 'content-type': 'application/json' }, body: '' };
        }
        try {
          // Invoked first: the function takes its hold synchronously, so that parking this request leaves no gap.
          const result = await request.parked(lambdas.invoke(functionName, event));
          return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }, body: JSON.stringify(result ?? null) };
        } catch (err) {
          if (err instanceof LambdaServiceError) throw new AwsApiError(err.code, err.message);
          const e = err instanceof LambdaFunctionError ? err : new LambdaFunctionError('Error', (err as Error).message);
          return {
            status: 200,
            headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
            body: JSON.stringify({ errorType: e.errorType, errorMessage: e.errorMessage, trace: e.trace }),
          };
        }
      },
    },
  ];
}
