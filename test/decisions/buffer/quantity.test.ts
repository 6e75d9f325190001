import { describe, expect, it } from 'vitest';
import { cpuMillis, memoryBytes, parseQuantity } from '../../../functions/decisions/buffer/quantity.js';

describe('Function: parseQuantity', () => {
  it('reads binary and decimal suffixes and exponents as Kubernetes does', () => {
    expect(parseQuantity('128Mi')).toBe(128 * 2 ** 20);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('.5')).toBe(0.5);
  });

  it('refuses what is not a quantity', () => {
    expect(parseQuantity('2 cores')).toBeUndefined();
    expect(parseQuantity('-1')).toBeUndefined();
    expect(parseQuantity('1Kb')).toBeUndefined();
    expect(parseQuantity(undefined)).toBeUndefined();
  });
});

describe('Function: cpuMillis', () => {
  it('gives millicores, rounding a fraction of a millicore up', () => {
    expect(cpuMillis('2')).toBe(2000);
    expect(cpuMillis('1900m')).toBe(1900);
    expect(cpuMillis('0.1')).toBe(100);
    expect(cpuMillis('100u')).toBe(1);
  });
});

describe('Function: memoryBytes', () => {
  it('gives bytes', () => {
    expect(memoryBytes('64Mi')).toBe(67108864);
    expect(memoryBytes('1G')).toBe(1e9);
  });
});
