/**
 * The check runner's memory. `npm run bench:functions` with an HTTPS check on the shipped entrypoint (2026-11-30, 7
 * real calls of the runner during a local ProvisionNode run) measured 72 MiB after import and a peak of 81 MiB on a
 * call: 128 MB, Lambda's smallest size, leaves a third free. Its own file so the cost command reads it without CDK.
 */
export const DNS_CHECKS_MEMORY_MB = 128;
/** The peak measured on a real call (above), which the memory must leave room over. */
export const DNS_CHECKS_MEASURED_PEAK_MIB = 81;
