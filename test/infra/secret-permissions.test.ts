import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { readSecrets, SecretReferenceError, secretResources } from '../../infra/secret-permissions.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;

const SM_KUBECONFIG = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/kosmos-demo/kubeconfig';
const SM_GCP = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/kosmos-demo/gcp-service-account-AbC123';

/** The shipped config with the kubeconfig and the GCP key moved to Secrets Manager; the rest stay SSM parameters. */
function mixedConfig(): ShepherdConfig {
  const config = structuredClone(loadConfigFile(root('shepherd.config.json')));
  config.cluster.kubeconfigSecretArn = SM_KUBECONFIG;
  config.providers.gcp!.credentialsSecretArn = SM_GCP;
  return config;
}

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
}

/** Every function's statements, grouped by Sid (each provider function has its own ReadProviderSecrets*). */
function statementsBySid(config: ShepherdConfig): Map<string, Statement[]> {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'secrets', { config, env: { region: 'eu-west-3' } });
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  const bySid = new Map<string, Statement[]>();
  for (const s of statements) if (s.Sid) bySid.set(s.Sid, [...(bySid.get(s.Sid) ?? []), s]);
  return bySid;
}

const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);

describe('Function: readSecrets (in the synthesized template)', () => {
  const config = mixedConfig();
  let statements: Map<string, Statement[]>;
  beforeAll(() => {
    statements = statementsBySid(config);
  });

  it('grants ssm:GetParameter on exactly each parameter ARN, and GetSecretValue on Secrets Manager ARNs with their suffix', () => {
    const kosmosKeys = config.pools.flatMap((p) => (p.join.method === 'kosmos' ? [p.join.secretKeySecretArn] : []));
    const parameters = [...new Set([config.providers.scaleway!.credentialsSecretArn, ...kosmosKeys])];
    expect(parameters.every((arn) => arn.startsWith('arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/kosmos-demo/'))).toBe(true);
    const fromParameterStore = statements.get('ReadProviderSecretsFromParameterStore')!;
    expect([...new Set(fromParameterStore.flatMap((st) => list(st.Action)))]).toEqual(['ssm:GetParameter']);
    expect([...new Set(fromParameterStore.flatMap((st) => list(st.Resource)))].sort()).toEqual([...parameters].sort());
    const fromSecretsManager = statements.get('ReadProviderSecrets')!;
    expect(fromSecretsManager).toHaveLength(1);
    expect(list(fromSecretsManager[0].Action)).toEqual(['secretsmanager:GetSecretValue']);
    expect(list(fromSecretsManager[0].Resource)).toEqual([SM_GCP, `${SM_GCP}-??????`]);
  });

  it('keeps the kubeconfig statement on Secrets Manager when the kubeconfig is a secret, with no parameter statement', () => {
    // cluster-nodes, the cluster watcher, the heal intake, the orphan collector and dns-failover read it, each with its own role.
    expect(statements.get('ReadKubeconfig')).toHaveLength(5);
    for (const statement of statements.get('ReadKubeconfig') ?? []) {
      expect(statement).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: [SM_KUBECONFIG, `${SM_KUBECONFIG}-??????`] });
    }
    expect(statements.has('ReadKubeconfigFromParameterStore')).toBe(false);
  });

  it('grants no KMS action and no wildcard SSM action (the aws/ssm key decrypts for any principal allowed GetParameter)', () => {
    const actions = [...new Set([...statements.values()].flat().flatMap((s) => list(s.Action)))];
    expect(actions.filter((a) => a.startsWith('kms:'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('ssm:'))).toEqual(['ssm:GetParameter']);
  });
});

describe('Function: readSecrets', () => {
  it('grants nothing for no secrets and refuses a reference of neither kind', () => {
    expect(readSecrets('ReadNothing', [])).toEqual([]);
    expect(() => readSecrets('ReadBad', ['arn:aws:s3:::bucket/key'])).toThrow(SecretReferenceError);
  });

  it('lists a Secrets Manager ARN once as written and once with the six-character suffix', () => {
    expect(secretResources([SM_KUBECONFIG, SM_KUBECONFIG])).toEqual([SM_KUBECONFIG, `${SM_KUBECONFIG}-??????`]);
  });
});
