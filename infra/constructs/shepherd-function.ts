import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ShepherdConfig } from '../../config/types.js';
import { functionCode } from '../bundling/function-bundling.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { physicalName } from '../physical-names.js';

/** One IAM statement a function needs. */
export interface FunctionPermission {
  readonly statement: iam.PolicyStatement;
  /** Why a `*` in the statement's resources is as narrow as IAM allows; required when there is one (it becomes the cdk-nag acknowledgement). */
  readonly wildcardReason?: string;
}

export interface ShepherdFunctionProps {
  /** What the function is for, e.g. `claims`: its name is `shepherd-<cluster>-<name>` (see physicalName). */
  readonly name: string;
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  /** The repository root: where esbuild runs (and finds node_modules). */
  readonly projectRoot: string;
  readonly description: string;
  /** The validated config, baked into the bundle as process.env.SHEPHERD_CONFIG. */
  readonly config: ShepherdConfig;
  /** Everything the function may do besides writing its own logs and traces. */
  readonly permissions: readonly FunctionPermission[];
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  readonly logRetention?: logs.RetentionDays;
  /**
   * Only workflow tasks and other shepherd functions call it, synchronously: no errors alarm of its own. An error it
   * throws reaches its caller, which retries, turns it into a readable Fail or fails itself; a state machine alarms on
   * failed executions and an event-driven function on its own errors, so a second alarm would cost $0.10 a month to
   * say it again. Functions that events, schedules or queues invoke keep theirs.
   */
  readonly alarmedByCallers?: boolean;
}

/** A permission has a `*` in its resources and no reason for it. */
export class UnexplainedWildcardError extends Error {
  override name = 'UnexplainedWildcardError';
}

/** Why the statement CDK adds for active tracing has Resource "*". */
const XRAY_REASON = 'xray:PutTraceSegments and xray:PutTelemetryRecords (added for active tracing) support no resource-level permissions.';

/**
 * A handler of functions/ bundled with the local esbuild as an ES module (bundling/function-bundling.ts), on Node.js 22 / arm64,
 * with active X-Ray tracing, its own log group, a role holding exactly `permissions`, and an alarm on errors unless its
 * callers alarm for it (`alarmedByCallers`).
 */
export class ShepherdFunction extends Construct {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly errorsAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ShepherdFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    // Our own role: the default one carries the AWSLambdaBasicExecutionRole managed policy (logs on every group).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    const wildcards: [string, string][] = [['*', XRAY_REASON]];
    for (const { statement, wildcardReason } of props.permissions) {
      for (const resource of statement.resources) {
        if (!resource.includes('*')) continue;
        if (!wildcardReason) throw new UnexplainedWildcardError(`${this.node.path}: the permission on ${resource} has a wildcard but no wildcardReason`);
        wildcards.push([resource, wildcardReason]);
      }
      this.role.addToPrincipalPolicy(statement);
    }

    const runtime = lambda.Runtime.NODEJS_22_X;
    this.fn = new lambda.Function(this, 'Function', {
      functionName: physicalName(props.config.cluster.name, props.name, 'function'),
      // Bundled with every dependency, the AWS SDK included: the handlers are tested against the SDK versions in
      // package-lock.json, not the runtime's copy.
      code: functionCode({
        entry: props.entry,
        projectRoot: props.projectRoot,
        runtime,
        // Baked into the bundle: Lambda environment variables are capped at 4 KB, a config with a few pools is not;
        // the handlers re-validate it.
        configJson: JSON.stringify(props.config),
      }),
      handler: 'index.handler',
      description: props.description,
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: props.environment,
    });
    acknowledgeWildcardResources(this, wildcards);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime fixed for shepherd (architecture decision, issue 3): an LTS line Lambda supports, and the one the bundles target. Moving to nodejs24.x is a deliberate upgrade with its own test run, not a silent bump.',
    });

    if (props.alarmedByCallers) return;
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      // Handlers throw named errors on purpose for the workflow to catch (capacity, throttling), so one error is
      // normal; a run of them over 15 minutes is not. Failed executions have their own alarm.
      alarmDescription: `${props.description}: at least 5 errors (threw or timed out) in each of 3 consecutive 5-minute periods.`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 5,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
