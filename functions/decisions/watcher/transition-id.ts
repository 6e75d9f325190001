import { createHash } from 'node:crypto';

/**
 * The id of a transition: the same kind, subject and previous snapshot give the same id. A pass that published and
 * then crashed before saving its snapshot is followed by one that starts from the same snapshot, sees the same
 * change and so publishes it under the same id, which consumers dedupe by.
 */
export function transitionId(kind: string, subject: string, basis: string): string {
  return createHash('sha256').update(`${kind}\u0000${subject}\u0000${basis}`).digest('hex').slice(0, 32);
}
