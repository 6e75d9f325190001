import type { Arch } from './types.js';

/**
 * How a simulated VM recognises a node join script in its user data.
 *
 * - Generic (kubeadm): `kubeadm join <host:port> --token <token> ...`
 * - Kosmos external node: Scaleway's `multicloud-init` / node agent with `POOL_ID=...`,
 *   `POOL_REGION=...` and `SCW_SECRET_KEY=...`.
 *
 * The script's architecture: `ARCH=arm64`, a download named `..._linux_arm64` / `linux-arm64`,
 * or detection at run time (`uname -m`, `dpkg --print-architecture`). A script that names no
 * architecture fetches amd64 binaries, as Scaleway's stock multicloud-init.sh does, so on an
 * arm64 VM it fails with `exec format error`.
 */
export type JoinSpec =
  | { method: 'kubeadm'; endpoint: string; token: string; arch: Arch | 'auto' }
  | { method: 'kosmos'; poolId: string; region: string; secretKey: string; arch: Arch | 'auto' };

/** EC2 and GCE carry user data base64-encoded or plain; cloud-init accepts both. */
export function decodeUserData(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const compact = raw.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.length % 4 === 0) {
    const decoded = Buffer.from(compact, 'base64').toString('utf8');
    if (isText(decoded) && /\s/.test(decoded)) return decoded;
  }
  return raw;
}

export function parseJoinScript(script: string | undefined): JoinSpec | undefined {
  if (!script) return undefined;
  const arch = scriptArch(script);
  const kubeadm = /kubeadm\s+join\s+(\S+)\s+(?:[^\n]*?\s)?--token[=\s]+(\S+)/.exec(script);
  if (kubeadm) return { method: 'kubeadm', endpoint: kubeadm[1], token: unquote(kubeadm[2]), arch };
  if (/multicloud-init|node-agent/.test(script)) {
    const poolId = envValue(script, 'POOL_ID');
    const region = envValue(script, 'POOL_REGION');
    const secretKey = envValue(script, 'SCW_SECRET_KEY');
    if (poolId && region && secretKey) return { method: 'kosmos', poolId, region, secretKey, arch };
  }
  return undefined;
}

function scriptArch(script: string): Arch | 'auto' {
  if (/uname\s+-m|dpkg\s+--print-architecture/.test(script)) return 'auto';
  const declared = /\bARCH=["']?(amd64|arm64)\b/.exec(script) ?? /linux[_-](amd64|arm64)\b/.exec(script);
  return (declared?.[1] as Arch | undefined) ?? 'amd64';
}

function envValue(script: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}=("([^"]*)"|'([^']*)'|(\\S+))`).exec(script);
  return m ? (m[2] ?? m[3] ?? m[4]) : undefined;
}

function unquote(s: string): string {
  return s.replace(/^["']|["']$/g, '');
}

function isText(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    if (c === 0xfffd || c === 0x7f) return false;
  }
  return true;
}
