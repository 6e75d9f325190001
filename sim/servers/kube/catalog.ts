/**
 * The resources this API server serves, as discovery describes them. Their plural names are
 * the keys the world's KubeStore uses.
 */
export interface ApiResource {
  /** '' for the core (legacy) group. */
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served besides the object itself. */
  subresources: ApiSubresource[];
}

export interface ApiSubresource {
  name: 'status' | 'eviction';
  kind: string;
  /** Set when the subresource's body lives in another group (pods/eviction is policy/v1 Eviction). */
  group?: string;
  version?: string;
  verbs: string[];
}

/**
 * Verbs on every resource. `watch` and `deletecollection` are left out because the simulator
 * does not serve them; discovery does not advertise what the server refuses.
 */
export const RESOURCE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];

function status(kind: string): ApiSubresource {
  return { name: 'status', kind, verbs: ['get', 'patch', 'update'] };
}

export const API_RESOURCES: readonly ApiResource[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    categories: [],
    subresources: [status('Namespace')],
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    categories: [],
    subresources: [status('Node')],
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [{ name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] }, status('Pod')],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    subresources: [status('DaemonSet')],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [status('ReplicaSet')],
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    shortNames: [],
    categories: [],
    subresources: [],
  },
  {
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    categories: [],
    subresources: [status('PodDisruptionBudget')],
  },
];

/** Group names in the order `/apis` lists them. */
export const API_GROUPS: readonly string[] = ['apps', 'coordination.k8s.io', 'policy'];

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function findResource(group: string, version: string, plural: string): ApiResource | undefined {
  return API_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourcesOf(group: string, version: string): ApiResource[] {
  return API_RESOURCES.filter((r) => r.group === group && r.version === version);
}

export function versionsOf(group: string): string[] {
  return [...new Set(API_RESOURCES.filter((r) => r.group === group).map((r) => r.version))];
}
