// Every leaf field of a zod object schema, with a value of the wrong type for it: the cases for
// "wrong types in every field of every request", generated from shared/protocol.ts so a field
// added there is covered without touching the tests.
import type { z } from 'zod';
import { formatPath } from '../../server/config/load';

export interface WrongTypeCase {
  /** The field as the daemon's errors name it, e.g. "textDocument.uri", "related[0].text". */
  path: string;
  params: unknown;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Peels optional/default/nullable wrappers. */
function core(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let d = defOf(cur); ['optional', 'default', 'nullable', 'prefault', 'readonly'].includes(d.type); d = defOf(cur)) cur = d.innerType!;
  return cur;
}

/** A value no schema of this type accepts. */
function wrongFor(type: string): unknown {
  switch (type) {
    case 'string':
    case 'enum':
    case 'literal':
      return 12345;
    case 'number':
    case 'int':
      return 'not a number';
    case 'boolean':
      return 'yes';
    case 'array':
      return 'not an array';
    case 'object':
      return 7;
    default:
      return Symbol.for('unsupported');
  }
}

/** A small valid value for a leaf, to build array elements the base params do not have. */
function sample(s: z.ZodType): unknown {
  const d = defOf(core(s));
  if (d.type === 'object') return Object.fromEntries(Object.entries(d.shape ?? {}).map(([k, v]) => [k, sample(v)]));
  if (d.type === 'string') return 'x';
  if (d.type === 'number') return 1;
  if (d.type === 'boolean') return true;
  if (d.type === 'array') return [];
  return undefined;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return copy;
}

export function wrongTypeCases(schema: z.ZodType, base: Record<string, unknown>): WrongTypeCase[] {
  const out: WrongTypeCase[] = [];
  const walk = (s: z.ZodType, path: (string | number)[], current: unknown, params: unknown) => {
    const inner = core(s);
    const d = defOf(inner);
    if (path.length) {
      const wrong = wrongFor(d.type);
      if (typeof wrong !== 'symbol') out.push({ path: formatPath(path), params: setAt(params, path, wrong) });
    }
    if (d.type === 'object') {
      // Absent optional objects are filled in with a valid sample so their own fields are reached.
      const obj = (current && typeof current === 'object' ? current : sample(inner)) as Record<string, unknown>;
      const withObj = path.length ? setAt(params, path, obj) : params;
      for (const [k, v] of Object.entries(d.shape ?? {})) walk(v, [...path, k], obj[k], withObj);
    } else if (d.type === 'array' && d.element && defOf(core(d.element)).type === 'object') {
      const el = (Array.isArray(current) && current.length ? current[0] : sample(d.element)) as unknown;
      walk(d.element, [...path, 0], el, setAt(params, path, [el]));
    }
  };
  walk(schema, [], base, base);
  return out;
}
