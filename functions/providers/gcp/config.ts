import { z } from 'zod';
import { DEFAULT_GCP_NETWORK } from '../../../config/defaults.js';
import { gcpImage, gcpNetwork, gcpProject, gcpZone, secretArn } from '../../../config/fields.js';
import { perArch } from '../per-arch.js';

/** `providers.gcp` in shepherd.config.json. */
export const gcpConfigSchema = z.strictObject({
  project: gcpProject,
  zones: z.array(gcpZone).min(1),
  images: perArch(gcpImage),
  network: gcpNetwork.default(DEFAULT_GCP_NETWORK),
  /** Service-account key JSON. */
  credentialsSecretArn: secretArn,
});

export type GcpProviderConfig = z.output<typeof gcpConfigSchema>;
