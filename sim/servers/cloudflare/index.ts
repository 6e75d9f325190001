import type { SimEnv } from '../../env.js';
import type { ServerSpec } from '../../http.js';

/** Placeholder until the cloudflare server lands. */
export function cloudflareServer(_env: SimEnv): ServerSpec {
  return {
    name: 'cloudflare',
    route: () => ({ status: 501, body: { message: 'not implemented' } }),
    errors: {
      internal: (message) => ({ status: 500, body: { message } }),
      throttled: (message) => ({ status: 429, body: { message } }),
    },
  };
}
