import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { LocalEndpoints } from './local-endpoints.js';

/**
 * Without a local control plane: the default credential chain and region (AWS_REGION, profiles, SSO...).
 * With one: its endpoints, region and the fake credentials it accepts.
 */
export function stepFunctionsClient(local?: LocalEndpoints): SFNClient {
  return new SFNClient(local ? { endpoint: local.endpoints.stepfunctions, region: local.region, credentials: local.credentials } : {});
}

export function dynamoClient(local?: LocalEndpoints): DynamoDBClient {
  return new DynamoDBClient(local ? { endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials } : {});
}
