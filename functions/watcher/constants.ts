/** Names the stack and the watcher share (kept apart from the handler, so the CDK app loads no SDK client). */

/** The environment variable through which the stack names the providers whose preemptions are polled. */
export const PREEMPTIONS_BY_POLLING_ENV = 'SHEPHERD_WATCHER_PREEMPTIONS_BY_POLLING';

/** The partition key of every watcher item in the table: the watcher's IAM grant is limited to it (dynamodb:LeadingKeys). */
export const WATCHER_PARTITION = 'WATCHER';
