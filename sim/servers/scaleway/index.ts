import type { SimEnv } from '../../env.js';
import type { ServerSpec } from '../../http.js';

/** Placeholder until the scaleway server lands. */
export function scalewayServer(_env: SimEnv): ServerSpec {
  return {
    name: 'scaleway',
    route: () => ({ status: 501, body: { message: 'not implemented' } }),
    errors: {
      internal: (message) => ({ status: 500, body: { message } }),
      throttled: (message) => ({ status: 429, body: { message } }),
    },
  };
}
