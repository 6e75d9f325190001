import type { SlotData } from './slot-events.js';
import type { WorkflowPhases } from './workflow-phases.js';

interface DnsPassData extends SlotData {
  plan?: { reason?: string; entrypoints?: string[] };
  pass?: { outcomes?: { entrypoint: string; outcome: string; after?: Record<string, string[]>; retryAfterSeconds?: number }[]; pending?: string[] };
  waitSeconds?: number;
  waits?: number;
}

/** One line per entrypoint of a pass: what became of its records. */
function passLine(d: DnsPassData): string | undefined {
  const outcomes = d.pass?.outcomes ?? [];
  if (outcomes.length === 0) return undefined;
  return outcomes
    .map((o) => {
      const after = o.after ? Object.entries(o.after).map(([name, addresses]) => `${name} -> ${addresses.join(', ') || 'nothing'}`) : [];
      if (o.outcome === 'rate-limited') return `${o.entrypoint}: Cloudflare rate limit, retrying after ${o.retryAfterSeconds ?? '?'} s`;
      if (o.outcome === 'busy') return `${o.entrypoint}: another run holds it, retrying`;
      return `${o.entrypoint}: ${o.outcome}${after.length ? ` (${after.join('; ')})` : ''}`;
    })
    .join('; ');
}

/** DnsFailover (workflows/dns-failover.ts): the run's reason, each pass's outcome per entrypoint, the waits. */
export const dnsFailoverPhases: WorkflowPhases = {
  singleNode: true,
  exits: {
    'Validate input': (d: DnsPassData) => (d.plan ? `entrypoints ${(d.plan.entrypoints ?? []).join(', ')}: ${d.plan.reason ?? ''}` : undefined),
    'Update records': passLine,
  },
  polls: {
    'Wait for retry-after': (d: DnsPassData) => `waiting ${d.waitSeconds ?? '?'} s before pass ${(d.waits ?? 0) + 1}`,
  },
};
