import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ShepherdConfig } from '../../config/types.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import { type LocalControlPlane, startLocalControlPlane } from '../../local/control-plane.js';
import { lambdaEnvironment } from '../../local/lambda/lambda-runner.js';
import { prepareWorld, simulatorEnv } from '../../local/shepherd-world.js';
import type { TableSpec } from '../../local/types.js';
import { startSim } from '../../sim/index.js';
import { type CountingProxy, startCountingProxy } from './counting-proxy.js';
import type { RecordedExecution, RecordedInvocation, RecordedRuns } from './types.js';

export interface RecordRunsOptions {
  config: ShepherdConfig;
  /** Pools to provision one node in, one execution after the other; default: `defaultPools(config)`. */
  pools?: string[];
  /** A synthesized cdk.out with bundled functions; default: synthesized (and cached) from the config. */
  cdkOut?: string;
  seed?: number;
}

/** The AWS services whose calls are billed per request, by the variable that points the SDK at them. */
const COUNTED_SERVICES = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_EVENTBRIDGE', 'AWS_ENDPOINT_URL_SSM'];

/** The first pool of each provider whose machines shepherd can create (join method other than `none`). */
export function defaultPools(config: ShepherdConfig): string[] {
  const seen = new Set<string>();
  return config.pools.filter((p) => p.join.method !== 'none' && !seen.has(p.provider) && seen.add(p.provider)).map((p) => p.name);
}

/**
 * Runs ProvisionNode (count 1) for each pool in the local control plane against the simulated clouds, one
 * execution at a time, and records what each used: its history (state transitions), every Lambda invocation
 * with its event and wall time, the calls to per-request-billed AWS services, and the bytes logged. The
 * simulator and control plane stay up until `stop()`, so recorded events can be replayed against them.
 */
export async function recordProvisionRuns(options: RecordRunsOptions): Promise<RecordedRuns> {
  const { config } = options;
  const seed = options.seed ?? 1;
  const cdkOut = options.cdkOut ?? (await synthesizeStack(config));
  const proxies = new Map<string, CountingProxy>();
  for (const key of COUNTED_SERVICES) proxies.set(key, await startCountingProxy());
  const sim = await startSim({
    seed,
    clock: { mode: 'virtual' },
    world: { clusterName: config.cluster.name, scalewayClusterId: config.providers.scaleway?.clusterId },
  });
  let logBytes = 0;
  const extraEnv = { ...simulatorEnv(sim), ...Object.fromEntries([...proxies].map(([key, p]) => [key, p.url])) };
  let controlPlane: LocalControlPlane | undefined;
  const stop = async () => {
    await controlPlane?.stop();
    await sim.stop();
    for (const p of proxies.values()) await p.close();
  };
  try {
    controlPlane = await startLocalControlPlane({
      cdkOut,
      clock: sim.clock,
      region: config.providers.aws?.region ?? sim.credentials.aws.region,
      accountId: sim.credentials.aws.accountId,
      credentials: { accessKeyId: sim.credentials.aws.accessKeyId, secretAccessKey: sim.credentials.aws.secretAccessKey },
      secrets: prepareWorld(sim, config),
      extraEnv,
      seed,
      onLambdaLog: (_fn, line) => {
        logBytes += Buffer.byteLength(line) + 1;
      },
    });
    const cp = controlPlane;
    for (const [key, proxy] of proxies) proxy.target = cp.env[key];
    sim.awsEvents.subscribe((e) => cp.publish(e));
    const invocations = timeInvocations(cp);
    const machine = Object.entries(cp.stateMachines).find(([name]) => /provisionnode/i.test(name.replace(/[-_]/g, '')));
    if (!machine) throw new Error(`no ProvisionNode state machine in ${cdkOut}; have: ${Object.keys(cp.stateMachines).join(', ')}`);

    const executions: RecordedExecution[] = [];
    for (const [i, pool] of (options.pools ?? defaultPools(config)).entries()) {
      invocations.length = 0;
      logBytes = 0;
      for (const p of proxies.values()) p.counts.clear();
      const { executionArn } = cp.startExecution(machine[1], { pool, count: 1, reason: 'measure' }, `measure-${i + 1}-${pool}`);
      const result = await cp.waitForExecution(executionArn);
      executions.push({
        pool,
        status: result.status,
        error: result.error,
        history: cp.stepFunctions.history(executionArn),
        invocations: [...invocations],
        awsCalls: Object.fromEntries([...proxies.values()].flatMap((p) => [...p.counts].map(([op, c]) => [op, { ...c }]))),
        functionLogBytes: logBytes,
      });
    }
    const environment = { ...cp.env, ...extraEnv };
    return {
      executions,
      functions: cp.stack.functions,
      table: await tableSize(cp, cp.stack.tables),
      functionEnv: (fn) => lambdaEnvironment(fn, cp.stack.region, environment),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Records each invocation with its wall time by wrapping the runner's invoke: the state machines and rules call
 * it on this same object. Measurement only; what the call does and returns is unchanged.
 */
function timeInvocations(cp: LocalControlPlane): RecordedInvocation[] {
  const recorded: RecordedInvocation[] = [];
  const runner = cp.lambdas;
  const invoke = runner.invoke.bind(runner);
  const names = new Map(cp.stack.functions.flatMap((f) => [[f.arn, f.name] as const, [f.name, f.name] as const]));
  runner.invoke = async (functionNameOrArn: string, event: unknown) => {
    const start = performance.now();
    let ok = false;
    try {
      const result = await invoke(functionNameOrArn, event);
      ok = true;
      return result;
    } finally {
      const functionName = names.get(functionNameOrArn.replace(/:(\$LATEST|\d+)$/, '')) ?? functionNameOrArn;
      recorded.push({ functionName, event, wallMs: performance.now() - start, ok });
    }
  };
  return recorded;
}

/** Items in the tables and their approximate stored size (the JSON of each item stands in for DynamoDB's item size). */
async function tableSize(cp: LocalControlPlane, tables: TableSpec[]): Promise<{ items: number; bytes: number }> {
  const client = new DynamoDBClient({
    endpoint: cp.endpoints.dynamodb,
    region: cp.stack.region,
    credentials: { accessKeyId: cp.env.AWS_ACCESS_KEY_ID, secretAccessKey: cp.env.AWS_SECRET_ACCESS_KEY },
  });
  const doc = DynamoDBDocumentClient.from(client);
  let items = 0;
  let bytes = 0;
  try {
    for (const table of tables) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: table.name, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) {
          items++;
          bytes += Buffer.byteLength(JSON.stringify(item));
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
  } finally {
    client.destroy();
  }
  return { items, bytes };
}
