import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { healingEventSchemas } from '../../../functions/decisions/healing/heal-event-schemas.js';
import { HEAL_SOURCE } from '../../../functions/decisions/healing/heal-events.js';
import { HealingObserver } from '../../../local/healing-observer.js';
import { type ShepherdLocal, type ShepherdLocalOptions, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { ExecutionView } from '../../../local/stepfunctions/stepfunctions.js';
import type { EventBridgeEvent } from '../../../local/types.js';
import type { KubeObject } from '../../../sim/world/types.js';

/**
 * What the heal scenario files share: the shipped config, one local control plane on the simulated clouds (virtual
 * clock) with what it published and what its heal functions logged as errors, and readers of the simulated world and
 * of the table. Nothing of ours is mocked: scenarios act on the simulated world and read what shepherd did to it.
 */

export function shippedConfig(): ShepherdConfig {
  return parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'test config');
}

export interface Scenario {
  local: ShepherdLocal;
  observer: HealingObserver;
  /** Events put on the project's bus, in order. */
  published: EventBridgeEvent[];
  /** Events put on the default bus (EC2's), in order. */
  awsEvents: EventBridgeEvent[];
  /** ERROR lines the heal functions logged. */
  lambdaErrors: string[];
}

export async function startScenario(config: ShepherdConfig, seed: number, options: Partial<ShepherdLocalOptions> = {}): Promise<Scenario> {
  const lambdaErrors: string[] = [];
  const local = await startShepherdLocal({
    config,
    seed,
    clock: { mode: 'virtual' },
    ...options,
    onLambdaLog: (fn, line) => {
      if (/heal|orphan/.test(fn) && /"level":"ERROR"/.test(line)) lambdaErrors.push(`${fn}: ${line}`);
    },
  });
  const published: EventBridgeEvent[] = [];
  const awsEvents: EventBridgeEvent[] = [];
  const bus = `shepherd-${config.cluster.name}`;
  local.controlPlane.events.onPublish((name, event) => {
    if (name === bus) published.push(event);
    else if (name === 'default') awsEvents.push(event);
  });
  return { local, observer: new HealingObserver(local), published, awsEvents, lambdaErrors };
}

/** Provisions one node of `pool` through ProvisionNode; its Node's name. */
export async function provision(local: ShepherdLocal, pool: string): Promise<string> {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool, count: 1, reason: 'test' });
  const out = await local.controlPlane.waitForExecution(executionArn);
  expect(out.status, out.cause).toBe('SUCCEEDED');
  return (JSON.parse(out.output ?? '{}') as { nodes: { nodeName: string }[] }).nodes[0].nodeName;
}

/** Runs HealNode by hand (as `shepherd start heal-node` does) and waits for it. */
export async function runHeal(local: ShepherdLocal, input: unknown): Promise<ExecutionView & { result: Record<string, unknown> }> {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('healNode'), input);
  const out = await local.controlPlane.waitForExecution(executionArn);
  return { ...out, result: out.output ? JSON.parse(out.output) : {} };
}

/** Every HealNode execution so far, oldest first. */
export function healExecutions(local: ShepherdLocal): ExecutionView[] {
  return local.controlPlane.stepFunctions.listExecutions(local.stateMachineArn('healNode')).sort((a, b) => a.startDate - b.startDate);
}

export function outputOf(e: ExecutionView): Record<string, unknown> {
  return e.output ? (JSON.parse(e.output) as Record<string, unknown>) : {};
}

/** A HealNode (or ProvisionNode) execution's input, as far as the scenarios read it. */
export interface HealInput {
  nodeName?: string;
  reason?: string;
  source?: { kind?: string; id?: string; at?: string };
  [field: string]: unknown;
}

export function inputOf(e: ExecutionView): HealInput {
  return JSON.parse(e.input) as HealInput;
}

/** Every ProvisionNode execution started at or after `since` (the initial ones come before). */
export function provisionsSince(local: ShepherdLocal, since: number): ExecutionView[] {
  return local.controlPlane.stepFunctions.listExecutions(local.stateMachineArn('provisionNode')).filter((e) => e.startDate >= since);
}

/** The audit entries of the table (newest last), optionally only those of one event. */
export async function auditEntries(local: ShepherdLocal, event?: string): Promise<{ event: string; at: string; detail: Record<string, unknown> }[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: local.tableName, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items
    .filter((i) => String(i.pk).startsWith('AUDIT#') && (event === undefined || i.event === event))
    .map((i) => ({ event: String(i.event), at: String(i.at ?? i.sk), detail: (i.detail ?? {}) as Record<string, unknown> }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

/** The heal events on the project's bus, optionally of one detail-type. */
export function healEvents(s: Scenario, detailType?: string): EventBridgeEvent[] {
  return s.published.filter((e) => e.source === HEAL_SOURCE && (detailType === undefined || e['detail-type'] === detailType));
}

export const nodeOf = (local: ShepherdLocal, name: string): KubeObject | undefined => local.sim.world.kube.get('nodes', undefined, name);

export function isReady(n: KubeObject | undefined): boolean {
  return (n?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Like clock.until, for a predicate that reads over the wire. */
export async function untilAsync(local: ShepherdLocal, predicate: () => Promise<boolean>, maxMs: number, what: string): Promise<void> {
  const deadline = local.sim.clock.now() + maxMs;
  while (!(await predicate())) {
    if (local.sim.clock.now() >= deadline) throw new Error(`timed out after ${maxMs} ms (simulated) waiting for ${what}`);
    await local.sim.clock.sleep(2000);
  }
}

/** Simulated seconds from `from` to `to`. */
export const seconds = (from: number, to: number) => (to - from) / 1000;

/** A ReplicaSet of `replicas` pods that run only on `pool`'s nodes; waits until they run on `nodeName`. */
export async function workloadOn(local: ShepherdLocal, name: string, pool: string, nodeName: string, replicas: number): Promise<() => KubeObject[]> {
  const { world } = local.sim;
  world.kube.create('replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { 'shepherd.io/pool': pool },
          containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
        },
      },
    },
  });
  const pods = () => world.kube.list('pods', { labelSelector: `app=${name}` });
  await local.sim.clock.until(
    () => pods().filter((p) => p.spec.nodeName === nodeName && p.status?.phase === 'Running').length === replicas,
    180_000,
    `${replicas} pods of ${name} running on ${nodeName}`,
  );
  return pods;
}

/** Every healing event published so far has a detail-type of the event catalog and a detail its schema accepts. */
export function expectHealEventsMatchCatalog(s: Scenario): void {
  const schemas = new Map(healingEventSchemas().map((e) => [e.detailType, e.schema]));
  const events = healEvents(s);
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) {
    const schema = schemas.get(e['detail-type']);
    expect(schema, `${e['detail-type']} is in docs/events.md`).toBeDefined();
    const parsed = schema!.safeParse(e.detail);
    expect(parsed.success, `${e['detail-type']}: ${parsed.error?.message ?? ''}`).toBe(true);
  }
}
