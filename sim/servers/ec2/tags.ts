import { Ec2Error } from './errors.js';
import type { QueryParams } from './query.js';

/** EC2 allows 50 user tags per resource. */
const MAX_TAGS_PER_RESOURCE = 50;

/** `Tag.N.Key` / `Tag.N.Value` items as a map; a missing value is the empty string, as in EC2. */
export function parseTags(items: QueryParams[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of items) {
    const key = item.str('Key');
    if (key === undefined || key === '') throw Ec2Error.invalidValue('Tag key must not be empty');
    if (key.toLowerCase().startsWith('aws:')) throw Ec2Error.invalidValue("Tag keys starting with 'aws:' are reserved for internal use");
    if (key.length > 128) throw Ec2Error.invalidValue(`Tag key exceeds the maximum length of 128 characters: ${key.slice(0, 16)}...`);
    const value = item.str('Value') ?? '';
    if (value.length > 256) throw Ec2Error.invalidValue(`Tag value exceeds the maximum length of 256 characters for key ${key}`);
    tags[key] = value;
  }
  return tags;
}

export function checkTagLimit(existing: Record<string, string>, added: Record<string, string>): void {
  if (Object.keys({ ...existing, ...added }).length > MAX_TAGS_PER_RESOURCE) {
    throw new Ec2Error('TagLimitExceeded', `The maximum number of Tags for a resource (${MAX_TAGS_PER_RESOURCE}) has been reached.`);
  }
}
