import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BENCH_CHECK } from '../../bench/dns/report.js';
import { parseConfig } from '../../config/load.js';
import type { EntrypointConfig, ShepherdConfig } from '../../config/types.js';
import { DynamoCheckChainStore } from '../../functions/adapters/store/check-chain.js';
import { DynamoDnsCheckStateStore } from '../../functions/adapters/store/dns-check-states.js';
import { DynamoRemediationSwitchStore } from '../../functions/adapters/store/remediation-switch.js';
import type { StoredCheckState } from '../../functions/decisions/dns/check-round.js';
import { DNS_SOURCE } from '../../functions/decisions/dns/failover-events.js';
import { ownershipComment } from '../../functions/decisions/dns/ownership.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import type { EventBridgeEvent } from '../../local/types.js';
import { addDaemonSet, WEB_HOST_PORTS } from '../../sim/index.js';

export { nodeAddress, provision, waitPublished } from '../../bench/dns/scenarios.js';

/**
 * A local stack for DNS failover scenarios: the shipped config with the active check bench:dns adds (HTTPS as a load
 * balancer probes, bench/dns/report.ts), an ingress DaemonSet holding ports 80 and 443 on every node (what the check
 * reaches), and heals paused (a heal's replacement node would join the entrypoint mid-scenario).
 */

/** The shipped config (left as it is on disk) with `check` on its first entrypoint; `entrypoint` overrides fields of it. */
export function dnsCheckConfig(entrypoint: Partial<EntrypointConfig> = {}, checkIntervalSeconds?: number): ShepherdConfig {
  const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
  raw.dns.entrypoints[0] = { ...raw.dns.entrypoints[0], check: BENCH_CHECK, ...entrypoint };
  if (checkIntervalSeconds !== undefined) raw.dns.checkIntervalSeconds = checkIntervalSeconds;
  return parseConfig(raw, 'dns scenario config');
}

export interface DnsLocal {
  local: ShepherdLocal;
  config: ShepherdConfig;
  entry: EntrypointConfig;
  /** Every event published on the project bus, in order. */
  published: EventBridgeEvent[];
}

export async function startDnsLocal(config: ShepherdConfig, seed: number): Promise<DnsLocal> {
  await synthesizeStack(config);
  const local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  const published: EventBridgeEvent[] = [];
  const bus = `shepherd-${config.cluster.name}`;
  local.controlPlane.events.onPublish((name, event) => {
    if (name === bus) published.push(event);
  });
  await new DynamoRemediationSwitchStore(local.tableName, dynamoClient(local)).pause(
    'dns scenario test',
    'heals would add replacement nodes to the entrypoint',
  );
  addDaemonSet(local.sim.world, 'ingress', WEB_HOST_PORTS);
  return { local, config, entry: config.dns!.entrypoints[0], published };
}

function dynamoClient(local: ShepherdLocal): DynamoDBClient {
  return new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws });
}

function documentClient(local: ShepherdLocal): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoClient(local));
}

/** The check states the check runner stored for the entrypoint, by address. */
export function checkStates(d: DnsLocal): Promise<Map<string, StoredCheckState>> {
  return new DynamoDnsCheckStateStore(d.local.tableName, dynamoClient(d.local)).list(d.entry.name);
}

/**
 * Waits until `phaseMs` after the check chain's next tick (simulated): where in the check interval a scenario's loss
 * falls. Returns the phase reached. Only a lead tick is recorded in the chain's item; the ticks of its batch are sent
 * right after its claim, the k-th delayed k intervals (decisions/dns/check-ticks.ts, nextBatch), so the next tick is
 * due at the last lead's time plus a whole number of intervals. Waits for the chain's first lead if none ran yet (the
 * keep-alive starts it within its schedule's period).
 */
export async function atPhaseOfTick(d: DnsLocal, phaseMs: number): Promise<number> {
  const chain = new DynamoCheckChainStore(d.local.tableName, dynamoClient(d.local));
  const { clock } = d.local.sim;
  const intervalMs = d.config.dns!.checkIntervalSeconds * 1000;
  const deadline = clock.now() + 300_000;
  let lead = await chain.get();
  while (!lead || lead.seq < 1) {
    if (clock.now() > deadline) throw new Error('no check tick within 300 s (simulated)');
    await clock.sleep(100);
    lead = await chain.get();
  }
  const leadAt = Date.parse(lead.lastTickAt);
  const tickAt = leadAt + (Math.floor((clock.now() - leadAt) / intervalMs) + 1) * intervalMs;
  await clock.sleep(tickAt + phaseMs - clock.now());
  return clock.now() - tickAt;
}

/** The details of the audit entries named `event`, oldest first. */
export async function auditEntries(local: ShepherdLocal, event: string): Promise<Record<string, unknown>[]> {
  const out = await documentClient(local).send(new ScanCommand({ TableName: local.tableName }));
  return (out.Items ?? [])
    .filter((i) => String(i.pk).startsWith('AUDIT#') && i.event === event)
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
    .map((i) => i.detail as Record<string, unknown>);
}

/** This cluster's addresses at a record name in the simulated Cloudflare's API view, sorted. */
export function ownedAddresses(d: DnsLocal, name: string): string[] {
  const { world } = d.local.sim;
  const zone = world.dns.zoneByName(d.entry.zoneName)!;
  const owner = ownershipComment(d.config.cluster.name, d.entry.name);
  return world.dns
    .listRecords(zone.id)
    .filter((r) => r.name === name && r.type === d.entry.type && r.comment === owner)
    .map((r) => r.content)
    .sort();
}

/** What a resolver answers for a record name now (authoritative: no cached answer), sorted. */
export function resolvedNow(d: DnsLocal, name: string): string[] {
  return [...d.local.sim.world.dns.resolve(name, d.entry.type).contents].sort();
}

/** The DNS events of one detail-type published so far. */
export const dnsEvents = (d: DnsLocal, detailType: string) => d.published.filter((e) => e.source === DNS_SOURCE && e['detail-type'] === detailType);

/**
 * When `address` entered or left the answer of `name`, from the simulated Cloudflare's change history (not from
 * shepherd's reports), as [at, present] pairs in order.
 */
export function addressTransitions(d: DnsLocal, name: string, address: string): { at: number; present: boolean }[] {
  const { dns } = d.local.sim.world;
  const out: { at: number; present: boolean }[] = [];
  let present = false;
  const times = [...new Set(dns.changes().map((c) => c.at))].sort((a, b) => a - b);
  for (const at of times) {
    const now = dns.resolve(name, d.entry.type, { at }).contents.includes(address);
    if (now !== present) out.push({ at, present: now });
    present = now;
  }
  return out;
}

/** A Node's Ready condition status now. */
export function nodeReady(local: ShepherdLocal, name: string): string | undefined {
  return (local.sim.world.kube.get('nodes', undefined, name)?.status?.conditions as { type: string; status: string }[] | undefined)?.find(
    (c) => c.type === 'Ready',
  )?.status;
}

/** Records every change of the Ready condition of the Nodes from now on, with its simulated time. */
export function watchReady(local: ShepherdLocal): { at: number; node: string; ready: string | undefined }[] {
  const seen: { at: number; node: string; ready: string | undefined }[] = [];
  const last = new Map<string, string | undefined>();
  local.sim.world.kube.onChange((resource, _type, obj) => {
    if (resource !== 'nodes') return;
    const name = obj.metadata.name as string;
    const ready = (obj.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')?.status;
    if (last.has(name) && last.get(name) === ready) return;
    last.set(name, ready);
    seen.push({ at: local.sim.clock.now(), node: name, ready });
  });
  return seen;
}

/** The Ready status of `node` at `at`, from a watchReady log (undefined before its first entry). */
export function readyAt(log: ReturnType<typeof watchReady>, node: string, at: number): string | undefined {
  return log.filter((e) => e.node === node && e.at <= at).at(-1)?.ready;
}
