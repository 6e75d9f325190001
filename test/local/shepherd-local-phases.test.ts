import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';

const config = loadConfigFile();
let local: ShepherdLocal | undefined;

afterEach(async () => {
  await local?.stop();
  local = undefined;
});

describe('Function: startShepherdLocal', () => {
  it('tells a person waiting each phase of the start as it begins, synthesis first', async () => {
    const phases: string[] = [];
    local = await startShepherdLocal({ config, clock: { mode: 'virtual' }, onLambdaLog: () => undefined, onPhase: (p) => phases.push(p) });
    expect(phases.map((p) => p.split(' ').slice(0, 4).join(' '))).toEqual([
      'Synthesizing the stack (bundling',
      'Starting the simulated clouds',
      'Starting the local control',
      'Starting the chaos endpoint...',
    ]);
  }, 600_000);
});
