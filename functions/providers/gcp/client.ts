import { createHash } from 'node:crypto';
import { InstancesClient, ZoneOperationsClient } from '@google-cloud/compute';
import { JWT } from 'google-auth-library';
import type { PoolConfig, ShepherdConfig } from '../../../config/types.js';
import { launchToken } from '../../decisions/launch-token.js';
import type { VmRef } from '../../decisions/provision.js';
import { InsufficientCapacityError, ProviderRequestError, ThrottledError, TransientError } from '../../runtime/errors.js';
import { getJsonSecret } from '../../runtime/secrets.js';
import type { CloudProvider, Interruption, LaunchSpec, Page, TerminateOutcome, VmState } from '../types.js';
import { gceClientOptions } from './client-options.js';

const CAPACITY = new Set(['ZONE_RESOURCE_POOL_EXHAUSTED', 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', 'RESOURCE_POOL_EXHAUSTED', 'QUOTA_EXCEEDED']);
/** GCE labels allow [a-z0-9_-]: the EC2 tag keys, spelled for GCE. */
const LABEL_CLUSTER = 'shepherd-cluster';
const LABEL_POOL = 'shepherd-pool';
const LABEL_CLAIM = 'shepherd-claim';
const PREEMPTED = 'compute.instances.preempted';
/** Metadata keys launch puts the join script in (it carries the join secret). */
const JOIN_SECRET_KEYS = new Set(['startup-script']);
/** GCE statuses of a VM that exists but does not run (TERMINATED is GCE's word for stopped). */
const STOPPED_STATUSES = new Set(['STOPPING', 'SUSPENDING', 'SUSPENDED', 'TERMINATED']);

interface GceClients {
  instances: InstancesClient;
  operations: ZoneOperationsClient;
}

const TOKEN_LIFETIME_MS = 50 * 60_000;

/**
 * The GCP credentials secret holds a service-account key (`"type": "service_account"`) or, for
 * short-lived use such as the local control plane, `{ "access_token": "..." }`. Service-account
 * tokens are minted here and the clients rebuilt before the token expires.
 */
async function accessToken(config: ShepherdConfig): Promise<string> {
  const gcp = config.providers.gcp!;
  const creds = await getJsonSecret<Record<string, string>>(gcp.credentialsSecretArn, []);
  if (creds.access_token) return creds.access_token;
  if (!creds.client_email || !creds.private_key) {
    throw new ProviderRequestError(
      `secret ${gcp.credentialsSecretArn} is neither a service-account key (client_email, private_key) nor an object with "access_token"`,
    );
  }
  const jwt = new JWT({ email: creds.client_email, key: creds.private_key, scopes: ['https://www.googleapis.com/auth/compute'] });
  const { token } = await jwt.getAccessToken();
  if (!token) throw new TransientError('could not mint a GCP access token from the service-account key');
  return token;
}

async function clientsFrom(config: ShepherdConfig): Promise<GceClients> {
  const opts = gceClientOptions(process.env.SHEPHERD_GCE_ENDPOINT ?? 'https://compute.googleapis.com', await accessToken(config));
  return { instances: new InstancesClient(opts), operations: new ZoneOperationsClient(opts) };
}

export class GceProvider implements CloudProvider {
  private clients?: Promise<GceClients>;
  private clientsAt = 0;

  constructor(
    private readonly config: ShepherdConfig,
    clients?: GceClients,
    private readonly throttleRetry: ThrottleRetry = DEFAULT_THROTTLE_RETRY,
  ) {
    if (!config.providers.gcp) throw new ProviderRequestError('providers.gcp is missing from the config');
    if (clients) {
      this.clients = Promise.resolve(clients);
      this.clientsAt = Number.POSITIVE_INFINITY;
    }
  }

  private get api(): Promise<GceClients> {
    if (!this.clients || Date.now() - this.clientsAt > TOKEN_LIFETIME_MS) {
      this.clientsAt = Date.now();
      this.clients = clientsFrom(this.config);
    }
    return this.clients;
  }

  async launch(spec: LaunchSpec): Promise<VmRef> {
    const gcp = this.config.providers.gcp!;
    const { pool, offering, claimId } = spec;
    const image = gcp.images[pool.arch];
    if (!image) throw new ProviderRequestError(`providers.gcp.images has no ${pool.arch} image for pool ${pool.name}`);
    const token = launchToken(claimId, spec.owner, offering);
    const name = instanceName(pool.name, token);
    const { instances, operations } = await this.api;
    const inserted = await this.call(() =>
      instances.insert({
        project: gcp.project,
        zone: offering.zone,
        // Same claim + offering = same requestId: GCE runs the insert at most once.
        requestId: requestIdOf(token),
        instanceResource: {
          name,
          machineType: `zones/${offering.zone}/machineTypes/${offering.type}`,
          disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: image } }],
          networkInterfaces: [{ network: gcp.network, accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] }],
          metadata: spec.userData ? { items: [{ key: 'startup-script', value: spec.userData }] } : undefined,
          labels: { [LABEL_CLUSTER]: spec.clusterName, [LABEL_POOL]: pool.name, [LABEL_CLAIM]: claimId },
          ...(pool.spot ? { scheduling: { provisioningModel: 'SPOT', instanceTerminationAction: 'DELETE' } } : {}),
        },
      }),
    ).catch(async (err) => {
      // A retry after a crash: the instance exists already (GCE names are unique per zone and claim).
      if (/already exists/i.test((err as Error).message)) return undefined;
      throw err;
    });
    const op = inserted?.[0];
    // insert resolves to [{ latestResponse: Operation }]; the wrapper's own `name` is not the operation's name.
    const opName = (op as { latestResponse?: { name?: string } } | undefined)?.latestResponse?.name ?? (op as { name?: string } | undefined)?.name;
    if (opName) await this.waitDone(operations, gcp.project, offering.zone, opName, name);
    return this.get(gcp.project, offering.zone, name, pool);
  }

  async findByClaim(claimId: string, pool: PoolConfig): Promise<VmRef[]> {
    const gcp = this.config.providers.gcp!;
    const { instances } = await this.api;
    const refs: VmRef[] = [];
    for (const zone of pool.zones ?? gcp.zones) {
      const [list] = await this.call(() =>
        instances.list(
          { project: gcp.project, zone, filter: `(labels.${LABEL_CLUSTER} = "${this.config.cluster.name}") (labels.${LABEL_CLAIM} = "${claimId}")` },
          { autoPaginate: true },
        ),
      );
      for (const i of list ?? []) if (i.name && i.status !== 'TERMINATED') refs.push(this.toRef(gcp.project, zone, i as GceInstance, pool));
    }
    return refs;
  }

  /** One zone per page: the cluster's VMs there (GCE pages within the zone are followed). */
  async listOwned(pageToken?: string): Promise<Page<VmRef>> {
    const gcp = this.config.providers.gcp!;
    const index = pageToken ? Number(pageToken) : 0;
    const zone = gcp.zones[index];
    if (zone === undefined) return { items: [] };
    const { instances } = await this.api;
    const [list] = await this.call(() =>
      instances.list({ project: gcp.project, zone, filter: `labels.${LABEL_CLUSTER} = "${this.config.cluster.name}"` }, { autoPaginate: true }),
    );
    const items = (list ?? []).filter((i) => i.name).map((i) => this.toRef(gcp.project, zone, i as GceInstance));
    return { items, ...(index + 1 < gcp.zones.length ? { next: String(index + 1) } : {}) };
  }

  /** GCE reads are consistent once the insert operation is DONE: a 404 means the VM is gone. */
  async describe(vm: VmRef): Promise<VmState> {
    const gcp = this.config.providers.gcp!;
    const { instances } = await this.api;
    try {
      const [i] = await this.call(() => instances.get({ project: gcp.project, zone: vm.zone, instance: vm.name }));
      if (i.status && STOPPED_STATUSES.has(i.status)) return 'stopping';
      return i.status ? 'running' : 'unknown';
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      throw err;
    }
  }

  async terminate(vm: VmRef): Promise<TerminateOutcome> {
    const gcp = this.config.providers.gcp!;
    const { instances } = await this.api;
    try {
      await this.call(() => instances.delete({ project: gcp.project, zone: vm.zone, instance: vm.name }));
      return 'terminated';
    } catch (err) {
      // GCE forgets a deleted instance at once: 404 means someone (or an earlier attempt) deleted it.
      if (isNotFound(err)) return 'already-gone';
      throw err;
    }
  }

  /**
   * Preemptions of the cluster's spot VMs: GCE records each as a `compute.instances.preempted` zone operation
   * (https://cloud.google.com/compute/docs/instances/create-use-preemptible#detecting_if_an_instance_was_preempted).
   * The VM may be deleted already, so its labels cannot be read: it is ours when its name has a configured pool's prefix.
   */
  async interruptions(): Promise<Interruption[]> {
    const gcp = this.config.providers.gcp!;
    const prefixes = this.config.pools.filter((p) => p.provider === 'gcp').map((p) => `${p.name}-`);
    const { operations } = await this.api;
    const found: Interruption[] = [];
    for (const zone of gcp.zones) {
      const [ops] = await this.call(() => operations.list({ project: gcp.project, zone, filter: `operationType = "${PREEMPTED}"` }, { autoPaginate: true }));
      for (const op of ops ?? []) {
        const name =
          String(op.targetLink ?? '')
            .split('/')
            .pop() ?? '';
        if (!op.name || !prefixes.some((p) => name.startsWith(p))) continue;
        found.push({
          vmId: String(op.targetId ?? name),
          kind: 'preempted',
          noticeId: op.name,
          ...(op.insertTime ? { at: op.insertTime } : {}),
          description: `${PREEMPTED}: ${name} in ${zone}${op.statusMessage ? ` (${op.statusMessage})` : ''}`,
        });
      }
    }
    return found;
  }

  /**
   * Drops the startup-script (the join script, with the Kosmos secret key) from the instance metadata once the Node
   * has joined: instances.setMetadata with the current fingerprint, re-read and retried if the metadata changed in
   * between. A VM already gone has nothing left to remove.
   */
  async removeJoinSecrets(vm: VmRef): Promise<{ removed: string[] }> {
    const gcp = this.config.providers.gcp!;
    const { instances, operations } = await this.api;
    const where = { project: gcp.project, zone: vm.zone, instance: vm.name };
    for (let attempt = 1; attempt <= 3; attempt++) {
      let metadata: { fingerprint?: string | null; items?: Array<{ key?: string | null; value?: string | null }> | null } | null | undefined;
      try {
        [{ metadata }] = await this.call(() => instances.get(where));
      } catch (err) {
        if (isNotFound(err)) return { removed: [] };
        throw err;
      }
      const items = metadata?.items ?? [];
      const removed = items.filter((i) => JOIN_SECRET_KEYS.has(i.key ?? '')).map((i) => i.key as string);
      if (removed.length === 0) return { removed };
      try {
        const [lro] = await this.call(() =>
          instances.setMetadata({
            ...where,
            metadataResource: { fingerprint: metadata?.fingerprint, items: items.filter((i) => !JOIN_SECRET_KEYS.has(i.key ?? '')) },
          }),
        );
        const opName = (lro as { latestResponse?: { name?: string } }).latestResponse?.name;
        if (opName) await this.waitDone(operations, gcp.project, vm.zone, opName, vm.name);
        return { removed };
      } catch (err) {
        // 412 conditionNotMet: the metadata changed since it was read; read it again.
        if (!/fingerprint/i.test((err as Error).message)) throw err;
      }
    }
    throw new TransientError(`GCE: the metadata of ${vm.name} kept changing; its join secrets are not removed yet`);
  }

  private async get(project: string, zone: string, name: string, pool: PoolConfig): Promise<VmRef> {
    const { instances } = await this.api;
    const [i] = await this.call(() => instances.get({ project, zone, instance: name }));
    return this.toRef(project, zone, i as GceInstance, pool);
  }

  private async waitDone(operations: ZoneOperationsClient, project: string, zone: string, operation: string, name: string): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const [op] = await this.call(() => operations.wait({ project, zone, operation }));
      if (op.status !== 'DONE') continue;
      const first = op.error?.errors?.[0];
      if (!first) return;
      const msg = `GCE ${first.code}: ${first.message ?? ''} (instance ${name} in ${zone})`;
      if (CAPACITY.has(first.code ?? '')) throw new InsufficientCapacityError(msg);
      throw new ProviderRequestError(msg);
    }
    throw new TransientError(`GCE operation ${operation} for ${name} did not finish`);
  }

  private toRef(project: string, zone: string, i: GceInstance, pool?: PoolConfig): VmRef {
    const type =
      String(i.machineType ?? '')
        .split('/')
        .pop() ?? '';
    return {
      provider: 'gcp',
      id: String(i.id ?? ''),
      name: i.name ?? '',
      zone,
      region: zone.replace(/-[a-z]$/, ''),
      type: type || (pool?.instanceTypes[0] ?? ''),
      privateIp: i.networkInterfaces?.[0]?.networkIP ?? undefined,
      providerID: `gce://${project}/${zone}/${i.name}`,
      ...(i.creationTimestamp ? { launchedAt: new Date(i.creationTimestamp).toISOString() } : {}),
    };
  }

  /**
   * Runs one API call; a rate limit is retried here a few times with exponential backoff and full jitter, then
   * surfaces as ThrottledError so the workflow retries it later (GCE refills rate quotas every minute:
   * https://cloud.google.com/compute/api-quota).
   */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const classified = classifyGceError(err);
        if (!(classified instanceof ThrottledError) || attempt >= this.throttleRetry.attempts) throw classified;
        await this.throttleRetry.sleep(Math.random() * this.throttleRetry.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }
}

/** How often a throttled call is tried before the workflow's own retry takes over, and how it waits in between. */
export interface ThrottleRetry {
  attempts: number;
  baseDelayMs: number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_THROTTLE_RETRY: ThrottleRetry = { attempts: 3, baseDelayMs: 1_000, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** A rate limit: GCE's 403 rateLimitExceeded (gRPC 7 with the quota message) or a front end's 429 (gRPC 8). */
const RATE_LIMITED = /rateLimitExceeded|RATE_LIMIT_EXCEEDED|Rate Limit Exceeded|Quota exceeded for quota metric|RESOURCE_EXHAUSTED|Too Many Requests/i;
/** What GCE answers for a machine type the zone does not offer (the same as for one that does not exist). */
const NOT_OFFERED = /Machine type with name '([^']+)' does not exist in zone '([^']+)'/;

/** Maps a compute client error onto the workflow's error names (runtime/errors.ts). */
export function classifyGceError(err: unknown): Error {
  if (err instanceof InsufficientCapacityError || err instanceof ProviderRequestError || err instanceof TransientError || err instanceof ThrottledError) {
    return err;
  }
  const e = err as { code?: number | string; message?: string; reason?: string };
  const msg = `GCE: ${e.message ?? String(err)}`;
  if (e.code === 429 || e.code === 8 || RATE_LIMITED.test(msg) || (e.reason && RATE_LIMITED.test(e.reason))) return new ThrottledError(msg);
  const notOffered = NOT_OFFERED.exec(msg);
  // Definite: nothing was created, and the same type will not appear in that zone on a retry; try the next offering.
  if (notOffered) return new InsufficientCapacityError(`GCE does not offer machine type ${notOffered[1]} in zone ${notOffered[2]} (${msg})`);
  if (typeof e.code === 'number' && (e.code >= 500 || [2, 4, 14].includes(e.code))) return new TransientError(msg);
  if (/ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket hang up/i.test(msg)) return new TransientError(msg);
  return new ProviderRequestError(msg);
}

function isNotFound(err: unknown): boolean {
  return /not found|404/i.test((err as Error).message);
}

interface GceInstance {
  id?: string | number | null;
  name?: string | null;
  machineType?: string | null;
  status?: string | null;
  networkInterfaces?: Array<{ networkIP?: string | null }> | null;
  creationTimestamp?: string | null;
}

/** GCE names: lowercase, start with a letter, at most 63 characters; one per launch attempt. */
export function instanceName(pool: string, token: string): string {
  return `${pool}-${createHash('sha256').update(token).digest('hex').slice(0, 10)}`.toLowerCase().slice(0, 63);
}

/** A UUID derived from the launch attempt's token (GCE requires requestId to be a UUID). */
export function requestIdOf(token: string): string {
  const h = createHash('sha256').update(token).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
