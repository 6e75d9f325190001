/**
 * Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity): a decimal number with a binary suffix
 * (Ki, Mi, Gi, Ti, Pi, Ei), a decimal suffix (n, u, m, k, M, G, T, P, E) or a decimal exponent (1e3).
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

const MULTIPLIERS: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The quantity's value in base units, or undefined when it is not a quantity (negative ones included: no request is). */
export function parseQuantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const m = QUANTITY.exec(value.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  return m[3] !== undefined ? base * 10 ** Number(m[3]) : base * MULTIPLIERS[m[2] ?? ''];
}

/** CPU in millicores (Kubernetes rounds requests up to 1m). */
export function cpuMillis(value: string | number | undefined): number | undefined {
  const cores = parseQuantity(value);
  return cores === undefined ? undefined : Math.ceil(cores * 1000 - 1e-9);
}

/** Memory in bytes. */
export function memoryBytes(value: string | number | undefined): number | undefined {
  const bytes = parseQuantity(value);
  return bytes === undefined ? undefined : Math.ceil(bytes - 1e-9);
}
