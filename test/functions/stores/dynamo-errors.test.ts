import { ConditionalCheckFailedException, InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { retryableDynamoError } from '../../../functions/adapters/store/dynamo-errors.js';
import { ThrottledError, TransientError } from '../../../functions/runtime/errors.js';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('Function: retryableDynamoError', () => {
  it('turns throttling into ThrottledError, which the workflow retries by name', () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'over', ...meta(400) });
    const out = retryableDynamoError(throttled, 'UpdateItem');
    expect(out).toBeInstanceOf(ThrottledError);
    expect((out as Error).message).toBe('DynamoDB throttled UpdateItem (ProvisionedThroughputExceededException); retrying with backoff');
    expect(retryableDynamoError(Object.assign(new Error('slow down'), { name: 'ThrottlingException', ...meta(400) }), 'GetItem')).toBeInstanceOf(
      ThrottledError,
    );
  });

  it('turns a 5xx or a lost connection into TransientError', () => {
    const internal = retryableDynamoError(new InternalServerError({ message: 'Internal server error', ...meta(500) }), 'PutItem');
    expect(internal).toBeInstanceOf(TransientError);
    expect((internal as Error).message).toBe('DynamoDB PutItem failed (InternalServerError, HTTP 500); retrying');
    expect(retryableDynamoError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'GetItem')).toBeInstanceOf(TransientError);
  });

  it('returns a failed condition or a validation error unchanged, for the store to handle', () => {
    const condition = new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta(400) });
    expect(retryableDynamoError(condition, 'UpdateItem')).toBe(condition);
    const validation = Object.assign(new Error('The document path provided in the update expression is invalid'), {
      name: 'ValidationException',
      ...meta(400),
    });
    expect(retryableDynamoError(validation, 'UpdateItem')).toBe(validation);
  });
});
