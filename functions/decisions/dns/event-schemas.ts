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
    healthy: z
      .boolean()
      .describe(
        'Its health now: false after `fall` consecutive failed checks, true after `rise` consecutive passed ones. A new target (never checked, or its state expired) is undecided until one of the two happens, and that first decision is published too.',
      ),
    passes: z.number().int().min(0).describe('Consecutive passed checks (counted up to `rise`).'),
    failures: z.number().int().min(0).describe('Consecutive failed checks (counted up to `fall`).'),
    detail: z.string().describe("The last probe's result, e.g. `connected in 12 ms`, `connect timeout after 2000 ms`, `HTTP 503`."),
    checkedAt: z.string().describe('ISO 8601 time of the check that flipped it.'),
  })
  .describe(
    "A target of a DNS entrypoint with an active check changed health. The check runner probes every eligible node's address every `dns.checkIntervalSeconds` and publishes only flips (and a new target's first decision), once the state is stored; DnsFailover starts on it and reads the stored states. Delivery is at least once: a consumer reads the current state rather than trusting the order of events.",
  );

const entrypointField = z.string().describe('The entrypoint (`dns.entrypoints[].name`).');
const zoneNameField = z.string().describe('Its Cloudflare zone.');
const addressesByName = z.record(z.string(), z.array(z.string())).describe("This cluster's addresses at each record name.");
const whyField = z.string().describe("Why the run was started: a person's reason, the triggering event, or `periodic reconcile`.");
const exclusionField = z
  .string()
  .describe(
    'Why the target may not serve (`not-eligible`, `not-ready`, `cordoned`, `draining`, `going-away`, `no-address`, `invalid-address`, `check-failing`), or `healthy`.',
  );
const alertFields = {
  since: z.string().describe('ISO 8601 time the condition was first seen (the first alert).'),
  repeat: z.boolean().describe('False on the alert that opens the condition; true on a repeat, published once an hour while it lasts.'),
};

export const recordsChangedSchema = z
  .strictObject({
    entrypoint: entrypointField,
    zoneName: zoneNameField,
    type: z.enum(['A', 'AAAA']).describe('The record type.'),
    before: addressesByName,
    after: addressesByName,
    why: whyField,
    added: z.array(z.strictObject({ name: z.string(), address: z.string() })).describe('Records created.'),
    removed: z
      .array(
        z.strictObject({
          name: z.string(),
          address: z.string(),
          node: z.string().optional().describe('The Node that served on the address, if one still does.'),
          reason: z.string().describe('Why it left: an exclusion reason, or `no node serves this address`.'),
          detail: z.string().optional().describe('More about the reason: the announcement, the taint, the last check.'),
        }),
      )
      .describe('Records deleted, each with why its address left.'),
    updated: z
      .array(z.strictObject({ name: z.string(), address: z.string(), ttl: z.number().int(), proxied: z.boolean() }))
      .describe('Records whose TTL or proxied flag was set back to the config.'),
    deferred: z.number().int().min(0).describe('Changes left to the next run by `maxChangesPerRun`.'),
  })
  .describe("DnsFailover changed an entrypoint's records, in one batch (added before removed). The same detail is in the audit log as `dns.records.changed`.");

export const noHealthyTargetSchema = z
  .strictObject({
    entrypoint: entrypointField,
    zoneName: zoneNameField,
    names: z.array(z.string()).describe('The record names.'),
    kept: addressesByName.describe('The addresses left in place: the last healthy address is never removed.'),
    why: whyField,
    targets: z
      .array(
        z.strictObject({
          node: z.string(),
          address: z.string().optional(),
          reason: exclusionField,
          detail: z.string().optional().describe('More about the reason.'),
        }),
      )
      .describe('Every candidate node and why it may not serve.'),
    ...alertFields,
  })
  .describe(
    'No target of an entrypoint is healthy: DnsFailover keeps its records as they are. Published when the condition starts and again every hour while it lasts (`repeat`); "Shepherd DNS Alert Resolved" says when it ended. Every run\'s finding is in the audit log (`dns.no-healthy-target`).',
  );

export const conflictFoundSchema = z
  .strictObject({
    entrypoint: entrypointField,
    zoneName: zoneNameField,
    conflicts: z
      .array(
        z.strictObject({
          name: z.string(),
          type: z.string(),
          content: z.string(),
          id: z.string().describe('The Cloudflare record id.'),
          blocks: z
            .enum(['nothing', 'address', 'name'])
            .describe('What it blocks: nothing (it only shares the name), one address, or the whole name (a CNAME).'),
        }),
      )
      .describe("The records at the entrypoint names that are not marked as this cluster's."),
    ...alertFields,
  })
  .describe(
    'A record not marked as this cluster\'s is at an entrypoint name: DnsFailover never modifies it. Published when first seen and again every hour while it stays (`repeat`); "Shepherd DNS Alert Resolved" says when it is gone. Every run\'s finding is in the audit log (`dns.conflict.found`).',
  );

export const alertResolvedSchema = z
  .strictObject({
    entrypoint: entrypointField,
    zoneName: zoneNameField,
    alert: z.enum(['no-healthy-target', 'conflict-found']).describe('Which alert ended.'),
    since: z.string().describe('ISO 8601 time the condition started.'),
    resolvedAt: z.string().describe('ISO 8601 time of the run that found it over.'),
    why: whyField,
  })
  .describe(
    'A DnsFailover alert ("No Healthy Target" or "Conflict Found") is over: the first run that no longer sees the condition publishes this, once. Also in the audit log (`dns.alert.resolved`).',
  );
