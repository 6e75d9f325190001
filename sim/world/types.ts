/** The simulated world's data model: providers, VMs, Kubernetes objects, Scaleway pools. */

export type ProviderName = 'aws' | 'gcp' | 'scaleway' | 'home';
export const PROVIDERS: readonly ProviderName[] = ['aws', 'gcp', 'scaleway', 'home'];

export type Arch = 'amd64' | 'arm64';

export interface RegionSpec {
  name: string;
  zones: string[];
}

export interface VmType {
  name: string;
  provider: ProviderName;
  cpu: number;
  memoryMiB: number;
  arch: Arch;
  /** The zones that offer the type; every zone of the provider when absent. */
  zones?: readonly string[];
}

/** What a provider does to a spot VM it reclaims: EC2 and GCE's DELETE terminate it, GCE's STOP (its default) stops it. */
export type SpotAction = 'terminate' | 'stop';

/** EC2's state names; the other servers map them to their own vocabulary. */
export type VmState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface Vm {
  /** aws: `i-` + 17 hex; gcp: 19 digits; scaleway: uuid; home: the machine name. */
  id: string;
  /** Hostname (gcp: the instance name). */
  name: string;
  provider: ProviderName;
  region: string;
  zone: string;
  type: string;
  arch: Arch;
  cpu: number;
  memoryMiB: number;
  state: VmState;
  tags: Record<string, string>;
  /** As given at launch (EC2: base64). */
  userData?: string;
  spot: boolean;
  /** What reclaiming this spot VM does (default terminate). */
  spotAction?: SpotAction;
  privateIp: string;
  publicIp: string;
  launchedAt: number;
  stateChangedAt: number;
  /** gcp only. */
  project?: string;
  /** scaleway: the pool a pool node belongs to; also set when a VM joins a Kosmos external pool. */
  poolId?: string;
  /** Scaleway's id for the pool node on this machine (its own, not the Instance id); named from it (scaleway/node-identity.ts). */
  poolNodeId?: string;
  /** Set once the VM's kubelet has registered its Node. */
  nodeName?: string;
  /** Why the VM did not join, when it tried and failed. */
  joinError?: string;
  /** Scaleway pool nodes and home machines join without user data. */
  autoJoin: boolean;
  /** Labels the machine's kubelet registers its Node with (`kubelet --node-labels`): how a home machine says which pool it is in. */
  nodeLabels?: Record<string, string>;
  /** Launched while a never-join fault matched: boots but never registers. */
  neverJoins: boolean;
  /** Free-form per-API data a server keeps on the VM (e.g. GCE labels, metadata). */
  extra: Record<string, unknown>;
}

export interface LaunchRequest {
  provider: ProviderName;
  zone: string;
  type: string;
  /** Defaults from the provider's naming scheme. */
  name?: string;
  userData?: string;
  tags?: Record<string, string>;
  spot?: boolean;
  spotAction?: SpotAction;
  project?: string;
  poolId?: string;
  poolNodeId?: string;
  autoJoin?: boolean;
  /** `kubelet --node-labels` of a machine that joins by itself (a home machine). */
  nodeLabels?: Record<string, string>;
  extra?: Record<string, unknown>;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  finalizers?: string[];
  [key: string]: unknown;
}

/** A Kubernetes object as stored: plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  // biome-ignore lint/suspicious/noExplicitAny: objects are schemaless JSON, as on the wire
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: objects are schemaless JSON, as on the wire
  status?: any;
  [key: string]: unknown;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Kosmos/Kapsule pool as Scaleway's k8s API describes it. */
export interface ScalewayPool {
  id: string;
  clusterId: string;
  region: string;
  zone: string;
  name: string;
  /** `external` for a Kosmos pool of nodes joined from elsewhere. */
  nodeType: string;
  size: number;
  minSize: number;
  maxSize: number;
  autoscaling: boolean;
  autohealing: boolean;
  status: 'ready' | 'scaling' | 'warning' | 'locked' | 'upgrading' | 'deleting';
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

export interface ScalewayCluster {
  id: string;
  name: string;
  region: string;
  type: 'kapsule' | 'multicloud';
  version: string;
  organizationId: string;
  projectId: string;
}

export interface TimelineEntry {
  /** Simulated epoch ms. */
  at: number;
  /** ISO form of `at`. */
  time: string;
  type: string;
  message: string;
  subject?: string;
}

/** World events the API servers subscribe to (e.g. EC2's EventBridge feed). */
export interface WorldEvents {
  'vm-state': { vm: Vm; previous: VmState | undefined };
  'spot-interruption': { vm: Vm; actionAt: number };
  'rebalance-recommendation': { vm: Vm };
  /** The cluster's API server went down or came back (its server stops or starts listening). */
  'cluster-api': { down: boolean };
}
