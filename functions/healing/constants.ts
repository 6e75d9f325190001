/** Names the stack and the heal triggers share (kept apart from the handlers, so the CDK app loads no SDK client). */

/** The environment variable through which the stack names the HealNode state machine to the heal intake. */
export const HEAL_NODE_ARN_ENV = 'SHEPHERD_HEAL_NODE_STATE_MACHINE_ARN';
