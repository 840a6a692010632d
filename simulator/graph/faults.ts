// Faults armed for Graph requests (the simulator's fault injection, by method and path pattern): 429 with or
// without Retry-After, 503, or a connection dropped before any response.
import { z } from "zod";
import type { GraphFault, GraphTenant } from "../model";

export const graphFaultInputSchema = z.strictObject({
  method: z
    .string()
    .regex(/^(\*|[A-Za-z]+)$/, "an HTTP method such as GET or PATCH, or *")
    .default("*")
    .transform((method) => method.toUpperCase()),
  path: z.string().startsWith("/", "a URL path such as /beta/groups or /beta/groups/*"),
  kind: z.enum(["throttle", "unavailable", "drop"]),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  after: z.number().int().nonnegative().default(0),
  times: z.number().int().positive().default(1),
});
export type GraphFaultInput = z.input<typeof graphFaultInputSchema>;

export function armFault(graph: GraphTenant, input: GraphFaultInput): GraphFault {
  const parsed = graphFaultInputSchema.parse(input);
  const fault: GraphFault = {
    method: parsed.method,
    path: parsed.path,
    kind: parsed.kind,
    retryAfterSeconds: parsed.retryAfterSeconds ?? null,
    after: parsed.after,
    remaining: parsed.times,
  };
  graph.faults.push(fault);
  return fault;
}

function pathPattern(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`, "i");
}

/** The first armed fault matching the request, counted down; null when none fires. */
export function takeFault(graph: GraphTenant, method: string, path: string): GraphFault | null {
  const index = graph.faults.findIndex(
    (fault) =>
      (fault.method === "*" || fault.method === method.toUpperCase()) && pathPattern(fault.path).test(path),
  );
  const fault = graph.faults[index];
  if (!fault) return null;
  if (fault.after > 0) {
    fault.after--;
    return null;
  }
  fault.remaining--;
  if (fault.remaining <= 0) graph.faults.splice(index, 1);
  return { ...fault };
}
