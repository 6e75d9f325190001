import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { failWithCause, readError } from './fail-cause.js';
import { lambdaTask } from './lambda-task.js';
import { FUNCTION_LOST, TRANSIENT } from './provision-node.js';
import { readInput } from './read-input.js';
import { lambdaErrorFail } from './remove-node.js';

export interface DnsFailoverFunctions {
  dns: lambda.IFunction;
}

/** Passes that may end waiting (for Cloudflare's retry-after, or another run's lease) before the run gives up. */
export const DNS_MAX_WAITS = 10;

/** Cloudflare's 5xx and lost connections: the pass is run again from fresh reads, so a batch is never sent twice. */
const DNS_TRANSIENT = ['DnsTransientError', ...TRANSIENT, ...FUNCTION_LOST];

/**
 * DnsFailover: validate (a person's input, or the event a rule delivered) -> one pass over the entrypoints
 * (functions/dns/failover.ts: under each entrypoint's lease, read Nodes, check states and records, plan, apply one
 * batch) -> while some are pending (Cloudflare answered 429, or another run holds the lease), a Wait state of
 * Cloudflare's retry-after (free, unlike a sleeping Lambda), then the pass again for those, from fresh reads.
 * A 5xx is retried with backoff, also from fresh reads: the plan is made from what Cloudflare holds at that moment,
 * so nothing is ever created twice. Each Fail's cause is one sentence, then the details as JSON.
 */
export function dnsFailoverDefinition(scope: Construct, fns: DnsFailoverFunctions): sfn.IChainable {
  const validate = lambdaTask(scope, 'Validate input', fns.dns, { action: 'validate', 'input.$': '$.input' }, '$.plan', 20);
  validate.addRetry({
    errors: [...TRANSIENT, ...FUNCTION_LOST],
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  });
  validate.addCatch(lambdaErrorFail(scope, 'invalid input', 'Invalid input', 'InvalidInput'), { errors: ['InvalidInputError'], resultPath: '$.error' });

  const start = new sfn.Pass(scope, 'Start with every entrypoint', {
    parameters: { 'plan.$': '$.plan', 'pending.$': '$.plan.entrypoints', waits: 0 },
  });
  const pass = lambdaTask(scope, 'Update records', fns.dns, { action: 'reconcile', 'plan.$': '$.plan', 'entrypoints.$': '$.pending' }, '$.pass', 60);
  pass.addRetry({ errors: DNS_TRANSIENT, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });

  const stopped = readError(scope, 'Read update error', '$.error', '$.failure').next(
    failWithCause(scope, 'DNS update failed', {
      error: 'DnsUpdateFailed',
      sentence: sfn.JsonPath.format(
        'DnsFailover could not update the records of entrypoints {}: {}. Check the Cloudflare token and zone, then start dns-failover again.',
        sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.pending')),
        sfn.JsonPath.stringAt('$.failure.message'),
      ),
      details: { 'entrypoints.$': '$.pending', 'error.$': '$.failure.error', 'reason.$': '$.plan.reason' },
    }),
  );
  pass.addCatch(stopped, { resultPath: '$.error' });

  const again = new sfn.Pass(scope, 'Count wait', {
    parameters: {
      'plan.$': '$.plan',
      'pending.$': '$.pass.pending',
      'waitSeconds.$': '$.pass.waitSeconds',
      'outcomes.$': '$.pass.outcomes',
      'waits.$': 'States.MathAdd($.waits, 1)',
    },
  });
  const gaveUp = failWithCause(scope, 'DNS update gave up', {
    error: 'DnsUpdateGaveUp',
    sentence: sfn.JsonPath.format(
      'DnsFailover waited {} times and entrypoints {} are still pending (Cloudflare rate limit, or another run holding their lease); the periodic reconcile tries again, or start dns-failover by hand.',
      sfn.JsonPath.stringAt('$.waits'),
      sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.pending')),
    ),
    details: { 'entrypoints.$': '$.pending', 'lastOutcomes.$': '$.outcomes', 'reason.$': '$.plan.reason' },
  });
  const wait = new sfn.Wait(scope, 'Wait for retry-after', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
  wait.next(pass);
  again.next(new sfn.Choice(scope, 'Waited too often?').when(sfn.Condition.numberGreaterThanEquals('$.waits', DNS_MAX_WAITS + 1), gaveUp).otherwise(wait));

  const done = new sfn.Pass(scope, 'Records up to date', { parameters: { 'reason.$': '$.plan.reason', 'outcomes.$': '$.pass.outcomes' } });
  const pendingLeft = new sfn.Choice(scope, 'Entrypoints pending?')
    .when(sfn.Condition.isPresent('$.pass.pending[0]'), again)
    .otherwise(done.next(new sfn.Succeed(scope, 'Updated')));
  return readInput(scope).next(validate).next(start).next(pass).next(pendingLeft);
}
