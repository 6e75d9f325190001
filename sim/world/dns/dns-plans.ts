import { dnsErrors } from './dns-errors.js';
import type { DnsZone, ZonePlan } from './dns-types.js';
import type { ValidRecordFields } from './dns-validate.js';

/** Free zones created from this instant on hold 200 records; older Free zones keep 1,000. */
export const FREE_QUOTA_CHANGE_AT = Date.UTC(2024, 8, 1);

interface PlanLimits {
  /** Tags one record may carry; undefined where the simulator does not model a limit. */
  maxTags?: number;
  maxCommentLength: number;
  /** Records the zone may hold, given when it was created. */
  maxRecords(createdAt: number): number;
  /** Changes one batch call may carry (enforced whether or not `cloudflare-plans` is on). */
  maxBatchChanges: number;
}

/**
 * What each Cloudflare plan allows on DNS records. Sources: Cloudflare DNS docs, "Record attributes"
 * (comments: 100 characters on Free, 500 on paid plans; tags are not available on Free, answered as
 * 1004 / 9300 "exceeding the quota of 0") and "DNS records quota" (Free zones created on or after
 * 2024-09-01 00:00 UTC: 200 records, earlier Free zones 1,000, paid plans 3,500; over quota: 81045).
 * Tag quotas of paid plans are not confirmed, so they are not modelled.
 */
const PLAN_LIMITS: Record<ZonePlan, PlanLimits> = {
  free: { maxTags: 0, maxCommentLength: 100, maxRecords: (createdAt) => (createdAt >= FREE_QUOTA_CHANGE_AT ? 200 : 1000), maxBatchChanges: 200 },
  pro: { maxCommentLength: 500, maxRecords: () => 3500, maxBatchChanges: 3500 },
  business: { maxCommentLength: 500, maxRecords: () => 3500, maxBatchChanges: 3500 },
  enterprise: { maxCommentLength: 500, maxRecords: () => 3500, maxBatchChanges: 3500 },
};

/** Throws the DnsRecordError Cloudflare answers when a record's comment or tags exceed the zone's plan. */
export function checkRecordAttributes(zone: DnsZone, fields: ValidRecordFields): void {
  const limits = PLAN_LIMITS[zone.plan];
  if (limits.maxTags !== undefined && fields.tags.length > limits.maxTags) throw dnsErrors.tagQuota(fields.tags.length, limits.maxTags);
  if (fields.comment !== null && fields.comment.length > limits.maxCommentLength) throw dnsErrors.commentTooLong(limits.maxCommentLength);
}

/** Changes one batch call may carry on the zone's plan. */
export function batchLimit(zone: DnsZone): number {
  return PLAN_LIMITS[zone.plan].maxBatchChanges;
}

/** Records the zone may hold on its plan. */
export function recordQuota(zone: DnsZone): number {
  return PLAN_LIMITS[zone.plan].maxRecords(zone.createdAt);
}
