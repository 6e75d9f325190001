import { describe, expect, it } from 'vitest';
import { ProviderRequestError } from '../../../functions/runtime/errors.js';
import { withExecutionContext } from '../../../functions/runtime/execution-context.js';
import { PLAIN_MESSAGE_MAX, plainMessage } from '../../../functions/runtime/plain-message.js';

describe('Function: plainMessage', () => {
  it('keeps a plain sentence as it is', () => {
    expect(plainMessage('pool gcp-amd64 has 1 of its 3 nodes free (2 claimed); asked for 3.')).toBe(
      'pool gcp-amd64 has 1 of its 3 nodes free (2 claimed); asked for 3.',
    );
  });

  it('puts a quoted JSON answer on one line, its braces as parentheses, so the cause’s JSON starts after the sentence', () => {
    const message = plainMessage('GCE refused the insert: {"error": {"code": 400,\n  "message": "bad image"}}');
    expect(message).toBe('GCE refused the insert: ("error": ("code": 400, "message": "bad image"))');
    expect(message).not.toMatch(/[{}\n]/);
  });

  it('cuts a long message to a sentence’s length', () => {
    const message = plainMessage(`x${' word'.repeat(500)}`);
    expect(message).toHaveLength(PLAIN_MESSAGE_MAX);
    expect(message.endsWith('…')).toBe(true);
  });
});

describe('Function: withExecutionContext (error messages)', () => {
  it('rethrows the same error, its name kept for Retry and Catch, with a plain message', async () => {
    const thrown = new ProviderRequestError('denied: {"reason":\n"quota"}');
    const handler = withExecutionContext(async () => {
      throw thrown;
    });
    const err = await handler({}).catch((e: unknown) => e);
    expect(err).toBe(thrown);
    expect(err).toMatchObject({ name: 'ProviderRequestError', message: 'denied: ("reason": "quota")' });
  });
});
