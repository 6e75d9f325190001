import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import type { KindSwitches } from '../../sim/index.js';

const config = loadConfigFile();
let local: ShepherdLocal | undefined;

beforeAll(async () => {
  await synthesizeStack(config);
}, 180_000);

afterEach(async () => {
  await local?.stop();
  local = undefined;
});

describe('Function: startShepherdLocal', () => {
  it('delivers events at least once unless the world is kind to eventbridge-delivery', async () => {
    const start = async (kind?: KindSwitches) => {
      local = await startShepherdLocal({ config, clock: { mode: 'virtual' }, kind, onLambdaLog: () => undefined });
      const mode = local.controlPlane.events.deliveryMode;
      await local.stop();
      local = undefined;
      return mode;
    };
    expect(await start()).toBe('at-least-once');
    expect(await start(['cloudflare-plans'])).toBe('at-least-once');
    expect(await start(['eventbridge-delivery'])).toBe('exactly-once');
    expect(await start('all')).toBe('exactly-once');
  }, 120_000);

  it('hands SQS messages out at least once unless the world is kind to sqs-delivery', async () => {
    const start = async (kind?: KindSwitches) => {
      local = await startShepherdLocal({ config, clock: { mode: 'virtual' }, kind, onLambdaLog: () => undefined });
      const mode = local.controlPlane.sqs.deliveryMode;
      await local.stop();
      local = undefined;
      return mode;
    };
    expect(await start()).toBe('at-least-once');
    expect(await start(['sqs-delivery'])).toBe('exactly-once');
  }, 120_000);
});
