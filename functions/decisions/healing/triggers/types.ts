import type { VmRef } from '../../provision.js';

/*
 * What the heal triggers (functions/handlers/heal-intake.ts, orphan-collector.ts) decide: which HealNode execution to
 * start, or why an event changes nothing. Plain JSON data, so a verdict can be logged and audited as it is.
 */

/** Why a heal runs (the HealNode contract, workflows/heal-node.ts). */
export const HEAL_REASONS = ['spot-interruption', 'rebalance', 'vm-stopping', 'vm-gone', 'not-ready', 'scheduled-change', 'manual'] as const;
export type HealReason = (typeof HEAL_REASONS)[number];

/** What started a heal: the execution name is derived from `id`, so a redelivered event collides with its first start. */
export interface HealSource {
  kind: 'watcher' | 'ec2-event' | 'manual';
  id?: string;
  at?: string;
}

/** The input of a HealNode execution (the contract shared with workflows/heal-node.ts). */
export interface HealNodeInput {
  nodeName: string;
  reason: HealReason;
  source?: HealSource;
  notReadySince?: string;
  vmGone?: boolean;
  deleteOnly?: boolean;
  drainTimeoutSeconds?: number;
}

/** A HealNode execution to start: its name (derived from the source id) and input. */
export interface HealStart {
  name: string;
  input: HealNodeInput;
}

/** Why a trigger event starts nothing. `malformed`: a field is missing or wrong; `problems` names each one. */
/** `still-joining`: a Node not Ready once since it registered (its provisioning waits for it). */
export type TriggerSkip =
  | { why: 'malformed'; problems: string[]; reason: string }
  | { why: 'not-actionable' | 'other-cluster'; reason: string }
  | { why: 'still-joining'; nodeName: string; reason: string };

export type TriggerVerdict = ({ act: true } & HealStart) | ({ act: false } & TriggerSkip);

/** An orphan VM as the watcher's "Shepherd Orphan VM Found" event names it. */
export interface OrphanReport {
  transitionId: string;
  cluster: string;
  provider: string;
  vm: Pick<VmRef, 'id' | 'name' | 'zone' | 'region' | 'type' | 'providerID' | 'poolId'>;
  withoutNodeSince: string;
}

/** `terminate`: every check agreed; `keep`: one did not (the reason says which), nothing is done. */
export type OrphanVerdict =
  | { verdict: 'terminate'; vm: VmRef; reason: string }
  | { verdict: 'keep'; why: 'paused' | 'api-unreachable' | 'provider-unreachable' | 'vm-gone' | 'has-node' | 'claimed'; reason: string };
