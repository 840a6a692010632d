// A resource's shape, written once: its zod input and output schemas. From them derive the args type of the
// resource class (each property a pulumi.Input), the class's output properties and the placeholders it registers
// (resourceClass, in shell.ts), check, parse, and the stripping of stored outputs back to inputs. A helper, not a
// framework: each provider's create/read/update/delete/diff stay plain functions in its provider.ts. Only types
// of @pulumi/pulumi here: the provider process loads this module.
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { checkInputs, parseInputs } from "./checkInputs";
import type { ProviderKind } from "./shell";

type Shape = Record<string, z.ZodType>;
/** A strict object schema, or a discriminated union of them (GroupWritebackFeature's v1 and v2). */
export type ObjectSchema = z.ZodType & ({ shape: Shape } | { options: readonly { shape: Shape }[] });

/** What a provider.ts implements: the dynamic provider's methods (configure is the registry's). */
export type ProviderImplementation = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

/** Keys the resource classes set themselves, never the caller. */
type SetByClass = "providerVersion";

/**
 * The args of a resource class: its input schema's input type (so defaulted keys are optional), every property a
 * pulumi.Input, except `Plain` keys (a discriminator the class reads itself, such as `version`).
 */
export type ArgsOf<S extends z.ZodType, Plain extends PropertyKey = never> =
  z.input<S> extends infer T
    ? T extends unknown
      ? {
          [K in keyof Omit<T, SetByClass>]: K extends Plain ? T[K] : pulumi.Input<T[K]>;
        }
      : never
    : never;

type AllKeys<U> = U extends unknown ? keyof U : never;
type ValueAt<U, K extends PropertyKey> = U extends unknown ? (K extends keyof U ? U[K] : undefined) : never;

/** The output properties of a resource class: every key of its output schema (over all variants of a union). */
export type OutputsOf<S extends z.ZodType> = {
  readonly [K in Exclude<AllKeys<z.output<S>>, SetByClass>]: pulumi.Output<ValueAt<z.output<S>, K>>;
};

export interface ResourceDefinition<I extends ObjectSchema, O extends ObjectSchema> {
  kind: ProviderKind;
  /** What the program declares; `.default()`s here are the defaults, for the program and the providers alike. */
  inputs: I;
  /** What the provider returns and Pulumi stores: the inputs and the live values. */
  outputs: O;
  /** Keys of the outputs that are not inputs (the live values). */
  outputOnlyKeys: readonly string[];
  /** The inputs within stored outputs (outputs = inputs + live values), validated, defaults applied. */
  inputsOf(stored: unknown): z.output<I>;
  /** Parses inputs in create/update, where every value is known. */
  parse(raw: unknown): z.output<I>;
  /** check(): validates inputs, tolerating values unknown during preview. */
  check(news: Record<string, unknown>): pulumi.dynamic.CheckResult<Record<string, unknown>>;
  /**
   * Stored inputs or outputs of an older version of the resource, under today's keys (`renamed`: old key -> new
   * key). The registry applies it to every stored value the engine hands back (olds, props), so a rename is no
   * change to an existing stack.
   */
  upgrade(stored: Record<string, unknown>): Record<string, unknown>;
}

export interface DefinitionOptions {
  /** Keys this resource stored under another name before: old key -> today's key. */
  renamed?: Readonly<Record<string, string>>;
}

function keysOf(schema: ObjectSchema): string[] {
  const variants = "options" in schema ? schema.options : [schema];
  return [...new Set(variants.flatMap((variant) => Object.keys(variant.shape)))];
}

export function defineResource<I extends ObjectSchema, O extends ObjectSchema>(
  kind: ProviderKind,
  inputs: I,
  outputs: O,
  options: DefinitionOptions = {},
): ResourceDefinition<I, O> {
  const renamed = Object.entries(options.renamed ?? {});
  const inputKeys = new Set(keysOf(inputs));
  const outputOnlyKeys = keysOf(outputs).filter((key) => !inputKeys.has(key));
  const parse = (raw: unknown) => parseInputs(inputs, raw, kind) as z.output<I>;
  return {
    kind,
    inputs,
    outputs,
    outputOnlyKeys,
    parse,
    inputsOf(stored) {
      const values = (stored ?? {}) as Record<string, unknown>;
      return parse(Object.fromEntries(Object.entries(values).filter(([key]) => inputKeys.has(key))));
    },
    check: (news) => checkInputs(inputs, news),
    upgrade(stored) {
      if (!stored || !renamed.some(([old]) => old in stored)) return stored;
      const upgraded = { ...stored };
      for (const [old, current] of renamed) {
        if (!(old in upgraded)) continue;
        if (!(current in upgraded)) upgraded[current] = upgraded[old];
        delete upgraded[old];
      }
      return upgraded;
    },
  };
}

/** How docs/configuration.md shows a key's type, where the schema alone does not say it. */
export interface KeyDoc {
  description: string;
  /** e.g. "DN", "object (below)", "secret string"; otherwise derived from the schema. */
  type?: string;
}

/** A schema with the description (and type label) docs/configuration.md shows for it. */
export function documented<S extends z.ZodType>(schema: S, doc: KeyDoc): S {
  return schema.meta(doc as unknown as Record<string, unknown>) as S;
}

/** The default a schema applies to a missing value (undefined when it has none). */
export function defaultOf<S extends z.ZodType>(schema: S): z.output<S> | undefined {
  const parsed = schema.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}
