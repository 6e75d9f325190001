import { type LocalEndpoints, localEndpointsPath, readLocalEndpoints } from './local-endpoints.js';

/** The local control plane to talk to, when --local (or --endpoints, which implies it) was given. */
export function localTarget(values: { local?: boolean; endpoints?: string }, env: NodeJS.ProcessEnv): LocalEndpoints | undefined {
  if (!values.local && !values.endpoints) return undefined;
  return readLocalEndpoints(localEndpointsPath(values.endpoints, env));
}

/** The options every command that can talk to the local control plane takes. */
export const localOptions = {
  local: { type: 'boolean' },
  endpoints: { type: 'string' },
} as const;
