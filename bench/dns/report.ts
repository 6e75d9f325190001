import type { EntrypointConfig } from '../../config/types.js';
import type { LossFigures } from './scenarios.js';

type ActiveCheck = NonNullable<EntrypointConfig['check']>;

/** The check the bench adds to an entrypoint that has none: HTTPS as a load balancer's health check, 2 s timeout. */
export const BENCH_CHECK: ActiveCheck = { protocol: 'https', port: 443, path: '/healthz', timeoutMs: 2000 };

export function describeCheck(check: ActiveCheck | undefined): string {
  if (!check) return 'none';
  const what = check.protocol === 'tcp' ? `tcp:${check.port}` : `${check.protocol}:${check.port}${check.path}`;
  return `${what} (timeout ${check.timeoutMs} ms)`;
}

/** The issue's goals, in simulated seconds from the loss to the records changed. */
export const GOALS = { announcedS: 5, unannouncedS: 30 };

/**
 * The anchors' modelled figures (FIELD-NOTES, from their documentation), from the same loss to the records changed;
 * resolvers then keep the old answer for the record's TTL in every case.
 * - In-cluster updater pod: the record moves when the pod is rescheduled, after the node is marked unreachable
 *   (node-monitor grace period, 40 s) and the default `tolerationSeconds: 300` eviction; for a spot warning only once
 *   the VM is gone (EC2's 2-minute notice) as nothing in the cluster acts on the warning.
 * - Route 53 health checks: 30 s interval, 3 failures (about 90 s); for a spot warning once the VM is gone.
 */
export const ANCHORS = {
  updaterPod: { unannouncedS: 40 + 300, announcedS: 120 + 40 + 300 },
  route53: { unannouncedS: 3 * 30, announcedS: 120 + 3 * 30 },
};

export interface GoalCheck {
  what: string;
  goalS: number;
  actualS?: number;
  met: boolean;
}

export function goalChecks(figures: readonly LossFigures[]): GoalCheck[] {
  return figures.map((f) => {
    const goalS = f.kind === 'announced' ? GOALS.announcedS : GOALS.unannouncedS;
    const measured = f.publishedAtLoss && f.recordsChangedS !== undefined;
    return {
      what: `${f.what}: loss -> records changed${f.publishedAtLoss ? '' : ' (not measured: the address was not in the records)'}`,
      goalS,
      ...(measured ? { actualS: f.recordsChangedS } : {}),
      met: measured && (f.recordsChangedS ?? Number.POSITIVE_INFINITY) <= goalS,
    };
  });
}

const s = (v: number | undefined) => (v === undefined ? 'never' : `${v.toFixed(1)} s`);

export function formatLoss(f: LossFigures): string[] {
  const anchors = f.kind === 'announced' ? 'announcedS' : 'unannouncedS';
  const ttl = f.ttlS ?? 0;
  const plusTtl = (base: number) => `${base} s, + TTL ${ttl} s = ${base + ttl} s`;
  return [
    `${f.kind} loss: ${f.what} (address ${f.address}${f.vmGoneS !== undefined ? `; the VM goes at +${f.vmGoneS.toFixed(0)} s` : ''})${f.publishedAtLoss ? '' : ': NOT MEASURED, the records did not hold the address'}`,
    `  records changed          ${s(f.recordsChangedS).padEnd(9)} goal <= ${f.kind === 'announced' ? GOALS.announcedS : GOALS.unannouncedS} s`,
    `  last resolver answer     ${s(f.lastStaleAnswerS).padEnd(9)} (TTL ${ttl} s included)`,
    `  anchors: in-cluster updater pod ${plusTtl(ANCHORS.updaterPod[anchors])}; Route 53 health checks ${plusTtl(ANCHORS.route53[anchors])}`,
  ];
}

export function formatChecks(checks: readonly GoalCheck[]): string[] {
  return checks.map((c) => `${c.met ? 'PASS' : 'FAIL'}  ${c.what} ${s(c.actualS)} (goal <= ${c.goalS} s)`);
}
