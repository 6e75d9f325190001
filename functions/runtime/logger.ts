/** Keys whose values never reach a log line, whatever object they sit in. */
const SECRET_KEYS = /token|secret|password|kubeconfig|user[-_]?data|authorization|credential|private[-_]?key/i;
/** Deeper than this, an object is not walked; it is dropped rather than logged unredacted. */
const MAX_DEPTH = 8;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One JSON line per entry (CloudWatch Logs Insights reads the fields); secrets redacted. */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  if (level === 'debug' && process.env.SHEPHERD_LOG_LEVEL !== 'debug') return;
  const line = JSON.stringify({ level, message, ...(redact(fields) as Record<string, unknown>) });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}
