import type { z } from 'zod';
import { sourceSchemas } from '../../adapters/schemas.js';
import { formatPath, type ConfigIssue } from './config-error.js';
import { isSecretPath } from './secrets.js';

/**
 * Turns zod's issues into messages an operator can act on: the path, what is wrong, and a hint
 * (the closest known key for a typo, the accepted values, an example).
 */
export function toConfigIssues(error: z.ZodError, schema: z.ZodType, raw: unknown): ConfigIssue[] {
  return error.issues.flatMap((issue) => describeIssue(issue, schema, raw));
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, raw: unknown): ConfigIssue[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, issue.path, raw);
      return issue.keys.map((key) => {
        const near = closest(key, allowed);
        return {
          path: formatPath([...issue.path, key]),
          message: 'unknown key',
          hint: near
            ? `did you mean "${near}"?`
            : allowed.length > 0
              ? `keys allowed here: ${allowed.join(', ')}`
              : 'remove it',
        };
      });
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator === 'type') {
        const given = valueAt(raw, issue.path);
        const available = Object.keys(sourceSchemas).join(', ');
        return [
          {
            path,
            message:
              given === undefined ? 'a source needs a type' : `unknown source type ${JSON.stringify(given)}`,
            hint: `use one of: ${available}`,
          },
        ];
      }
      return [{ path, message: issue.message }];
    }
    case 'invalid_type': {
      const given = valueAt(raw, issue.path);
      if (given === undefined) return [{ path, message: `is required (${issue.expected})` }];
      // Never echo what might be a secret (a numeric token written without quotes, anything under
      // signature or a credential header): name the type only.
      const secret = isSecretPath(issue.path);
      const what = secret ? article(given === null ? 'null' : typeof given) : describeValue(given);
      const quoteHint = secret && typeof given === 'number' ? 'quote it in YAML so it stays a string' : undefined;
      return [{ path, message: `must be ${article(issue.expected)}, not ${what}`, hint: quoteHint }];
    }
    case 'invalid_value':
      return [{ path, message: issue.message, hint: `accepted values: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    case 'too_small':
    case 'custom': {
      // Cross-key rules (src/config/targets.ts) pass their operator hint along as a parameter.
      const hint = (issue as { params?: { hint?: unknown } }).params?.hint;
      return [{ path, message: issue.message, hint: typeof hint === 'string' ? hint : undefined }];
    }
    case 'too_big':
    case 'invalid_format':
    default:
      return [{ path, message: issue.message }];
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** Keys of the strict object the issue points into; for sources, the one picked by the raw `type`. */
function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[], raw: unknown): string[] {
  let node: z.core.$ZodType | undefined = schema;
  let value: unknown = raw;
  for (let i = 0; i <= path.length && node; i++) {
    node = unwrap(node, value);
    if (i === path.length) break;
    const part = path[i]!;
    const def = node?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    if (def.type === 'object' && typeof part === 'string') node = def.shape?.[part];
    else if (def.type === 'array') node = def.element;
    else node = undefined;
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  }
  const def = node?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(node: z.core.$ZodType, value: unknown): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = node;
  for (let guard = 0; current && guard < 10; guard++) {
    const def = current._zod.def as {
      type: string;
      innerType?: z.core.$ZodType;
      in?: z.core.$ZodType;
      options?: z.core.$ZodType[];
      discriminator?: string;
    };
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'union' && def.options) {
      const wanted = value !== null && typeof value === 'object' && def.discriminator
        ? (value as Record<string, unknown>)[def.discriminator]
        : undefined;
      current = def.options.find((option) => {
        const shape = (option._zod.def as { shape?: Record<string, z.core.$ZodType> }).shape;
        const literal = shape?.[def.discriminator ?? '']?._zod.def as { values?: unknown[] } | undefined;
        return literal?.values?.includes(wanted);
      });
    } else return current;
  }
  return current;
}

/** The known key within edit distance 2 (typos such as "clientSecet" or "namespace_prefix"). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const normalized = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(normalized(word), normalized(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
