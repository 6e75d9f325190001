import type { JsonService } from '../aws-api/api-server.js';
import { epochSeconds } from '../aws-api/pagination.js';
import { AwsApiError } from '../errors.js';
import { localCiphertext, type ParameterStore } from './parameters.js';

/**
 * The Parameter Store read of the local API (AWS JSON 1.1, target prefix AmazonSSM). Wire shape from the SSM API
 * reference, GetParameter: request `{ Name, WithDecryption }`, Name being a name or an ARN with an optional
 * `:version` or `:label` selector; response `{ Parameter: { ARN, DataType, LastModifiedDate, Name, Selector, Type,
 * Value, Version } }`; a missing parameter is ParameterNotFound, a missing version ParameterVersionNotFound.
 */
export function ssmApi(store: ParameterStore): JsonService {
  return {
    targetPrefix: 'AmazonSSM',
    jsonVersion: '1.1',
    operations: {
      GetParameter: (r) => {
        if (typeof r.Name !== 'string' || !r.Name)
          throw new AwsApiError(
            'ValidationException',
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
          );
        const { parameter, selector } = store.get(r.Name.trim());
        return {
          Parameter: {
            ARN: parameter.arn,
            DataType: 'text',
            LastModifiedDate: epochSeconds(parameter.lastModifiedDate),
            Name: parameter.name,
            ...(selector ? { Selector: selector } : {}),
            Type: 'SecureString',
            Value: r.WithDecryption === true ? parameter.value : localCiphertext(parameter),
            Version: parameter.version,
          },
        };
      },
    },
  };
}
