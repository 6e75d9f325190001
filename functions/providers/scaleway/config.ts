import { z } from 'zod';
import { scalewayRegion, secretArn, uuid } from '../../../config/fields.js';

/** `providers.scaleway` in shepherd.config.json. */
export const scalewayConfigSchema = z.strictObject({
  region: scalewayRegion,
  clusterId: uuid,
  /** JSON {accessKey, secretKey, projectId}. */
  credentialsSecretArn: secretArn,
});

export type ScalewayProviderConfig = z.output<typeof scalewayConfigSchema>;
