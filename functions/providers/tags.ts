/** Tags (EC2) shepherd puts on every VM it creates; IAM conditions rely on shepherd:cluster. */
export const TAG_CLUSTER = 'shepherd:cluster';
export const TAG_POOL = 'shepherd:pool';
export const TAG_CLAIM = 'shepherd:claim';
