import { z } from 'zod';
import { amiId, awsRegion, awsZone, iamRoleArn, instanceProfileArn, securityGroupId, subnetId } from '../../../config/fields.js';
import { perArch } from '../per-arch.js';

/** `providers.aws` in shepherd.config.json. */
export const awsConfigSchema = z.strictObject({
  region: awsRegion,
  subnets: z.array(z.strictObject({ id: subnetId, zone: awsZone })).min(1),
  securityGroupIds: z.array(securityGroupId).min(1),
  amis: perArch(amiId),
  instanceProfileArn: instanceProfileArn.optional(),
  /** The role inside instanceProfileArn: launching with a profile needs iam:PassRole on it. */
  instanceRoleArn: iamRoleArn.optional(),
});

export type AwsProviderConfig = z.output<typeof awsConfigSchema>;
