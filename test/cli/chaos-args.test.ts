import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../cli/chaos/duration.js';
import { parseChaosArgs } from '../../cli/commands/chaos.js';

describe('Function: parseChaosArgs', () => {
  it('turns each fault command line into the request the chaos endpoint takes', () => {
    expect(parseChaosArgs(['provider-dark', 'aws', '--region', 'eu-west-3', '--for', '10m'])).toEqual({
      verb: 'inject',
      request: { fault: 'provider-dark', provider: 'aws', region: 'eu-west-3', forMs: 600_000 },
    });
    expect(parseChaosArgs(['spot-reclaim', 'node-1'])).toEqual({ verb: 'inject', request: { fault: 'spot-reclaim', target: 'node-1' } });
    expect(parseChaosArgs(['delete-vm', 'i-0abc'])).toEqual({ verb: 'inject', request: { fault: 'delete-vm', target: 'i-0abc' } });
    expect(parseChaosArgs(['api-down'])).toEqual({ verb: 'inject', request: { fault: 'api-down' } });
    expect(parseChaosArgs(['partition', 'gcp', '--for', '90s'])).toEqual({ verb: 'inject', request: { fault: 'partition', provider: 'gcp', forMs: 90_000 } });
    expect(parseChaosArgs(['list'])).toEqual({ verb: 'list' });
    expect(parseChaosArgs(['clear'])).toEqual({ verb: 'clear' });
  });

  it('refuses what does not fit, naming the problem and the fix', () => {
    expect(() => parseChaosArgs([])).toThrow(/name a fault: provider-dark, spot-reclaim, delete-vm, api-down, partition, flapping, list, clear/);
    expect(() => parseChaosArgs(['provider-drak', 'aws'])).toThrow(/unknown fault "provider-drak" \(did you mean "provider-dark"\?\)/);
    expect(() => parseChaosArgs(['provider-dark'])).toThrow(/provider-dark needs a provider \(aws, gcp, scaleway or home\)/);
    expect(() => parseChaosArgs(['delete-vm'])).toThrow(/delete-vm needs a node name or a VM id/);
    expect(() => parseChaosArgs(['api-down', 'now'])).toThrow(/api-down takes no argument, got "now"/);
    expect(() => parseChaosArgs(['partition', 'gcp', '--region', 'x'])).toThrow(/--region is for provider-dark only/);
    expect(() => parseChaosArgs(['spot-reclaim', 'n', '--for', '1m'])).toThrow(/spot-reclaim happens at once: it takes no --for/);
    expect(() => parseChaosArgs(['list', '--for', '1m'])).toThrow(/list takes no --region or --for/);
    expect(() => parseChaosArgs(['api-down', '--for', 'soon'])).toThrow(/--for must be a duration such as 90s, 10m, 1h30m or 2d/);
  });
});

describe('Function: parseDuration', () => {
  it('reads units and their sums, and refuses anything else', () => {
    expect(parseDuration('for', '1h30m')).toBe(5_400_000);
    expect(parseDuration('for', '250ms')).toBe(250);
    expect(parseDuration('for', '2d')).toBe(172_800_000);
    for (const bad of ['', '10', '0s', '5 minutes', '1h-1m', 'm5']) expect(() => parseDuration('for', bad)).toThrow(/--for must be a duration/);
  });
});

describe('Function: formatDuration', () => {
  it('shows the two largest units, leaving zeros out', () => {
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(90_061_000)).toBe('1d 1h');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(0)).toBe('0s');
  });
});
