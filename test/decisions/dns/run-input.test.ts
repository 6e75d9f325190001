import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { planDnsRun } from '../../../functions/decisions/dns/run-input.js';
import { InvalidInputError } from '../../../functions/runtime/errors.js';

const CONFIGURED = ['app', 'api'];
const event = (source: string, detailType: string, detail: Record<string, unknown>) => ({ version: '0', id: 'e-1', source, 'detail-type': detailType, detail });

describe('Function: planDnsRun', () => {
  it('runs every entrypoint when a person names none, and only those named otherwise', () => {
    expect(planDnsRun({}, CONFIGURED)).toEqual({ entrypoints: ['app', 'api'], reason: 'started by hand', announcedNodes: {}, announcedInstances: {} });
    expect(planDnsRun({ entrypoints: ['api', 'api'], reason: 'moved the zone' }, CONFIGURED)).toMatchObject({ entrypoints: ['api'], reason: 'moved the zone' });
  });

  it('refuses bad input with InvalidInputError naming the field', () => {
    const refusal = (input: unknown) => {
      try {
        planDnsRun(input, CONFIGURED);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidInputError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ entrypoints: ['www'] })).toMatch(/^"entrypoints": "www" is not an entrypoint of the config; entrypoints: app, api/);
    expect(refusal({ entrypoints: [] })).toMatch(/^"entrypoints" must be a non-empty list/);
    expect(refusal({ reason: '' })).toMatch(/^"reason" must be a string/);
    expect(refusal({ entrypoint: 'app' })).toMatch(/^"entrypoint" is not a field/);
    expect(refusal([])).toMatch(/must be a JSON object/);
    expect(refusal(event('aws.ec2', 'EC2 Spot Instance Interruption Warning', {}))).toMatch(/^"detail.instance-id" must be a non-empty string/);
  });

  it('announces the instance of a spot warning, and of a state change only when it is leaving', () => {
    const spot = planDnsRun(
      event('aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-0abc', 'instance-action': 'terminate' }),
      CONFIGURED,
    );
    expect(spot).toMatchObject({ entrypoints: CONFIGURED, announcedInstances: { 'i-0abc': 'spot interruption warning (terminate)' } });
    const stopping = planDnsRun(event('aws.ec2', 'EC2 Instance State-change Notification', { 'instance-id': 'i-0abc', state: 'stopping' }), CONFIGURED);
    expect(stopping.announcedInstances).toEqual({ 'i-0abc': 'instance stopping' });
    const running = planDnsRun(event('aws.ec2', 'EC2 Instance State-change Notification', { 'instance-id': 'i-0abc', state: 'running' }), CONFIGURED);
    expect(running.announcedInstances).toEqual({});
  });

  it('announces the node of a heal started, and narrows a check-state change to its entrypoint', () => {
    const heal = planDnsRun(event('shepherd.healing', 'Shepherd Heal Started', { nodeName: 'aws-1', reason: 'NotReady' }), CONFIGURED);
    expect(heal).toMatchObject({ entrypoints: CONFIGURED, announcedNodes: { 'aws-1': 'heal started' } });
    const check = planDnsRun(
      event('shepherd.dns', 'Shepherd DNS Target Health Changed', { entrypoint: 'api', address: '203.0.113.9', healthy: false }),
      CONFIGURED,
    );
    expect(check).toMatchObject({ entrypoints: ['api'], reason: 'target 203.0.113.9 of api turned unhealthy', announcedNodes: {} });
    const gone = planDnsRun(
      event('shepherd.dns', 'Shepherd DNS Target Health Changed', { entrypoint: 'old', address: '203.0.113.9', healthy: true }),
      CONFIGURED,
    );
    expect(gone.entrypoints).toEqual([]);
  });

  it('runs every entrypoint on a watcher transition, announcing nothing (the run reads the Node itself)', () => {
    const notReady = planDnsRun(event('shepherd.watcher', 'Shepherd Node Went NotReady', { nodeName: 'home-1' }), CONFIGURED);
    expect(notReady).toEqual({ entrypoints: CONFIGURED, reason: 'Shepherd Node Went NotReady (home-1)', announcedNodes: {}, announcedInstances: {} });
  });
});

describe('Example inputs (workflows/examples/dns-failover.*)', () => {
  const dir = fileURLToPath(new URL('../../../workflows/examples/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.startsWith('dns-failover.') && f.endsWith('.json'));
  const shipped = loadConfigFile(fileURLToPath(new URL('../../../shepherd.config.json', import.meta.url)));
  it('there are some', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(`${file} is a valid DnsFailover input for the example config`, () => {
      const plan = planDnsRun(JSON.parse(readFileSync(`${dir}${file}`, 'utf8')), shipped.dns?.entrypoints.map((e) => e.name) ?? []);
      expect(plan.entrypoints.length).toBeGreaterThan(0);
    });
  }
});
