import type { SimRequest } from '../../http.js';
import { deniedAuthentication, permissionsDenied } from './errors.js';
import { isUuid } from './ids.js';

/** Who made a call: the account's API key, or a node key issued to a Kosmos node for one pool. */
export type Caller = { kind: 'account' } | { kind: 'node'; poolId: string };

/** Node secret keys handed out by the external-node auth endpoint, by key, with their pool. */
export type NodeKeys = Map<string, string>;

/** Reads `X-Auth-Token` (the secret key) the way Scaleway's gateway does. Never echoes the key. */
export function authenticate(req: SimRequest, accountSecretKey: string, nodeKeys: NodeKeys): Caller {
  const raw = req.headers['x-auth-token'];
  const token = Array.isArray(raw) ? raw[0] : raw;
  if (!token || !isUuid(token)) throw deniedAuthentication('invalid_argument');
  if (token === accountSecretKey) return { kind: 'account' };
  const poolId = nodeKeys.get(token);
  if (poolId) return { kind: 'node', poolId };
  throw deniedAuthentication('not_found');
}

/** Node keys only let a node fetch its own metadata; everything else needs the account's key. */
export function requireAccount(caller: Caller, action: 'read' | 'write', resource: string): void {
  if (caller.kind !== 'account') throw permissionsDenied(action, resource);
}
