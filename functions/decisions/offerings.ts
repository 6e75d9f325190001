import type { Offering } from './provision.js';

// Apart from provision.ts, which imports the provider registry (and with it zod): the provider and claims functions
// use these and must not bundle zod.

/** Whether two offerings are the same place (type, zone and subnet). */
export function sameOffering(a: Offering, b: Offering): boolean {
  return a.type === b.type && a.zone === b.zone && (a.subnetId ?? '') === (b.subnetId ?? '');
}

/** `type@zone`, as people read an offering in errors and logs. */
export function offeringLabel(o: Offering): string {
  return `${o.type}@${o.zone}`;
}
