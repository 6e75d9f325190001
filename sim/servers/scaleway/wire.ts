import type { ScalewayCluster, ScalewayPool } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { derivedUuid } from './ids.js';

/** World objects in the k8s v1 API's JSON (snake_case, every field the SDK's unmarshalers read). */

export type Json = Record<string, unknown>;

export const REGIONS = ['fr-par', 'nl-ams', 'pl-waw'] as const;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The cluster's API server: the simulated Kubernetes API when it runs, else Scaleway's naming. */
export function clusterUrl(world: World): string {
  const c = world.scalewayCluster;
  return world.apiServerEndpoint ? `https://${world.apiServerEndpoint}` : `https://${c.id}.api.k8s.${c.region}.scw.cloud:6443`;
}

export function clusterJson(world: World, createdAt: number): Json {
  const c: ScalewayCluster = world.scalewayCluster;
  return {
    acl_available: true,
    admission_plugins: [],
    apiserver_cert_sans: [],
    auto_upgrade: { enabled: false, maintenance_window: { day: 'any', start_hour: 0 } },
    autoscaler_config: {
      balance_similar_node_groups: false,
      estimator: 'binpacking',
      expander: 'random',
      expendable_pods_priority_cutoff: 0,
      ignore_daemonsets_utilization: false,
      max_graceful_termination_sec: 0,
      scale_down_delay_after_add: '10m',
      scale_down_disabled: false,
      scale_down_unneeded_time: '10m',
      scale_down_utilization_threshold: 0.5,
    },
    cluster_url: clusterUrl(world),
    // Kosmos (multicloud) clusters run Kilo, the WireGuard mesh that spans providers.
    cni: c.type === 'multicloud' ? 'kilo' : 'cilium',
    commitment_ends_at: iso(createdAt),
    created_at: iso(createdAt),
    description: '',
    dns_wildcard: `*.${c.id}.nodes.k8s.${c.region}.scw.cloud`,
    feature_gates: [],
    iam_nodes_group_id: '',
    id: c.id,
    name: c.name,
    new_images_enabled: true,
    open_id_connect_config: {
      client_id: '',
      groups_claim: [],
      groups_prefix: '',
      issuer_url: '',
      required_claim: [],
      username_claim: '',
      username_prefix: '',
    },
    organization_id: c.organizationId,
    pod_cidr: '',
    private_network_id: null,
    project_id: c.projectId,
    region: c.region,
    service_cidr: '',
    service_dns_ip: '',
    status: 'ready',
    tags: [],
    type: c.type,
    updated_at: iso(createdAt),
    upgrade_available: false,
    version: c.version,
  };
}

/** The API reports commercial types in lower case with underscores (`DEV1-M` -> `dev1_m`). */
export function wireNodeType(nodeType: string): string {
  return nodeType.toLowerCase().replaceAll('-', '_');
}

export function poolJson(world: World, p: ScalewayPool): Json {
  const external = p.nodeType === 'external';
  return {
    autohealing: p.autohealing,
    autoscaling: p.autoscaling,
    cluster_id: p.clusterId,
    container_runtime: 'containerd',
    created_at: iso(p.createdAt),
    id: p.id,
    kubelet_args: {},
    max_size: p.maxSize,
    min_size: p.minSize,
    name: p.name,
    new_images_enabled: true,
    node_type: wireNodeType(p.nodeType),
    placement_group_id: null,
    public_ip_disabled: false,
    region: p.region,
    root_volume_size: external ? 0 : 20_000_000_000,
    root_volume_type: external ? 'default_volume_type' : 'sbs_5k',
    security_group_id: external ? null : derivedUuid(`security-group:${p.id}`),
    size: p.size,
    status: p.status,
    tags: [...p.tags],
    updated_at: iso(p.updatedAt),
    upgrade_policy: { max_surge: 0, max_unavailable: 1 },
    version: world.scalewayCluster.version,
    zone: p.zone,
  };
}
