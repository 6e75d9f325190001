/**
 * Each entrypoint's lease is a node lease (functions/adapters/store/node-lease.ts) under a name no Node can have
 * (Node names are DNS subdomains: no ':'), so two DnsFailover runs never plan from the same records at once.
 */
export function dnsLeaseName(entrypoint: string): string {
  return `dns-entrypoint:${entrypoint}`;
}

/** Longer than the reconcile function's timeout: a crashed run frees the entrypoint when its lease ends. */
export const DNS_LEASE_SECONDS = 90;
