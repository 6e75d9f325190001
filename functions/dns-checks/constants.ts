/** The queue the chain's ticks travel on: its URL, given to the runner by the stack (infra/constructs/dns-checks.ts). */
export const TICK_QUEUE_URL_ENV = 'TICK_QUEUE_URL';
