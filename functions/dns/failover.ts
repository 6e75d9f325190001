import type { EntrypointConfig } from '../../config/types.js';
import { isDnsRateLimitedError } from '../adapters/dns/errors.js';
import type { DnsApi } from '../adapters/dns/types.js';
import type { DnsNode } from '../adapters/kube/dns-nodes.js';
import type { DnsAlertStore } from '../adapters/store/dns-alerts.js';
import type { StoredCheckState } from '../adapters/store/dns-check-states.js';
import { type DnsAlertKind, dnsAlertStep } from '../decisions/dns/alerts.js';
import { DNS_DETAIL_TYPES } from '../decisions/dns/failover-events.js';
import { initialCheckState, isUndecided } from '../decisions/dns/hysteresis.js';
import { ownershipComment } from '../decisions/dns/ownership.js';
import { planChanges } from '../decisions/dns/plan.js';
import type { DnsRunPlan } from '../decisions/dns/run-input.js';
import { entrypointTargets, healthyAddresses } from '../decisions/dns/targets.js';
import type { Announcements, ChangePlan, CheckState, DnsNodeView, Target } from '../decisions/dns/types.js';
import type { LogLevel } from '../runtime/logger.js';

/** What a run reads and does, each behind one adapter (the handler builds them; a test passes fakes). */
export interface DnsFailoverDeps {
  cluster: string;
  nodes(): Promise<DnsNode[]>;
  /** The EC2 instance id of the claim the Node's `shepherd.io/claim` label names (Kosmos nodes register without a providerID). */
  instanceOfClaim(claimId: string): Promise<string | undefined>;
  /** Nodes a heal holds a lease on and takes away (healTakesNodeAway), with why. */
  healsInProgress(nodes: DnsNodeView[]): Promise<Announcements>;
  /** Nodes an earlier run's EC2 event announced, still counting. */
  rememberedAnnouncements(): Promise<Announcements>;
  /** Remembers nodes an EC2 event announced, for the runs after this one (ANNOUNCEMENT_SECONDS). */
  rememberAnnouncements(announced: Announcements): Promise<void>;
  checkStates(entrypoint: string): Promise<Map<string, StoredCheckState>>;
  dns: DnsApi;
  /** Takes the entrypoint's lease for this execution; false when another run holds it. */
  takeLease(entrypoint: string): Promise<{ taken: true } | { taken: false; holder: string }>;
  releaseLease(entrypoint: string): Promise<void>;
  /** The entrypoints' open alerts (published once per condition, repeated after DNS_REALERT_SECONDS, resolved once). */
  alerts: DnsAlertStore;
  now(): Date;
  audit(event: string, detail: Record<string, unknown>): Promise<void>;
  publish(events: { detailType: string; detail: Record<string, unknown> }[]): Promise<void>;
  log(level: LogLevel, message: string, fields: Record<string, unknown>): void;
}

export type EntrypointOutcome =
  | {
      entrypoint: string;
      outcome: 'unchanged' | 'changed' | 'no-healthy-target';
      before: Record<string, string[]>;
      after: Record<string, string[]>;
      conflicts: number;
    }
  | { entrypoint: string; outcome: 'busy'; holder: string }
  | { entrypoint: string; outcome: 'rate-limited'; retryAfterSeconds: number };

/** One pass's result, as the state machine reads it: `pending` entrypoints run again after `waitSeconds`. */
export interface DnsPassResult {
  outcomes: EntrypointOutcome[];
  pending: string[];
  waitSeconds: number;
}

/** Wait this long for another run's lease on an entrypoint (a run takes well under a second to apply its batch). */
export const BUSY_WAIT_SECONDS = 2;

/**
 * One pass over the run's entrypoints. Each is done under its lease (so two runs never plan from the same records
 * at once: the second waits, then reads what the first wrote), and from fresh reads: Nodes, heals in progress, check
 * states, the records at its names. One batch per entrypoint. A 429 stops the pass: that entrypoint and the rest are
 * pending, to be run again after Cloudflare's retry-after (a Wait state, not a sleeping Lambda).
 */
export async function reconcilePass(run: DnsRunPlan, entrypoints: EntrypointConfig[], deps: DnsFailoverDeps): Promise<DnsPassResult> {
  const outcomes: EntrypointOutcome[] = [];
  const pending: string[] = [];
  let waitSeconds = 0;
  const nodes = await deps.nodes();
  const announcements = await announced(run, nodes, deps);
  for (const [i, name] of run.entrypoints.entries()) {
    const entrypoint = entrypoints.find((e) => e.name === name);
    if (!entrypoint) continue;
    const lease = await deps.takeLease(name);
    if (!lease.taken) {
      outcomes.push({ entrypoint: name, outcome: 'busy', holder: lease.holder });
      pending.push(name);
      waitSeconds = Math.max(waitSeconds, BUSY_WAIT_SECONDS);
      continue;
    }
    try {
      outcomes.push(await reconcileEntrypoint(entrypoint, run, nodes, announcements, deps));
    } catch (err) {
      if (!isDnsRateLimitedError(err)) throw err;
      deps.log('warn', 'Cloudflare rate-limited the run; waiting', { entrypoint: name, retryAfterSeconds: err.retryAfterSeconds });
      outcomes.push({ entrypoint: name, outcome: 'rate-limited', retryAfterSeconds: err.retryAfterSeconds });
      pending.push(...run.entrypoints.slice(i).filter((e) => !pending.includes(e)));
      return { outcomes, pending, waitSeconds: Math.max(waitSeconds, err.retryAfterSeconds) };
    } finally {
      await deps.releaseLease(name);
    }
  }
  return { outcomes, pending, waitSeconds };
}

/**
 * How long an EC2 event's announcement keeps its node out of DNS: past the 2-minute spot notice and until the
 * watcher has seen the Node NotReady, which then keeps it out by itself. A stopped instance started again later
 * comes back once this has passed.
 */
export const ANNOUNCEMENT_SECONDS = 15 * 60;

/** The run's announcements (by node name), those earlier events made, and the heals in progress. */
async function announced(run: DnsRunPlan, nodes: DnsNode[], deps: DnsFailoverDeps): Promise<Announcements> {
  const fromEc2: Announcements = {};
  for (const [instanceId, why] of Object.entries(run.announcedInstances)) {
    const node = await nodeOfInstance(instanceId, nodes, deps);
    if (node) fromEc2[node.view.name] = `${why} for ${instanceId}`;
  }
  if (Object.keys(fromEc2).length > 0) await deps.rememberAnnouncements(fromEc2);
  const [heals, remembered] = await Promise.all([deps.healsInProgress(nodes.map((n) => n.view)), deps.rememberedAnnouncements()]);
  return { ...heals, ...remembered, ...run.announcedNodes, ...fromEc2 };
}

/** The Node of an EC2 instance: by providerID, else through the claims of the AWS Nodes that carry none (as the heal intake finds it). */
async function nodeOfInstance(instanceId: string, nodes: DnsNode[], deps: DnsFailoverDeps): Promise<DnsNode | undefined> {
  const byId = nodes.find((n) => n.providerID?.startsWith('aws://') && n.providerID.endsWith(`/${instanceId}`));
  if (byId) return byId;
  for (const n of nodes) {
    const claimId = n.view.labels['shepherd.io/claim'];
    if (n.providerID || !claimId || n.view.labels['shepherd.io/provider'] !== 'aws') continue;
    if ((await deps.instanceOfClaim(claimId)) === instanceId) return n;
  }
  return undefined;
}

async function reconcileEntrypoint(
  e: EntrypointConfig,
  run: DnsRunPlan,
  nodes: DnsNode[],
  announcements: Announcements,
  deps: DnsFailoverDeps,
): Promise<EntrypointOutcome> {
  const zoneId = await deps.dns.zoneId(e.zoneName, e.zoneId);
  const existing = await deps.dns.recordsAt(zoneId, e.records);
  const owner = ownershipComment(deps.cluster, e.name);
  const published = new Set(existing.filter((r) => r.comment === owner).map((r) => r.content));
  const checks = e.check ? checkStates(await deps.checkStates(e.name), nodes, published) : undefined;
  const rule = { eligiblePools: e.eligiblePools, selector: e.selector, addressSource: e.addressSource, type: e.type };
  const targets = entrypointTargets({ rule, nodes: nodes.map((n) => n.view), announcements, ...(checks ? { checks } : {}) });
  const plan = planChanges({
    names: e.records,
    type: e.type,
    ttl: e.ttl,
    proxied: e.proxied,
    owner,
    healthy: healthyAddresses(targets),
    existing,
    maxChanges: e.maxChangesPerRun,
  });
  await report(e, run, plan, targets, deps);
  const changes = plan.batch.posts.length + plan.batch.patches.length + plan.batch.deletes.length;
  const summary = { before: plan.before, after: plan.after, conflicts: plan.conflicts.length };
  if (plan.alerts.some((a) => a.kind === 'no-healthy-target')) return { entrypoint: e.name, outcome: 'no-healthy-target', ...summary };
  if (changes === 0) return { entrypoint: e.name, outcome: 'unchanged', ...summary };
  await deps.dns.applyBatch(zoneId, plan.batch);
  const detail = {
    entrypoint: e.name,
    zoneName: e.zoneName,
    type: e.type,
    before: plan.before,
    after: plan.after,
    why: run.reason,
    added: plan.batch.posts.map((p) => ({ name: p.name, address: p.content })),
    removed: plan.batch.deletes.map((d) => ({ name: d.name, address: d.content, ...excludedBecause(targets, d.content) })),
    updated: plan.batch.patches.map((p) => ({ name: p.name, address: p.content, ttl: p.ttl, proxied: p.proxied })),
    deferred: plan.alerts.find((a) => a.kind === 'changes-deferred')?.deferred ?? 0,
  };
  deps.log('info', 'DNS records changed', detail);
  // In the history of each node whose address came or went (`shepherd history NODE`); the bus event stays as catalogued.
  const nodeNames = [...plan.batch.posts, ...plan.batch.deletes].flatMap((r) => targets.find((t) => t.address === r.content)?.node ?? []);
  await deps.audit('dns.records.changed', { ...detail, ...(nodeNames.length > 0 ? { nodeNames: [...new Set(nodeNames)].sort() } : {}) });
  await deps.publish([{ detailType: DNS_DETAIL_TYPES.recordsChanged, detail }]);
  return { entrypoint: e.name, outcome: 'changed', ...summary };
}

/**
 * Alerts and conflicts: every run's finding goes to the log and the audit log; the bus gets an alert when the condition
 * starts, again after the re-alert period, and a resolution when it ends (functions/decisions/dns/alerts.ts). The open
 * alerts are stored with conditional writes, so of two runs that see the same change only one publishes it.
 */
async function report(e: EntrypointConfig, run: DnsRunPlan, plan: ChangePlan, targets: Target[], deps: DnsFailoverDeps): Promise<void> {
  const findings: Record<DnsAlertKind, { detailType: string; detail: Record<string, unknown> } | undefined> = {
    'no-healthy-target': undefined,
    'conflict-found': undefined,
  };
  if (plan.alerts.some((a) => a.kind === 'no-healthy-target')) {
    const detail = {
      entrypoint: e.name,
      zoneName: e.zoneName,
      names: e.records,
      kept: plan.before,
      why: run.reason,
      targets: targets.map((t) => ({
        node: t.node,
        ...(t.address ? { address: t.address } : {}),
        reason: t.reason ?? 'healthy',
        ...(t.detail ? { detail: t.detail } : {}),
      })),
    };
    deps.log('error', 'no healthy target: the records are kept as they are', { entrypoint: e.name, kept: plan.before, targets: detail.targets });
    await deps.audit('dns.no-healthy-target', detail);
    findings['no-healthy-target'] = { detailType: DNS_DETAIL_TYPES.noHealthyTarget, detail };
  }
  if (plan.conflicts.length > 0) {
    const detail = { entrypoint: e.name, zoneName: e.zoneName, conflicts: plan.conflicts };
    deps.log('warn', 'records not ours at the entrypoint names: left untouched', detail);
    await deps.audit('dns.conflict.found', detail);
    findings['conflict-found'] = { detailType: DNS_DETAIL_TYPES.conflictFound, detail };
  }
  const open = await deps.alerts.open(e.name);
  const events: { detailType: string; detail: Record<string, unknown> }[] = [];
  for (const kind of Object.keys(findings) as DnsAlertKind[]) {
    const finding = findings[kind];
    const read = open[kind];
    const step = dnsAlertStep(read, finding !== undefined, deps.now());
    if ((step.action === 'alert' || step.action === 're-alert') && finding) {
      if (await deps.alerts.put(e.name, kind, step.next, read))
        events.push({ detailType: finding.detailType, detail: { ...finding.detail, since: step.next.since, repeat: step.action === 're-alert' } });
    } else if (step.action === 'resolve' && read) {
      if (!(await deps.alerts.close(e.name, kind, read))) continue;
      const detail = { entrypoint: e.name, zoneName: e.zoneName, alert: kind, since: step.since, resolvedAt: deps.now().toISOString(), why: run.reason };
      deps.log('info', 'DNS alert resolved', detail);
      await deps.audit('dns.alert.resolved', detail);
      events.push({ detailType: DNS_DETAIL_TYPES.alertResolved, detail });
    }
  }
  if (events.length > 0) await deps.publish(events);
}

/** Why the target on `address` left (for the audit entry of a removal). */
function excludedBecause(targets: Target[], address: string): { node?: string; reason: string; detail?: string } {
  const t = targets.find((x) => x.address === address);
  if (!t) return { reason: 'no node serves this address' };
  return { node: t.node, reason: t.reason ?? 'healthy', ...(t.detail ? { detail: t.detail } : {}) };
}

/**
 * The check memory by address: what the check runner decided, else (no state, or undecided yet) the address as it is
 * published: a published one stays, so a deploy changes nothing; an unpublished one is not added until the runner
 * decides it healthy after `rise` passes, and that decision's event starts DnsFailover again.
 */
export function checkStates(stored: Map<string, StoredCheckState>, nodes: DnsNode[], published: Set<string>): Record<string, CheckState> {
  const out: Record<string, CheckState> = {};
  const addresses = new Set<string>([...stored.keys(), ...published, ...nodes.flatMap((n) => n.view.addresses.map((a) => a.address))]);
  for (const address of addresses) {
    const s = stored.get(address);
    out[address] = s && !isUndecided(s) ? { healthy: s.healthy, passes: s.passes, failures: s.failures } : initialCheckState(published.has(address));
  }
  return out;
}
