import { renderKosmosJoin } from './world/join-scripts.js';
import type { KubeObject, Vm } from './world/types.js';
import type { World } from './world/world.js';

/** A Kosmos external pool per site, as the example config describes. */
export interface FleetSpec {
  aws?: number;
  gcp?: number;
  scaleway?: number;
  home?: number;
}

const AWS_ZONES = ['eu-west-3a', 'eu-west-3b', 'eu-west-3c'];
const GCP_ZONES = ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'];

/**
 * Builds a fleet straight in the world (no API calls): external Kosmos nodes on AWS and GCP, a
 * managed Scaleway pool, and home-lab machines. Returns the external pool id the joins use.
 */
export function buildFleet(world: World, spec: FleetSpec): { externalPoolId: string; scalewayPoolId?: string; vms: Vm[] } {
  const external = world.listPools().find((p) => p.nodeType === 'external') ?? world.createPool({ name: 'external', nodeType: 'external' });
  const vms: Vm[] = [];
  const join = renderKosmosJoin(external.id, external.region, world.scalewaySecretKey);
  for (let i = 0; i < (spec.aws ?? 0); i++) {
    vms.push(
      world.launchVm({
        provider: 'aws',
        zone: AWS_ZONES[i % AWS_ZONES.length],
        type: i % 2 ? 't4g.medium' : 't3.medium',
        userData: join,
        tags: { fleet: 'aws' },
      }),
    );
  }
  for (let i = 0; i < (spec.gcp ?? 0); i++) {
    vms.push(
      world.launchVm({
        provider: 'gcp',
        project: 'shepherd-sim',
        zone: GCP_ZONES[i % GCP_ZONES.length],
        type: 'e2-standard-2',
        name: `gcp-node-${i + 1}`,
        userData: join,
      }),
    );
  }
  let scalewayPoolId: string | undefined;
  if (spec.scaleway) {
    const pool = world.createPool({ name: 'workers', nodeType: 'DEV1-M', maxSize: Math.max(10, spec.scaleway) });
    world.resizePool(pool.id, spec.scaleway);
    scalewayPoolId = pool.id;
  }
  for (let i = 0; i < (spec.home ?? 0); i++) vms.push(world.addHomeMachine(`home-nuc-${i + 1}`, i % 2 ? 'rpi5' : 'nuc'));
  return { externalPoolId: external.id, scalewayPoolId, vms };
}

/** The sample web workload's ports: HTTP and HTTPS bound on its nodes (hostPort), what the entrypoint's checks probe. */
export const WEB_HOST_PORTS = [
  { name: 'http', containerPort: 8080, hostPort: 80, protocol: 'TCP' },
  { name: 'https', containerPort: 8443, hostPort: 443, protocol: 'TCP' },
] as const;

/**
 * A Deployment-like ReplicaSet whose pods request cpu/memory, spread by the scheduler; with `ports`, its container
 * declares them (a `hostPort` makes the node answer on that port while a pod runs there: world/network).
 */
export function addWorkload(
  world: World,
  name: string,
  replicas: number,
  requests = { cpu: '500m', memory: '512Mi' },
  nodeSelector?: Record<string, string>,
  ports?: ReadonlyArray<{ name: string; containerPort: number; hostPort?: number; protocol: 'TCP' }>,
): KubeObject {
  return world.kube.create('replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(nodeSelector ? { nodeSelector } : {}),
          containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests }, ...(ports ? { ports: ports.map((p) => ({ ...p })) } : {}) }],
        },
      },
    },
  });
}

/**
 * A DaemonSet such as a CNI or log agent, or an ingress controller with `ports` (hostPorts: every node then answers on
 * them, world/network): one pod on every node.
 */
export function addDaemonSet(
  world: World,
  name: string,
  ports?: ReadonlyArray<{ name: string; containerPort: number; hostPort?: number; protocol: 'TCP' }>,
): KubeObject {
  return world.kube.create('daemonsets', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', labels: { app: name } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image: `registry.example/${name}:1`,
              resources: { requests: { cpu: '50m', memory: '64Mi' } },
              ...(ports ? { ports: ports.map((p) => ({ ...p })) } : {}),
            },
          ],
        },
      },
    },
  });
}
