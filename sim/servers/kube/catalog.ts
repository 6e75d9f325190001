import type { KubeObject } from '../../world/types.js';
import { EVENTS_V1_CODEC } from './event-codec.js';

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
  /** Set when this version's objects are stored in another shape (events.k8s.io/v1 Events are stored as core/v1). */
  codec?: ObjectCodec;
}

/** Converts between a resource's wire form and the form the store keeps, as the API server converts versions. */
export interface ObjectCodec {
  /** Wire form -> stored form. */
  decode(obj: KubeObject): KubeObject;
  /** Stored form -> wire form. */
  encode(obj: KubeObject): KubeObject;
  /** A field selector label of the wire form -> the stored form's; undefined when not selectable. */
  fieldLabel(label: string): string | undefined;
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
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    categories: [],
    subresources: [],
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [status('Service')],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [status('Deployment')],
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
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    categories: [],
    subresources: [],
    codec: EVENTS_V1_CODEC,
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
export const API_GROUPS: readonly string[] = ['apps', 'events.k8s.io', 'coordination.k8s.io', 'policy'];

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
