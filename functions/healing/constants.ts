/** Names the stack and the heal triggers share (kept apart from the handlers, so the CDK app loads no SDK client). */

/** The environment variable through which the stack names the HealNode state machine to the heal intake. */
export const HEAL_NODE_ARN_ENV = 'SHEPHERD_HEAL_NODE_STATE_MACHINE_ARN';

/** Partition prefix of the orphan collector's records of the VMs it terminates (its IAM grant is limited to it). */
export const ORPHAN_TERMINATION_PREFIX = 'ORPHAN#';

/**
 * The orphan collector's timeout, and how long one delivery holds an orphan it is terminating before another may take
 * it over: a delivery that crashed is taken over by EventBridge's next retry.
 */
export const ORPHAN_COLLECTOR_TIMEOUT_SECONDS = 240;
