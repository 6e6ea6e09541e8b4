import { neutraliseControls } from './safe-text.js';

/**
 * Turns pino's JSON lines into lines a person reads on a terminal:
 *   04:12:33 WARN  retrying lake_mirror.sales.orders: Polaris answered 503 …  table=lake_mirror.sales.orders retryInMs=812
 * Only used when stderr is a TTY; files, pipes and log shippers keep the JSON.
 */
const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
};
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

export function readableLine(json: string, colour: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const [name, tint] = LEVELS[record.level as number] ?? ['LOG  ', ''];
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${neutraliseControls(key)}=${formatValue(key, value)}`)
    .join(' ');
  const level = colour ? `${tint}${name}\x1b[0m` : name;
  // JSON.parse has turned escaped control characters back into real ones: one record, one inert line.
  return `${time} ${level} ${neutraliseControls(String(record.msg ?? ''))}${fields ? `  ${fields}` : ''}\n`;
}

function formatValue(key: string, value: unknown): string {
  if (key === 'err' && value && typeof value === 'object') {
    const err = value as { message?: unknown; stack?: unknown };
    return neutraliseControls(JSON.stringify(String(err.message ?? err.stack ?? '')));
  }
  if (typeof value === 'string') return neutraliseControls(/\s/.test(value) ? JSON.stringify(value) : value);
  return neutraliseControls(JSON.stringify(value) ?? String(value));
}
