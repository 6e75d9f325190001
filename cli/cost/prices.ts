/**
 * AWS list prices in USD, us-east-1, as published on each service's pricing page (checked 2026-11; the figures
 * match the cost facts in the project's field notes). Free tiers are not deducted: they are per account, and
 * other workloads may use them up. Change a price here only with its source.
 */

/** Step Functions Standard, per state transition, retries included: $0.025 per 1,000. https://aws.amazon.com/step-functions/pricing/ */
export const SFN_STANDARD_PER_TRANSITION = 0.025 / 1000;
/** Step Functions Express, per request: $1.00 per million (duration is billed on top). https://aws.amazon.com/step-functions/pricing/ */
export const SFN_EXPRESS_PER_REQUEST = 1 / 1e6;

/** Lambda, per request: $0.20 per million. https://aws.amazon.com/lambda/pricing/ */
export const LAMBDA_PER_REQUEST = 0.2 / 1e6;
/** Lambda duration per GB-second (first pricing tier), by architecture. https://aws.amazon.com/lambda/pricing/ */
export const LAMBDA_PER_GB_SECOND = { arm64: 0.0000133334, x86_64: 0.0000166667 } as const;

/** DynamoDB on-demand, per write request unit (1 KB): $0.625 per million. https://aws.amazon.com/dynamodb/pricing/on-demand/ */
export const DYNAMODB_PER_WRITE_UNIT = 0.625 / 1e6;
/** DynamoDB on-demand, per read request unit (4 KB strongly consistent): $0.125 per million. https://aws.amazon.com/dynamodb/pricing/on-demand/ */
export const DYNAMODB_PER_READ_UNIT = 0.125 / 1e6;
/** DynamoDB Standard table storage, per GB-month. https://aws.amazon.com/dynamodb/pricing/on-demand/ */
export const DYNAMODB_STORAGE_PER_GB_MONTH = 0.25;
/** DynamoDB continuous backups (point-in-time recovery), per GB-month of table size. https://aws.amazon.com/dynamodb/pricing/on-demand/ */
export const DYNAMODB_PITR_PER_GB_MONTH = 0.2;

/** Secrets Manager, per secret per month. https://aws.amazon.com/secrets-manager/pricing/ */
export const SECRETS_MANAGER_PER_SECRET_MONTH = 0.4;
/** Secrets Manager API calls: $0.05 per 10,000. https://aws.amazon.com/secrets-manager/pricing/ */
export const SECRETS_MANAGER_PER_CALL = 0.05 / 10_000;
/** SSM Parameter Store standard parameters (SecureString included): no monthly charge, standard throughput free. https://aws.amazon.com/systems-manager/pricing/ */
export const SSM_STANDARD_PARAMETER_MONTH = 0;
/** SSM Parameter Store advanced parameters, per parameter per month. https://aws.amazon.com/systems-manager/pricing/ */
export const SSM_ADVANCED_PARAMETER_MONTH = 0.05;

/** CloudWatch standard-resolution metric alarm, per alarm per month. https://aws.amazon.com/cloudwatch/pricing/ */
export const CLOUDWATCH_ALARM_MONTH = 0.1;
/** CloudWatch Logs ingestion (standard class), per GB. https://aws.amazon.com/cloudwatch/pricing/ */
export const LOGS_INGESTION_PER_GB = 0.5;
/** CloudWatch Logs storage (archive), per GB-month. https://aws.amazon.com/cloudwatch/pricing/ */
export const LOGS_STORAGE_PER_GB_MONTH = 0.03;

/** EventBridge custom events put on a bus: $1.00 per million. https://aws.amazon.com/eventbridge/pricing/ */
export const EVENTBRIDGE_PER_CUSTOM_EVENT = 1 / 1e6;
/** EventBridge Scheduler invocations: $1.00 per million (after 14 million free a month). https://aws.amazon.com/eventbridge/pricing/ */
export const SCHEDULER_PER_INVOCATION = 1 / 1e6;

/** X-Ray traces recorded: $5.00 per million. https://aws.amazon.com/xray/pricing/ */
export const XRAY_PER_TRACE = 5 / 1e6;

/** KMS customer managed key, per key per month (AWS managed keys cost nothing idle). https://aws.amazon.com/kms/pricing/ */
export const KMS_KEY_MONTH = 1;

/** Units the prices use: GB is 2^30 bytes for storage and ingestion, a month is 730 hours. */
export const GB = 1024 ** 3;
export const HOURS_PER_MONTH = 730;

/** CloudWatch composite alarm, per alarm per month. https://aws.amazon.com/cloudwatch/pricing/ */
export const CLOUDWATCH_COMPOSITE_ALARM_MONTH = 0.5;

/** DynamoDB bills 100 bytes of indexing overhead per item on top of its data. https://aws.amazon.com/dynamodb/pricing/on-demand/ */
export const DYNAMODB_ITEM_OVERHEAD_BYTES = 100;

/** SQS standard queue requests: $0.40 per million (first million a month free), each 64 KB of payload one request. https://aws.amazon.com/sqs/pricing/ */
export const SQS_PER_REQUEST = 0.4 / 1e6;
