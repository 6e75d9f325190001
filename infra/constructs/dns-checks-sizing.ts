/**
 * The check runner's memory. `npm run bench:functions` with an HTTPS check on the shipped entrypoint (2026-11-30, 7
 * real calls of the runner during a local ProvisionNode run) measured 72 MiB after import and a peak of 81 MiB on a
 * call: 128 MB, Lambda's smallest size, leaves a third free. Its own file so the cost command reads it without CDK.
 */
export const DNS_CHECKS_MEMORY_MB = 128;
/** The peak measured on a real call (above), which the memory must leave room over. */
export const DNS_CHECKS_MEASURED_PEAK_MIB = 81;
/**
 * Minutes between two runs of the check chain's keep-alive. A lead sends ten ticks, so a lost lead is noticed only
 * after its batch anyway (decisions/dns/check-ticks.ts, keepAliveVerdict); running it every two minutes rather than
 * every minute halves its cost and restarts a broken chain within three intervals + 2 minutes of its last due tick
 * (a failed send: 150 s at a 10 s interval; a lost lead message: one batch more, 250 s).
 */
export const DNS_KEEP_ALIVE_MINUTES = 2;
