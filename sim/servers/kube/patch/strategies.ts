/**
 * How strategic merge patch treats lists, per field, as the Kubernetes API types declare it
 * (`patchStrategy:"merge"` with `patchMergeKey`). Lists not named here are replaced whole
 * (Node `spec.taints`, Pod `spec.tolerations`). Paths are dotted; `[]` steps into list items.
 */
export type ListStrategy = { mergeKey: string } | 'set';

export type StrategyTable = ReadonlyMap<string, ListStrategy>;

const byName = { mergeKey: 'name' };
const byType = { mergeKey: 'type' };

const OBJECT_META: Record<string, ListStrategy> = {
  'metadata.finalizers': 'set',
  'metadata.ownerReferences': { mergeKey: 'uid' },
};

function containerFields(prefix: string): Record<string, ListStrategy> {
  return {
    [prefix]: byName,
    [`${prefix}[].ports`]: { mergeKey: 'containerPort' },
    [`${prefix}[].env`]: byName,
    [`${prefix}[].volumeMounts`]: { mergeKey: 'mountPath' },
    [`${prefix}[].volumeDevices`]: { mergeKey: 'devicePath' },
  };
}

function podSpec(prefix: string): Record<string, ListStrategy> {
  return {
    ...containerFields(`${prefix}.containers`),
    ...containerFields(`${prefix}.initContainers`),
    ...containerFields(`${prefix}.ephemeralContainers`),
    [`${prefix}.volumes`]: byName,
    [`${prefix}.imagePullSecrets`]: byName,
    [`${prefix}.hostAliases`]: { mergeKey: 'ip' },
    [`${prefix}.topologySpreadConstraints`]: { mergeKey: 'topologyKey' },
  };
}

function table(fields: Record<string, ListStrategy>): StrategyTable {
  return new Map(Object.entries({ ...OBJECT_META, ...fields }));
}

const STRATEGIES: Record<string, StrategyTable> = {
  nodes: table({ 'spec.podCIDRs': 'set', 'status.conditions': byType, 'status.addresses': byType }),
  pods: table({ ...podSpec('spec'), 'status.conditions': byType, 'status.podIPs': { mergeKey: 'ip' }, 'status.hostIPs': { mergeKey: 'ip' } }),
  replicasets: table({ ...podSpec('spec.template.spec'), 'status.conditions': byType }),
  daemonsets: table({ ...podSpec('spec.template.spec'), 'status.conditions': byType }),
  poddisruptionbudgets: table({ 'status.conditions': byType }),
  namespaces: table({ 'status.conditions': byType }),
};

export function strategiesFor(resource: string): StrategyTable {
  return STRATEGIES[resource] ?? table({});
}
