/** Names the stack and the watcher share (kept apart from the handler, so the CDK app loads no SDK client). */

/** The environment variable through which the stack names the providers whose preemptions are polled. */
export const PREEMPTIONS_BY_POLLING_ENV = 'SHEPHERD_WATCHER_PREEMPTIONS_BY_POLLING';

/** The partition key of every watcher item in the table: the watcher's IAM grant is limited to it (dynamodb:LeadingKeys). */
export const WATCHER_PARTITION = 'WATCHER';

/** The partition of the cluster hints' tick chain item (functions/adapters/store/check-chain.ts, beside the DNS checks' own). */
export const HINT_CHAIN_PARTITION = 'WATCHERHINTS';

/** The environment variable through which the stack names the watcher function to the cluster hints. */
export const WATCHER_FUNCTION_ENV = 'SHEPHERD_WATCHER_FUNCTION';

/** The source field of the event a cluster hint invokes the watcher with (the schedule's event carries `aws.events`). */
export const HINT_EVENT_SOURCE = 'shepherd.cluster-hints';
