import { createHash } from 'node:crypto';

/** Step Functions execution names: 1-80 characters of letters, digits, `-` and `_` keep every console and API happy. */
const SAFE = /^[A-Za-z0-9_-]+$/;
const MAX = 80;

/**
 * The name of the HealNode execution a trigger starts, from what identifies the trigger (an EC2 event id and the
 * instance, a watcher transitionId). The same trigger delivered again gives the same name, so its StartExecution
 * collides with the first one's (EventBridge delivers at least once). Parts that are not name-safe (a forged event id)
 * or too long are replaced by a hash of the whole, so a hostile id never makes an invalid or colliding name.
 */
export function healExecutionName(kind: 'ec2' | 'watcher', ...parts: string[]): string {
  const plain = [kind, ...parts].join('-');
  if (parts.every((p) => p !== '' && SAFE.test(p)) && plain.length <= MAX) return plain;
  return `${kind}-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40)}`;
}
