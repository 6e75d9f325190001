/**
 * Which outside APIs a bundle talks to, from strings its client libraries cannot do without: they survive
 * minification and do not depend on how the function is named or described.
 */
export const API_MARKERS = {
  /** The GCE API host, in @google-cloud/compute's service config and every generated client. */
  gce: ['compute.googleapis.com'],
  /** The core API path of Nodes, in every Kubernetes client (and in ours). */
  kubernetes: ['/api/v1/nodes'],
} as const;

export type BundleApi = keyof typeof API_MARKERS;

/** The APIs whose markers occur in any of the bundle's files. */
export function apisInBundle(files: readonly Buffer[]): BundleApi[] {
  return (Object.keys(API_MARKERS) as BundleApi[]).filter((api) => API_MARKERS[api].some((marker) => files.some((f) => f.includes(marker))));
}
