/**
 * Join scripts the simulator recognises (see join.ts), for scenarios that build VMs directly in
 * the world. Shepherd's own user data comes from functions/decisions/user-data.ts.
 */
export function renderKosmosJoin(poolId: string, region: string, secretKey: string): string {
  return [
    '#!/bin/bash',
    'agent_arch=$(dpkg --print-architecture)',
    'curl -fsSL -o multicloud-init.sh https://scwcontainermulticloud.s3.fr-par.scw.cloud/multicloud-init.sh',
    `POOL_ID=${poolId} POOL_REGION=${region} SCW_SECRET_KEY=${secretKey} bash multicloud-init.sh`,
    '',
  ].join('\n');
}

export function renderKubeadmJoin(endpoint: string, token: string): string {
  return [
    '#!/bin/bash',
    'ARCH=$(dpkg --print-architecture)',
    `kubeadm join ${endpoint} --token ${token} --discovery-token-unsafe-skip-ca-verification`,
    '',
  ].join('\n');
}
