import { describe, expect, it } from 'vitest';
import { vmTeardownText } from '../../../functions/providers/vm-teardown.js';

describe('Function: vmTeardownText', () => {
  it('names the VMs terminated and, apart, those already gone (deleted out of band)', () => {
    expect(vmTeardownText({ terminated: ['i-1'], alreadyGone: [] })).toBe('terminated VM i-1');
    expect(vmTeardownText({ terminated: [], alreadyGone: ['i-2'] })).toBe('VM i-2 was already gone');
    expect(vmTeardownText({ terminated: ['i-1'], alreadyGone: ['i-2', 'i-3'] })).toBe('terminated VM i-1; VM i-2, i-3 were already gone');
  });

  it('says where a Scaleway pool node was, and that nothing was left when there was no VM', () => {
    expect(vmTeardownText({ terminated: ['pool:p-1'], alreadyGone: [] })).toBe('terminated VM in pool p-1');
    expect(vmTeardownText({ terminated: [], alreadyGone: [] })).toBe('no VM left to terminate');
    expect(vmTeardownText(undefined)).toBe('no VM left to terminate');
  });
});
