import type { Ec2HealingEvent } from './ec2-events/types.js';
import { LEAVING_STATES } from './ec2-events/types.js';
import { epochMs } from './time.js';
import type { EventDecision, InstanceFacts, RebalancePolicy } from './types.js';

/**
 * A spot warning comes two minutes before the interruption; one five minutes old whose instance still runs with a
 * Ready Node announced something that did not happen, or is a replay.
 */
export const SPOT_WARNING_STALE_AFTER_SECONDS = 300;

export interface ConfirmationContext {
  /** eventKey()s of the events already acted on or ignored (EventBridge delivers at least once). */
  handled: readonly string[];
  now: string;
  rebalancePolicy: RebalancePolicy;
}

/** What deduplicates one event for one instance: an AWS Health event names several instances. */
export function eventKey(event: Pick<Ec2HealingEvent, 'id'>, instanceId: string): string {
  return `${event.id}/${instanceId}`;
}

/**
 * Whether an EC2 event about `instanceId` calls for healing. An event is a hint, not proof (AWS Node Termination
 * Handler dedupes by event id and acts only on instances tagged as managed): `facts` is what EC2 and the cluster say
 * of the instance after the event arrived. The checks, in order:
 * - already handled (same event id) -> ignore;
 * - a state that needs nothing (pending, running; a closed Health change) -> ignore;
 * - not tagged for this cluster -> ignore (never touch another cluster's instance); EC2 cannot say -> ignore;
 * - no Node is the instance's -> ignore (a VM still joining is its ProvisionNode's, an orphan the sweep's);
 * - the event says the instance is leaving but EC2 says it runs -> ignore as stale, replayed or forged;
 * - a spot warning older than the notice while the instance runs with a Ready Node -> ignore as stale;
 * - otherwise act: replace, or for a rebalance recommendation of a running instance, what the policy says.
 */
export function eventConfirmation(event: Ec2HealingEvent, instanceId: string, facts: InstanceFacts, ctx: ConfirmationContext): EventDecision {
  const about = `${describeEvent(event)} for ${instanceId}`;
  if (ctx.handled.includes(eventKey(event, instanceId))) {
    return { decision: 'ignore', why: 'duplicate', reason: `${about}: event ${event.id} was already handled (EventBridge delivers at least once)` };
  }
  if (event.kind === 'state-change' && !(LEAVING_STATES as readonly string[]).includes(event.state)) {
    return { decision: 'ignore', why: 'not-actionable', reason: `${about}: an instance ${event.state} needs no healing` };
  }
  if (event.kind === 'scheduled-change' && event.statusCode === 'closed') {
    return { decision: 'ignore', why: 'not-actionable', reason: `${about}: the scheduled change is closed` };
  }
  if (facts.clusterTagged === false) {
    return { decision: 'ignore', why: 'foreign-instance', reason: `${about}: the instance is not tagged for this cluster; shepherd leaves it alone` };
  }
  if (facts.clusterTagged === undefined || facts.state === 'unknown') {
    return {
      decision: 'ignore',
      why: 'unknown-instance',
      reason: `${about}: EC2 cannot say whose instance it is or what state it is in; the cluster watcher looks at its Node`,
    };
  }
  if (facts.nodeReady === undefined) {
    return {
      decision: 'ignore',
      why: 'no-node',
      reason: `${about}: no Node is the instance's; a VM still joining is its ProvisionNode's, an orphan the sweep's`,
    };
  }
  const node = `its Node is ${facts.nodeReady === 'True' ? 'Ready' : `Ready=${facts.nodeReady}`}`;
  if (event.kind === 'state-change' && facts.state === 'running') {
    return { decision: 'ignore', why: 'stale', reason: `${about}: EC2 says the instance is running (${node}); the event is stale, replayed or forged` };
  }
  if (event.kind === 'spot-interruption' && facts.state === 'running' && facts.nodeReady === 'True') {
    const age = ageSeconds(event.time, ctx.now);
    if (age === undefined || age > SPOT_WARNING_STALE_AFTER_SECONDS) {
      const old = age === undefined ? 'of unknown age' : `${age} s old`;
      return { decision: 'ignore', why: 'stale', reason: `${about}: the warning is ${old} and the instance still runs with a Ready Node; stale or replayed` };
    }
  }
  if (event.kind === 'rebalance-recommendation' && facts.state === 'running') {
    return {
      decision: 'act',
      action: ctx.rebalancePolicy,
      reason: `${about}: EC2 says ${facts.state} and ${node}; healing.rebalanceRecommendation is ${ctx.rebalancePolicy}`,
    };
  }
  return { decision: 'act', action: 'replace', reason: `${about}: EC2 confirms the instance is ${facts.state} (${node}); replace its node` };
}

function describeEvent(event: Ec2HealingEvent): string {
  switch (event.kind) {
    case 'spot-interruption':
      return `spot interruption warning (${event.instanceAction})`;
    case 'rebalance-recommendation':
      return 'rebalance recommendation';
    case 'state-change':
      return `state change to ${event.state}`;
    case 'scheduled-change':
      return `scheduled change ${event.eventTypeCode}`;
  }
}

function ageSeconds(time: string, now: string): number | undefined {
  const at = epochMs(time);
  const current = epochMs(now);
  return at === undefined || current === undefined ? undefined : Math.floor((current - at) / 1000);
}
