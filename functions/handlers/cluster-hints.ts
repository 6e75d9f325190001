import { randomUUID } from 'node:crypto';
import { KubeClusterReader } from '../adapters/kube/cluster-reader.js';
import { WatcherStarter } from '../adapters/lambda/watcher-starter.js';
import { SqsTickQueue } from '../adapters/queue/sqs-tick-queue.js';
import { runChainEvent } from '../adapters/queue/tick-event.js';
import { DynamoCheckChainStore } from '../adapters/store/check-chain.js';
import { DynamoWatcherSnapshotStore } from '../adapters/store/watcher-snapshot.js';
import type { WatcherPolicy } from '../decisions/watcher/types.js';
import type { ChainDeps } from '../dns-checks/chain.js';
import { TICK_QUEUE_URL_ENV } from '../dns-checks/constants.js';
import { RecentTicks } from '../dns-checks/recent-ticks.js';
import { config } from '../runtime/config.js';
import { requiredEnv } from '../runtime/env.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';
import { HINT_CHAIN_PARTITION, WATCHER_FUNCTION_ENV } from '../watcher/constants.js';
import { type HintDeps, runHintRound } from '../watcher/hints.js';

let chainDeps: ChainDeps | undefined;
let reader: KubeClusterReader | undefined;

/** Built once per execution environment; the kubeconfig is read on the first round (not at init). */
function dependencies(): ChainDeps {
  if (chainDeps) return chainDeps;
  const cfg = config();
  const table = requiredEnv('TABLE_NAME');
  const arn = cfg.cluster.kubeconfigSecretArn;
  const cluster = async () => {
    reader ??= KubeClusterReader.fromKubeconfig(await getSecret(arn), arn);
    return reader;
  };
  const watcher = new WatcherStarter(requiredEnv(WATCHER_FUNCTION_ENV));
  const hints: HintDeps = {
    cluster: { nodes: async () => (await cluster()).nodes(), unschedulablePods: async (n) => (await cluster()).unschedulablePods(n) },
    snapshots: new DynamoWatcherSnapshotStore(table),
    startPass: (event) => watcher.start(event),
  };
  const policy: WatcherPolicy = {
    cluster: cfg.cluster.name,
    registrationTimeoutSeconds: cfg.provisioning.registrationTimeoutSeconds,
    degradedPercent: cfg.watcher.degradedPercent,
    degradedMinNodes: cfg.watcher.degradedMinNodes,
    podSampleSize: cfg.watcher.podSampleSize,
  };
  chainDeps = {
    chain: new DynamoCheckChainStore(table, undefined, HINT_CHAIN_PARTITION),
    queue: SqsTickQueue.fromEnv(requiredEnv(TICK_QUEUE_URL_ENV)),
    intervalSeconds: cfg.watcher.hintSeconds,
    newGeneration: () => randomUUID(),
    now: () => new Date(),
    round: async () => {
      const summary = await runHintRound(hints, policy, new Date().toISOString());
      log(summary.verdict.pass ? 'info' : 'debug', summary.verdict.pass ? 'watcher pass started' : 'hint round', { ...summary });
    },
    log,
    recent: new RecentTicks(),
  };
  return chainDeps;
}

/**
 * The cluster hints (issue 11; deployed only with buffer pools): every `watcher.hintSeconds` on the tick chain the DNS
 * checks use (an SQS event), a round that starts a watcher pass at once when a Node went NotReady or pods went
 * unschedulable since its last pass; from its once-a-minute schedule (any other event), the chain's keep-alive.
 */
export const handler = withExecutionContext(async (event: unknown) => {
  const outcome = await runChainEvent(dependencies(), event);
  if ('keepAlive' in outcome) log('info', 'keep-alive', { ...outcome.keepAlive });
  return outcome;
});
