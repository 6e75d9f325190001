import type { ShepherdConfig } from '../../../config/types.js';
import { InvalidInputError } from '../../runtime/errors.js';
import { type DrainPolicy, drainPolicy } from '../drain.js';
import type { ExecutionRef } from '../provision.js';
import { MAX_DRAIN_SECONDS } from '../remove-node.js';

/** Why a heal was started (the HealNode input contract shared with the intake and the CLI). */
export const HEAL_REASONS = ['spot-interruption', 'rebalance', 'vm-stopping', 'vm-gone', 'not-ready', 'scheduled-change', 'manual'] as const;
export type HealReason = (typeof HEAL_REASONS)[number];

export const HEAL_SOURCE_KINDS = ['watcher', 'ec2-event', 'manual'] as const;

export interface HealSource {
  kind: (typeof HEAL_SOURCE_KINDS)[number];
  id?: string;
  at?: string;
}

/**
 * How long one heal may hold its node's lease: the state machine's timeout (a heal that crashed frees the node then).
 * A replacement waits for ProvisionNode, whose registration deadline is 15 min by default: 3 h covers a slow one.
 */
export const HEAL_LEASE_SECONDS = 3 * 3600;

/** The drain deadline of a node that cannot answer (NotReady, Unknown, VM gone): its pods are deleted soon, as Cluster API and Gardener do. */
export const UNREACHABLE_DRAIN_SECONDS = 10;

/**
 * The drain deadline of a spot node being reclaimed: EC2 gives two minutes' notice (the interruption warning); the
 * drain must end before the VM goes, with time left to delete the Node.
 */
export const SPOT_DRAIN_SECONDS = 90;

/** A validated HealNode request. */
export interface HealPlan {
  nodeName: string;
  reason: HealReason;
  source: HealSource;
  notReadySince: string | null;
  vmGone: boolean;
  deleteOnly: boolean;
  /** The execution ARN: owns the lease and, while healing, the node's claim. */
  owner: string;
  leaseSeconds: number;
  /** The drain of a node that answers (evictions, PodDisruptionBudgets honoured) up to the requested deadline. */
  drain: DrainPolicy;
  /** Provider function by provider name. */
  providerFunctions: Record<string, string>;
}

const FIELDS = ['nodeName', 'reason', 'source', 'notReadySince', 'vmGone', 'deleteOnly', 'drainTimeoutSeconds'];
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Validates a HealNode input. Each error names the field and what is allowed, as one sentence without braces (the
 * Fail-cause convention appends the details as JSON).
 */
export function planHeal(input: unknown, config: ShepherdConfig, execution: ExecutionRef, providerFunctions: Record<string, string>): HealPlan {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInputError(
      'The input must be a JSON object with "nodeName" and "reason", and optionally "source", "notReadySince", "vmGone", "deleteOnly" and "drainTimeoutSeconds".',
    );
  }
  const raw = input as Record<string, unknown>;
  const unknownKeys = Object.keys(raw).filter((k) => !FIELDS.includes(k));
  if (unknownKeys.length > 0) {
    throw new InvalidInputError(`Unknown input field(s) ${unknownKeys.map((k) => `"${k}"`).join(', ')}; allowed: ${FIELDS.join(', ')}.`);
  }
  if (raw.nodeName === undefined) throw new InvalidInputError('"nodeName" is required: name the Node to heal.');
  if (typeof raw.nodeName !== 'string' || !NODE_NAME.test(raw.nodeName)) {
    throw new InvalidInputError('"nodeName" must be a Node name: lower-case letters, digits, "-" and ".", at most 253 characters.');
  }
  if (raw.reason === undefined) throw new InvalidInputError(`"reason" is required: one of ${HEAL_REASONS.join(', ')}.`);
  if (typeof raw.reason !== 'string' || !(HEAL_REASONS as readonly string[]).includes(raw.reason)) {
    throw new InvalidInputError(`"reason" must be one of ${HEAL_REASONS.join(', ')}; got ${JSON.stringify(raw.reason)}.`);
  }
  const source = healSource(raw.source);
  const notReadySince = raw.notReadySince ?? null;
  if (notReadySince !== null && (typeof notReadySince !== 'string' || Number.isNaN(Date.parse(notReadySince)))) {
    throw new InvalidInputError('"notReadySince" must be an ISO 8601 time, e.g. "2026-11-30T12:00:00Z".');
  }
  const vmGone = raw.vmGone ?? false;
  if (typeof vmGone !== 'boolean') throw new InvalidInputError('"vmGone" must be true or false.');
  const deleteOnly = raw.deleteOnly ?? false;
  if (typeof deleteOnly !== 'boolean') throw new InvalidInputError('"deleteOnly" must be true or false.');
  const deadline = raw.drainTimeoutSeconds ?? config.healing.drainTimeoutSeconds;
  if (typeof deadline !== 'number' || !Number.isInteger(deadline) || deadline < 0 || deadline > MAX_DRAIN_SECONDS) {
    throw new InvalidInputError(`"drainTimeoutSeconds" must be a whole number of seconds from 0 to ${MAX_DRAIN_SECONDS}; got ${JSON.stringify(deadline)}.`);
  }
  return {
    nodeName: raw.nodeName,
    reason: raw.reason as HealReason,
    source,
    notReadySince: notReadySince as string | null,
    vmGone,
    deleteOnly,
    owner: execution.id,
    leaseSeconds: HEAL_LEASE_SECONDS,
    drain: drainPolicy(deadline, config.healing.evictionRetrySeconds),
    providerFunctions,
  };
}

function healSource(value: unknown): HealSource {
  if (value === undefined) return { kind: 'manual' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`"source" must be an object with "kind" (${HEAL_SOURCE_KINDS.join(', ')}) and optionally "id" and "at".`);
  }
  const raw = value as Record<string, unknown>;
  const extra = Object.keys(raw).filter((k) => !['kind', 'id', 'at'].includes(k));
  if (extra.length > 0)
    throw new InvalidInputError(`Unknown field(s) ${extra.map((k) => `"source.${k}"`).join(', ')}; allowed: source.kind, source.id, source.at.`);
  if (typeof raw.kind !== 'string' || !(HEAL_SOURCE_KINDS as readonly string[]).includes(raw.kind)) {
    throw new InvalidInputError(`"source.kind" must be one of ${HEAL_SOURCE_KINDS.join(', ')}; got ${JSON.stringify(raw.kind ?? null)}.`);
  }
  if (raw.id !== undefined && (typeof raw.id !== 'string' || raw.id.length > 256))
    throw new InvalidInputError('"source.id" must be a string of at most 256 characters.');
  if (raw.at !== undefined && (typeof raw.at !== 'string' || Number.isNaN(Date.parse(raw.at)))) {
    throw new InvalidInputError('"source.at" must be an ISO 8601 time.');
  }
  return {
    kind: raw.kind as HealSource['kind'],
    ...(raw.id !== undefined ? { id: raw.id as string } : {}),
    ...(raw.at !== undefined ? { at: raw.at as string } : {}),
  };
}
