import type { Vm } from '../../../world/types.js';
import { Ec2Error } from '../errors.js';
import { requireInstances } from '../instances.js';
import type { QueryParams } from '../query.js';
import { checkTagLimit, parseTags } from '../tags.js';
import type { Ec2Action, Ec2Context } from '../types.js';

/** CreateTags: adds or overwrites tags on instances (the only taggable resource simulated). */
export const createTags: Ec2Action = (ctx, params) => {
  const vms = requireTaggable(ctx, params);
  const tags = parseTags(params.items('Tag'));
  if (Object.keys(tags).length === 0) throw Ec2Error.missing('Tag');
  for (const vm of vms) checkTagLimit(vm.tags, tags);
  for (const vm of vms) ctx.env.world.setVmTags(vm.id, tags);
  return { return: true };
};

/**
 * DeleteTags: a tag given with a value is deleted only if the value matches; given without one it
 * is deleted whatever its value; no Tag at all deletes every tag of the resources.
 */
export const deleteTags: Ec2Action = (ctx, params) => {
  const vms = requireTaggable(ctx, params);
  const wanted = params.items('Tag').map((t) => ({ key: t.str('Key'), value: t.str('Value') }));
  for (const vm of vms) {
    const remove =
      wanted.length === 0
        ? Object.keys(vm.tags)
        : wanted.filter((t) => t.key !== undefined && t.key in vm.tags && (t.value === undefined || vm.tags[t.key] === t.value)).map((t) => t.key as string);
    ctx.env.world.setVmTags(vm.id, {}, remove);
  }
  return { return: true };
};

function requireTaggable(ctx: Ec2Context, params: QueryParams): Vm[] {
  const ids = params.list('ResourceId');
  if (ids.length === 0) throw Ec2Error.missing('ResourceId');
  const other = ids.find((id) => !id.startsWith('i-'));
  if (other) throw new Ec2Error('InvalidID', `The ID '${other}' is not valid`);
  return requireInstances(ctx, ids);
}
