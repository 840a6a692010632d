// What `pulumi preview --refresh --expect-no-changes --json` says about one stack.
import { explainDrift, type PropertyDrift } from "../../providers/driftDetails";

export interface ResourceChange {
  /** update, create, delete, replace, ... */
  op: string;
  type: string;
  name: string;
}

/** One drifted property of one resource: live (refreshed) against declared, as `preview --diff` shows it. */
export interface DriftedProperty extends PropertyDrift {
  /** The resource's name, as in `changes`. */
  name: string;
  type: string;
}

export interface StackDriftResult {
  stack: string;
  status: "in-sync" | "drifted" | "failed";
  changes: ResourceChange[];
  /** Drifted stacks: which property of which resource, live against declared. */
  properties?: DriftedProperty[];
  /** What the providers said about the stack (hazards, what needs a person), once each. */
  messages?: string[];
  /** For failed stacks: what went wrong. */
  error?: string;
  durationSeconds: number;
}

const NO_CHANGE_OPS = new Set(["same", "refresh", "read", "discard"]);

interface StepState {
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

interface PreviewStep {
  op?: string;
  urn?: string;
  oldState?: StepState | null;
  newState?: StepState | null;
}

const PROVIDER_LINE = /^\[entra-writeback\] /;

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
  const changed = (steps ?? [])
    .filter((step) => step.op && !NO_CHANGE_OPS.has(step.op) && step.urn)
    .map((step) => ({ step, change: { op: step.op!, ...describeUrn(step.urn!) } }))
    .filter(({ change }) => change.type !== "Stack");
  const changes = changed.map(({ change }) => change);
  if (run.exitCode === 0) return { stack, status: "in-sync", changes: [], durationSeconds };
  const expectedNoChanges = /no changes were expected/i.test(run.stderr + run.stdout);
  if (steps && changes.length > 0 && expectedNoChanges) {
    const properties = changed.flatMap(({ step, change }) =>
      explainDrift(change.type, step.oldState?.outputs, step.newState?.inputs).map((drift) => ({
        name: change.name,
        type: change.type,
        ...drift,
      })),
    );
    const messages = [
      ...new Set(
        diagnostics
          .map((d) => (d.message ?? "").trim())
          .filter((message) => PROVIDER_LINE.test(message))
          .map((message) => message.replace(PROVIDER_LINE, "")),
      ),
    ];
    return { stack, status: "drifted", changes, properties, messages, durationSeconds };
  }
  const errors = diagnostics.filter((d) => d.severity === "error").map((d) => (d.message ?? "").trim());
  const error = (errors.join("\n") || run.stderr.trim() || `pulumi exited ${run.exitCode}`).slice(0, 4000);
  return { stack, status: "failed", changes, error, durationSeconds };
}
