import type { ShepherdConfig } from '../../config/types.js';
import { InvalidInputError } from '../runtime/errors.js';
import { type DrainPolicy, drainPolicy } from './drain.js';
import type { ExecutionRef } from './provision.js';

/**
 * How long a RemoveNode execution holds a claim it is removing: the state machine's timeout. Past it, the execution
 * is over (it timed out), so another RemoveNode may take the claim over.
 */
export const REMOVAL_LEASE_SECONDS = 2 * 3600;

/** The longest drain a request may ask for; with the other steps it stays well within the lease. */
export const MAX_DRAIN_SECONDS = 3600;

const CLAIM_ID = /^c[0-9a-f]{25}$/;
/** A Node name is a DNS subdomain (RFC 1123): at most 253 characters. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** The reason of a removal started without one. */
export const NO_REASON = 'no reason given';

const FIELDS = ['nodeName', 'claimId', 'force', 'drainTimeoutSeconds', 'reason'];

/** A validated RemoveNode request: exactly one of nodeName and claimId is set. */
export interface RemovalPlan {
  nodeName: string | null;
  claimId: string | null;
  force: boolean;
  reason: string;
  /** The execution ARN: the owner the claim is fenced to while it is removed. */
  owner: string;
  drain: DrainPolicy;
  /** Provider function by provider name: the claim's slot names its own. */
  providerFunctions: Record<string, string>;
}

/**
 * Validates a RemoveNode input. Errors name the field and say what is allowed, because a person reads them in the
 * Step Functions console; they are whole sentences without braces (the Fail-cause convention puts JSON after them).
 */
export function planRemoval(input: unknown, config: ShepherdConfig, execution: ExecutionRef, providerFunctions: Record<string, string>): RemovalPlan {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInputError('The input must be a JSON object with "nodeName" or "claimId", and optionally "force", "drainTimeoutSeconds" and "reason".');
  }
  const raw = input as Record<string, unknown>;
  const unknownKeys = Object.keys(raw).filter((k) => !FIELDS.includes(k));
  if (unknownKeys.length > 0) {
    throw new InvalidInputError(`Unknown input field(s) ${unknownKeys.map((k) => `"${k}"`).join(', ')}; allowed: ${FIELDS.join(', ')}.`);
  }
  const { nodeName, claimId } = raw;
  if (nodeName === undefined && claimId === undefined)
    throw new InvalidInputError('"nodeName" or "claimId" is required: name the node to remove, or its claim.');
  if (nodeName !== undefined && claimId !== undefined) throw new InvalidInputError('Give "nodeName" or "claimId", not both.');
  if (nodeName !== undefined && (typeof nodeName !== 'string' || !NODE_NAME.test(nodeName))) {
    throw new InvalidInputError('"nodeName" must be a Node name: lower-case letters, digits, "-" and ".", at most 253 characters.');
  }
  if (claimId !== undefined && (typeof claimId !== 'string' || !CLAIM_ID.test(claimId))) {
    throw new InvalidInputError('"claimId" must be a claim id as shepherd writes it: "c" and 25 hex digits (the node\'s shepherd.io/claim label).');
  }
  const force = raw.force ?? false;
  if (typeof force !== 'boolean') throw new InvalidInputError('"force" must be true or false.');
  const deadline = raw.drainTimeoutSeconds ?? config.healing.drainTimeoutSeconds;
  if (typeof deadline !== 'number' || !Number.isInteger(deadline) || deadline < 0 || deadline > MAX_DRAIN_SECONDS) {
    throw new InvalidInputError(`"drainTimeoutSeconds" must be a whole number of seconds from 0 to ${MAX_DRAIN_SECONDS}; got ${JSON.stringify(deadline)}.`);
  }
  // No reason given is recorded as such (the release says so), not as one the caller did not give.
  const reason = raw.reason ?? NO_REASON;
  if (typeof reason !== 'string' || reason.length > 256) throw new InvalidInputError('"reason" must be a string of at most 256 characters.');
  return {
    nodeName: (nodeName as string | undefined) ?? null,
    claimId: (claimId as string | undefined) ?? null,
    force,
    reason,
    owner: execution.id,
    drain: drainPolicy(deadline, config.healing.evictionRetrySeconds),
    providerFunctions,
  };
}

/** The claim as removal reads it (functions/adapters/store/claims.ts). */
export interface RemovalClaim {
  claimId: string;
  pool: string;
  owner: string;
  status: 'claimed' | 'launched' | 'active' | 'removing' | 'released';
  nodeName?: string;
  /** Epoch seconds: while status is removing, the removing execution holds the claim until then. */
  leaseExpiresAt?: number;
  releaseReason?: string;
}

/** The Node as removal reads it (cluster-nodes `readNode`). */
export interface RemovalNode {
  exists: boolean;
  nodeName: string | null;
  /** Its shepherd.io/claim label. */
  claimLabel: string | null;
  /** Its shepherd.io/pool label. */
  poolLabel: string | null;
  /** Nodes of the claim's pool that shepherd holds (a claim label), this one included. */
  poolNodes: number;
}

export type RemovalDecision =
  | { kind: 'remove'; takeover: boolean }
  | { kind: 'done'; why: string }
  | { kind: 'refuse'; error: 'NodeNotOwnedError' | 'NodeNotFoundError' | 'LastNodeAtMinError' | 'RemovalInProgressError'; message: string };

export interface RemovalFacts {
  plan: Pick<RemovalPlan, 'nodeName' | 'claimId' | 'force' | 'owner'>;
  /** The claim the request names or the Node carries; undefined when there is none in this cluster's table. */
  claim: RemovalClaim | undefined;
  node: RemovalNode;
  /** The pool's `min` in the config, undefined when the config has no such pool. */
  poolMin: number | undefined;
  /** Epoch seconds. */
  now: number;
}

/**
 * Whether this execution may remove the node: only a node shepherd provisioned (a claim of this cluster records it,
 * and the Node, if it still exists, carries that claim's label), not while another execution provisions or removes
 * it, and not the last node of a pool at its min unless forced. A claim already released is done: a second run is a
 * no-op.
 */
export function decideRemoval(f: RemovalFacts): RemovalDecision {
  const { plan, claim, node } = f;
  const what = plan.nodeName ? `node ${plan.nodeName}` : `claim ${plan.claimId}`;
  if (!claim) {
    if (plan.nodeName && !node.exists) {
      return {
        kind: 'refuse',
        error: 'NodeNotFoundError',
        message: `There is no Node named ${plan.nodeName} and shepherd has no record of one; check the name.`,
      };
    }
    if (plan.claimId) {
      return {
        kind: 'refuse',
        error: 'NodeNotOwnedError',
        message: `Claim ${plan.claimId} is not one of this cluster's claims; check the id (the node's shepherd.io/claim label).`,
      };
    }
    const why = node.claimLabel ? `its claim ${node.claimLabel} is not recorded in this cluster's table` : 'it carries no shepherd.io/claim label';
    return { kind: 'refuse', error: 'NodeNotOwnedError', message: `Node ${plan.nodeName} was not provisioned by shepherd (${why}); remove it by hand.` };
  }
  if (claim.status === 'released') {
    // Name the claim once: `what` already does when the removal was asked by claim.
    const released = plan.nodeName ? `its claim ${claim.claimId} was released` : 'it was released';
    return { kind: 'done', why: `${what} is already removed: ${released} (${claim.releaseReason ?? 'no reason recorded'})` };
  }
  if (node.exists && node.claimLabel !== claim.claimId) {
    return {
      kind: 'refuse',
      error: 'NodeNotOwnedError',
      message: `Node ${node.nodeName} does not carry claim ${claim.claimId} (its shepherd.io/claim label is ${node.claimLabel ?? 'missing'}); shepherd leaves it alone.`,
    };
  }
  if (claim.status === 'claimed' || claim.status === 'launched') {
    return {
      kind: 'refuse',
      error: 'RemovalInProgressError',
      message: `Claim ${claim.claimId} is still being provisioned by execution ${claim.owner}; wait for it to finish, then remove the node.`,
    };
  }
  if (claim.status === 'removing' && claim.owner !== plan.owner && (claim.leaseExpiresAt ?? 0) > f.now) {
    return {
      kind: 'refuse',
      error: 'RemovalInProgressError',
      message: `Claim ${claim.claimId} is being removed by execution ${claim.owner}; wait for it to finish.`,
    };
  }
  if (claim.status === 'active' && !plan.force && isLastAtMin(node.poolNodes, f.poolMin)) {
    return {
      kind: 'refuse',
      error: 'LastNodeAtMinError',
      message: `Pool ${claim.pool} has ${node.poolNodes} node(s) and a min of ${f.poolMin}; removing ${what} would leave it below its min. Lower pools[].min, or run again with "force": true.`,
    };
  }
  return { kind: 'remove', takeover: claim.status === 'removing' };
}

/** Removing one of `poolNodes` nodes would leave the pool below its configured min (a pool gone from the config has none). */
export function isLastAtMin(poolNodes: number, poolMin: number | undefined): boolean {
  return poolMin !== undefined && poolNodes - 1 < poolMin;
}

/** Where a removal stopped: at the drain deadline, or a step that failed for good before or after the Node went. */
export type RemovalFailureKind = 'drainTimedOut' | 'failedBeforeNodeDeleted' | 'failedAfterNodeDeleted';

export interface RemovalFailureFacts {
  nodeName: string | null;
  claimId: string;
  pool: string;
  /** The step's error as Step Functions caught it (Error and Cause; a Lambda's Cause is its error as JSON). */
  error?: { Error?: string; Cause?: string };
  /** The last drain pass (cluster-nodes `drain`). */
  lastDrain?: { blocked?: string[]; terminating?: number };
  drain?: Pick<DrainPolicy, 'deadlineSeconds'>;
}

/**
 * The Fail state's error and cause (the Fail-cause convention): one plain sentence that says what failed, for which
 * node, what became of it and what to do, then one space and the details as JSON. Braces in a message are dropped
 * from the sentence, so that the first '{' always starts the details.
 */
export function removalFailureCause(kind: RemovalFailureKind, f: RemovalFailureFacts): { error: string; cause: string } {
  const node = f.nodeName ? `node ${f.nodeName}` : `the node of claim ${f.claimId}`;
  const message = errorMessage(f.error);
  const details: Record<string, unknown> = { nodeName: f.nodeName, claimId: f.claimId, pool: f.pool };
  let error: string;
  let sentence: string;
  if (kind === 'drainTimedOut') {
    error = 'DrainTimedOut';
    const blocked = f.lastDrain?.blocked ?? [];
    details.blockedPods = blocked;
    details.terminatingPods = f.lastDrain?.terminating ?? 0;
    details.drainTimeoutSeconds = f.drain?.deadlineSeconds ?? null;
    const why = blocked.length > 0 ? `a PodDisruptionBudget still blocks the eviction of ${blocked.length} pod(s)` : 'pods were still terminating';
    sentence = `Could not drain ${node} within ${f.drain?.deadlineSeconds ?? '?'} s: ${why}. It is left cordoned and its claim kept; relax the budget, or run RemoveNode again with "force": true to delete the remaining pods.`;
  } else if (kind === 'failedBeforeNodeDeleted') {
    error = 'RemovalFailed';
    details.error = f.error?.Error ?? 'Error';
    sentence = `Could not remove ${node}: ${f.error?.Error ?? 'a step'} failed (${message}). The Node is kept (cordoned if the cordon ran) and its claim is active again; fix the cause and run RemoveNode again.`;
  } else {
    error = 'RemovalFailed';
    details.error = f.error?.Error ?? 'Error';
    sentence = `The Node of claim ${f.claimId} was deleted, but its VM could not be terminated or its claim released: ${f.error?.Error ?? 'a step'} failed (${message}). The claim is kept so that capacity is not over-committed; run RemoveNode again with "claimId": "${f.claimId}", or find the VM by tag shepherd:claim.`;
  }
  return { error, cause: `${sentence.replace(/[{}]/g, '')} ${JSON.stringify(details)}` };
}

/** A Lambda error's message (its Cause is JSON with errorMessage and a trace, which stays out); other causes as they are. */
function errorMessage(error: { Cause?: string } | undefined): string {
  const cause = error?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage.slice(0, 500);
  } catch {
    // A plain-text cause (States.Timeout).
  }
  return cause.slice(0, 500) || 'no detail';
}
