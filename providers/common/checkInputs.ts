// check(): validate inputs with zod and answer Pulumi CheckFailures, tolerating values that are unknown
// during preview (they arrive as Pulumi's unknown sentinel when computed from other resources).
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

export function checkInputs<S extends z.ZodType>(
  schema: S,
  news: Record<string, unknown>,
): pulumi.dynamic.CheckResult<Record<string, unknown>> {
  const { __provider, ...inputs } = news;
  const unknownKeys = new Set(Object.keys(inputs).filter((key) => containsUnknown(inputs[key])));
  const parsed = schema.safeParse(inputs);
  if (parsed.success) return { inputs: { ...(parsed.data as Record<string, unknown>), __provider } };
  const failures = parsed.error.issues
    .filter((issue) => !unknownKeys.has(String(issue.path[0] ?? "")))
    .map((issue) => ({ property: issue.path.join(".") || "(inputs)", reason: issue.message }));
  // With only unknown values failing, keep the inputs as they are; create/update re-check them.
  return failures.length === 0 ? { inputs: news } : { inputs: news, failures };
}

/** Parses inputs in create/update/delete/read, where every value is known. */
export function parseInputs<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const { __provider: _ignored, ...inputs } = (value ?? {}) as Record<string, unknown>;
  const parsed = schema.safeParse(inputs);
  if (!parsed.success) {
    throw new Error(
      `${what}: invalid inputs: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(inputs)"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}
