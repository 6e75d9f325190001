/**
 * What a cleanup or an orphan's termination did to the VMs it found (ids; a Scaleway pool reference is `pool:<id>`):
 * `terminated` by this call, or `alreadyGone` before it (deleted out of band, reclaimed, or by an earlier attempt).
 */
export interface VmTeardown {
  terminated: string[];
  alreadyGone: string[];
}

/** One line for operators (CLI progress, audit): "terminated VM i-1; VM i-2 was already gone". */
export function vmTeardownText(teardown: Partial<VmTeardown> | undefined): string {
  const label = (id: string) => id.replace(/^pool:/, 'in pool ');
  const terminated = teardown?.terminated ?? [];
  const gone = teardown?.alreadyGone ?? [];
  const parts: string[] = [];
  if (terminated.length > 0) parts.push(`terminated VM ${terminated.map(label).join(', ')}`);
  if (gone.length > 0) parts.push(`VM ${gone.map(label).join(', ')} ${gone.length === 1 ? 'was' : 'were'} already gone`);
  return parts.length > 0 ? parts.join('; ') : 'no VM left to terminate';
}
