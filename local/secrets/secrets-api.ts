import type { JsonService } from '../aws-api/api-server.js';
import { epochSeconds } from '../aws-api/pagination.js';
import { AwsApiError } from '../errors.js';
import type { SecretsStore, StoredSecret } from './secrets.js';

/** The Secrets Manager operations of the local API (AWS JSON 1.1, target prefix secretsmanager). */
export function secretsManagerApi(store: SecretsStore): JsonService {
  const find = (r: Record<string, unknown>): StoredSecret => {
    if (typeof r.SecretId !== 'string' || !r.SecretId) throw new AwsApiError('InvalidParameterException', 'SecretId is required.');
    return store.get(r.SecretId);
  };
  return {
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    operations: {
      GetSecretValue: (r) => {
        const s = find(r);
        // Only the current version exists locally.
        if ((r.VersionId !== undefined && r.VersionId !== s.versionId) || (r.VersionStage !== undefined && r.VersionStage !== 'AWSCURRENT')) {
          throw new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the given version.");
        }
        return {
          ARN: s.arn,
          Name: s.name,
          VersionId: s.versionId,
          SecretString: s.value,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: epochSeconds(s.createdDate),
        };
      },
      DescribeSecret: (r) => {
        const s = find(r);
        return {
          ARN: s.arn,
          Name: s.name,
          Description: s.description,
          CreatedDate: epochSeconds(s.createdDate),
          LastChangedDate: epochSeconds(s.createdDate),
          VersionIdsToStages: { [s.versionId]: ['AWSCURRENT'] },
        };
      },
    },
  };
}
