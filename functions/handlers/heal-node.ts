import { BusPublisher } from '../adapters/events/bus-publisher.js';
import { ProviderFunctions } from '../adapters/lambda/provider-functions.js';
import { DynamoClaimStore } from '../adapters/store/claims.js';
import { DynamoPoolHealStore } from '../adapters/store/pool-heals.js';
import { DynamoRemediationSwitchStore } from '../adapters/store/remediation-switch.js';
import { DynamoWatcherSnapshotStore } from '../adapters/store/watcher-snapshot.js';
import { decideHeal, type HealDecision } from '../decisions/healing/heal-decision.js';
import { HEAL_DETAIL_TYPES, HEAL_SOURCE, isHealStep } from '../decisions/healing/heal-events.js';
import { type HealFailureStage, healFailureCause } from '../decisions/healing/heal-failure.js';
import type { HealPlan } from '../decisions/healing/heal-plan.js';
import { remediationSafety } from '../decisions/healing/remediation-safety.js';
import type { ApiReachability, SafetyInput } from '../decisions/healing/types.js';
import type { ProvisionSlot, VmRef } from '../decisions/provision.js';
import { providerFunctionsFromEnv } from '../providers/function-env.js';
import { PROVIDER_NAMES, providerNamed } from '../providers/registry.js';
import type { VmState } from '../providers/types.js';
import { type VmTeardown, vmTeardownText } from '../providers/vm-teardown.js';
import { config } from '../runtime/config.js';
import { requiredEnv } from '../runtime/env.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import type { NodeHealthRead } from './cluster-nodes.js';

type PlanRef = Pick<HealPlan, 'nodeName' | 'reason' | 'owner' | 'source'> & Partial<HealPlan>;

export type HealNodeEvent =
  /** The facts (the Node as cluster-nodes read it, or why it could not) and the decision. */
  | { action: 'assess'; plan: HealPlan; read: NodeHealthRead | { unreachable: true; error?: unknown } }
  /** Fences the node's claim to this heal (and, when it is replaced, stops counting it against the pool's max). */
  | { action: 'take'; plan: HealPlan; assessment: Assessment }
  /** Audit item and bus event of one step; never fails the heal. */
  | { action: 'record'; step: string; plan: PlanRef; facts?: Record<string, unknown> }
  /** The node is healed: its claim is released and the pool's heal count lets it go. */
  | { action: 'releaseClaim'; plan: HealPlan; slot: ProvisionSlot | null }
  /** A step failed for good: the claim is given back or kept, and the Fail's cause is built. */
  | { action: 'failed'; plan: PlanRef; slot: ProvisionSlot | null; stage: HealFailureStage; error?: { Error?: string; Cause?: string } };

export type Assessment = HealDecision & {
  pool: string | null;
  provider: string | null;
  claimId: string | null;
  vm: VmRef | null;
  vmState: VmState;
};

let deps:
  | {
      claims: DynamoClaimStore;
      heals: DynamoPoolHealStore;
      pause: DynamoRemediationSwitchStore;
      snapshot: DynamoWatcherSnapshotStore;
      providers: ProviderFunctions;
      bus: BusPublisher;
    }
  | undefined;

function stores() {
  if (deps) return deps;
  const table = requiredEnv('TABLE_NAME');
  deps = {
    claims: new DynamoClaimStore(table),
    heals: new DynamoPoolHealStore(table),
    pause: new DynamoRemediationSwitchStore(table),
    snapshot: new DynamoWatcherSnapshotStore(table),
    providers: new ProviderFunctions(providerFunctionsFromEnv(PROVIDER_NAMES)),
    bus: new BusPublisher(requiredEnv('EVENT_BUS_NAME'), HEAL_SOURCE),
  };
  return deps;
}

/**
 * HealNode's own steps: gather the facts the cluster-nodes function cannot (the claim, the provider's word on the
 * VM, the pause switch, the watcher's view of the API, the pool's heals in flight) and decide (pure decisions in
 * decisions/healing), fence the claim, record each step (audit and bus event), and release or keep the claim at the end.
 */
export const handler = withExecutionContext(async (event: HealNodeEvent) => {
  switch (event.action) {
    case 'assess':
      return assess(event.plan, event.read);
    case 'take':
      return take(event.plan, event.assessment);
    case 'record':
      return record(event.step, event.plan, event.facts ?? {});
    case 'releaseClaim':
      return releaseClaim(event.plan, event.slot);
    case 'failed':
      return failed(event);
    default:
      throw new Error(`unknown action ${(event as { action: string }).action}`);
  }
});

async function assess(plan: HealPlan, read: NodeHealthRead | { unreachable: true; error?: unknown }): Promise<Assessment> {
  const cfg = config();
  const s = stores();
  const now = new Date();
  const limits = { ...cfg.healing };
  const pause = await s.pause.read();
  const none = { pool: null, provider: null, claimId: null, vm: null, vmState: 'unknown' as VmState };
  if ('unreachable' in read) {
    // The cluster API did not answer: nothing destructive (Gardener MCM freezes); the pause switch still says first.
    const api = await apiReachability(false);
    const safety = remediationSafety({
      node: { name: plan.nodeName, pool: '', provider: '' },
      api,
      pause,
      inFlight: {},
      unhealthy: [],
      clusterSize: 0,
      providerSizes: {},
      limits,
    });
    return { ...none, outcome: 'held', verdict: safety.verdict, reason: safety.reason, degradedProvider: null, safety };
  }
  const claimId = read.node.claimLabel;
  const claim = claimId ? await s.claims.get(claimId) : undefined;
  const poolName = claim?.pool ?? read.node.pool;
  const pool = poolName ? cfg.pools.find((p) => p.name === poolName) : undefined;
  const descriptor = pool ? providerNamed(pool.provider) : undefined;
  const vm = claim?.vm ?? null;
  let vmState: VmState = 'unknown';
  if (pool && vm && descriptor?.launchable) {
    try {
      vmState = await s.providers.describe(pool.provider, pool.name, vm);
    } catch (err) {
      // The provider cannot say: the heal goes on the Node's conditions alone.
      log('warn', 'provider could not describe the VM', { nodeName: plan.nodeName, vmId: vm.id, error: (err as Error).message });
    }
  }
  const inFlight = pool ? (await s.heals.inFlight(pool.name)).filter((c) => c !== claimId).length : 0;
  const safety: Omit<SafetyInput, 'node'> = {
    api: { reachable: true },
    pause,
    inFlight: pool ? { [pool.name]: inFlight } : {},
    unhealthy: read.cluster.unhealthy,
    clusterSize: read.cluster.size,
    providerSizes: read.cluster.providerSizes,
    limits,
  };
  const decision = decideHeal({
    plan,
    node: read.node,
    claim: claim ? { claimId: claim.claimId, pool: claim.pool, owner: claim.owner, status: claim.status, leaseExpiresAt: claim.leaseExpiresAt } : undefined,
    pool: pool && descriptor ? { name: pool.name, provider: pool.provider, launchable: descriptor.launchable } : undefined,
    vm: vmState,
    now: now.toISOString(),
    nowSeconds: Math.floor(now.getTime() / 1000),
    unhealthyAfterSeconds: cfg.healing.unhealthyAfterSeconds,
    evictionRetrySeconds: cfg.healing.evictionRetrySeconds,
    safety,
  });
  log('info', 'heal assessed', { nodeName: plan.nodeName, outcome: decision.outcome, reason: decision.reason });
  return { ...decision, pool: pool?.name ?? null, provider: pool?.provider ?? null, claimId: claim?.claimId ?? null, vm, vmState };
}

/** The watcher's last word on the API server, for a heal that could not reach it itself. */
async function apiReachability(reachedNow: boolean): Promise<ApiReachability> {
  if (reachedNow) return { reachable: true };
  try {
    const { snapshot } = await stores().snapshot.read();
    return { reachable: false, ...(snapshot.api.unreachableSince ? { since: snapshot.api.unreachableSince } : {}) };
  } catch {
    return { reachable: false };
  }
}

async function take(plan: HealPlan, a: Assessment): Promise<{ slot: ProvisionSlot | null; vm: VmRef | null; replacing: boolean }> {
  if (a.outcome !== 'heal' || !a.claimId || !a.pool || !a.provider) return { slot: null, vm: a.vm, replacing: false };
  const s = stores();
  const until = Math.floor(Date.now() / 1000) + plan.leaseSeconds;
  const claim = await s.claims.takeForRemoval(a.claimId, plan.owner, until);
  await s.heals.start(a.pool, a.claimId, until);
  if (a.replace) await s.claims.stopCounting(a.claimId, a.pool, plan.owner);
  const providerFunction = plan.providerFunctions[a.provider];
  if (!providerFunction) throw new Error(`no function for provider ${a.provider} in this stack: the stack and the config disagree; deploy again`);
  const slot: ProvisionSlot = {
    pool: a.pool,
    provider: a.provider as ProvisionSlot['provider'],
    claimId: a.claimId,
    slot: 0,
    reason: `heal of node ${plan.nodeName} (${plan.reason})`,
    owner: plan.owner,
    providerFunction,
  };
  return { slot, vm: claim.vm ?? a.vm, replacing: a.replace };
}

/** Best effort: a heal goes on when its audit item or event cannot be written (logged). */
async function record(step: string, plan: PlanRef, facts: Record<string, unknown>): Promise<{ recorded: boolean }> {
  if (!isHealStep(step)) throw new Error(`unknown heal step ${JSON.stringify(step)}`);
  const s = stores();
  // The VM step says in words whether the VM was terminated or already gone (deleted out of band, reclaimed).
  const said = step === 'vmTerminated' ? { vm: vmTeardownText(facts as Partial<VmTeardown>) } : {};
  const detail = { nodeName: plan.nodeName, executionArn: plan.owner, reason: plan.reason, source: plan.source, ...facts, ...said };
  let recorded = true;
  try {
    await s.claims.audit(`heal.${step}`, detail);
  } catch (err) {
    recorded = false;
    log('warn', 'could not write the audit item of a heal step; going on', { step, nodeName: plan.nodeName, error: (err as Error).message });
  }
  try {
    await s.bus.publish([{ detailType: HEAL_DETAIL_TYPES[step], detail }]);
  } catch (err) {
    recorded = false;
    log('warn', 'could not publish the event of a heal step; going on', { step, nodeName: plan.nodeName, error: (err as Error).message });
  }
  return { recorded };
}

async function releaseClaim(plan: HealPlan, slot: ProvisionSlot | null): Promise<{ released: boolean; activeClaims?: number }> {
  if (!slot) return { released: false };
  const s = stores();
  const out = await s.claims.release(slot.claimId, slot.pool, slot.owner, `healed by HealNode: node ${plan.nodeName} (${plan.reason})`);
  await s.heals.end(slot.pool, slot.claimId);
  await s.claims.audit('node.removed', { pool: slot.pool, claimId: slot.claimId, nodeName: plan.nodeName, owner: slot.owner, healed: true });
  return out;
}

async function failed(event: Extract<HealNodeEvent, { action: 'failed' }>): Promise<{ error: string; cause: string }> {
  const { plan, slot, stage } = event;
  const s = stores();
  if (slot) {
    // Before the Node went the claim is its provisioner's again; after, it stays removing (counted) for RemoveNode.
    if (stage === 'beforeNodeDeleted') await s.claims.giveBack(slot.claimId, slot.owner);
    else if (stage === 'afterNodeDeleted') await s.claims.endLease(slot.claimId, slot.owner);
    await s.heals.end(slot.pool, slot.claimId);
  }
  const out = healFailureCause({
    nodeName: plan.nodeName,
    reason: plan.reason,
    claimId: slot?.claimId ?? null,
    pool: slot?.pool ?? null,
    stage,
    error: event.error,
  });
  await record('failed', plan, { stage, error: event.error?.Error ?? 'Error', sentence: out.cause.split(' {')[0] });
  return out;
}
