import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { demoConfig } from '../../../local/demo/config.js';
import { dnsAct } from '../../../local/demo/dns-act.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';

/** The demo's acts on their own, where one cannot succeed: the outcome says why, and the act does nothing it need not. */
let local: ShepherdLocal | undefined;

afterEach(async () => {
  await local?.stop();
  local = undefined;
});

describe('Function: dnsAct', () => {
  it('fails, saying why, when no cloud node ever joins the records, and cuts no power', async () => {
    const { config } = demoConfig(loadConfigFile('shepherd.config.json'));
    local = await startShepherdLocal({ config, seed: 1, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
    const lines: string[] = [];

    const outcome = await dnsAct(local, (line) => lines.push(line));

    expect(outcome).toEqual({ ok: false, why: expect.stringMatching(/^the records of app never held \S+ \(home\) and a cloud node's address together$/) });
    expect(lines).toEqual([]);
    expect(local.sim.world.timeline.filter((e) => e.type === 'provider.dark')).toEqual([]);
  }, 900_000);
});
