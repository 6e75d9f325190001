import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * The single DynamoDB table behind capacity claims, node records and the audit trail.
 * Generic keys (`pk`, `sk`) because the claims handler stores several item kinds in one table;
 * `expiresAt` (epoch seconds) lets DynamoDB drop released claims, old audit items and node leases a day past their
 * expiry by itself (TTL deletes late: no rule depends on it).
 */
export class ShepherdTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS-managed key needs no key policy of ours and no kms:* grants on the Lambda roles.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Claims and node records describe live VMs; deleting the stack must not forget them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
