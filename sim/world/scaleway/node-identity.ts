/**
 * What Scaleway calls a pool node, in one place: the Scaleway API's node (`GET /nodes`, the Kosmos node agent's
 * `POST /pools/{id}/external-nodes`) and the Kubernetes Node registered for it carry this same name.
 *
 * - Kapsule (managed pools): the Instance is named `scw-<cluster>-<pool>-<hex>` and the kubelet registers under that
 *   name; Scaleway's cloud controller finds a Node's Instance by that name and sets `spec.providerID` to
 *   `scaleway://instance/<zone>/<instance uuid>` (scaleway-cloud-controller-manager, scaleway/instances.go:
 *   getServerByName, BuildProviderID). Real names keep one length: `scw-k8s-mystifying-torvalds-default-7f263aabab`
 *   (2019) and `scw-k8s-training-dkusr-default-0d7c23665c474fb` (2023) are both 46 characters, the hex suffix
 *   filling up to it; how Scaleway shortens a longer prefix is not documented (here: at least 8 hex digits).
 * - Kosmos external nodes: the node agent gets the node's `id` and `name` from `createExternalNode`
 *   (@scaleway/sdk-k8s `ExternalNode`, "metadata to instantiate a Kapsule/Kosmos node") and the kubelet registers
 *   under that name, so the API's `name` and the Node's agree. The machine is not Scaleway's: the cloud controller
 *   answers no providerID for nodes that carry the Kosmos public-IP label (scaleway/servers.go InstanceMetadata;
 *   a change to fill in `scaleway://external/<uid>`, scaleway-cloud-controller-manager PR #172, was closed
 *   unmerged), and the API lists `provider_id` empty.
 */

/** Length of a Scaleway pool node name (see above). */
const POOL_NODE_NAME_LENGTH = 46;
const MIN_HEX = 8;

/** The name Scaleway gives the pool node whose Scaleway node id is `nodeId`. */
export function poolNodeName(clusterName: string, poolName: string, nodeId: string): string {
  const prefix = `scw-${clusterName}-${poolName}-`;
  const hex = nodeId.replaceAll('-', '');
  return prefix + hex.slice(0, Math.max(MIN_HEX, POOL_NODE_NAME_LENGTH - prefix.length));
}
