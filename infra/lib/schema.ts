// Why this exists: `schema.json` is printed by the Rust `wecare-schema` binary from the same
// definitions the local stack provisions from (tables, routes, functions). The CDK app builds
// every table, route and function from it, so this module is the one door through which that
// file enters TypeScript: it checks the shape and the cross-references once, with messages that
// say what is wrong, instead of letting a typo surface as a confusing CloudFormation error.

import { readFileSync } from 'node:fs';

export interface GsiDef {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /**
   * What the index holds of each item (`wecare_core::tables::Projection`): everything, or its keys
   * only — then an update that leaves the index keys alone writes nothing to it, and readers fetch
   * the items from the table.
   */
  readonly projection: 'ALL' | 'KEYS_ONLY';
  readonly purpose: string;
}

export interface TableDef {
  /** Role of the table in the Rust code (`DlqMessages`), used for construct ids. */
  readonly table: string;
  /** Logical name as in the specification (`DLQMessages`); physical name = prefix + name. */
  readonly name: string;
  /** Environment variable through which functions receive the physical name. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly gsis: readonly GsiDef[];
  /** Number attribute holding epoch seconds, when the table expires items. */
  readonly ttlAttribute: string | null;
  /** Point-in-time recovery (and, in production, deletion protection). */
  readonly durable: boolean;
  readonly items: string;
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethodName = (typeof HTTP_METHODS)[number];

export interface RouteDef {
  readonly method: HttpMethodName;
  readonly path: string;
  readonly function: string;
  /** Whether the `auth-middleware` authorizer runs first. */
  readonly authorized: boolean;
}

export interface Schema {
  readonly tables: readonly TableDef[];
  readonly routes: readonly RouteDef[];
  readonly functions: readonly string[];
}

/** The function that authorizes every route whose `authorized` is true. */
export const AUTHORIZER_FUNCTION = 'auth-middleware';

export class SchemaError extends Error {
  constructor(source: string, problems: readonly string[]) {
    super(`${source} is not a valid schema:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SchemaError';
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks a schema file written by `cargo run -p wecare-core --bin wecare-schema`. */
export function loadSchema(path: string): Schema {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SchemaError(path, [`cannot be read as JSON: ${(e as Error).message}`]);
  }
  return parseSchema(raw, path);
}

/** Checks the shape of a parsed schema and the references between its parts. */
export function parseSchema(raw: unknown, source = 'schema'): Schema {
  const problems: string[] = [];
  if (!isObject(raw)) throw new SchemaError(source, ['the top level must be an object']);

  const str = (o: Json, key: string, where: string): string => {
    const v = o[key];
    if (typeof v !== 'string' || v.length === 0) {
      problems.push(`${where}.${key} must be a non-empty string`);
      return '';
    }
    return v;
  };
  const bool = (o: Json, key: string, where: string): boolean => {
    const v = o[key];
    if (typeof v !== 'boolean') {
      problems.push(`${where}.${key} must be true or false`);
      return false;
    }
    return v;
  };
  const list = (o: Json, key: string, where: string): unknown[] => {
    const v = o[key];
    if (!Array.isArray(v)) {
      problems.push(`${where}.${key} must be a list`);
      return [];
    }
    return v;
  };

  const tables: TableDef[] = list(raw, 'tables', source).flatMap((t, i): TableDef[] => {
    const where = `tables[${i}]`;
    if (!isObject(t)) {
      problems.push(`${where} must be an object`);
      return [];
    }
    const ttl = t['ttlAttribute'];
    if (ttl !== null && (typeof ttl !== 'string' || ttl.length === 0)) {
      problems.push(`${where}.ttlAttribute must be null or an attribute name`);
    }
    const gsis: GsiDef[] = list(t, 'gsis', where).flatMap((g, j) => {
      const gw = `${where}.gsis[${j}]`;
      if (!isObject(g)) {
        problems.push(`${gw} must be an object`);
        return [];
      }
      const projection = g['projection'];
      if (projection !== 'ALL' && projection !== 'KEYS_ONLY') {
        problems.push(`${gw}.projection must be ALL or KEYS_ONLY`);
      }
      return [{
        name: str(g, 'name', gw),
        partitionKey: str(g, 'partitionKey', gw),
        sortKey: str(g, 'sortKey', gw),
        projection: projection === 'KEYS_ONLY' ? 'KEYS_ONLY' : 'ALL',
        purpose: str(g, 'purpose', gw),
      }];
    });
    return [{
      table: str(t, 'table', where),
      name: str(t, 'name', where),
      envVar: str(t, 'envVar', where),
      partitionKey: str(t, 'partitionKey', where),
      sortKey: str(t, 'sortKey', where),
      gsis,
      ttlAttribute: typeof ttl === 'string' ? ttl : null,
      durable: bool(t, 'durable', where),
      items: str(t, 'items', where),
    }];
  });

  const functions: string[] = list(raw, 'functions', source).flatMap((f, i) => {
    if (typeof f !== 'string' || !/^[a-z][a-z0-9-]*$/.test(f)) {
      problems.push(`functions[${i}] must be a crate name in kebab-case`);
      return [];
    }
    return [f];
  });

  const routes: RouteDef[] = list(raw, 'routes', source).flatMap((r, i) => {
    const where = `routes[${i}]`;
    if (!isObject(r)) {
      problems.push(`${where} must be an object`);
      return [];
    }
    const method = str(r, 'method', where);
    if (method && !(HTTP_METHODS as readonly string[]).includes(method)) {
      problems.push(`${where}.method ${method} is not one of ${HTTP_METHODS.join(', ')}`);
    }
    const path = str(r, 'path', where);
    if (path && !path.startsWith('/api/')) problems.push(`${where}.path ${path} must start with /api/ (CloudFront sends /api/* to the API)`);
    return [{ method: method as HttpMethodName, path, function: str(r, 'function', where), authorized: bool(r, 'authorized', where) }];
  });

  const dupes = (values: string[], what: string): void => {
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v)) problems.push(`${what} ${v} appears twice`);
      seen.add(v);
    }
  };
  dupes(tables.map((t) => t.name), 'table');
  dupes(tables.map((t) => t.table), 'table role');
  dupes(tables.map((t) => t.envVar), 'table variable');
  dupes(functions, 'function');
  dupes(routes.map((r) => `${r.method} ${r.path}`), 'route');
  for (const r of routes) {
    if (r.function && !functions.includes(r.function)) problems.push(`route ${r.method} ${r.path} is served by ${r.function}, which is not in functions`);
  }
  if (routes.some((r) => r.authorized) && !functions.includes(AUTHORIZER_FUNCTION)) {
    problems.push(`routes need the ${AUTHORIZER_FUNCTION} authorizer, which is not in functions`);
  }

  if (problems.length > 0) throw new SchemaError(source, problems);
  return { tables, routes, functions };
}
