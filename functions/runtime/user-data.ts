import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { renderUserData } from '../decisions/user-data.js';
import { getSecret } from './secrets.js';

/**
 * The pool's join user data with its secrets filled in, or undefined for pools whose VMs Scaleway
 * creates itself. The result holds secrets: pass it to the provider API only.
 */
export async function joinUserData(pool: PoolConfig, cfg: ShepherdConfig): Promise<string | undefined> {
  const join = pool.join;
  if (join.method === 'kosmos') return renderUserData(pool, { scalewaySecretKey: (await getSecret(join.secretKeySecretArn)).trim() });
  if (join.method === 'script') {
    return renderUserData(pool, { joinToken: (await getSecret(join.joinTokenSecretArn)).trim(), apiServerEndpoint: cfg.cluster.apiServerEndpoint });
  }
  return undefined;
}
