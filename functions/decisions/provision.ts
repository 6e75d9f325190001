import { createHash } from 'node:crypto';
import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { providerNamed } from '../providers/registry.js';
import { InvalidInputError } from '../runtime/errors.js';

/** One node to provision: its claim id is stable across retries of the same execution or request. */
export interface ProvisionSlot {
  pool: string;
  provider: PoolConfig['provider'];
  claimId: string;
  slot: number;
  reason: string;
  /** The execution's ARN: only the execution that owns a claim changes it, its VM or its Node. */
  owner: string;
  /** The provider's function (name or ARN) that launches and terminates this slot's VM. */
  providerFunction: string;
  /** Epoch seconds after which the slot's claim is no longer counted (set by validate-input from the execution's worst case). */
  expiresAt?: number;
}

export interface ProvisionPlan {
  pool: string;
  provider: PoolConfig['provider'];
  count: number;
  reason: string;
  requestId?: string;
  slots: ProvisionSlot[];
  /** Where the pool's VMs may be launched, in the order to try; a claim records which one it is trying. */
  offerings: Offering[];
  /** How many slots run at once: the provider's launch parallelism. */
  maxConcurrency: number;
  /** How the workflow polls for the Node: every pollSeconds, at most maxPolls times (the registration deadline). */
  poll: { seconds: number; maxPolls: number };
  /**
   * Always null: the workflow starts each slot with `vm` set from this path, because a JSONPath field has no null
   * literal AWS documents (and CDK drops a literal null from Parameters).
   */
  noVm: null;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The execution a plan is made for, as Step Functions names it (`$$.Execution.Name` and `$$.Execution.Id`). */
export interface ExecutionRef {
  name: string;
  /** The execution ARN: the owner of the claims the plan makes. */
  id: string;
}

/**
 * Validates a ProvisionNode input against the config. Errors name the field and say what is allowed,
 * because a person reads them in the Step Functions console.
 */
export function planProvision(input: unknown, config: ShepherdConfig, execution: ExecutionRef, providerFunctions: Record<string, string>): ProvisionPlan {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInputError('input must be a JSON object with "pool" (a pool name) and optionally "count", "reason" and "requestId"');
  }
  const raw = input as Record<string, unknown>;
  const unknownKeys = Object.keys(raw).filter((k) => !['pool', 'count', 'reason', 'requestId'].includes(k));
  if (unknownKeys.length > 0) {
    throw new InvalidInputError(`unknown input field(s) ${unknownKeys.map((k) => `"${k}"`).join(', ')}; allowed: pool, count, reason, requestId`);
  }
  const names = config.pools.map((p) => p.name);
  if (typeof raw.pool !== 'string' || raw.pool === '') {
    throw new InvalidInputError(`"pool" is required and must be a pool name from the config: ${names.join(', ')}`);
  }
  const pool = config.pools.find((p) => p.name === raw.pool);
  if (!pool) throw new InvalidInputError(`"pool": no pool named "${raw.pool}" in the config; pools: ${names.join(', ')}`);
  const provider = providerNamed(pool.provider);
  if (!provider.launchable) {
    const creatable = config.pools.filter((p) => providerNamed(p.provider).launchable).map((p) => p.name);
    throw new InvalidInputError(
      `"pool": pool "${pool.name}" is a ${pool.provider} pool; its machines have no API, so shepherd cannot create them (join them by hand). Pools shepherd can provision: ${creatable.join(', ')}`,
    );
  }
  const count = raw.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > pool.max) {
    throw new InvalidInputError(`"count": got ${JSON.stringify(count)}; allowed: a whole number from 1 to the pool's max (${pool.max})`);
  }
  const reason = raw.reason ?? 'manual';
  if (typeof reason !== 'string' || reason.length > 256) throw new InvalidInputError('"reason": must be a string of at most 256 characters');
  const requestId = raw.requestId;
  if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))) {
    throw new InvalidInputError('"requestId": must be 1-64 characters of letters, digits, "-" or "_"');
  }
  const providerFunction = providerFunctions[pool.provider];
  if (!providerFunction) throw new Error(`no function for provider ${pool.provider} in this stack: the stack and the config disagree; deploy again`);
  const offerings = provider.offerings(pool, config);
  if (offerings.length === 0)
    throw new InvalidInputError(`"pool": pool "${pool.name}" has no instance type in any zone it may use; check its instanceTypes and zones`);
  const base = (requestId as string | undefined) ?? execution.name;
  const slots = Array.from({ length: count }, (_, slot) => ({
    pool: pool.name,
    provider: pool.provider,
    claimId: claimIdOf(config.cluster.name, pool.name, base, slot),
    slot,
    reason,
    owner: execution.id,
    providerFunction,
  }));
  const seconds = config.provisioning.pollIntervalSeconds;
  return {
    pool: pool.name,
    provider: pool.provider,
    count,
    reason,
    ...(requestId ? { requestId: requestId as string } : {}),
    slots,
    offerings,
    maxConcurrency: provider.launchParallelism(pool),
    poll: { seconds, maxPolls: Math.max(1, Math.ceil(config.provisioning.registrationTimeoutSeconds / seconds)) },
    noVm: null,
  };
}

/**
 * 26 characters: short enough for EC2's 64-character ClientToken with the offering appended. Scoped to the cluster:
 * two clusters in one account or project get different ids for the same pool name and request, so neither finds
 * (and cleans up) the other's VMs by claim tag.
 */
export function claimIdOf(cluster: string, pool: string, base: string, slot: number): string {
  return `c${createHash('sha256').update(`${cluster}\u0000${pool}\u0000${base}\u0000${slot}`).digest('hex').slice(0, 25)}`;
}

/** Where a VM may be launched: an instance type in a zone (AWS: with the subnet in that zone). */
export interface Offering {
  type: string;
  zone: string;
  subnetId?: string;
}

/** The offering a claim is trying: its place in the plan's offerings, so a retry resumes it. */
export interface OfferingAttempt extends Offering {
  index: number;
}

/** What a launched VM is known by, enough to find its Node and to clean it up. */
export interface VmRef {
  provider: PoolConfig['provider'];
  id: string;
  name: string;
  zone: string;
  region: string;
  type: string;
  privateIp?: string;
  providerID?: string;
  /** Scaleway pool nodes: which pool to look in. */
  poolId?: string;
  /** Pools shepherd sizes (Scaleway): whether this launch grew the pool, so that only then cleanup shrinks it. */
  resized?: boolean;
  /**
   * When the provider launched it (ISO 8601), where it says (EC2 LaunchTime, GCE creationTimestamp): how old a NotFound
   * is tells unknown from gone, and a Node registered before it cannot be its Node.
   */
  launchedAt?: string;
}

/** Labels shepherd puts on a node it provisioned: the pool's own plus topology, type, provider, pool, claim. */
export function nodeLabels(pool: PoolConfig, vm: VmRef, claimId: string): Record<string, string> {
  return {
    ...pool.labels,
    'topology.kubernetes.io/region': vm.region,
    ...(vm.zone ? { 'topology.kubernetes.io/zone': vm.zone } : {}),
    'node.kubernetes.io/instance-type': vm.type,
    [`node-role.kubernetes.io/${pool.role}`]: '',
    'shepherd.io/provider': pool.provider,
    'shepherd.io/pool': pool.name,
    'shepherd.io/role': pool.role,
    'shepherd.io/claim': claimId,
  };
}

export interface NodeTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

/** The node's taints with the pool's merged in (same key and effect replaced, others kept). */
export function mergeTaints(existing: NodeTaint[] | undefined, wanted: NodeTaint[]): NodeTaint[] {
  const out = (existing ?? []).filter((t) => !wanted.some((w) => w.key === t.key && w.effect === t.effect));
  return [...out, ...wanted.map((w) => ({ key: w.key, ...(w.value !== undefined ? { value: w.value } : {}), effect: w.effect }))];
}

/** Whether a Node has registered for the VM and is Ready, from the Node's own fields. */
export interface NodeView {
  name: string;
  /** metadata.uid: what Events about the Node refer to. */
  uid?: string;
  providerID?: string;
  internalIp?: string;
  ready: 'True' | 'False' | 'Unknown';
  labels: Record<string, string>;
  /** When the Node registered (its creationTimestamp, ISO 8601). */
  createdAt?: string;
  /** Its Ready condition as the API server reports it (HealNode decides on it). */
  readyCondition?: { type: 'Ready'; status: 'True' | 'False' | 'Unknown'; lastTransitionTime?: string; reason?: string };
}
