import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { ShepherdConfig } from '../../config/types.js';
import type { ShepherdLocal } from '../../local/shepherd-local.js';
import type { World } from '../../sim/index.js';
import type { KubeObject, Taint, Vm } from '../../sim/world/types.js';
import type { ObservedClaim, ObservedNode, ObservedPool, ObservedVm } from './types.js';

/** The keys each cloud's VMs carry shepherd's pool and claim under (EC2 tags, GCE labels), and the Node label. */
const POOL_KEYS = ['shepherd:pool', 'shepherd-pool'];
const CLAIM_KEYS = ['shepherd:claim', 'shepherd-claim'];
const NODE_CLAIM_LABEL = 'shepherd.io/claim';

/** Taints the node-lifecycle controller puts on and takes off by itself (not-ready, unreachable, ...). */
const LIFECYCLE_TAINT = /^node\.(kubernetes\.io|cloudprovider\.kubernetes\.io)\//;

const GONE = new Set(['terminated', 'shutting-down']);

/** Every Node as the invariants compare it. */
export function observeNodes(world: World): ObservedNode[] {
  return world.kube.list('nodes').map((n) => observeNode(world, n));
}

function observeNode(world: World, n: KubeObject): ObservedNode {
  const vm = world.vmOfNode(n.metadata.name);
  return {
    name: n.metadata.name,
    labels: { ...n.metadata.labels },
    taints: ((n.spec?.taints ?? []) as Taint[]).filter((t) => !LIFECYCLE_TAINT.test(t.key)).map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`),
    unschedulable: Boolean(n.spec?.unschedulable),
    providerID: n.spec?.providerID || undefined,
    vmLive: vm !== undefined && !GONE.has(vm.state),
  };
}

/** The VMs shepherd may have created: every cloud VM but the ones that existed before the run. */
export function observeVms(world: World, config: ShepherdConfig, preexisting: ReadonlySet<string>): ObservedVm[] {
  const poolOfScalewayPool = new Map(config.pools.flatMap((p) => ('poolId' in p.join ? [[p.join.poolId, p.name] as const] : [])));
  return world
    .listVms()
    .filter((v) => v.provider !== 'home' && !preexisting.has(v.id))
    .map((v: Vm) => {
      const node = v.nodeName ? world.kube.get('nodes', undefined, v.nodeName) : undefined;
      return {
        id: v.id,
        provider: v.provider,
        pool: firstTag(v, POOL_KEYS) ?? (v.poolId ? poolOfScalewayPool.get(v.poolId) : undefined),
        claimId: firstTag(v, CLAIM_KEYS) ?? node?.metadata.labels?.[NODE_CLAIM_LABEL],
        live: !GONE.has(v.state),
        hasNode: node !== undefined,
      };
    });
}

function firstTag(vm: Vm, keys: string[]): string | undefined {
  for (const k of keys) if (vm.tags[k]) return vm.tags[k];
  return undefined;
}

/** The claim records and pool counters, read with the AWS SDK from the local DynamoDB, as an operator would. */
export async function readClaimsTable(local: ShepherdLocal): Promise<{ claims: ObservedClaim[]; counters: ObservedPool[] }> {
  const client = new DynamoDBClient({
    endpoint: local.controlPlane.endpoints.dynamodb,
    region: local.controlPlane.stack.region,
    credentials: local.sim.credentials.aws,
  });
  const claims: ObservedClaim[] = [];
  const counters: ObservedPool[] = [];
  try {
    // Held so that virtual time stands still while the table is read.
    await local.sim.clock.during(async () => {
      for await (const page of paginateScan({ client: DynamoDBDocumentClient.from(client) }, { TableName: local.tableName, ConsistentRead: true })) {
        for (const item of page.Items ?? []) {
          const pk = String(item.pk);
          if (pk.startsWith('CLAIM#') && item.sk === 'CLAIM') {
            claims.push({
              claimId: String(item.claimId ?? pk.slice('CLAIM#'.length)),
              pool: String(item.pool),
              status: String(item.status),
              owner: item.owner === undefined ? undefined : String(item.owner),
              createdAt: Date.parse(String(item.createdAt)),
              // `expiresAt` is the table's TTL attribute (when the record goes); `claimExpiresAt` when the claim does.
              expiresAt: epochMs(item.claimExpiresAt),
            });
          } else if (pk.startsWith('POOL#') && item.sk === 'STATE') {
            counters.push({ pool: pk.slice('POOL#'.length), active: Number(item.active ?? 0), counted: Object.keys(item.claims ?? {}) });
          }
        }
      }
    });
  } finally {
    client.destroy();
  }
  return { claims, counters };
}

/** An expiry as epoch ms, whichever way it is stored (DynamoDB TTL seconds, ms, or an ISO date). */
export function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value;
  if (typeof value === 'string' && value !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? epochMs(n) : Date.parse(value);
  }
  return undefined;
}
