import { createHash } from 'node:crypto';

/** What `Ref` and `Fn::GetAtt` give for one resource once it "exists" locally. */
export interface LocalResource {
  ref: unknown;
  attrs: Record<string, unknown>;
}

export interface NamingContext {
  region: string;
  accountId: string;
  stackName: string;
  logicalId: string;
  /** The resource's own name property, resolved, when the template sets it. */
  explicitName?: string;
  /** Rules only: the bus name the rule is on. */
  busName?: string;
}

/**
 * Local names and ARNs per resource type. A resource without an explicit name is named after its
 * logical id (CloudFormation would add the stack name and a random suffix), so names stay stable
 * between runs.
 */
export function localResource(type: string, ctx: NamingContext): LocalResource {
  const { region: r, accountId: a, logicalId: id } = ctx;
  const name = ctx.explicitName ?? id;
  switch (type) {
    case 'AWS::Lambda::Function': {
      const arn = `arn:aws:lambda:${r}:${a}:function:${name}`;
      return { ref: name, attrs: { Arn: arn } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const arn = `arn:aws:states:${r}:${a}:stateMachine:${name}`;
      return { ref: arn, attrs: { Arn: arn, Name: name } };
    }
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const arn = `arn:aws:dynamodb:${r}:${a}:table/${name}`;
      return { ref: name, attrs: { Arn: arn, StreamArn: `${arn}/stream/2026-01-01T00:00:00.000` } };
    }
    case 'AWS::Events::EventBus': {
      const arn = `arn:aws:events:${r}:${a}:event-bus/${name}`;
      return { ref: name, attrs: { Arn: arn, Name: name } };
    }
    case 'AWS::Events::Rule': {
      const bus = ctx.busName ?? 'default';
      const onDefault = bus === 'default';
      return {
        ref: onDefault ? name : `${bus}|${name}`,
        attrs: { Arn: `arn:aws:events:${r}:${a}:rule/${onDefault ? '' : `${bus}/`}${name}` },
      };
    }
    case 'AWS::SecretsManager::Secret': {
      const arn = `arn:aws:secretsmanager:${r}:${a}:secret:${name}-${suffix(`${ctx.stackName}/${id}`)}`;
      return { ref: arn, attrs: { Id: arn } };
    }
    case 'AWS::IAM::Role':
      return { ref: name, attrs: { Arn: `arn:aws:iam::${a}:role/${name}`, RoleId: `AROA${suffix(id, 16).toUpperCase()}` } };
    case 'AWS::IAM::ManagedPolicy':
      return { ref: `arn:aws:iam::${a}:policy/${name}`, attrs: {} };
    case 'AWS::Logs::LogGroup':
      return { ref: name, attrs: { Arn: `arn:aws:logs:${r}:${a}:log-group:${name}:*` } };
    case 'AWS::SNS::Topic': {
      const arn = `arn:aws:sns:${r}:${a}:${name}`;
      return { ref: arn, attrs: { TopicArn: arn, TopicName: name } };
    }
    case 'AWS::SQS::Queue':
      return {
        ref: `https://sqs.${r}.amazonaws.com/${a}/${name}`,
        attrs: { Arn: `arn:aws:sqs:${r}:${a}:${name}`, QueueName: name, QueueUrl: `https://sqs.${r}.amazonaws.com/${a}/${name}` },
      };
    case 'AWS::S3::Bucket': {
      const bucket = name.toLowerCase();
      return { ref: bucket, attrs: { Arn: `arn:aws:s3:::${bucket}`, DomainName: `${bucket}.s3.amazonaws.com` } };
    }
    default: {
      // Resources the control plane does not run (alarms, policies, permissions...) still need
      // stable values when something references them.
      const service = type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return {
        ref: name,
        attrs: new Proxy({} as Record<string, unknown>, {
          get: (_t, attr) => (attr === 'Arn' ? `arn:aws:${service}:${r}:${a}:${name}` : `${name}.${String(attr)}`),
        }),
      };
    }
  }
}

/** Stable pseudo-random characters derived from a seed (secret ARN suffixes, ids). */
export function suffix(seed: string, length = 6): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const digest = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += chars[digest[i % digest.length] % chars.length];
  return out;
}
