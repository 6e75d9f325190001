import { addressProblem, ttlProblem } from './address.js';
import { InvalidRecordSpecError } from './errors.js';
import { isOwnedBy } from './ownership.js';
import type { ChangeBatch, ChangePlan, Conflict, ExistingRecord, PlanAlert, RecordSpec, RecordType } from './types.js';

export interface PlanInputs {
  /** The entrypoint's record names. */
  names: string[];
  type: RecordType;
  ttl: number;
  proxied: boolean;
  /** The ownership comment (ownership.ts). */
  owner: string;
  /** The addresses that should serve: the healthy targets'. */
  healthy: string[];
  /** Every record the zone has at those names, of any type and owner. */
  existing: ExistingRecord[];
  maxChanges: number;
}

type Post = RecordSpec;
type Patch = ChangeBatch['patches'][number];
type Delete = ChangeBatch['deletes'][number];

interface NamePlan {
  name: string;
  /** Our records at this name before the batch. */
  ours: ExistingRecord[];
  kept: string[];
  posts: Post[];
  patches: Patch[];
  deletes: Delete[];
}

/**
 * The changes that make each name hold exactly the healthy addresses, as one batch:
 * - records not ours (another comment, or none) are never touched; one at the same name and type, or a CNAME, is
 *   reported as a conflict; a CNAME blocks the name, a foreign record with a healthy address blocks that address
 *   (Cloudflare refuses identical records);
 * - with no healthy address at all, nothing changes and a `no-healthy-target` alert is raised;
 * - additions go first, then fixes of TTL or proxying, then removals, and at most `maxChanges` in all. Since every
 *   addition is taken before any removal, a removal survives the cap only when all additions did, so no name is
 *   ever left without a healthy address.
 */
export function planChanges(inputs: PlanInputs): ChangePlan {
  const ttl = ttlProblem(inputs.ttl, inputs.proxied);
  if (ttl) throw new InvalidRecordSpecError(`Entrypoint records cannot be written: ${ttl}`);
  const bad = inputs.healthy.map((a) => addressProblem(a, inputs.type)).find((p) => p !== undefined);
  if (bad) throw new InvalidRecordSpecError(`A target address cannot go into a ${inputs.type} record: ${bad}`);

  const healthy = [...new Set(inputs.healthy)].sort();
  const names = [...new Set(inputs.names)];
  const conflicts: Conflict[] = [];
  const alerts: PlanAlert[] = [];
  const before: Record<string, string[]> = {};
  const plans: NamePlan[] = [];

  for (const name of names) {
    const atName = inputs.existing.filter((r) => r.name === name);
    const ours = atName
      .filter((r) => r.type === inputs.type && isOwnedBy(r, inputs.owner))
      .sort((a, b) => a.content.localeCompare(b.content) || a.id.localeCompare(b.id));
    before[name] = ours.map((r) => r.content);
    const foreign = atName.filter((r) => !isOwnedBy(r, inputs.owner) && (r.type === inputs.type || r.type === 'CNAME'));
    for (const r of foreign) {
      const blocks = r.type === 'CNAME' ? 'name' : healthy.includes(r.content) ? 'address' : 'nothing';
      conflicts.push({ name, type: r.type, content: r.content, id: r.id, blocks });
    }
    if (healthy.length === 0 || foreign.some((r) => r.type === 'CNAME')) continue;
    const foreignContents = new Set(foreign.map((r) => r.content));
    const wanted = healthy.filter((a) => !foreignContents.has(a));
    const plan: NamePlan = { name, ours, kept: [], posts: [], patches: [], deletes: [] };
    for (const record of ours) {
      if (wanted.includes(record.content) && !plan.kept.includes(record.content)) {
        plan.kept.push(record.content);
        if (record.ttl !== inputs.ttl || record.proxied !== inputs.proxied) {
          plan.patches.push({
            id: record.id,
            name,
            type: inputs.type,
            content: record.content,
            ttl: inputs.ttl,
            proxied: inputs.proxied,
            comment: inputs.owner,
          });
        }
      } else {
        plan.deletes.push({ id: record.id, name, content: record.content });
      }
    }
    for (const content of wanted.filter((a) => !plan.kept.includes(a))) {
      plan.posts.push({ name, type: inputs.type, content, ttl: inputs.ttl, proxied: inputs.proxied, comment: inputs.owner });
    }
    plans.push(plan);
  }

  if (healthy.length === 0) {
    alerts.push({ kind: 'no-healthy-target', names });
    return { batch: { posts: [], patches: [], deletes: [] }, conflicts, alerts, before, after: before };
  }

  const capped = cap(plans, inputs.maxChanges);
  const batch: ChangeBatch = { posts: [], patches: [], deletes: [] };
  const after: Record<string, string[]> = { ...before };
  for (const plan of capped.plans) {
    const posted = plan.posts.map((p) => p.content);
    batch.posts.push(...plan.posts);
    batch.patches.push(...plan.patches);
    batch.deletes.push(...plan.deletes);
    const deleted = new Set(plan.deletes.map((d) => d.id));
    after[plan.name] = [...plan.ours.filter((r) => !deleted.has(r.id)).map((r) => r.content), ...posted].sort();
  }
  if (capped.deferred > 0) alerts.push({ kind: 'changes-deferred', deferred: capped.deferred, cap: inputs.maxChanges });
  return { batch, conflicts, alerts, before, after };
}

/** Keeps additions first, then fixes, then removals, up to `max` changes across all names. */
function cap(plans: NamePlan[], max: number): { plans: NamePlan[]; deferred: number } {
  let budget = max;
  const take = <T>(items: T[]): T[] => {
    const taken = items.slice(0, Math.max(0, budget));
    budget -= taken.length;
    return taken;
  };
  const total = plans.reduce((n, p) => n + p.posts.length + p.patches.length + p.deletes.length, 0);
  const withPosts = plans.map((p) => ({ ...p, posts: take(p.posts) }));
  const withPatches = withPosts.map((p) => ({ ...p, patches: take(p.patches) }));
  const result = withPatches.map((p) => ({ ...p, deletes: take(p.deletes) }));
  const kept = result.reduce((n, p) => n + p.posts.length + p.patches.length + p.deletes.length, 0);
  return { plans: result, deferred: total - kept };
}
