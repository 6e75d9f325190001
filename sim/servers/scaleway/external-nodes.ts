import type { SimEnv } from '../../env.js';
import type { ScalewayPool } from '../../world/types.js';
import { preconditionFailed } from './errors.js';
import { clusterUrl, type Json } from './wire.js';

/**
 * What a Kosmos node agent gets from the k8s API: first `POST .../external-nodes/auth` (with the
 * account's secret key) for a node secret key, then `POST .../external-nodes` for the node's
 * bootstrap material (cluster URL and CA, kube token, kubelet config, labels, component versions).
 * The kube token is a credential: it goes into the response and nowhere else.
 */

const KUBELET_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.32.0.10
clusterDomain: cluster.local
rotateCertificates: true
serverTLSBootstrap: true
`;

export function requireExternalPool(pool: ScalewayPool): void {
  if (pool.nodeType !== 'external') {
    throw preconditionFailed('resource_not_usable', `pool ${pool.id} has node type ${pool.nodeType}; only external pools accept external nodes`);
  }
}

export function externalNodeAuthJson(pool: ScalewayPool, nodeSecretKey: string, apiUrl: string): Json {
  return {
    metadata_url: `${apiUrl}/k8s/v1/regions/${pool.region}/pools/${pool.id}/external-nodes`,
    node_secret_key: nodeSecretKey,
  };
}

/** A new external node's identity and bootstrap material; recorded on the timeline without secrets. */
export function createExternalNodeJson(env: SimEnv, pool: ScalewayPool, externalIp: string): Json {
  const { world } = env;
  // The same identity a joining machine's kubelet registers under (world/scaleway/node-identity.ts).
  const { id, name } = world.scalewayPools.newNodeIdentity(pool.id);
  world.record('scaleway.external-node', `external node ${name} created for pool ${pool.name}`, id);
  return {
    cluster_ca: Buffer.from(env.tls.caCert).toString('base64'),
    cluster_url: clusterUrl(world),
    cni_plugins_version: '1.5.1',
    containerd_version: '1.7.22',
    external_ip: externalIp,
    iam_token: '',
    id,
    kube_token: world.joinToken,
    kubelet_config: KUBELET_CONFIG,
    name,
    node_labels: {
      'k8s.scaleway.com/pool-name': pool.name,
      'k8s.scaleway.com/pool': pool.id,
      'k8s.scaleway.com/external-node': 'true',
    },
    node_taints: [],
    pool_version: world.scalewayCluster.version,
    runc_version: '1.1.14',
  };
}
