import * as z from 'zod/mini';

/**
 * What an operator sees of a stored value read leniently: every field may be missing, and a value
 * from a fixed set is shown as stored, whatever it is.
 */
export type Lenient<T> = T extends string
  ? string
  : T extends number | boolean
    ? T
    : T extends readonly (infer E)[]
      ? readonly Lenient<E>[]
      : T extends object
        ? { readonly [K in keyof T]?: Lenient<T[K]> }
        : T;

/**
 * A lenient reading of one of the stored shapes' schemas, for tools that must show items written by
 * older (or newer) code: a field that is missing or does not fit reads as absent instead of failing
 * the whole item, unknown attributes are kept (as stored), and enum values are shown as they are.
 * The schema stays the one definition; this only relaxes it.
 */
export function lenient<S extends z.ZodMiniType>(schema: S): z.ZodMiniType<Lenient<z.output<S>>> {
  // The walk below builds the schema Lenient<T> describes; TypeScript cannot follow a runtime walk
  // over schema definitions, hence the one cast.
  return relax(schema) as unknown as z.ZodMiniType<Lenient<z.output<S>>>;
}

function relax(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def;
  switch (def.type) {
    case 'optional':
    case 'readonly':
    case 'default':
    case 'nullable':
      return relax((def as z.core.$ZodOptionalDef).innerType);
    case 'object': {
      const shape = (def as z.core.$ZodObjectDef).shape;
      return z.looseObject(
        Object.fromEntries(
          Object.entries(shape).map(([key, field]) => [key, z.optional(z.catch(relax(field), undefined))]),
        ),
      );
    }
    case 'array':
      return z.array(relax((def as z.core.$ZodArrayDef).element));
    case 'record':
      return z.record(z.string(), relax((def as z.core.$ZodRecordDef).valueType));
    case 'enum':
    case 'literal':
    case 'string':
      return z.string();
    default:
      return schema;
  }
}
