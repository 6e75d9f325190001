import { randomUUID } from 'node:crypto';
import { BusPublisher } from '../adapters/events/bus-publisher.js';
import { KubeClient } from '../adapters/kube/client.js';
import { KubeDnsNodeReader } from '../adapters/kube/dns-nodes.js';
import { parseKubeconfig } from '../adapters/kube/kubeconfig.js';
import { createTargetProbe } from '../adapters/probe/net-probe.js';
import { SqsTickQueue } from '../adapters/queue/sqs-tick-queue.js';
import { isSqsEvent } from '../adapters/queue/tick-event.js';
import { DynamoCheckChainStore } from '../adapters/store/check-chain.js';
import { DynamoDnsCheckStateStore } from '../adapters/store/dns-check-states.js';
import { type CheckTick, parseTick } from '../decisions/dns/check-ticks.js';
import { DNS_SOURCE, TARGET_HEALTH_CHANGED } from '../decisions/dns/event-types.js';
import { parseRecheck } from '../decisions/dns/recheck.js';
import { poolOfNode } from '../decisions/healing/node-pool.js';
import { type ChainDeps, keepAlive, onTick } from '../dns-checks/chain.js';
import { TICK_QUEUE_URL_ENV } from '../dns-checks/constants.js';
import { RecentTicks } from '../dns-checks/recent-ticks.js';
import { onRecheck, type RecheckDeps, sendRecheck } from '../dns-checks/recheck.js';
import { type RoundDeps, runCheckRound } from '../dns-checks/round.js';
import { config } from '../runtime/config.js';
import { requiredEnv } from '../runtime/env.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';

let chainDeps: ChainDeps | undefined;
let recheckDeps: RecheckDeps | undefined;
let reader: KubeDnsNodeReader | undefined;

/** Built once per execution environment; the kubeconfig is read on the first round (not at init). */
function dependencies(): ChainDeps {
  if (chainDeps) return chainDeps;
  const cfg = config();
  const dns = cfg.dns;
  if (!dns) throw new Error('the config has no dns section: the stack deploys the check runner only with one');
  const table = requiredEnv('TABLE_NAME');
  const arn = cfg.cluster.kubeconfigSecretArn;
  const bus = new BusPublisher(requiredEnv('EVENT_BUS_NAME'), DNS_SOURCE);
  const round: RoundDeps = {
    nodes: async () => {
      reader ??= new KubeDnsNodeReader(new KubeClient(parseKubeconfig(await getSecret(arn), arn)), (labels) => poolOfNode(labels, cfg)?.name);
      return (await reader.nodes()).map((n) => n.view);
    },
    probe: createTargetProbe(),
    // Eventually consistent reads, at half the price: the runner is the only writer of these states and reads them a
    // whole interval (5-60 s) after its last write, far past DynamoDB's usual propagation (about a second, "Read
    // consistency", DynamoDB Developer Guide). A read that is still stale at worst folds one probe onto the state before
    // last: the state lags one interval and the next tick repairs it. DnsFailover reads them strongly consistent.
    states: new DynamoDnsCheckStateStore(table, undefined, undefined, 'eventual'),
    publish: async (changes) => {
      await bus.publish(changes.map((detail) => ({ detailType: TARGET_HEALTH_CHANGED, detail: { ...detail } })));
    },
    now: () => new Date(),
    fastIntervalSeconds: dns.fastCheckIntervalSeconds,
  };
  const chain = new DynamoCheckChainStore(table);
  const queue = SqsTickQueue.fromEnv(requiredEnv(TICK_QUEUE_URL_ENV));
  recheckDeps = {
    chain,
    queue,
    // Strongly consistent: a re-check reads a state written a few seconds before, and writes on its checkedAt.
    states: new DynamoDnsCheckStateStore(table),
    probe: round.probe,
    publish: round.publish,
    now: round.now,
    fastIntervalSeconds: dns.fastCheckIntervalSeconds,
    log,
  };
  chainDeps = {
    chain,
    queue,
    intervalSeconds: dns.checkIntervalSeconds,
    newGeneration: () => randomUUID(),
    now: () => new Date(),
    round: async (tick: CheckTick) => {
      const summary = await runCheckRound(round, dns.entrypoints);
      const sent = await Promise.all(summary.rechecks.map((due) => sendRecheck({ queue, log }, tick.generation, due)));
      // A target turning unhealthy is worth a warning; one coming back, or a quiet round, is routine.
      log(summary.changes.some((c) => !c.healthy) ? 'warn' : 'info', 'check round', {
        entrypoints: summary.entrypoints,
        probed: summary.probed,
        failed: summary.failed,
        written: summary.written,
        changes: summary.changes.map((c) => `${c.entrypoint} ${c.address} ${c.healthy ? 'healthy' : 'unhealthy'}`),
        ...(summary.rechecks.length > 0
          ? { rechecks: summary.rechecks.map((r) => `${r.entrypoint} ${r.targets.map((t) => t.address).join(' ')}`), rechecksSent: sent.filter(Boolean).length }
          : {}),
      });
    },
    log,
    recent: new RecentTicks(),
  };
  return chainDeps;
}

/**
 * The DNS check runner. From the tick queue (an SQS event): runs each tick of the chain (chain.ts, onTick), and each
 * fast re-check of the targets on their way down (recheck.ts, onRecheck). From its schedule (any other event): the
 * keep-alive, which restarts a chain that went quiet. A round that throws fails the invocation (the function's error
 * alarm sees it); the event source mapping's retry of a lead is then dropped as already run, and the chain goes on with
 * the batch already sent (a retried non-lead tick runs its round again, unless it comes back to the environment that
 * failed it).
 */
export const handler = withExecutionContext(async (event: unknown) => {
  const deps = dependencies();
  if (!isSqsEvent(event)) {
    const outcome = await keepAlive(deps);
    log('info', 'keep-alive', { ...outcome });
    return outcome;
  }
  const outcomes = [];
  const rechecks = [];
  for (const record of event.Records) {
    const recheck = parseRecheck(record.body);
    if (recheck) {
      const outcome = await onRecheck(recheckDeps!, recheck, config().dns?.entrypoints ?? []);
      if (outcome.ran)
        log(outcome.changes.some((c) => !c.healthy) ? 'warn' : 'info', 're-check', {
          ...outcome,
          changes: outcome.changes.map((c) => `${c.entrypoint} ${c.address} ${c.healthy ? 'healthy' : 'unhealthy'}`),
        });
      rechecks.push(outcome);
      continue;
    }
    const tick = parseTick(record.body);
    if (!tick) {
      log('warn', 'message is neither a tick nor a re-check; dropped', { messageId: record.messageId });
      continue;
    }
    outcomes.push(await onTick(deps, tick));
  }
  return { ticks: outcomes, ...(rechecks.length > 0 ? { rechecks } : {}) };
});
