// What `pulumi preview --refresh --expect-no-changes --json` says about one stack.
export interface ResourceChange {
  /** update, create, delete, replace, ... */
  op: string;
  type: string;
  name: string;
}

export interface StackDriftResult {
  stack: string;
  status: "in-sync" | "drifted" | "failed";
  changes: ResourceChange[];
  /** For failed stacks: what went wrong. */
  error?: string;
  durationSeconds: number;
}

const NO_CHANGE_OPS = new Set(["same", "refresh", "read", "discard"]);

interface PreviewStep {
  op?: string;
  urn?: string;
}

/** `urn:pulumi:stack::project::parent$type::name` -> { type: last type, name }. */
export function describeUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const name = parts.at(-1) ?? urn;
  const typeChain = parts.at(-2) ?? "";
  const type = typeChain.split("$").at(-1) ?? typeChain;
  return { type: type.split(":").at(-1) ?? type, name };
}

export function classifyPreview(
  stack: string,
  run: { exitCode: number; stdout: string; stderr: string },
  durationSeconds: number,
): StackDriftResult {
  let steps: PreviewStep[] | undefined;
  let diagnostics: { severity?: string; message?: string }[] = [];
  try {
    const parsed = JSON.parse(run.stdout) as { steps?: PreviewStep[]; diagnostics?: typeof diagnostics };
    steps = parsed.steps;
    diagnostics = parsed.diagnostics ?? [];
  } catch {
    steps = undefined;
  }
  const changes = (steps ?? [])
    .filter((step) => step.op && !NO_CHANGE_OPS.has(step.op) && step.urn)
    .map((step) => ({ op: step.op!, ...describeUrn(step.urn!) }))
    .filter((change) => change.type !== "Stack");
  if (run.exitCode === 0) return { stack, status: "in-sync", changes: [], durationSeconds };
  const expectedNoChanges = /no changes were expected/i.test(run.stderr + run.stdout);
  if (steps && changes.length > 0 && expectedNoChanges)
    return { stack, status: "drifted", changes, durationSeconds };
  const errors = diagnostics.filter((d) => d.severity === "error").map((d) => (d.message ?? "").trim());
  const error = (errors.join("\n") || run.stderr.trim() || `pulumi exited ${run.exitCode}`).slice(0, 4000);
  return { stack, status: "failed", changes, error, durationSeconds };
}
