/** A kubeconfig with one cluster, one bearer-token user and one current context. */
export function kubeconfigYaml(input: { server: string; caCert: string; token: string; clusterName: string }): string {
  const ca = Buffer.from(input.caCert).toString('base64');
  const name = input.clusterName;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${input.server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${name}-admin`,
    '  user:',
    `    token: ${input.token}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}-admin`,
    `current-context: ${name}`,
    '',
  ].join('\n');
}
