import { createHash } from 'node:crypto';
import type { Offering } from './provision.js';

/**
 * The idempotency key of one launch attempt: the same claim, execution and offering always give the
 * same key (a retried Lambda gets the VM the first call created), while a new execution re-using a
 * released request id, or another subnet in the same zone, gets a new one. 43 characters, within
 * EC2's 64-character ClientToken.
 */
export function launchToken(claimId: string, owner: string, offering: Offering): string {
  const h = createHash('sha256')
    .update([owner, offering.type, offering.zone, offering.subnetId ?? ''].join('\u0000'))
    .digest('hex');
  return `${claimId}-${h.slice(0, 16)}`;
}
