import { vmIdentityMatcher } from '../node-match.js';
import type { ProviderDescriptor } from '../types.js';

/** Machines shepherd cannot create (a home lab): they join by hand, so there is no client and no function. */
export const homeProvider: ProviderDescriptor<'home'> = {
  name: 'home',
  joinMethods: ['none'],
  launchable: false,
  offerings: () => [],
  launchParallelism: () => 1,
  secretArns: () => [],
  iam: () => [],
  nodeMatcher: vmIdentityMatcher,
};
