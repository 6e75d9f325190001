import type { StartOutcome } from '../adapters/sfn/heal-executions.js';
import { parseEc2Event } from '../decisions/healing/ec2-events/parse.js';
import type { Ec2HealingEvent } from '../decisions/healing/ec2-events/types.js';
import { eventConfirmation } from '../decisions/healing/event-confirmation.js';
import {
  CLAIM_LABEL,
  type ClaimOfNode,
  healStartForEc2Event,
  instanceFacts,
  instanceOwnership,
  nodeOfInstance,
} from '../decisions/healing/triggers/ec2-trigger.js';
import { REBALANCE_TAINT, withRebalanceTaint } from '../decisions/healing/triggers/rebalance-taint.js';
import type { HealStart } from '../decisions/healing/triggers/types.js';
import { healStartForWatcherEvent } from '../decisions/healing/triggers/watcher-trigger.js';
import type { RebalancePolicy } from '../decisions/healing/types.js';
import type { NodeTaint, NodeView, VmRef } from '../decisions/provision.js';
import { WATCHER_SOURCE } from '../decisions/watcher/event-types.js';
import type { VmState } from '../providers/types.js';
import type { LogLevel } from '../runtime/logger.js';

/** What the intake reads and does, each behind one adapter (the handler builds them; a test passes fakes). */
export interface IntakeDeps {
  /** The Nodes shepherd provisioned (those with a claim label). */
  nodes(): Promise<NodeView[]>;
  node(name: string): Promise<{ taints: NodeTaint[]; resourceVersion: string } | undefined>;
  /** Sets the Node's taints, refused (409) if the Node changed since `resourceVersion`. */
  taint(name: string, taints: NodeTaint[], resourceVersion: string): Promise<void>;
  claim(claimId: string): Promise<ClaimOfNode | undefined>;
  /** EC2's answer, through the aws provider function. */
  describe(pool: string, vm: VmRef): Promise<VmState>;
  startHeal(start: HealStart): Promise<StartOutcome>;
  audit(event: string, detail: Record<string, unknown>): Promise<void>;
  log(level: LogLevel, message: string, fields: Record<string, unknown>): void;
}

export interface IntakePolicy {
  cluster: string;
  rebalance: RebalancePolicy;
}

/** What became of one event (or, for an AWS Health event, of one of its instances). */
export interface IntakeOutcome {
  outcome: 'started' | 'duplicate' | 'tainted' | 'ignored' | 'dropped';
  reason: string;
  nodeName?: string;
  instanceId?: string;
  executionArn?: string;
}

const EC2_SOURCES = new Set(['aws.ec2', 'aws.health']);

/**
 * One event EventBridge delivered to the heal intake: an EC2 event from the default bus, or a watcher event from the
 * project's bus. Events are hints: an EC2 event is confirmed with EC2 and the Node before a heal starts, and HealNode
 * checks again before it destroys anything. A malformed or foreign event is logged and dropped; only transient faults
 * of what the intake asks (the caller tells them apart) are thrown, for EventBridge to deliver the event again.
 */
export async function takeHealTrigger(event: unknown, deps: IntakeDeps, policy: IntakePolicy, now: string): Promise<IntakeOutcome[]> {
  const source = typeof event === 'object' && event !== null ? (event as { source?: unknown }).source : undefined;
  if (typeof source === 'string' && EC2_SOURCES.has(source)) return takeEc2Event(event, deps, policy, now);
  if (source === WATCHER_SOURCE) return [await takeWatcherEvent(event, deps, policy)];
  const reason = `an event from ${JSON.stringify(typeof source === 'string' ? source.slice(0, 60) : (source ?? null))} is not one the heal intake takes; dropped`;
  deps.log('warn', 'heal trigger dropped', { reason });
  return [{ outcome: 'dropped', reason }];
}

async function takeWatcherEvent(event: unknown, deps: IntakeDeps, policy: IntakePolicy): Promise<IntakeOutcome> {
  const verdict = healStartForWatcherEvent(event, policy.cluster);
  if (!verdict.act) {
    deps.log(verdict.why === 'malformed' ? 'warn' : 'info', 'heal trigger dropped', {
      reason: verdict.reason,
      ...(verdict.why === 'malformed' ? { problems: verdict.problems } : {}),
    });
    // So that `shepherd history NODE` says why a new node's NotReady started no heal.
    if (verdict.why === 'still-joining') await deps.audit('heal.trigger.ignored', { nodeName: verdict.nodeName, why: verdict.why, reason: verdict.reason });
    return { outcome: verdict.why === 'malformed' ? 'dropped' : 'ignored', reason: verdict.reason };
  }
  return start(verdict, deps, `watcher transition ${verdict.input.source?.id}: ${verdict.input.reason}`);
}

async function takeEc2Event(raw: unknown, deps: IntakeDeps, policy: IntakePolicy, now: string): Promise<IntakeOutcome[]> {
  const parsed = parseEc2Event(raw);
  if (!parsed.ok) {
    deps.log('warn', 'heal trigger dropped', { reason: parsed.summary, problems: parsed.problems });
    return [{ outcome: 'dropped', reason: parsed.summary }];
  }
  const event = parsed.event;
  const nodes = await deps.nodes();
  const outcomes: IntakeOutcome[] = [];
  for (const instanceId of event.instanceIds) outcomes.push(await takeInstance(event, instanceId, nodes, deps, policy, now));
  return outcomes;
}

async function takeInstance(
  event: Ec2HealingEvent,
  instanceId: string,
  nodes: NodeView[],
  deps: IntakeDeps,
  policy: IntakePolicy,
  now: string,
): Promise<IntakeOutcome> {
  const { node, claim } = await nodeOfEc2Instance(nodes, instanceId, deps);
  const ownership = instanceOwnership(instanceId, node, claim);
  const state = ownership.vm && ownership.pool ? await deps.describe(ownership.pool, ownership.vm) : 'unknown';
  const facts = instanceFacts(ownership, node, state);
  const decision = eventConfirmation(event, instanceId, facts, { handled: [], now, rebalancePolicy: policy.rebalance });
  const about = { eventId: event.id, eventKind: event.kind, instanceId, ...(node ? { nodeName: node.name } : {}) };
  if (decision.decision === 'ignore') {
    deps.log('info', 'EC2 event changes nothing', { ...about, why: decision.why, reason: decision.reason, ownership: ownership.reason, vmState: state });
    // Node-related decisions go in the audit log too, so `shepherd history NODE` shows why a report changed nothing.
    if (node) await deps.audit('heal.trigger.ignored', { ...about, why: decision.why, reason: decision.reason, vmState: state });
    return { outcome: 'ignored', reason: decision.reason, instanceId, ...(node ? { nodeName: node.name } : {}) };
  }
  // eventConfirmation acts only on an instance with a Node.
  const nodeName = node!.name;
  if (decision.action === 'taint') return taintForRebalance(nodeName, instanceId, decision.reason, about, deps);
  const outcome = await start(healStartForEc2Event(event, instanceId, nodeName, facts), deps, decision.reason);
  return { ...outcome, instanceId };
}

/**
 * The Node of the instance, and its claim: by providerID, else through the claims of the AWS Nodes that carry none
 * (Kosmos external nodes register without a providerID, so only their claim says which instance they are).
 */
async function nodeOfEc2Instance(nodes: NodeView[], instanceId: string, deps: IntakeDeps): Promise<{ node?: NodeView; claim?: ClaimOfNode }> {
  const byId = nodeOfInstance(nodes, instanceId);
  if (byId) {
    const claimId = byId.labels[CLAIM_LABEL];
    return { node: byId, claim: claimId ? await deps.claim(claimId) : undefined };
  }
  for (const node of nodes) {
    const claimId = node.labels[CLAIM_LABEL];
    if (node.providerID || !claimId || node.labels['shepherd.io/provider'] !== 'aws') continue;
    const claim = await deps.claim(claimId);
    if (claim?.vm?.id === instanceId) return { node, claim };
  }
  return {};
}

async function taintForRebalance(
  nodeName: string,
  instanceId: string,
  reason: string,
  about: Record<string, unknown>,
  deps: IntakeDeps,
): Promise<IntakeOutcome> {
  const current = await deps.node(nodeName);
  const taints = current ? withRebalanceTaint(current.taints) : undefined;
  if (current && taints) await deps.taint(nodeName, taints, current.resourceVersion);
  const taint = `${REBALANCE_TAINT.key}=${REBALANCE_TAINT.value}:${REBALANCE_TAINT.effect}`;
  const done = !current ? `Node ${nodeName} is gone; nothing to taint` : taints ? `tainted ${taint}` : `already tainted ${taint}`;
  deps.log('info', 'rebalance recommendation: node tainted', { ...about, reason, taint, done });
  await deps.audit('heal.trigger.tainted', { ...about, reason, taint, done });
  return { outcome: 'tainted', reason: `${reason}: ${done}`, nodeName, instanceId };
}

async function start(heal: HealStart, deps: IntakeDeps, reason: string): Promise<IntakeOutcome> {
  const { nodeName } = heal.input;
  const outcome = await deps.startHeal(heal);
  const about = { nodeName, healReason: heal.input.reason, source: heal.input.source, executionName: heal.name };
  if (!outcome.started) {
    // The same trigger again (EventBridge delivers at least once, the watcher republishes after a crash): one heal.
    deps.log('info', 'heal already started for this trigger', { ...about, reason });
    return { outcome: 'duplicate', reason: `${reason}: execution ${heal.name} exists already`, nodeName };
  }
  deps.log('info', 'heal started', { ...about, reason, executionArn: outcome.executionArn });
  await deps.audit('heal.trigger.started', { ...about, reason, executionArn: outcome.executionArn });
  return { outcome: 'started', reason, nodeName, executionArn: outcome.executionArn };
}
