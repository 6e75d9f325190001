import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';
import { orphanGraceSeconds } from '../../functions/decisions/healing/orphan-vms.js';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate raw JSON freely
type Raw = any;

const minimal = (): Raw => JSON.parse(readFileSync(new URL('../../config/examples/minimal.json', import.meta.url), 'utf8'));

function messageOf(raw: Raw): string {
  try {
    parseConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('Function: parseConfig (healing)', () => {
  it('fills the healing safety limits from their anchors: NHC 300 s, CA 45 % above 3 nodes, per provider 45 % above 1, MCM 1 per pool, NTH taint, watcher every minute', () => {
    const config = parseConfig(minimal());
    expect(config.healing).toEqual({
      unhealthyAfterSeconds: 300,
      maxUnhealthyPercent: 45,
      okUnhealthyNodes: 3,
      maxUnhealthyPercentPerProvider: 45,
      okUnhealthyNodesPerProvider: 1,
      maxConcurrentPerPool: 1,
      drainTimeoutSeconds: 300,
      evictionRetrySeconds: 10,
      apiUnreachableFreezeSeconds: 30,
      orphanSweepMinutes: 15,
      rebalanceRecommendation: 'taint',
      watcherIntervalMinutes: 1,
    });
    // Orphan grace: the registration deadline unless set.
    expect(orphanGraceSeconds(config)).toBe(config.provisioning.registrationTimeoutSeconds);
  });

  it('keeps what is set', () => {
    const raw = minimal();
    raw.healing = { rebalanceRecommendation: 'replace', orphanGraceSeconds: 1200, watcherIntervalMinutes: 5, okUnhealthyNodesPerProvider: 0 };
    const config = parseConfig(raw);
    expect(config.healing).toMatchObject({
      rebalanceRecommendation: 'replace',
      orphanGraceSeconds: 1200,
      watcherIntervalMinutes: 5,
      okUnhealthyNodesPerProvider: 0,
    });
    expect(orphanGraceSeconds(config)).toBe(1200);
  });

  it.each([
    [{ rebalanceRecommendation: 'drain' }, 'healing.rebalanceRecommendation: got "drain"; allowed: "replace" | "taint"'],
    [{ maxUnhealthyPercentPerProvider: 120 }, 'healing.maxUnhealthyPercentPerProvider: got 120; allowed: <= 100'],
    [{ okUnhealthyNodes: -1 }, 'healing.okUnhealthyNodes: got -1; allowed: >= 0'],
    [{ watcherIntervalMinutes: 0.5 }, 'healing.watcherIntervalMinutes: got 0.5; allowed: an integer'],
    [{ watcherIntervalMinutes: 0 }, 'healing.watcherIntervalMinutes: got 0; allowed: >= 1'],
    [{ orphanGraceSeconds: '15m' }, 'healing.orphanGraceSeconds: got "15m"; allowed: a number'],
    [{ unhealthyAfter: 300 }, 'healing: unknown key "unhealthyAfter"'],
  ])('names the field and what is allowed: %j', (healing, line) => {
    const raw = minimal();
    raw.healing = healing;
    expect(messageOf(raw)).toContain(`test.json: ${line}`);
  });

  it('refuses an orphan grace shorter than the registration deadline, and says how to fix it', () => {
    const raw = minimal();
    raw.healing = { orphanGraceSeconds: 600 };
    expect(messageOf(raw)).toContain(
      'test.json: healing.orphanGraceSeconds: got 600, shorter than provisioning.registrationTimeoutSeconds (900): VMs still joining would be terminated; allowed: at least 900, or leave it out to use provisioning.registrationTimeoutSeconds',
    );
    raw.healing = { orphanGraceSeconds: 900 };
    expect(parseConfig(raw).healing.orphanGraceSeconds).toBe(900);
  });

  it('refuses an eviction retry interval not shorter than the drain deadline', () => {
    const raw = minimal();
    raw.healing = { drainTimeoutSeconds: 60, evictionRetrySeconds: 60 };
    expect(messageOf(raw)).toContain(
      'test.json: healing.evictionRetrySeconds: got 60, not shorter than drainTimeoutSeconds (60): a blocked eviction would never be retried; allowed: less than drainTimeoutSeconds (60); raise drainTimeoutSeconds or lower this',
    );
    raw.healing = { drainTimeoutSeconds: 61, evictionRetrySeconds: 60 };
    expect(parseConfig(raw).healing.evictionRetrySeconds).toBe(60);
  });
});
