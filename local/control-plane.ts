import { isSsmParameterArn } from '../config/secret-ref.js';
import { type Clock, Random } from '../sim/index.js';
import { type ApiServer, startApiServer } from './aws-api/api-server.js';
import { readStack } from './cloudformation/template.js';
import { type LocalDynamo, startLocalDynamo } from './dynamodb/dynamodb.js';
import { DynamoFaults } from './dynamodb/dynamodb-faults.js';
import type { EventDeliveryMode } from './events/delivery.js';
import { EventBridgeService } from './events/events.js';
import { eventBridgeApi } from './events/events-api.js';
import { executionNames, IdSource } from './ids.js';
import { lambdaApi } from './lambda/lambda-api.js';
import type { LambdaFaults } from './lambda/lambda-faults.js';
import { LambdaRunner } from './lambda/lambda-runner.js';
import { ParameterStore } from './secrets/parameters.js';
import { SecretsStore } from './secrets/secrets.js';
import { secretsManagerApi } from './secrets/secrets-api.js';
import { ssmApi } from './secrets/ssm-api.js';
import { EventSourceMappings } from './sqs/event-source-mappings.js';
import { type QueueDeliveryMode, SqsService } from './sqs/sqs.js';
import { sqsApi } from './sqs/sqs-api.js';
import { stepFunctionsApi } from './stepfunctions/sfn-api.js';
import { type ExecutionView, StepFunctionsService } from './stepfunctions/stepfunctions.js';
import type { EventBridgeEvent, LocalStack } from './types.js';

export interface LocalControlPlaneOptions {
  /** A synthesized CDK app (manifest.json, the stack template, asset.<hash>/ folders). */
  cdkOut: string;
  /** Stack artifact id or name, when the assembly holds several. */
  stack?: string;
  clock: Clock;
  region?: string;
  accountId?: string;
  /** Secret values by ARN: Secrets Manager ARNs for GetSecretValue (with the stack's own secrets), SSM parameter ARNs for GetParameter. */
  secrets?: Record<string, string>;
  /** Merged last into every function's environment (e.g. the simulator's endpoints). */
  extraEnv?: Record<string, string>;
  /** What the local APIs accept and the functions sign with; default: fixed local credentials. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Seeds ids and retry jitter, so that a run repeats. */
  seed?: number;
  /** Each line a function logs; default: written to stderr, prefixed with the function name. */
  onLambdaLog?: (functionName: string, line: string) => void;
  maxWorkersPerFunction?: number;
  /**
   * How EventBridge hands matched events to targets: `at-least-once` (default) duplicates, reorders and
   * delays them, seeded, as AWS allows; `exactly-once` delivers each at once, in order (a kind world).
   */
  eventDelivery?: EventDeliveryMode;
  /** How SQS standard queues hand out messages: `at-least-once` (default) sometimes twice, seeded; `exactly-once` a kind world. */
  queueDelivery?: QueueDeliveryMode;
}

export interface LocalEndpoints {
  stepfunctions: string;
  eventbridge: string;
  secretsmanager: string;
  ssm: string;
  dynamodb: string;
  sqs: string;
}

export interface LocalControlPlane {
  /** What was read from cdk.out, with local names and ARNs. */
  readonly stack: LocalStack;
  readonly endpoints: LocalEndpoints;
  /** What a function or the AWS CLI needs to reach the local services: region, credentials, AWS_ENDPOINT_URL_*. */
  readonly env: Record<string, string>;
  /** State machine name -> ARN. */
  readonly stateMachines: Record<string, string>;
  readonly stepFunctions: StepFunctionsService;
  readonly events: EventBridgeService;
  readonly lambdas: LambdaRunner;
  /** The stack's SQS queues, and the event source mappings that feed its functions from them. */
  readonly sqs: SqsService;
  readonly eventSourceMappings: EventSourceMappings;
  /**
   * Fault injection, as AWS FIS does on the real services: `faults.lambda({ state: 'Launch VM', fault: { kind: 'timeout' } })`,
   * and DynamoDB throttling or 500s: `faults.dynamodb({ operation: 'UpdateItem', count: 5, fault: { kind: 'throttle' } })`.
   */
  readonly faults: { lambda: LambdaFaults['lambda']; dynamodb: DynamoFaults['dynamodb'] };
  /** StartExecution by state machine name or ARN; the input is JSON text or a value to serialize. */
  startExecution(stateMachine: string, input?: unknown, name?: string): { executionArn: string; startDate: number };
  /** Resolves when the execution has finished, on any clock (virtual time moves by itself or by advance()). */
  waitForExecution(executionArn: string): Promise<ExecutionView>;
  /** Puts an event on a bus (default: the default bus), as an AWS service would. */
  publish(event: EventBridgeEvent, busName?: string): void;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIALOCALCONTROLPLANE', secretAccessKey: 'local-control-plane-secret' };

/** Runs a synthesized stack on this machine, on the simulator's clock. */
export async function startLocalControlPlane(options: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  const { clock } = options;
  const region = options.region ?? 'eu-west-3';
  const accountId = options.accountId ?? '123456789012';
  const credentials = options.credentials ?? LOCAL_CREDENTIALS;
  const seed = options.seed ?? 1;
  const stack = readStack({ cdkOut: options.cdkOut, stack: options.stack, region, accountId });

  const started: Array<{ stop(): Promise<void> | void }> = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop();
  };
  try {
    const dynamoFaults = new DynamoFaults(new Random(seed ^ 0x64796e61));
    const dynamo: LocalDynamo = await startLocalDynamo({ tables: stack.tables, clock, region, credentials, faults: dynamoFaults });
    started.push(dynamo);

    const secrets = new SecretsStore(clock.now());
    for (const s of stack.secrets) secrets.put(s.arn, s.value, { name: s.name, description: s.description });
    const parameters = new ParameterStore(clock.now());
    for (const [arn, value] of Object.entries(options.secrets ?? {})) (isSsmParameterArn(arn) ? parameters : secrets).put(arn, value);

    // The functions' environment is completed with the API server's address below, before any
    // function starts (workers are created on first invocation).
    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    };
    const lambdas = new LambdaRunner({
      functions: stack.functions,
      clock,
      region,
      environment: env,
      extraEnv: options.extraEnv,
      maxWorkersPerFunction: options.maxWorkersPerFunction,
      onLog: options.onLambdaLog ?? ((fn, line) => process.stderr.write(`[lambda ${fn}] ${line}\n`)),
    });
    started.push(lambdas);
    const random = new Random(seed);
    const names = executionNames(`${seed}:execution-names`);
    const stepFunctions = new StepFunctionsService({
      clock,
      region,
      accountId,
      lambdas,
      ids: names,
      random: () => random.next(),
      // As on AWS, executions' status changes reach the default bus, and the stack's rules on it.
      statusEvents: { publish: (event) => events.publish('default', event), ids: new IdSource(`${seed}:sfn-events`) },
    });
    started.push(stepFunctions);
    for (const m of stack.stateMachines) stepFunctions.addStateMachine(m);
    const events = new EventBridgeService({
      clock,
      region,
      accountId,
      buses: stack.eventBuses,
      rules: stack.rules,
      ids: new IdSource(`${seed}:events`),
      executionNames: names,
      delivery: options.eventDelivery,
      // Its own stream, so that event traffic does not shift the retry jitter of Step Functions.
      random: (
        (events) => () =>
          events.next()
      )(new Random(seed + 0x9e3779b9)),
      targets: {
        startExecution: (stateMachineArn, input, name) => stepFunctions.startExecution({ stateMachineArn, input, name }),
        invokeLambda: (arn, payload) => lambdas.invoke(arn, payload),
      },
    });
    started.push(events);
    const sqs = new SqsService({
      clock,
      queues: stack.queues,
      ids: new IdSource(`${seed}:sqs`),
      delivery: options.queueDelivery,
      random: (
        (queue) => () =>
          queue.next()
      )(new Random(seed ^ 0x73717321)),
      senderId: credentials.accessKeyId,
    });
    started.push(sqs);
    const eventSourceMappings = new EventSourceMappings({ sqs, lambdas, mappings: stack.eventSourceMappings, region, now: () => clock.now() });
    started.push(eventSourceMappings);

    const api: ApiServer = await startApiServer({
      clock,
      accessKeyId: credentials.accessKeyId,
      services: [stepFunctionsApi(stepFunctions), eventBridgeApi(events), secretsManagerApi(secrets), ssmApi(parameters), sqsApi(sqs)],
      rest: lambdaApi(lambdas),
    });
    started.push({ stop: () => api.close() });
    Object.assign(env, {
      AWS_ENDPOINT_URL_SFN: api.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: api.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: api.url,
      AWS_ENDPOINT_URL_SSM: api.url,
      AWS_ENDPOINT_URL_LAMBDA: api.url,
      AWS_ENDPOINT_URL_SQS: api.url,
    });
    events.start();
    eventSourceMappings.start();

    const stateMachines = Object.fromEntries(stack.stateMachines.map((m) => [m.name, m.arn]));
    return {
      stack,
      endpoints: { stepfunctions: api.url, eventbridge: api.url, secretsmanager: api.url, ssm: api.url, dynamodb: dynamo.endpoint, sqs: api.url },
      env,
      stateMachines,
      stepFunctions,
      events,
      lambdas,
      sqs,
      eventSourceMappings,
      faults: { lambda: (rule) => lambdas.faults.lambda(rule), dynamodb: (rule) => dynamoFaults.dynamodb(rule) },
      startExecution: (stateMachine, input, name) =>
        stepFunctions.startExecution({
          stateMachineArn: stateMachines[stateMachine] ?? stateMachine,
          input: typeof input === 'string' ? input : JSON.stringify(input ?? {}),
          name,
        }),
      waitForExecution: (arn) => stepFunctions.waitForExecution(arn),
      publish: (event, busName = 'default') => events.publish(busName, event),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
