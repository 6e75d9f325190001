import type { SimEnv } from '../../env.js';
import type { ServerSpec } from '../../http.js';

/** Placeholder until the ec2 server lands. */
export function ec2Server(_env: SimEnv): ServerSpec {
  return {
    name: 'ec2',
    route: () => ({ status: 501, body: { message: 'not implemented' } }),
    errors: {
      internal: (message) => ({ status: 500, body: { message } }),
      throttled: (message) => ({ status: 429, body: { message } }),
    },
  };
}
