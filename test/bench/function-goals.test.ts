import { describe, expect, it } from 'vitest';
import { apisInBundle } from '../../bench/functions/bundle-apis.js';
import { checkGoals, type FunctionFigures, GCE_MEMORY_SHARE_LIMIT, IMPORT_LIMIT_MS, SMALL_BUNDLE_LIMIT_BYTES } from '../../bench/functions/goals.js';
import { itemsOf } from '../../bench/provision-runs/counting-proxy.js';

const MIB = 1024 * 1024;
const fn = (over: Partial<FunctionFigures>): FunctionFigures => ({ name: 'f', apis: [], bundleBytes: 1000, importMs: 10, memoryMb: 256, ...over });
const verdicts = (figures: FunctionFigures[]) => checkGoals(figures).map((g) => g.pass);

describe('Function: checkGoals', () => {
  it('passes small, fast functions and a GCE function within its memory share', () => {
    const gce = fn({
      name: 'gce',
      apis: ['gce'],
      importMs: 5000,
      bundleBytes: 70e6,
      memoryMb: 1024,
      realCall: { peakRssBytes: 0.5 * 1024 * MIB, okCalls: 1, calls: 1 },
    });
    expect(verdicts([fn({}), fn({ name: 'k8s', apis: ['kubernetes'], bundleBytes: 6e6 }), gce])).toEqual([true, true, true]);
  });

  it('fails a slow import only for functions that do not talk to GCE', () => {
    expect(verdicts([fn({ importMs: IMPORT_LIMIT_MS + 1 })])[0]).toBe(false);
    expect(verdicts([fn({ apis: ['gce'], importMs: IMPORT_LIMIT_MS * 10 })])[0]).toBe(true);
  });

  it('fails a large bundle only for functions that talk to neither GCE nor Kubernetes', () => {
    expect(verdicts([fn({ bundleBytes: SMALL_BUNDLE_LIMIT_BYTES + 1 })])[1]).toBe(false);
    expect(verdicts([fn({ apis: ['kubernetes'], bundleBytes: SMALL_BUNDLE_LIMIT_BYTES * 5 })])[1]).toBe(true);
  });

  it('fails a GCE function over its memory share, or without a successful real call', () => {
    const over = (GCE_MEMORY_SHARE_LIMIT + 0.01) * 512 * MIB;
    const failed = checkGoals([fn({ name: 'gce', apis: ['gce'], memoryMb: 512, realCall: { peakRssBytes: over, okCalls: 1, calls: 1 } })])[2];
    expect(failed.pass).toBe(false);
    expect(failed.detail).toContain('gce');
    expect(verdicts([fn({ apis: ['gce'], realCall: { peakRssBytes: MIB, okCalls: 0, calls: 2 } })])[2]).toBe(false);
    expect(verdicts([fn({ apis: ['gce'] })])[2]).toBe(false);
  });
});

describe('Function: apisInBundle', () => {
  it('finds the GCE host and the Kubernetes Nodes path in any file of the bundle', () => {
    expect(apisInBundle([Buffer.from('const a = 1;'), Buffer.from('fetch("https://compute.googleapis.com/compute/v1")')])).toEqual(['gce']);
    expect(apisInBundle([Buffer.from('get("/api/v1/nodes/" + name)')])).toEqual(['kubernetes']);
    expect(apisInBundle([Buffer.from('ec2.amazonaws.com')])).toEqual([]);
  });
});

describe('Function: itemsOf', () => {
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));
  it('counts the items of batch and transaction calls and the entries of PutEvents', () => {
    expect(itemsOf('DynamoDB_20120810.TransactWriteItems', body({ TransactItems: [{}, {}, {}] }))).toBe(3);
    expect(itemsOf('DynamoDB_20120810.BatchWriteItem', body({ RequestItems: { a: [{}, {}], b: [{}] } }))).toBe(3);
    expect(itemsOf('DynamoDB_20120810.BatchGetItem', body({ RequestItems: { a: { Keys: [{}, {}] } } }))).toBe(2);
    expect(itemsOf('AWSEvents.PutEvents', body({ Entries: [{}, {}] }))).toBe(2);
    expect(itemsOf('DynamoDB_20120810.PutItem', body({ Item: {} }))).toBe(1);
  });
});
