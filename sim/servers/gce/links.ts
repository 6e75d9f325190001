/**
 * Resource URLs as GCE writes them. GCE always answers with www.googleapis.com self-links,
 * whatever endpoint was called, and clients take names from their last path segment.
 */
export const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1';

export function zonePath(project: string, zone: string): string {
  return `projects/${project}/zones/${zone}`;
}

export function instancePath(project: string, zone: string, name: string): string {
  return `${zonePath(project, zone)}/instances/${name}`;
}

export function operationPath(project: string, zone: string, name: string): string {
  return `${zonePath(project, zone)}/operations/${name}`;
}

export function link(path: string): string {
  return `${COMPUTE_BASE}/${path}`;
}

export function machineTypeLink(project: string, zone: string, type: string): string {
  return link(`${zonePath(project, zone)}/machineTypes/${type}`);
}

/** `zones/{zone}/machineTypes/{type}`, with or without `projects/{p}/` or the full URL in front. */
export function parseMachineType(url: string): { zone: string; type: string } | undefined {
  const m = /(?:^|\/)zones\/([^/]+)\/machineTypes\/([^/]+)$/.exec(url);
  return m ? { zone: m[1], type: m[2] } : undefined;
}

/** A relative reference (`global/networks/default`) made absolute in the project, as GCE stores it. */
export function absolute(project: string, ref: string): string {
  if (/^https?:\/\//.test(ref)) return ref;
  if (ref.startsWith('projects/')) return link(ref);
  return link(`projects/${project}/${ref.replace(/^\//, '')}`);
}
