import { z } from 'zod';
import { DEFAULT_DNS_FAILOVER, DEFAULT_ENTRYPOINT_TTL } from './defaults.js';
import { cloudflareZoneId, dnsTtl, hostname, labelKey, labels, resourceName, secretArn } from './fields.js';

/** `dns`: Cloudflare entrypoints that follow the healthy nodes (issue 10). */

export const ADDRESS_SOURCES = ['external-ip', 'annotation'] as const;

export const addressSourceSchema = z
  .discriminatedUnion('from', [
    z.strictObject({ from: z.literal('external-ip').describe("The Node's ExternalIP addresses (status.addresses).") }),
    z.strictObject({
      from: z.literal('annotation').describe('An annotation on the Node holding one address or a comma-separated list (e.g. a home lab behind NAT).'),
      key: labelKey.describe('The annotation key, e.g. "shepherd.io/public-ip".'),
    }),
  ])
  .describe("Where a Node's public address comes from.");

const port = z.number().int().min(1).max(65535);
const checkTimeoutMs = z
  .number()
  .int()
  .min(100)
  .max(10_000)
  .default(DEFAULT_DNS_FAILOVER.checkTimeoutMs)
  .describe('How long one probe may take before it counts as a failure (100 to 10000 ms).');
const urlPath = z
  .string()
  .regex(/^\/[^\s]*$/, { error: 'a URL path starting with "/"' })
  .meta({ allowed: 'a URL path starting with "/"' })
  .default('/')
  .describe('The path requested; any 2xx or 3xx answer passes.');

export const activeCheckSchema = z
  .discriminatedUnion('protocol', [
    z.strictObject({ protocol: z.literal('tcp').describe('A TCP connection to the port.'), port: port.describe('Port probed.'), timeoutMs: checkTimeoutMs }),
    z.strictObject({
      protocol: z.literal('http').describe('An HTTP GET.'),
      port: port.default(80).describe('Port probed.'),
      path: urlPath,
      timeoutMs: checkTimeoutMs,
    }),
    z.strictObject({
      protocol: z.literal('https').describe('An HTTPS GET (the certificate is not verified: the probe goes to an address, not a name).'),
      port: port.default(443).describe('Port probed.'),
      path: urlPath,
      timeoutMs: checkTimeoutMs,
    }),
  ])
  .describe('A probe from AWS to each target address.');

const count = z.number().int().min(1).max(20);

export const entrypointSchema = z.strictObject({
  name: resourceName.describe('Entrypoint name; part of the ownership comment on its records.'),
  zoneName: hostname.describe('The Cloudflare zone, e.g. "example.com"; its id is looked up by name through the API.'),
  zoneId: cloudflareZoneId.optional().describe("The zone's id in Cloudflare; when given, the zone found by name must have it."),
  records: z.array(hostname).min(1).describe('DNS names that point at the entrypoint nodes.'),
  type: z.enum(['A', 'AAAA']).default('A').describe('Record type.'),
  ttl: dnsTtl.default(DEFAULT_ENTRYPOINT_TTL).describe('Record TTL in seconds; 1 is automatic, required when proxied.'),
  proxied: z.boolean().default(false).describe("Serve through Cloudflare's proxy."),
  eligiblePools: z.array(resourceName).min(1).optional().describe('Pools whose nodes may serve (the shepherd.io/pool label); with selector, both must match.'),
  selector: z
    .strictObject({ matchLabels: labels.describe('Labels a Node must carry, all of them.') })
    .optional()
    .describe('Nodes that may serve, by label; it must match at least one pool (its labels and the shepherd.io/ labels shepherd puts).'),
  addressSource: addressSourceSchema.prefault({ from: 'external-ip' }),
  check: activeCheckSchema.optional(),
  fall: count.default(DEFAULT_DNS_FAILOVER.fall).describe('Consecutive failed checks before a target leaves the records.'),
  rise: count.default(DEFAULT_DNS_FAILOVER.rise).describe('Consecutive passed checks before a target that failed comes back.'),
  maxChangesPerRun: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(DEFAULT_DNS_FAILOVER.maxChangesPerRun)
    .describe('Record changes one run may make (1 to 200, the batch size of a Free zone); the rest waits for the next run.'),
});

export const dnsSchema = z
  .strictObject({
    cloudflare: z
      .strictObject({ apiTokenSecretArn: secretArn.describe('Secret holding a Cloudflare API token with DNS edit rights on the zones (plain text).') })
      .describe('Cloudflare access.'),
    entrypoints: z.array(entrypointSchema).min(1).describe('Public names that follow healthy entrypoint nodes.'),
    checkIntervalSeconds: z
      .number()
      .int()
      .min(5)
      .max(60)
      .default(DEFAULT_DNS_FAILOVER.checkIntervalSeconds)
      .describe('Seconds between two rounds of active checks (5 to 60): the delay of the SQS tick that starts the next round.'),
    fastCheckIntervalSeconds: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(DEFAULT_DNS_FAILOVER.fastCheckIntervalSeconds)
      .describe(
        "Seconds between the re-checks of a target on its way down (HAProxy's fastinter, applied only down; 1 to checkIntervalSeconds): after a healthy target's first failed check only the failing targets are probed again this often until `fall` failures or a pass, so a dead target leaves in about checkIntervalSeconds + (fall - 1) x (this + the check's timeout) + the timeout. A target that fell again within 5 minutes of its last fall needs `rise` x the number of those falls passes (at most 4 x) to come back (Envoy's ejection backoff).",
      ),
  })
  .describe('DNS entrypoints on Cloudflare.');
