import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Clock, type ClockOptions } from './clock.js';
import { AwsEventFeed, SERVER_NAMES, type ServerFactory, type ServerName, type SimCredentials, type SimEnv } from './env.js';
import { ApiFaults, CallCounters, type RunningServer, startHttpServer } from './http.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { Random } from './random.js';
import { cloudflareServer } from './servers/cloudflare/index.js';
import { ec2Server } from './servers/ec2/index.js';
import { gceServer } from './servers/gce/index.js';
import { kubeServer } from './servers/kube/index.js';
import { startNetworkGateway } from './servers/network/gateway.js';
import { scalewayServer } from './servers/scaleway/index.js';
import { generateTls } from './tls.js';
import type { ProviderName } from './world/types.js';
import { World, type WorldOptions } from './world/world.js';

export { Clock, type ClockOptions, type Timer } from './clock.js';
export type { AwsEvent, ServerName, SimCredentials } from './env.js';
export type { ApiFault } from './http.js';
export { Random } from './random.js';
export { RequestHold } from './request-hold.js';
export { addDaemonSet, addWorkload, WEB_HOST_PORTS } from './scenarios.js';
export type { ProviderName, TimelineEntry, Vm } from './world/types.js';
export type { KindSwitches, UnkindBehaviour } from './world/unkindness.js';
export { UNKIND_BEHAVIOURS } from './world/unkindness.js';
export { World } from './world/world.js';

export interface SimOptions {
  /** Same seed + same scenario = same sequence of world events. Default 1. */
  seed?: number;
  clock?: ClockOptions;
  world?: Omit<WorldOptions, 'clock' | 'random'>;
  /** Which servers to start (default: all five). */
  servers?: ServerName[];
}

export interface SimEndpoints {
  kube: string;
  ec2: string;
  gce: string;
  scaleway: string;
  cloudflare: string;
  /** The simulated public network around the VMs: an HTTP CONNECT proxy (servers/network/gateway.ts). */
  network: string;
}

export interface Sim {
  readonly clock: Clock;
  readonly world: World;
  readonly random: Random;
  readonly faults: ApiFaults;
  readonly counters: CallCounters;
  readonly credentials: SimCredentials;
  readonly awsEvents: AwsEventFeed;
  /** Base URL of each running server (empty string for one not started). */
  readonly endpoints: SimEndpoints;
  /** CA that signed the Kubernetes API server's certificate (PEM). */
  readonly caCert: string;
  /** A kubeconfig (YAML) for the Kubernetes API, bearer-token auth. */
  readonly kubeconfig: string;
  writeKubeconfig(path: string): Promise<void>;
  /** The cluster's API server goes down (its port refuses connections) or comes back; resolves once it does. */
  setClusterApiDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

const FACTORIES: Record<ServerName, ServerFactory> = {
  kube: kubeServer,
  ec2: ec2Server,
  gce: gceServer,
  scaleway: scalewayServer,
  cloudflare: cloudflareServer,
};

/** Which provider's outage takes each API down with it. */
const SERVER_PROVIDER: Partial<Record<ServerName, ProviderName>> = { ec2: 'aws', gce: 'gcp', scaleway: 'scaleway' };

/** Starts the simulated multi-cloud on 127.0.0.1 (ephemeral ports). */
export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const seed = options.seed ?? 1;
  const random = new Random(seed);
  const clock = new Clock(options.clock);
  // Credentials come from their own stream so that adding a server does not shift world randomness.
  const secrets = new Random(seed ^ 0x5eed);
  const world = new World({ clock, random, ...options.world, scalewaySecretKey: options.world?.scalewaySecretKey ?? secrets.uuid() });
  const credentials: SimCredentials = {
    kube: { token: `sim-${secrets.hex(40)}` },
    aws: { accessKeyId: `AKIA${secrets.hex(16).toUpperCase()}`, secretAccessKey: secrets.hex(40), accountId: '123456789012', region: 'eu-west-3' },
    gcp: { project: 'shepherd-sim', accessToken: `ya29.sim-${secrets.hex(32)}` },
    scaleway: {
      accessKey: `SCW${secrets.hex(17).toUpperCase()}`,
      secretKey: world.scalewaySecretKey,
      organizationId: world.scalewayCluster.organizationId,
      projectId: world.scalewayCluster.projectId,
      region: world.scalewayCluster.region,
    },
    cloudflare: { apiToken: secrets.hex(40), accountId: secrets.hex(32) },
  };
  const tls = await generateTls();
  const faults = new ApiFaults();
  const counters = new CallCounters();
  const awsEvents = new AwsEventFeed();
  const env: SimEnv = { world, clock, random, credentials, awsEvents, tls, faults };
  const wanted = options.servers ?? [...SERVER_NAMES];
  const running: RunningServer[] = [];
  const endpoints: SimEndpoints = { kube: '', ec2: '', gce: '', scaleway: '', cloudflare: '', network: '' };
  const isApiDown = (server: string) => {
    if (server === 'kube') return world.isClusterApiDown();
    const provider = SERVER_PROVIDER[server as ServerName];
    return provider ? world.isApiDown(provider) : false;
  };
  try {
    for (const name of wanted) {
      const spec = FACTORIES[name](env);
      const server = await startHttpServer(
        { clock, random, faults, counters, isApiDown },
        name === 'kube' ? { ...spec, tls: { key: tls.key, cert: tls.cert } } : spec,
      );
      running.push(server);
      endpoints[name] = server.url;
    }
  } catch (err) {
    await Promise.all(running.map((s) => s.close()));
    throw err;
  }
  // Its own random stream from the seed, as the credentials have: probes come at real-time moments, and drawing from
  // the world's stream then would make the world's other events depend on them.
  const network = await startNetworkGateway({ world, random: new Random(seed ^ 0x6e6574), tls });
  endpoints.network = network.url;
  if (endpoints.kube) world.apiServerEndpoint = endpoints.kube.replace(/^https?:\/\//, '');
  // The world says when the cluster API is down; its server stops listening then, so clients see ECONNREFUSED.
  const kubeServer = running.find((s) => s.name === 'kube');
  let clusterApi = Promise.resolve();
  const offClusterApi = world.on('cluster-api', ({ down }) => {
    if (kubeServer) clusterApi = kubeServer.refuse(down);
  });
  const kubeconfig = endpoints.kube
    ? kubeconfigYaml({ server: endpoints.kube, caCert: tls.caCert, token: credentials.kube.token, clusterName: world.clusterName })
    : '';
  return {
    clock,
    world,
    random,
    faults,
    counters,
    credentials,
    awsEvents,
    endpoints,
    caCert: tls.caCert,
    kubeconfig,
    writeKubeconfig: async (path) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, kubeconfig, { mode: 0o600 });
    },
    async setClusterApiDown(down) {
      world.setClusterApiDown(down);
      await clusterApi;
    },
    async stop() {
      offClusterApi();
      await clusterApi.catch(() => {});
      clock.stop();
      await Promise.all([...running.map((s) => s.close()), network.close()]);
    },
  };
}
