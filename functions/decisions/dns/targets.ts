import { addressProblem, addressType } from './address.js';
import { matchesLabels } from './selector.js';
import type { Announcements, CheckState, DnsNodeView, EligibilityRule, ExclusionReason, Target } from './types.js';

/**
 * Taints that say a node is being drained or taken away by something else (Cluster Autoscaler, Karpenter, AWS Node
 * Termination Handler, the out-of-service taint of non-graceful node shutdown). Their keys, from those projects.
 */
const DRAINING_TAINTS = ['ToBeDeletedByClusterAutoscaler', 'karpenter.sh/disrupted', 'karpenter.sh/disruption', 'node.kubernetes.io/out-of-service'];
const DRAINING_TAINT_PREFIXES = ['aws-node-termination-handler/'];

export interface TargetInputs {
  rule: EligibilityRule;
  nodes: DnsNodeView[];
  /** Nodes announced as going away, with why. */
  announcements: Announcements;
  /** Active-check memory by address; absent when the entrypoint has no check. */
  checks?: Record<string, CheckState>;
}

/**
 * Every eligible node's address with whether it may serve, and every other node with why not. A node serves when
 * it is Ready, not cordoned or draining, not announced as going away, has a public address of the record's type,
 * and (with an active check) its check state is healthy. Sorted by node name, then address.
 */
export function entrypointTargets(inputs: TargetInputs): Target[] {
  const targets = inputs.nodes.flatMap((node) => nodeTargets(node, inputs));
  return targets.sort((a, b) => a.node.localeCompare(b.node) || (a.address ?? '').localeCompare(b.address ?? ''));
}

/** The distinct addresses of the healthy targets, sorted. */
export function healthyAddresses(targets: Target[]): string[] {
  return [...new Set(targets.filter((t) => t.healthy && t.address).map((t) => t.address as string))].sort();
}

export function isEligible(node: DnsNodeView, rule: EligibilityRule): boolean {
  if (rule.eligiblePools && !rule.eligiblePools.includes(node.pool ?? node.labels['shepherd.io/pool'] ?? '')) return false;
  if (rule.selector && !matchesLabels(rule.selector.matchLabels, node.labels)) return false;
  return true;
}

function nodeTargets(node: DnsNodeView, inputs: TargetInputs): Target[] {
  const { rule } = inputs;
  const excluded = (reason: ExclusionReason, detail?: string, address?: string): Target => ({
    node: node.name,
    ...(address ? { address } : {}),
    healthy: false,
    reason,
    ...(detail ? { detail } : {}),
  });
  if (!isEligible(node, rule)) return [excluded('not-eligible')];
  const candidates = addressesOf(node, rule);
  const gate = nodeGate(node, inputs.announcements);
  if (candidates.length === 0) return [gate ? excluded(gate.reason, gate.detail) : excluded('no-address', describeSource(rule))];
  return candidates.map((address) => {
    if (gate) return excluded(gate.reason, gate.detail, address);
    const problem = addressProblem(address, rule.type);
    if (problem) return excluded('invalid-address', problem, address);
    const check = inputs.checks?.[address];
    if (inputs.checks && check && !check.healthy) return excluded('check-failing', `${check.failures} consecutive failures`, address);
    if (inputs.checks && !check) return excluded('check-failing', 'not checked yet', address);
    return { node: node.name, address, healthy: true };
  });
}

/** The node-level reason it may not serve, the first that applies. */
function nodeGate(node: DnsNodeView, announcements: Announcements): { reason: ExclusionReason; detail?: string } | undefined {
  if (node.ready !== 'True') return { reason: 'not-ready', detail: `Ready=${node.ready}` };
  const announced = announcements[node.name];
  if (announced !== undefined) return { reason: 'going-away', detail: announced };
  const draining = node.taints.find((t) => DRAINING_TAINTS.includes(t.key) || DRAINING_TAINT_PREFIXES.some((p) => t.key.startsWith(p)));
  if (draining) return { reason: 'draining', detail: `taint ${draining.key}` };
  if (node.unschedulable) return { reason: 'cordoned' };
  return undefined;
}

/** The node's addresses of the record's family from the configured source (an annotation may list several, comma-separated). */
function addressesOf(node: DnsNodeView, rule: EligibilityRule): string[] {
  const raw =
    rule.addressSource.from === 'external-ip'
      ? node.addresses.filter((a) => a.type === 'ExternalIP').map((a) => a.address)
      : (node.annotations[rule.addressSource.key] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  // An address of the other family is not for this record; anything that is no IP at all is kept, to be reported.
  const wanted = raw.filter((a) => {
    const family = addressType(a);
    return family === undefined || family === rule.type;
  });
  return [...new Set(wanted)];
}

function describeSource(rule: EligibilityRule): string {
  const family = rule.type === 'A' ? 'IPv4' : 'IPv6';
  return rule.addressSource.from === 'external-ip' ? `no ${family} ExternalIP` : `no ${family} address in annotation ${rule.addressSource.key}`;
}
