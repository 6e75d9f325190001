import { describe, expect, it } from 'vitest';
import { healAction } from '../../../functions/decisions/healing/heal-action.js';
import { PROVIDERS, providerNamed } from '../../../functions/providers/registry.js';

describe('Function: healAction', () => {
  it('replaces a node of a provider shepherd can create machines on', () => {
    expect(healAction({ name: 'ip-10-0-1-5', pool: 'aws-amd64' }, providerNamed('aws'))).toEqual({
      action: 'replace',
      reason: 'node ip-10-0-1-5 is removed and pool aws-amd64 gets a new aws machine',
    });
  });

  it('only deletes a home-lab node: it has no API to create one', () => {
    expect(healAction({ name: 'nuc-1', pool: 'home' }, providerNamed('home'))).toEqual({
      action: 'deleteOnly',
      reason: 'node nuc-1 is a home machine, which shepherd cannot create: its Node is deleted, not replaced; repair the machine and it joins again',
    });
  });

  it('follows the registry: replace exactly where a provider is launchable', () => {
    for (const provider of PROVIDERS) {
      expect(healAction({ name: 'n', pool: 'p' }, provider).action).toBe(provider.launchable ? 'replace' : 'deleteOnly');
    }
    expect(PROVIDERS.filter((p) => !p.launchable).map((p) => p.name)).toContain('home');
  });
});
