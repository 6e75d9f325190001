import type { SimEnv } from '../../env.js';
import type { ServerSpec } from '../../http.js';

/** Placeholder until the kube server lands. */
export function kubeServer(_env: SimEnv): ServerSpec {
  return {
    name: 'kube',
    route: () => ({ status: 501, body: { message: 'not implemented' } }),
    errors: {
      internal: (message) => ({ status: 500, body: { message } }),
      throttled: (message) => ({ status: 429, body: { message } }),
    },
  };
}
