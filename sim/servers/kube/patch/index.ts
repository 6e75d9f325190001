import { KubeStatusError } from '../../../world/kube-store.js';
import type { KubeObject } from '../../../world/types.js';
import { badRequest, unsupportedMediaType } from '../status.js';
import { applyJsonPatch, MalformedPatchError, PatchApplyError } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { strategiesFor } from './strategies.js';

/** The patch types the simulator applies (server-side apply is not among them). */
export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;

/**
 * Applies a PATCH body of the given media type to a stored object. 415 for other media
 * types, 400 for a body that is not a patch, 422 when a JSON patch operation fails.
 */
export function applyPatch(resource: string, mediaType: string, current: KubeObject, body: string): KubeObject {
  if (!(PATCH_TYPES as readonly string[]).includes(mediaType)) throw unsupportedMediaType(PATCH_TYPES);
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  try {
    if (mediaType === 'application/json-patch+json') return applyJsonPatch(current, patch);
    if (mediaType === 'application/merge-patch+json') return applyMergePatch(current, patch);
    return applyStrategicMergePatch(current, patch, strategiesFor(resource));
  } catch (err) {
    if (err instanceof MalformedPatchError) throw badRequest(err.message);
    if (err instanceof PatchApplyError) {
      throw new KubeStatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
        causes: [{ reason: 'UnexpectedServerResponse', message: err.message }],
      });
    }
    throw err;
  }
}
