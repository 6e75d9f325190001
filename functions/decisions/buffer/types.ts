/** What the buffer decisions see of the cluster: plain data, read by adapters from the Kubernetes API and the config. */

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: TaintEffect | '';
}

/** One requirement of a node selector term (core/v1 NodeSelectorRequirement). */
export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

/** Terms are ORed; the expressions of one term are ANDed (requiredDuringSchedulingIgnoredDuringExecution). */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
}

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

/** A pod as scheduling sees it: its requests and everything that restricts where it may run. */
export interface PodSpecView {
  namespace: string;
  name: string;
  requests: Resources;
  nodeSelector?: Record<string, string>;
  /** spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms */
  requiredNodeAffinity?: NodeSelectorTerm[];
  tolerations?: Toleration[];
}

/** A node (existing, or one a pool would add) as scheduling sees it. */
export interface NodeView {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  allocatable: Resources & { pods: number };
  /** What the pods already on it request, and how many there are. */
  used: Resources & { pods: number };
  unschedulable?: boolean;
}

/** A buffer pool as the scale-up sees it: config (the node it would add, bounds, cost) and state (size, backoff). */
export interface BufferPoolView {
  pool: string;
  provider: string;
  /** Labels every new node of the pool carries (pool labels, arch, os, role, shepherd's); zones come apart. */
  labels: Record<string, string>;
  /** Zones a new node may land in (`topology.kubernetes.io/zone`); empty when the pool's zone is not known. */
  zones: string[];
  taints: Taint[];
  allocatable: Resources & { pods: number };
  hourlyCost: number;
  min: number;
  /** buffers.pools[].maxNodes, else the pool's max. */
  maxNodes: number;
  /** Where maxNodes comes from, for messages: `buffers.pools[].maxNodes` or `pools[].max`. */
  maxNodesFrom?: 'buffers.pools[].maxNodes' | 'pools[].max';
  /** Nodes the pool has now, those being added included. */
  size: number;
  /** Nodes launched but not Ready yet: pending pods will land there first (Cluster Autoscaler's upcoming nodes). */
  upcoming: number;
  /** Until when a failed scale-up keeps the pool out (ISO 8601). */
  backedOffUntil?: string;
  /** Until when the pool's offerings are remembered as out of capacity (ISO 8601; Karpenter's ICE cache). */
  outOfCapacityUntil?: string;
}
