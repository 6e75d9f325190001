import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../functions/decisions/watcher/event-types.js';
import type { ShepherdLocal } from '../../local/shepherd-local.js';
import type { KubeObject } from '../../sim/world/types.js';

/**
 * The test config with buffer pools: Scaleway's pool first (Scaleway's advice for Kosmos: a pool at min 0 that
 * absorbs the work), then GCE's. Allocatable is what the simulated kubelet reports for their instance types.
 */
export function bufferConfig(overrides: Record<string, unknown> = {}): ShepherdConfig {
  const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
  raw.buffers = {
    pools: [
      { pool: 'scw-buffer', allocatable: { cpu: '2900m', memory: '3840Mi' }, hourlyCost: 0.04 },
      { pool: 'gcp-amd64', allocatable: { cpu: '1900m', memory: '7936Mi' }, hourlyCost: 0.08 },
    ],
    maxHourlyCost: 1,
    ...overrides,
  };
  return parseConfig(raw, 'scale-buffer test config');
}

/** Removes the sample workload the local world starts with (2 small pods of `web`), so each test's pods are all that is pending. */
export function withoutSampleWorkload(local: ShepherdLocal): void {
  const { kube } = local.sim.world;
  kube.remove('replicasets', 'default', 'web');
  for (const pod of kube.list('pods', { labelSelector: 'app=web' })) kube.remove('pods', pod.metadata.namespace, pod.metadata.name);
}

export const podsOf = (local: ShepherdLocal, app: string): KubeObject[] => local.sim.world.kube.list('pods', { labelSelector: `app=${app}` });

export const unschedulable = (pod: KubeObject) =>
  (pod.status as { conditions?: { type: string; reason?: string }[] } | undefined)?.conditions?.some(
    (c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable',
  ) === true;

export const poolNodes = (local: ShepherdLocal, pool: string) => local.sim.world.kube.list('nodes', { labelSelector: `shepherd.io/pool=${pool}` });

export const ready = (n: KubeObject) =>
  (n.status as { conditions?: { type: string; status: string }[] })?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

/** The watcher's event as the EventBridge rule delivers it to the intake, which passes it on as ScaleBuffer's input. */
export function watcherEvent(
  kind: 'podsUnschedulable' | 'providerDegraded' | 'providerRecovered',
  transitionId: string,
  observedAt: string,
  detail: Record<string, unknown> = {},
) {
  return {
    version: '0',
    id: `event-${transitionId}`,
    source: WATCHER_SOURCE,
    'detail-type': WATCHER_DETAIL_TYPES[kind],
    time: observedAt,
    detail: { transitionId, cluster: 'kosmos-demo', observedAt, ...detail },
  };
}

/** The audit entries of the table with this event name, oldest first. */
export async function auditEntries(local: ShepherdLocal, event: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const out = await doc.send(
    new ScanCommand({
      TableName: local.tableName,
      FilterExpression: 'begins_with(pk, :a) AND #e = :e',
      ExpressionAttributeNames: { '#e': 'event' },
      ExpressionAttributeValues: { ':a': 'AUDIT#', ':e': event },
    }),
  );
  return (out.Items ?? []).sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}
