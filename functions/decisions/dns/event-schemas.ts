import { z } from 'zod';

/**
 * The detail of the DNS checks' event, as a zod schema: the event catalog (docs/events.md, `npm run docs`) is
 * generated from it and a test checks what a round publishes against it. Only the docs and tests import this file,
 * so no function bundles zod.
 */
export const targetHealthChangedSchema = z
  .strictObject({
    entrypoint: z.string().describe('The entrypoint (`dns.entrypoints[].name`) whose active check saw the change.'),
    address: z.string().describe('The target address probed.'),
    nodeName: z.string().optional().describe('The Node serving on that address when it was probed.'),
    healthy: z.boolean().describe('Its health now: false after `fall` consecutive failed checks, true after `rise` consecutive passed ones.'),
    passes: z.number().int().min(0).describe('Consecutive passed checks (counted up to `rise`).'),
    failures: z.number().int().min(0).describe('Consecutive failed checks (counted up to `fall`).'),
    detail: z.string().describe("The last probe's result, e.g. `connected in 12 ms`, `connect timeout after 2000 ms`, `HTTP 503`."),
    checkedAt: z.string().describe('ISO 8601 time of the check that flipped it.'),
  })
  .describe(
    "A target of a DNS entrypoint with an active check changed health. The check runner probes every eligible node's address every `dns.checkIntervalSeconds` and publishes only flips, once the state is stored; DnsFailover starts on it and reads the stored states. Delivery is at least once: a consumer reads the current state rather than trusting the order of events.",
  );
