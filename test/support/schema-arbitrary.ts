import fc from 'fast-check';
import type * as z from 'zod/mini';

/**
 * A fast-check arbitrary for the values a zod (mini) schema accepts, read off the schema itself: its
 * object shapes and optional keys, enums, string lengths and formats, integer bounds. It covers the
 * kinds of schema the stored shapes use and throws on any other, so a new kind cannot be skipped
 * silently. Collections are kept small: the point is every shape, not volume.
 */
export function arbitraryOf<S extends z.ZodMiniType>(schema: S): fc.Arbitrary<z.output<S>> {
  return arbitrary(schema) as fc.Arbitrary<z.output<S>>;
}

interface Check {
  readonly check: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly value?: number;
  readonly inclusive?: boolean;
}

function checksOf(schema: z.core.$ZodType): Check[] {
  return (schema._zod.def.checks ?? []).map((check) => check._zod.def as unknown as Check);
}

function lengths(schema: z.core.$ZodType, atMost: number) {
  let minLength = 0;
  let maxLength = atMost;
  for (const c of checksOf(schema)) {
    if (c.check === 'min_length' && c.minimum !== undefined) minLength = Math.max(minLength, c.minimum);
    if (c.check === 'max_length' && c.maximum !== undefined) maxLength = Math.min(maxLength, c.maximum);
  }
  return { minLength, maxLength: Math.max(minLength, maxLength) };
}

function arbitrary(schema: z.core.$ZodType): fc.Arbitrary<unknown> {
  const def = schema._zod.def;
  switch (def.type) {
    case 'optional':
      return fc.option(arbitrary((def as z.core.$ZodOptionalDef).innerType), { nil: undefined });
    case 'readonly':
    case 'default':
      return arbitrary((def as z.core.$ZodReadonlyDef).innerType);
    case 'object': {
      const shape = (def as z.core.$ZodObjectDef).shape;
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [key, field] of Object.entries(shape)) {
        const optional = field._zod.def.type === 'optional';
        model[key] = arbitrary(optional ? (field._zod.def as z.core.$ZodOptionalDef).innerType : field);
        if (!optional) requiredKeys.push(key);
      }
      // An optional key is absent or holds a value, never `undefined` (a stored item has no such thing).
      // Plain objects, as zod and JSON make them: the DynamoDB marshaller refuses null-prototype ones.
      return fc.record(model, { requiredKeys, noNullPrototype: true });
    }
    case 'array': {
      const element = arbitrary((def as z.core.$ZodArrayDef).element);
      return fc.array(element, lengths(schema, 3));
    }
    case 'record': {
      const { keyType, valueType } = def as z.core.$ZodRecordDef;
      return fc.dictionary(arbitrary(keyType) as fc.Arbitrary<string>, arbitrary(valueType), {
        maxKeys: 3,
        noNullPrototype: true,
      });
    }
    case 'enum':
      return fc.constantFrom(...Object.values((def as z.core.$ZodEnumDef).entries));
    case 'literal':
      return fc.constantFrom(...(def as z.core.$ZodLiteralDef<string>).values);
    case 'boolean':
      return fc.boolean();
    case 'string': {
      const format = (def as z.core.$ZodStringFormatDef).format;
      if (format === 'datetime') {
        return fc
          .date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2099-12-31T23:59:59Z'),
            noInvalidDate: true,
          })
          .map((date) => date.toISOString());
      }
      if (format === 'base64') return fc.base64String({ maxLength: 40 });
      if (format !== undefined) throw new Error(`arbitraryOf: no generator for string format ${format}`);
      const strings = fc.string(lengths(schema, 12));
      // A refinement the generator cannot read (e.g. not `__proto__`): keep only what the schema takes.
      return checksOf(schema).some((c) => c.check === 'custom')
        ? strings.filter((value) => (schema as z.ZodMiniType).safeParse(value).success)
        : strings;
    }
    case 'number': {
      let min = Number.MIN_SAFE_INTEGER;
      for (const c of checksOf(schema)) {
        if (c.check === 'greater_than' && c.value !== undefined) min = c.inclusive ? c.value : c.value + 1;
      }
      if ((def as z.core.$ZodNumberFormatDef).format !== 'safeint') {
        throw new Error('arbitraryOf: stored numbers are integers; add a generator for other numbers');
      }
      return fc.integer({ min, max: Number.MAX_SAFE_INTEGER });
    }
    default:
      throw new Error(`arbitraryOf: no generator for a ${def.type} schema`);
  }
}
