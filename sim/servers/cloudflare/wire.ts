import type { DnsRecord, DnsZone, ZonePlan } from '../../world/dns/dns-types.js';

/** Cloudflare timestamps carry microseconds: 2026-01-01T00:00:00.000000Z. */
export function cfTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/**
 * A DNS record as the v4 API returns it. Since January 2025 records no longer carry `zone_id`,
 * `zone_name` or `locked`.
 */
export function wireRecord(r: DnsRecord) {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    content: r.content,
    proxiable: r.proxiable,
    proxied: r.proxied,
    ttl: r.ttl,
    settings: {},
    meta: {},
    comment: r.comment,
    tags: [...r.tags],
    created_on: cfTime(r.createdAt),
    modified_on: cfTime(r.modifiedAt),
    ...(r.commentModifiedAt !== undefined ? { comment_modified_on: cfTime(r.commentModifiedAt) } : {}),
    ...(r.tagsModifiedAt !== undefined ? { tags_modified_on: cfTime(r.tagsModifiedAt) } : {}),
  };
}

const PLANS: Record<ZonePlan, { name: string; legacy_id: string; price: number }> = {
  free: { name: 'Free Website', legacy_id: 'free', price: 0 },
  pro: { name: 'Pro Website', legacy_id: 'pro', price: 25 },
  business: { name: 'Business Website', legacy_id: 'business', price: 250 },
  enterprise: { name: 'Enterprise Website', legacy_id: 'enterprise', price: 0 },
};

export function wireZone(z: DnsZone) {
  const plan = PLANS[z.plan];
  return {
    id: z.id,
    name: z.name,
    status: z.status,
    paused: false,
    type: 'full',
    development_mode: 0,
    name_servers: [...z.nameServers],
    original_name_servers: null,
    original_registrar: null,
    original_dnshost: null,
    modified_on: cfTime(z.modifiedAt),
    created_on: cfTime(z.createdAt),
    activated_on: cfTime(z.createdAt),
    meta: { step: 2, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
    owner: { id: null, type: 'user', email: null },
    account: { ...z.account },
    tenant: { id: null, name: null },
    tenant_unit: { id: null },
    permissions: ['#dns_records:edit', '#dns_records:read', '#zone:read'],
    plan: {
      ...(z.plan === 'free' ? { id: '0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee' } : {}),
      name: plan.name,
      price: plan.price,
      currency: 'USD',
      frequency: z.plan === 'free' ? '' : 'monthly',
      is_subscribed: z.plan !== 'free',
      can_subscribe: false,
      legacy_id: plan.legacy_id,
      legacy_discount: false,
      externally_managed: false,
    },
  };
}
