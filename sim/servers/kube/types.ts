import type { SimEnv } from '../../env.js';

/** A request aimed at a resource of the API, once its path is understood. */
export interface ResourcePath {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural resource name, as the store keys it (`nodes`, `pods`, ...). */
  resource: string;
  /** From the path for namespaced requests; undefined for cluster-scoped ones and all-namespace lists. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Everything a handler needs from the simulation. */
export type KubeEnv = Pick<SimEnv, 'world' | 'clock' | 'random' | 'credentials'>;

/** What the client asked the response to look like (Accept header and `includeObject`). */
export type ResponseFormat = { as: 'object' } | { as: 'table'; includeObject: 'None' | 'Metadata' | 'Object' };
