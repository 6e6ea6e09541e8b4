// A small validator for the subset of OpenAPI 3 the notification request schemas use: $ref across
// files, type (incl. integer/int64), required, properties, additionalProperties, enum, const, items,
// allOf/anyOf/oneOf, nullable, minimum/maximum, minLength/maxLength, pattern, uniqueItems.
//
// Choices:
// - oneOf is checked as anyOf (at least one branch). The Iceberg spec's oneOf branches overlap
//   (PrimitiveTypeValue: a string matches a dozen branches) and the Jackson-based Polaris server
//   never enforces exclusivity, so strict oneOf would reject valid bodies.
// - A schema with properties/required but no `type` (NotificationRequest) still requires an object:
//   Jackson cannot bind a string or array to a model class either.
// - Unknown keywords (discriminator, format other than integer formats, examples, readOnly…) are ignored.
//
// All referenced documents are read once, at construction, so validation never touches the disk.
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';

type Schema = Record<string, unknown> | boolean;

interface Doc {
  path: string;
  root: unknown;
}

interface Node {
  doc: Doc;
  schema: Schema;
}

export interface ValidationError {
  path: string;
  message: string;
}

export class OpenApiValidator {
  private readonly docs = new Map<string, Doc>();
  private readonly refs = new Map<string, Node>();
  private readonly patterns = new Map<string, RegExp>();
  private readonly entry: Doc;

  constructor(entryFile: string) {
    this.entry = this.loadDoc(resolvePath(entryFile));
  }

  /** Validates `value` against `#/components/schemas/<name>` of the entry document. */
  validate(schemaName: string, value: unknown): ValidationError | null {
    const node = this.resolve(this.entry, `#/components/schemas/${schemaName}`);
    return this.check(node, value, '$');
  }

  // Loads a document and, transitively, every document its $refs name.
  private loadDoc(path: string): Doc {
    const existing = this.docs.get(path);
    if (existing) return existing;
    const doc: Doc = { path, root: parseYaml(readFileSync(path, 'utf8')) };
    this.docs.set(path, doc);
    const files = new Set<string>();
    collectRefFiles(doc.root, files);
    for (const f of files) this.loadDoc(resolvePath(dirname(path), f));
    return doc;
  }

  private resolve(doc: Doc, ref: string): Node {
    const key = `${doc.path}|${ref}`;
    const hit = this.refs.get(key);
    if (hit) return hit;
    const hash = ref.indexOf('#');
    const file = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1);
    const target = file === '' ? doc : this.docs.get(resolvePath(dirname(doc.path), file));
    if (!target) throw new Error(`openapi: unresolved document in $ref ${ref} (from ${doc.path})`);
    let cur: unknown = target.root;
    for (const raw of pointer.split('/').slice(1)) {
      const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (cur === null || typeof cur !== 'object' || !(part in cur)) {
        throw new Error(`openapi: unresolved pointer in $ref ${ref} (from ${doc.path})`);
      }
      cur = (cur as Record<string, unknown>)[part];
    }
    const node: Node = { doc: target, schema: cur as Schema };
    this.refs.set(key, node);
    return node;
  }

  private check(node: Node, v: unknown, path: string): ValidationError | null {
    const s = node.schema;
    if (s === true || s === undefined || s === null) return null;
    if (s === false) return { path, message: 'is not allowed' };
    const sub = (schema: unknown): Node => ({ doc: node.doc, schema: schema as Schema });

    if (typeof s.$ref === 'string') {
      const err = this.check(this.resolve(node.doc, s.$ref), v, path);
      if (err) return err;
    }

    if (v === null) {
      if (s.nullable === true) return null;
      if (s.type !== undefined || isObjectish(s)) return { path, message: 'must not be null' };
    }

    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => hasType(v, t))) {
        const fmt = typeof s.format === 'string' && s.type === 'integer' ? ` (${s.format})` : '';
        return { path, message: `expected ${types.join(' or ')}${fmt}, got ${describe(v)}` };
      }
    } else if (isObjectish(s) && !isPlainObject(v)) {
      return { path, message: `expected object, got ${describe(v)}` };
    }

    if (Array.isArray(s.enum) && !s.enum.some((e) => e === v)) {
      return { path, message: `must be one of ${s.enum.map(String).join(', ')}; got ${describe(v)}` };
    }
    if ('const' in s && s.const !== v) return { path, message: `must be ${JSON.stringify(s.const)}; got ${describe(v)}` };

    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) return { path, message: `must be >= ${s.minimum}; got ${v}` };
      if (typeof s.maximum === 'number' && v > s.maximum) return { path, message: `must be <= ${s.maximum}; got ${v}` };
    }
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && v.length < s.minLength) return { path, message: `must have at least ${s.minLength} characters` };
      if (typeof s.maxLength === 'number' && v.length > s.maxLength) return { path, message: `must have at most ${s.maxLength} characters` };
      if (typeof s.pattern === 'string' && !this.pattern(s.pattern).test(v)) return { path, message: `must match ${s.pattern}; got ${describe(v)}` };
    }

    if (isPlainObject(v)) {
      const props = (isPlainObject(s.properties) ? s.properties : {}) as Record<string, unknown>;
      if (Array.isArray(s.required)) {
        for (const key of s.required as string[]) {
          if (v[key] === undefined) return { path: childPath(path, key), message: 'required property is missing' };
        }
      }
      for (const [key, value] of Object.entries(v)) {
        if (key in props) {
          const err = this.check(sub(props[key]), value, childPath(path, key));
          if (err) return err;
        } else if (s.additionalProperties === false) {
          return { path: childPath(path, key), message: 'unknown property' };
        } else if (isPlainObject(s.additionalProperties)) {
          const err = this.check(sub(s.additionalProperties), value, childPath(path, key));
          if (err) return err;
        }
      }
    }

    if (Array.isArray(v)) {
      if (s.items !== undefined) {
        for (let i = 0; i < v.length; i++) {
          const err = this.check(sub(s.items), v[i], `${path}[${i}]`);
          if (err) return err;
        }
      }
      if (s.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) {
        return { path, message: 'items must be unique' };
      }
    }

    if (Array.isArray(s.allOf)) {
      for (const part of s.allOf) {
        const err = this.check(sub(part), v, path);
        if (err) return err;
      }
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = s[key];
      if (!Array.isArray(branches)) continue;
      let closest: ValidationError | null = null;
      let matched = false;
      for (const part of branches) {
        const err = this.check(sub(part), v, path);
        if (!err) {
          matched = true;
          break;
        }
        if (!closest || err.path.length > closest.path.length) closest = err;
      }
      if (!matched) {
        const hint = closest && closest.path !== path ? ` (closest: ${closest.path}: ${closest.message})` : '';
        return { path, message: `does not match any allowed schema${hint}` };
      }
    }
    return null;
  }

  private pattern(source: string): RegExp {
    let re = this.patterns.get(source);
    if (!re) {
      re = new RegExp(source, 'u');
      this.patterns.set(source, re);
    }
    return re;
  }
}

function collectRefFiles(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const x of node) collectRefFiles(x, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const file = v.split('#')[0] ?? '';
        if (file !== '') out.add(file);
      } else {
        collectRefFiles(v, out);
      }
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isObjectish(s: Record<string, unknown>): boolean {
  return s.properties !== undefined || s.required !== undefined || s.additionalProperties !== undefined;
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'null':
      return v === null;
    default:
      return true;
  }
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
