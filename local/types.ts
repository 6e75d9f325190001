/** What the local control plane reads out of a synthesized CDK stack, with every reference resolved to local names. */

export interface LambdaFunctionSpec {
  logicalId: string;
  name: string;
  arn: string;
  /** `file.export`, e.g. `index.handler`. */
  handler: string;
  runtime: string;
  /** Environment.Variables with intrinsics resolved. */
  env: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  code: { kind: 'dir'; dir: string } | { kind: 'inline'; source: string } | { kind: 'unsupported'; reason: string };
}

export interface StateMachineSpec {
  logicalId: string;
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  roleArn: string;
  /** The ASL as deployed (local ARNs substituted), parsed. */
  definition: Record<string, unknown>;
}

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface TableIndexSpec {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: { ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
}

export interface TableSpec {
  logicalId: string;
  name: string;
  arn: string;
  keySchema: KeySchemaElement[];
  attributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' | 'N' | 'B' }>;
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  globalSecondaryIndexes: TableIndexSpec[];
  localSecondaryIndexes: TableIndexSpec[];
  /** Kept for reference: dynalite has no UpdateTimeToLive, so expiry is not enforced locally. */
  ttlAttribute?: string;
}

export interface EventBusSpec {
  name: string;
  arn: string;
}

export interface InputTransformerSpec {
  inputPathsMap: Record<string, string>;
  inputTemplate: string;
}

export interface RuleTargetSpec {
  id: string;
  arn: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: InputTransformerSpec;
}

export interface RuleSpec {
  logicalId: string;
  name: string;
  arn: string;
  busName: string;
  description?: string;
  eventPattern?: Record<string, unknown>;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  targets: RuleTargetSpec[];
}

export interface SecretSpec {
  logicalId: string;
  name: string;
  arn: string;
  description?: string;
  /** SecretString, or a value generated locally for GenerateSecretString. */
  value: string;
}

export interface QueueSpec {
  logicalId: string;
  name: string;
  arn: string;
  url: string;
  /** The queue's DelaySeconds: the delay of a message sent without its own. */
  delaySeconds: number;
  visibilityTimeoutSeconds: number;
}

/** An AWS::Lambda::EventSourceMapping (only SQS sources are run locally). */
export interface EventSourceMappingSpec {
  logicalId: string;
  /** The function's name or ARN, as the template gives it. */
  functionName: string;
  eventSourceArn: string;
  batchSize: number;
  enabled: boolean;
}

export interface LocalStack {
  stackName: string;
  region: string;
  accountId: string;
  functions: LambdaFunctionSpec[];
  stateMachines: StateMachineSpec[];
  tables: TableSpec[];
  eventBuses: EventBusSpec[];
  rules: RuleSpec[];
  secrets: SecretSpec[];
  queues: QueueSpec[];
  eventSourceMappings: EventSourceMappingSpec[];
  outputs: Record<string, string>;
}

/** An EventBridge event as delivered to targets. */
export interface EventBridgeEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** Who is invoking, for fault injection: the state machine Task state, when a state machine is. */
export interface InvocationContext {
  state?: string;
}

/** Invokes a function by name or ARN; rejects with a LambdaFunctionError carrying Lambda's errorType. */
export interface LambdaInvoker {
  invoke(functionNameOrArn: string, event: unknown, context?: InvocationContext): Promise<unknown>;
  has(functionNameOrArn: string): boolean;
}
