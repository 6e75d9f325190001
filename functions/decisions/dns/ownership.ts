/**
 * How shepherd marks the DNS records it owns: a record comment, `shepherd:<cluster>/<entrypoint>`.
 *
 * Why a comment: tags are refused on Cloudflare's Free plan (error 1004, tag quota 0), and TXT ownership records
 * (external-dns) cost one more record per name on zones that hold at most 200 (Free zones created since September
 * 2024) and must be kept in step with the records they vouch for. A comment travels with its record in the same
 * batch, and the list API filters on it (`comment.exact`). Free plans cap comments at 100 characters; with names of
 * at most 40 characters (config/fields.ts resourceName) this one is at most 90.
 */
export const OWNER_PREFIX = 'shepherd:';

export function ownershipComment(cluster: string, entrypoint: string): string {
  return `${OWNER_PREFIX}${cluster}/${entrypoint}`;
}

/** True when the record carries exactly this entrypoint's mark (another cluster's or entrypoint's record is foreign). */
export function isOwnedBy(record: { comment: string | null }, comment: string): boolean {
  return record.comment === comment;
}
