import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * How every workflow looks again for a claim's VM that a provider whose lists lag its launches (EC2) does not show
 * yet (ListingLagError), before it believes that nothing runs: backing off from seconds up to a few minutes, as AWS
 * advises ("Eventual consistency in the Amazon EC2 API": retry Describe "starting with a couple of seconds of wait
 * time, and increasing gradually up to a few minutes"), about 8 min in all. A shorter look releases the claim of a VM
 * that EC2 lists a minute later, which then runs uncounted. No jitter: the look must last a known time in all.
 * ProvisionNode's cleanup, ClaimCleanup and the node teardown share it; each execution budget follows by itself.
 */
export const LISTING_LAG_RETRY: sfn.RetryProps = {
  errors: ['ListingLagError'],
  interval: Duration.seconds(4),
  backoffRate: 2,
  maxAttempts: 8,
  maxDelay: Duration.minutes(2),
  jitterStrategy: sfn.JitterType.NONE,
};
