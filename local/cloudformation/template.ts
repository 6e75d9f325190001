import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateError } from '../errors.js';
import type {
  EventBusSpec,
  EventSourceMappingSpec,
  KeySchemaElement,
  LambdaFunctionSpec,
  LocalStack,
  QueueSpec,
  RuleSpec,
  RuleTargetSpec,
  SecretSpec,
  StateMachineSpec,
  TableIndexSpec,
  TableSpec,
} from '../types.js';
import { IntrinsicResolver, NO_VALUE } from './intrinsics.js';
import { type LocalResource, localResource, suffix } from './resource-names.js';

export interface ReadStackOptions {
  /** The cdk.out directory. */
  cdkOut: string;
  /** Stack artifact id or stack name; needed only when the assembly holds several stacks. */
  stack?: string;
  region: string;
  accountId: string;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
}

interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Parameters?: Record<string, { Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Outputs?: Record<string, { Value: unknown; Condition?: string }>;
}

interface ManifestArtifact {
  type: string;
  displayName?: string;
  properties?: { templateFile?: string; stackName?: string; file?: string };
}

/** Reads a synthesized CDK app (cdk.out) and extracts what the local control plane runs, with local names. */
export function readStack(options: ReadStackOptions): LocalStack {
  const manifest = readJson<{ artifacts?: Record<string, ManifestArtifact> }>(join(options.cdkOut, 'manifest.json'));
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const stacks = artifacts.filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const chosen = options.stack
    ? stacks.filter(([id, a]) => id === options.stack || a.properties?.stackName === options.stack || a.displayName === options.stack)
    : stacks;
  if (chosen.length !== 1) {
    const names = stacks.map(([id]) => id).join(', ') || 'none';
    throw new TemplateError(
      options.stack ? `no stack ${options.stack} in ${options.cdkOut} (stacks: ${names})` : `pick a stack: ${options.cdkOut} holds ${names}`,
    );
  }
  const [artifactId, artifact] = chosen[0];
  const templateFile = artifact.properties?.templateFile;
  if (!templateFile) throw new TemplateError(`stack ${artifactId} has no templateFile`);
  const template = readJson<CfnTemplate>(join(options.cdkOut, templateFile));
  const assets = readAssetPaths(options.cdkOut, artifacts);
  return new StackReader(template, {
    ...options,
    stackName: artifact.properties?.stackName ?? artifactId,
    assets,
  }).read();
}

/** Asset hash -> directory, from every asset manifest in the assembly. */
function readAssetPaths(cdkOut: string, artifacts: Array<[string, ManifestArtifact]>): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [, a] of artifacts) {
    if (a.type !== 'cdk:asset-manifest' || !a.properties?.file) continue;
    const assetManifest = readJson<{ files?: Record<string, { source?: { path?: string } }> }>(join(cdkOut, a.properties.file));
    for (const [hash, file] of Object.entries(assetManifest.files ?? {})) {
      if (file.source?.path) paths.set(hash, join(cdkOut, file.source.path));
    }
  }
  return paths;
}

interface ReaderContext extends ReadStackOptions {
  stackName: string;
  assets: Map<string, string>;
}

class StackReader {
  private readonly resources: Array<[string, CfnResource]>;
  private readonly physical = new Map<string, LocalResource>();
  private readonly resolver: IntrinsicResolver;
  private readonly pseudo: Record<string, unknown>;

  constructor(
    private readonly template: CfnTemplate,
    private readonly ctx: ReaderContext,
  ) {
    const { region, accountId, stackName } = ctx;
    this.pseudo = {
      'AWS::Region': region,
      'AWS::AccountId': accountId,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${suffix(stackName, 12)}`,
      'AWS::NotificationARNs': [],
    };
    const all = template.Resources ?? {};
    this.resolver = new IntrinsicResolver(
      {
        ref: (name) => this.pseudo[name] ?? this.template.Parameters?.[name]?.Default ?? (name in all ? this.resource(name).ref : undefined),
        getAtt: (id, attr) => (id in all ? this.resource(id).attrs[attr] : undefined),
        mappings: template.Mappings ?? {},
        conditions: template.Conditions ?? {},
      },
      region,
    );
    this.resources = Object.entries(all).filter(([, r]) => !r.Condition || this.resolver.condition(r.Condition));
  }

  read(): LocalStack {
    return {
      stackName: this.ctx.stackName,
      region: this.ctx.region,
      accountId: this.ctx.accountId,
      functions: this.ofType('AWS::Lambda::Function').map(([id, r]) => this.lambdaFunction(id, r)),
      stateMachines: this.ofType('AWS::StepFunctions::StateMachine').map(([id, r]) => this.stateMachine(id, r)),
      tables: this.ofType('AWS::DynamoDB::Table').map(([id, r]) => this.table(id, r)),
      eventBuses: this.ofType('AWS::Events::EventBus').map(([id]) => this.eventBus(id)),
      rules: this.ofType('AWS::Events::Rule').map(([id, r]) => this.rule(id, r)),
      secrets: this.ofType('AWS::SecretsManager::Secret').map(([id, r]) => this.secret(id, r)),
      queues: this.ofType('AWS::SQS::Queue').map(([id, r]) => this.queue(id, r)),
      eventSourceMappings: this.ofType('AWS::Lambda::EventSourceMapping').map(([id, r]) => this.eventSourceMapping(id, r)),
      outputs: this.outputs(),
    };
  }

  private ofType(type: string): Array<[string, CfnResource]> {
    return this.resources.filter(([, r]) => r.Type === type);
  }

  /** Local name/ARN of a resource, computed once (names may reference other resources). */
  private resource(id: string): LocalResource {
    const known = this.physical.get(id);
    if (known) return known;
    const r = this.template.Resources?.[id];
    if (!r) throw new TemplateError(`unknown resource ${id}`);
    const p = r.Properties ?? {};
    const nameProperty = NAME_PROPERTY[r.Type];
    const explicitName = nameProperty && p[nameProperty] !== undefined ? this.resolver.resolveString(p[nameProperty], `${id}.${nameProperty}`) : undefined;
    const busName =
      r.Type === 'AWS::Events::Rule' && p.EventBusName !== undefined ? busNameOf(this.resolver.resolveString(p.EventBusName, `${id}.EventBusName`)) : undefined;
    const local = localResource(r.Type, { ...this.ctx, logicalId: id, explicitName, busName });
    this.physical.set(id, local);
    return local;
  }

  private resolved(id: string, r: CfnResource): Record<string, unknown> {
    try {
      return this.resolver.resolve(r.Properties ?? {}) as Record<string, unknown>;
    } catch (err) {
      throw new TemplateError(`${id} (${r.Type}): ${(err as Error).message}`);
    }
  }

  private lambdaFunction(id: string, r: CfnResource): LambdaFunctionSpec {
    const p = this.resolved(id, r);
    const local = this.resource(id);
    const vars = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return {
      logicalId: id,
      name: String(local.ref),
      arn: String(local.attrs.Arn),
      handler: String(p.Handler ?? 'index.handler'),
      runtime: String(p.Runtime ?? ''),
      env,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      code: this.lambdaCode(id, r, p),
    };
  }

  private lambdaCode(id: string, r: CfnResource, p: Record<string, unknown>): LambdaFunctionSpec['code'] {
    const code = (p.Code ?? {}) as { ZipFile?: string; S3Key?: string; ImageUri?: string };
    if (p.PackageType === 'Image' || code.ImageUri) return { kind: 'unsupported', reason: 'container image functions are not run locally' };
    if (typeof code.ZipFile === 'string') return { kind: 'inline', source: code.ZipFile };
    const candidates: string[] = [];
    if (typeof code.S3Key === 'string') {
      const hash = code.S3Key.replace(/^.*\//, '').replace(/\.zip$/, '');
      const fromManifest = this.ctx.assets.get(hash);
      if (fromManifest) candidates.push(fromManifest);
      candidates.push(join(this.ctx.cdkOut, `asset.${hash}`));
    }
    const assetPath = r.Metadata?.['aws:asset:path'];
    if (typeof assetPath === 'string') candidates.push(join(this.ctx.cdkOut, assetPath));
    const dir = candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
    if (dir) return { kind: 'dir', dir };
    return { kind: 'unsupported', reason: `no bundled code folder found for ${id} in ${this.ctx.cdkOut}` };
  }

  private stateMachine(id: string, r: CfnResource): StateMachineSpec {
    const p = this.resolved(id, r);
    const local = this.resource(id);
    let text: string;
    if (typeof p.DefinitionString === 'string') text = p.DefinitionString;
    else if (p.Definition && typeof p.Definition === 'object') text = JSON.stringify(p.Definition);
    else throw new TemplateError(`${id}: only DefinitionString or Definition is supported (not DefinitionS3Location)`);
    const substitutions = (p.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    text = text.replace(/\$\{([^}]+)\}/g, (whole, key: string) => (key in substitutions ? String(substitutions[key]) : whole));
    let definition: Record<string, unknown>;
    try {
      definition = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new TemplateError(`${id}: the state machine definition is not JSON: ${(err as Error).message}`);
    }
    return {
      logicalId: id,
      name: String(local.attrs.Name),
      arn: String(local.ref),
      type: p.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      roleArn: String(p.RoleArn ?? ''),
      definition,
    };
  }

  private table(id: string, r: CfnResource): TableSpec {
    const p = this.resolved(id, r);
    const local = this.resource(id);
    const index = (i: Record<string, unknown>): TableIndexSpec => ({
      IndexName: String(i.IndexName),
      KeySchema: i.KeySchema as KeySchemaElement[],
      Projection: (i.Projection ?? { ProjectionType: 'ALL' }) as TableIndexSpec['Projection'],
    });
    const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    return {
      logicalId: id,
      name: String(local.ref),
      arn: String(local.attrs.Arn),
      keySchema: p.KeySchema as KeySchemaElement[],
      attributeDefinitions: (p.AttributeDefinitions ?? []) as TableSpec['attributeDefinitions'],
      billingMode: p.BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED',
      globalSecondaryIndexes: ((p.GlobalSecondaryIndexes ?? []) as Array<Record<string, unknown>>).map(index),
      localSecondaryIndexes: ((p.LocalSecondaryIndexes ?? []) as Array<Record<string, unknown>>).map(index),
      ttlAttribute: ttl?.Enabled ? ttl.AttributeName : undefined,
    };
  }

  private eventBus(id: string): EventBusSpec {
    const local = this.resource(id);
    return { name: String(local.attrs.Name), arn: String(local.attrs.Arn) };
  }

  private rule(id: string, r: CfnResource): RuleSpec {
    const p = this.resolved(id, r);
    const local = this.resource(id);
    const ref = String(local.ref);
    const pattern = typeof p.EventPattern === 'string' ? (JSON.parse(p.EventPattern) as Record<string, unknown>) : (p.EventPattern as Record<string, unknown>);
    const targets = ((p.Targets ?? []) as Array<Record<string, unknown>>).map((t): RuleTargetSpec => {
      const transformer = t.InputTransformer as { InputPathsMap?: Record<string, string>; InputTemplate: string } | undefined;
      return {
        id: String(t.Id),
        arn: String(t.Arn),
        input: typeof t.Input === 'string' ? t.Input : undefined,
        inputPath: typeof t.InputPath === 'string' ? t.InputPath : undefined,
        inputTransformer: transformer ? { inputPathsMap: transformer.InputPathsMap ?? {}, inputTemplate: transformer.InputTemplate } : undefined,
      };
    });
    return {
      logicalId: id,
      name: ref.includes('|') ? ref.slice(ref.indexOf('|') + 1) : ref,
      arn: String(local.attrs.Arn),
      busName: p.EventBusName ? busNameOf(String(p.EventBusName)) : 'default',
      description: typeof p.Description === 'string' ? p.Description : undefined,
      eventPattern: pattern ?? undefined,
      scheduleExpression: typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined,
      state: p.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      targets,
    };
  }

  private secret(id: string, r: CfnResource): SecretSpec {
    const p = this.resolved(id, r);
    const local = this.resource(id);
    const arn = String(local.ref);
    return {
      logicalId: id,
      name: arn.slice(arn.indexOf(':secret:') + ':secret:'.length, -7),
      arn,
      description: typeof p.Description === 'string' ? p.Description : undefined,
      value: typeof p.SecretString === 'string' ? p.SecretString : generatedSecret(`${this.ctx.stackName}/${id}`, p.GenerateSecretString),
    };
  }

  /** SQS's defaults: no delay, a 30 s visibility timeout (AWS::SQS::Queue, CloudFormation reference). */
  private queue(id: string, r: CfnResource): QueueSpec {
    const p = this.resolved(id, r);
    const local = this.resource(id);
    return {
      logicalId: id,
      name: String(local.attrs.QueueName),
      arn: String(local.attrs.Arn),
      url: String(local.ref),
      delaySeconds: Number(p.DelaySeconds ?? 0),
      visibilityTimeoutSeconds: Number(p.VisibilityTimeout ?? 30),
    };
  }

  /** BatchSize defaults to 10 for SQS (Lambda parameters for Amazon SQS event source mappings). */
  private eventSourceMapping(id: string, r: CfnResource): EventSourceMappingSpec {
    const p = this.resolved(id, r);
    return {
      logicalId: id,
      functionName: String(p.FunctionName),
      eventSourceArn: String(p.EventSourceArn ?? ''),
      batchSize: Number(p.BatchSize ?? 10),
      enabled: p.Enabled !== false,
    };
  }

  private outputs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, o] of Object.entries(this.template.Outputs ?? {})) {
      if (o.Condition && !this.resolver.condition(o.Condition)) continue;
      const value = this.resolver.resolve(o.Value);
      if (value !== NO_VALUE) out[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return out;
  }
}

/** The property that names each resource type, when the template sets it. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
};

/** EventBusName may be a name or an ARN. */
function busNameOf(nameOrArn: string): string {
  const i = nameOrArn.indexOf(':event-bus/');
  return i >= 0 ? nameOrArn.slice(i + ':event-bus/'.length) : nameOrArn;
}

/** A stable local value for GenerateSecretString (the real one is random and never leaves AWS). */
function generatedSecret(seed: string, spec: unknown): string {
  const g = (spec ?? {}) as { SecretStringTemplate?: string; GenerateStringKey?: string; PasswordLength?: number };
  const password = suffix(seed, Math.min(64, g.PasswordLength ?? 32));
  if (g.SecretStringTemplate && g.GenerateStringKey) {
    return JSON.stringify({ ...(JSON.parse(g.SecretStringTemplate) as object), [g.GenerateStringKey]: password });
  }
  return password;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new TemplateError(`cannot read ${path}: ${(err as Error).message}`);
  }
}
