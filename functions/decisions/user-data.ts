import { fillTemplate, type JoinTemplatePlaceholder, unknownPlaceholders } from '../../config/join-template.js';
import type { KosmosJoinConfig, PoolConfig, ScriptJoinConfig } from '../../config/types.js';

/**
 * The secret values and cluster facts a join needs, fetched by the caller. The rendered user data contains these
 * secrets: the caller must never log it, return it from a Lambda, or put it in an error or a state's output.
 */
export interface UserDataContext {
  /** Kosmos join: the Scaleway secret key the node agent authenticates with. */
  scalewaySecretKey?: string;
  /** Script join: the bootstrap token for {{joinToken}}. */
  joinToken?: string;
  /** Script join: cluster.apiServerEndpoint, for {{apiServerEndpoint}}. */
  apiServerEndpoint?: string;
  /** For {{nodeName}}; absent means the machine's hostname at boot, which is the name the kubelet registers by default. */
  nodeName?: string;
}

/** A pool's user data cannot be rendered. Messages name fields and placeholders, never values. */
export class UserDataError extends Error {
  override readonly name = 'UserDataError';
}

/**
 * Scaleway publishes its Kosmos node agent per architecture (node-agent_linux_<arch>) next to multicloud-init.sh.
 * Scaleway's own instructions (console, scw CLI `k8s pool add-external-node`) fetch the amd64 build, which fails with
 * `exec format error` on arm64 machines.
 */
const NODE_AGENT_BASE_URL = 'https://scwcontainermulticloud.s3.fr-par.scw.cloud';

/** The cloud-init user data (a bash script) that joins a new VM of `pool` to the cluster. Contains secrets: see UserDataContext. */
export function renderUserData(pool: PoolConfig, ctx: UserDataContext): string {
  const { join } = pool;
  switch (join.method) {
    case 'kosmos':
      return kosmosScript(pool, join, ctx);
    case 'script':
      return scriptFromTemplate(pool, join, ctx);
    default:
      // Scaleway creates its pool's VMs itself and home machines join by hand: shepherd never launches these.
      throw new UserDataError(`pool ${pool.name} joins with method "${join.method}": shepherd launches no VM for it, so it has no user data`);
  }
}

function kosmosScript(pool: PoolConfig, join: KosmosJoinConfig, ctx: UserDataContext): string {
  const secretKey = required(ctx.scalewaySecretKey, pool, 'scalewaySecretKey (the Kosmos secret key)');
  return `#!/bin/bash
# Joins this machine to the Kosmos cluster as an external node of pool ${pool.name} (Scaleway pool ${join.poolId}, ${join.region}).
set -euo pipefail

# The agent binary must match the machine; ask the OS rather than trusting the pool's declared arch.
case "$(dpkg --print-architecture 2>/dev/null || uname -m)" in
  amd64 | x86_64) agent_arch=amd64 ;;
  arm64 | aarch64) agent_arch=arm64 ;;
  *) echo "shepherd: no Kosmos node agent for $(uname -m)" >&2; exit 1 ;;
esac

agent=/usr/local/bin/scw-node-agent
curl -fsSL --retry 5 --retry-delay 5 -o "$agent" "${NODE_AGENT_BASE_URL}/node-agent_linux_\${agent_arch}"
chmod 0755 "$agent"

export POOL_ID=${shellQuote(join.poolId)} POOL_REGION=${shellQuote(join.region)} SCW_SECRET_KEY=${shellQuote(secretKey)}
exec "$agent" -loglevel 0 -no-controller
`;
}

function scriptFromTemplate(pool: PoolConfig, join: ScriptJoinConfig, ctx: UserDataContext): string {
  const unknown = unknownPlaceholders(join.template);
  if (unknown.length > 0) {
    throw new UserDataError(`pool ${pool.name}: join template uses unknown placeholder(s) ${unknown.map((n) => `{{${n}}}`).join(', ')}`);
  }
  const value = (name: JoinTemplatePlaceholder): string => {
    switch (name) {
      case 'apiServerEndpoint':
        return shellQuote(required(ctx.apiServerEndpoint, pool, 'apiServerEndpoint (cluster.apiServerEndpoint)'));
      case 'joinToken':
        return shellQuote(required(ctx.joinToken, pool, 'joinToken'));
      case 'arch':
        return shellQuote(pool.arch);
      case 'nodeName':
        return ctx.nodeName === undefined ? '"$(hostname)"' : shellQuote(ctx.nodeName);
      case 'labels':
        return shellQuote(
          Object.entries(pool.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
        );
      case 'pool':
        return shellQuote(pool.name);
    }
  };
  return fillTemplate(join.template, value);
}

function required(value: string | undefined, pool: PoolConfig, what: string): string {
  if (!value) throw new UserDataError(`pool ${pool.name} (join method ${pool.join.method}) needs ${what} in the user-data context`);
  return value;
}

/**
 * One shell word with exactly this value. Words made only of characters the shell never interprets stay as they are
 * (so `kubeadm join host:6443 --token abc.def` reads naturally); anything else is single-quoted.
 */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
