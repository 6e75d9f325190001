import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';

/**
 * Issue 7, ProvisionNode 8: a kubeconfig secret that is not valid YAML. The parser's own message quotes the lines
 * around the fault, and here the token sits on the line before it. The execution fails and cleans up, and neither
 * its Cause and history, nor the table's items (the audit log), nor the functions' logs carry the token.
 */

const config = loadConfigFile();
const TOKEN = 'kube-token-6b0e4f1d93a2c7e5';
const MALFORMED_KUBECONFIG = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- name: c',
  '  cluster:',
  '    server: https://127.0.0.1:6443',
  'users:',
  '- name: admin',
  '  user:',
  `    token: ${TOKEN}`,
  '   extra: wrongly indented',
  'contexts:',
  '- name: c',
  '  context: { cluster: c, user: admin }',
  'current-context: c',
  '',
].join('\n');

let local: ShepherdLocal;
const logs: string[] = [];

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({
    config,
    seed: 7,
    clock: { mode: 'virtual' },
    secrets: { [config.cluster.kubeconfigSecretArn]: MALFORMED_KUBECONFIG },
    onLambdaLog: (fn, line) => logs.push(`${fn} ${line}`),
  });
}, 480_000);

afterAll(async () => {
  await local?.stop();
});

async function tableItems(): Promise<unknown[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const out = await doc.send(new ScanCommand({ TableName: local.tableName }));
  return out.Items ?? [];
}

describe('Workflow: ProvisionNode with a malformed kubeconfig secret (local control plane + simulated clouds)', () => {
  it('fails with a KubeconfigError naming the secret and the problem, cleans up, and no Cause, audit item or log line holds the token', async () => {
    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool: 'aws-amd64', reason: 'test' });
    const out = await local.controlPlane.waitForExecution(executionArn);

    expect(out.status).toBe('FAILED');
    expect(out.cause).toContain('KubeconfigError');
    expect(out.cause).toContain(`kubeconfig ${config.cluster.kubeconfigSecretArn}: not valid YAML (line 11, column 4)`);
    // The failed slot was cleaned up: its VM terminated, its claim released.
    const vms = local.sim.world.listVms('aws');
    expect(vms.length).toBeGreaterThan(0);
    expect(vms.filter((v) => !['terminated', 'shutting-down'].includes(v.state))).toEqual([]);

    const items = await tableItems();
    const audit = items.filter((i) => String((i as { pk: string }).pk).startsWith('AUDIT#'));
    expect(JSON.stringify(audit)).toContain('KubeconfigError');
    const history = local.controlPlane.stepFunctions.history(executionArn);
    expect(history.length).toBeGreaterThan(5);
    expect(logs.length).toBeGreaterThan(0);

    for (const [where, text] of [
      ['cause', out.cause ?? ''],
      ['output', out.output ?? ''],
      ['execution history', JSON.stringify(history)],
      ['table items', JSON.stringify(items)],
      ['Lambda logs', logs.join('\n')],
    ]) {
      expect(text, where).not.toContain(TOKEN);
      expect(text, where).not.toContain('wrongly indented');
    }
  });
});
