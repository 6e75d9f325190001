import { z } from 'zod';
import { JOIN_TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from './join-template.js';
import { isSecretRef, SECRET_REF_FORMS } from './secret-ref.js';

/*
 * Field-level schemas. Convention shared with config/errors.ts: an issue's message says what is allowed;
 * what was wrong comes from the issue's input, or from params.problem when the input alone does not say it.
 */

/** A string matching `re`; `allowed` describes it, also when the value is missing or not a string, and in docs/config.md. */
function matching(re: RegExp, allowed: string) {
  return z.string({ error: allowed }).regex(re, { error: allowed }).meta({ allowed });
}

export const resourceName = matching(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and "-", 1 to 40 characters');

/** A secret by reference, never by value: a Secrets Manager secret or an SSM SecureString parameter (config/secret-ref.ts). */
export const secretArn = z.string({ error: SECRET_REF_FORMS }).refine(isSecretRef, { error: SECRET_REF_FORMS }).meta({ allowed: SECRET_REF_FORMS });

export const iamRoleArn = matching(
  /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/,
  'an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>',
);

export const instanceProfileArn = matching(
  /^arn:aws(-[a-z]+)*:iam::\d{12}:instance-profile\/[A-Za-z0-9+=,.@_/-]+$/,
  'an IAM instance profile ARN, arn:aws:iam::<12-digit account>:instance-profile/<name>',
);

export const apiServerUrl = matching(
  /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/,
  'an https:// URL with host and optional port, e.g. "https://203.0.113.10:6443"',
);

export const awsRegion = matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region, e.g. "eu-west-3"');
export const awsZone = matching(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'an AWS availability zone, e.g. "eu-west-3a"');
export const subnetId = matching(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, '"subnet-" followed by 8 or 17 hex digits');
export const securityGroupId = matching(/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/, '"sg-" followed by 8 or 17 hex digits');
export const amiId = matching(/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/, '"ami-" followed by 8 or 17 hex digits');

const GCP_PROJECT = '[a-z][a-z0-9-]{4,28}[a-z0-9]';
const GCE_API = '(https://(www|compute)\\.googleapis\\.com/compute/v1/)?';
const GCE_NAME = '[a-z]([-a-z0-9]{0,61}[a-z0-9])?';
export const gcpProject = matching(new RegExp(`^${GCP_PROJECT}$`), 'a GCP project id: 6 to 30 lowercase letters, digits and "-", starting with a letter');
export const gcpZone = matching(/^[a-z]+-[a-z]+\d+-[a-z]$/, 'a GCE zone, e.g. "europe-west1-b"');
export const gcpImage = matching(
  new RegExp(`^${GCE_API}projects/${GCP_PROJECT}/global/images/(family/)?${GCE_NAME}$`),
  'a GCE image, "projects/<project>/global/images/<name>" or ".../images/family/<family>"',
);
export const gcpNetwork = matching(
  new RegExp(`^(${GCE_API}projects/${GCP_PROJECT}/)?global/networks/${GCE_NAME}$`),
  'a GCE network, "global/networks/<name>" or "projects/<project>/global/networks/<name>"',
);

/** Regions where Scaleway runs Kapsule/Kosmos (the `regions` of @scaleway/sdk-k8s v1). */
export const SCALEWAY_REGIONS = ['fr-par', 'nl-ams', 'pl-waw'] as const;
export const scalewayRegion = z.enum(SCALEWAY_REGIONS);

export const uuid = z.guid({ error: 'a UUID (8-4-4-4-12 hex digits)' }).meta({ allowed: 'a UUID (8-4-4-4-12 hex digits)' });

export const cloudflareZoneId = matching(/^[0-9a-f]{32}$/, 'a Cloudflare zone id: 32 lowercase hex digits');
export const hostname = matching(
  /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/,
  'a lowercase DNS name, e.g. "app.example.com"',
);

export const instanceType = matching(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a provider instance type name, e.g. "t4g.medium", "e2-standard-2", "DEV1-M"');

/** Cloudflare: 1 means automatic; otherwise 60 s (the DNS-only minimum) to one day. */
export const dnsTtl = z
  .number()
  .int()
  .refine((ttl) => ttl === 1 || (ttl >= 60 && ttl <= 86400), { error: '1 (automatic) or 60 to 86400 seconds' })
  .meta({ allowed: '1 (automatic) or 60 to 86400 seconds' });

/** Kubernetes label syntax: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY_ALLOWED = 'a Kubernetes label key: [prefix/]name, name up to 63 of [A-Za-z0-9-_.] starting and ending alphanumeric';
const LABEL_VALUE_ALLOWED = 'a Kubernetes label value: empty, or up to 63 of [A-Za-z0-9-_.] starting and ending alphanumeric';

export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash === -1) return LABEL_NAME.test(key);
  return LABEL_PREFIX.test(key.slice(0, slash)) && LABEL_NAME.test(key.slice(slash + 1));
}

export function isLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME.test(value);
}

export const labelKey = z.string().refine(isLabelKey, { error: LABEL_KEY_ALLOWED }).meta({ allowed: LABEL_KEY_ALLOWED });
export const labelValue = z.string().refine(isLabelValue, { error: LABEL_VALUE_ALLOWED }).meta({ allowed: LABEL_VALUE_ALLOWED });

export const labels = z
  .record(z.string(), z.string())
  .meta({ allowed: `keys: ${LABEL_KEY_ALLOWED}; values: ${LABEL_VALUE_ALLOWED}` })
  .superRefine((map, ctx) => {
    for (const [key, value] of Object.entries(map)) {
      if (!isLabelKey(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: key,
          message: LABEL_KEY_ALLOWED,
          params: { problem: `key ${JSON.stringify(key)} is not a label key` },
        });
      } else if (!isLabelValue(value)) {
        ctx.addIssue({ code: 'custom', path: [key], input: value, message: LABEL_VALUE_ALLOWED });
      }
    }
  });

/** cloud-init runs user data that starts with "#!" as a script; unknown placeholders would reach the VM verbatim. */
export const joinScriptTemplate = z
  .string()
  .superRefine((template, ctx) => {
    if (!template.startsWith('#!')) {
      ctx.addIssue({
        code: 'custom',
        input: template,
        message: 'a script starting with "#!" (e.g. "#!/bin/bash\\n...")',
        params: { problem: 'does not start with "#!"' },
      });
    }
    const unknown = unknownPlaceholders(template);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        input: template,
        message: `placeholders ${JOIN_TEMPLATE_PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}`,
        params: { problem: `unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `{{${n}}}`).join(', ')}` },
      });
    }
  })
  .meta({ allowed: `a script starting with "#!"; placeholders ${JOIN_TEMPLATE_PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}` });

/** An e-mail address as SNS accepts it for an email subscription (one address, no display name). */
export const emailAddress = matching(/^[^\s@<>(),;:"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'an e-mail address like ops@example.com');
