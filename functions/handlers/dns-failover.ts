import { cloudflareDns } from '../adapters/dns/cloudflare.js';
import { BusPublisher } from '../adapters/events/bus-publisher.js';
import { KubeDnsNodeReader } from '../adapters/kube/dns-nodes.js';
import { DynamoClaimStore } from '../adapters/store/claims.js';
import { DynamoDnsAlertStore } from '../adapters/store/dns-alerts.js';
import { DynamoDnsAnnouncementStore } from '../adapters/store/dns-announcements.js';
import { DynamoDnsCheckStateStore } from '../adapters/store/dns-check-states.js';
import { DynamoNodeLeaseStore } from '../adapters/store/node-lease.js';
import { DNS_SOURCE } from '../decisions/dns/failover-events.js';
import { healsInProgress } from '../decisions/dns/heal-gate.js';
import { type DnsRunPlan, planDnsRun } from '../decisions/dns/run-input.js';
import { poolOfNode } from '../decisions/healing/node-pool.js';
import { ANNOUNCEMENT_SECONDS, type DnsFailoverDeps, type DnsPassResult, reconcilePass } from '../dns/failover.js';
import { DNS_LEASE_SECONDS, dnsLeaseName } from '../dns/lease.js';
import { config } from '../runtime/config.js';
import { requiredEnv } from '../runtime/env.js';
import { executionOf, withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';

export type DnsFailoverEvent =
  /** The execution's input (a person's, or the EventBridge event a rule delivered) -> the run's plan. */
  | { action: 'validate'; input: unknown }
  /** One pass over `entrypoints` (the plan's, or those still pending after a wait). */
  | { action: 'reconcile'; plan: DnsRunPlan; entrypoints: string[] }
  /** The periodic reconcile's schedule (an EventBridge Scheduled Event): one pass over every entrypoint. */
  | { action?: undefined; id?: string; 'detail-type'?: string };

/** The Cloudflare API's origin (a simulator's in the local control plane; the SDK's paths start at /client/v4); absent: Cloudflare's. */
const CLOUDFLARE_URL_ENV = 'SHEPHERD_CLOUDFLARE_API_URL';

let clients: { nodes: KubeDnsNodeReader; dns: ReturnType<typeof cloudflareDns> } | undefined;

/** The kube and Cloudflare clients, built on first use and kept while warm. The token stays inside the SDK client. */
async function external() {
  if (clients) return clients;
  const cfg = config();
  if (!cfg.dns) throw new Error('the config has no dns section: the stack creates this function only with one');
  const kubeArn = cfg.cluster.kubeconfigSecretArn;
  const baseURL = process.env[CLOUDFLARE_URL_ENV];
  clients = {
    nodes: KubeDnsNodeReader.fromKubeconfig(await getSecret(kubeArn), kubeArn, (labels) => poolOfNode(labels, cfg)?.name),
    dns: cloudflareDns({
      apiToken: await getSecret(cfg.dns.cloudflare.apiTokenSecretArn),
      ...(baseURL ? { baseURL: `${baseURL.replace(/\/$/, '')}/client/v4` } : {}),
    }),
  };
  return clients;
}

function deps(execution: string, ext: NonNullable<typeof clients>): DnsFailoverDeps {
  const table = requiredEnv('TABLE_NAME');
  const leases = new DynamoNodeLeaseStore(table);
  const claims = new DynamoClaimStore(table);
  const bus = new BusPublisher(requiredEnv('EVENT_BUS_NAME'), DNS_SOURCE);
  const remembered = new DynamoDnsAnnouncementStore(table);
  return {
    cluster: config().cluster.name,
    nodes: () => ext.nodes.nodes(),
    async healsInProgress(nodes) {
      const leased = new Map(await Promise.all(nodes.map(async (n) => [n.name, await leases.get(n.name)] as const)));
      return healsInProgress(nodes, (name) => leased.get(name), Math.floor(Date.now() / 1000));
    },
    instanceOfClaim: async (claimId) => (await claims.get(claimId))?.vm?.id,
    rememberedAnnouncements: () => remembered.current(),
    rememberAnnouncements: (announced) => remembered.remember(announced, ANNOUNCEMENT_SECONDS),
    checkStates: (entrypoint) => new DynamoDnsCheckStateStore(table).list(entrypoint),
    dns: ext.dns,
    async takeLease(entrypoint) {
      const got = await leases.acquire(dnsLeaseName(entrypoint), execution, DNS_LEASE_SECONDS);
      return got.acquired ? { taken: true } : { taken: false, holder: got.holder };
    },
    async releaseLease(entrypoint) {
      await leases.release(dnsLeaseName(entrypoint), execution);
    },
    alerts: new DynamoDnsAlertStore(table),
    now: () => new Date(),
    audit: (event, detail) => claims.audit(event, detail),
    async publish(events) {
      await bus.publish(events);
    },
    log,
  };
}

/** DnsFailover's steps: validate the input into a plan; one pass over the entrypoints (functions/dns/failover.ts). */
export const handler = withExecutionContext(async (event: DnsFailoverEvent): Promise<DnsRunPlan | DnsPassResult> => {
  const cfg = config();
  const entrypoints = cfg.dns?.entrypoints ?? [];
  if (event.action === 'validate')
    return planDnsRun(
      event.input,
      entrypoints.map((e) => e.name),
    );
  if (event.action === 'reconcile') {
    const execution = executionOf(event) ?? 'unknown-execution';
    const ext = await external();
    return reconcilePass({ ...event.plan, entrypoints: event.entrypoints }, entrypoints, deps(execution, ext));
  }
  if (event.action === undefined) {
    // A throttled or busy entrypoint is left to the next reconcile, minutes away: no Lambda sleeps here.
    const plan = planDnsRun(
      { reason: 'periodic reconcile' },
      entrypoints.map((e) => e.name),
    );
    const result = await reconcilePass(plan, entrypoints, deps(`reconcile:${event.id ?? 'scheduled'}`, await external()));
    log('info', 'periodic reconcile done', { outcomes: result.outcomes, pending: result.pending });
    return result;
  }
  throw new Error(`unknown action ${(event as { action: string }).action}`);
});
