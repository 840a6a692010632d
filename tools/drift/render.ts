// Renders drift results: a table for people, JSON and JUnit XML for CI.
import type { DriftedProperty, ResourceChange, StackDriftResult } from "./classify";

function value(live: unknown): string {
  return typeof live === "string" ? live : JSON.stringify(live);
}

/** "granted: live false, declared true" */
export function describeProperty(drift: DriftedProperty): string {
  return `${drift.property}: live ${value(drift.live)}, declared ${value(drift.declared)}`;
}

/** "update perm (WritebackPermission): granted: live false, declared true" */
function describeChange(change: ResourceChange, properties: readonly DriftedProperty[] | undefined): string {
  const own = (properties ?? []).filter((p) => p.name === change.name && p.type === change.type);
  const head = `${change.op} ${change.name} (${change.type})`;
  return own.length === 0 ? head : `${head}: ${own.map(describeProperty).join(", ")}`;
}

export function renderTable(results: StackDriftResult[]): string {
  const rows = results.map((result) => [
    result.stack,
    result.status,
    result.status === "failed" ? "-" : String(result.changes.length),
    result.status === "failed"
      ? ((result.error ?? "").split("\n")[0] ?? "")
      : result.changes.map((c) => describeChange(c, result.properties)).join("; "),
  ]);
  const header = ["STACK", "STATUS", "CHANGES", "DETAILS"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function renderJson(results: StackDriftResult[], generatedAt: Date): string {
  const summary = {
    stacks: results.length,
    inSync: results.filter((r) => r.status === "in-sync").length,
    drifted: results.filter((r) => r.status === "drifted").length,
    failed: results.filter((r) => r.status === "failed").length,
  };
  return `${JSON.stringify({ generatedAt: generatedAt.toISOString(), summary, results }, null, 2)}\n`;
}

function xml(text: string): string {
  return (
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      // Characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR).
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F]/g, "")
  );
}

/** One testsuite, one testcase per stack: drift is a failure, an error running preview is an error. */
export function renderJunit(results: StackDriftResult[]): string {
  const failures = results.filter((r) => r.status === "drifted").length;
  const errors = results.filter((r) => r.status === "failed").length;
  const time = results.reduce((sum, r) => sum + r.durationSeconds, 0);
  const cases = results.map((result) => {
    const open = `  <testcase classname="entra-writeback.drift" name="${xml(result.stack)}" time="${result.durationSeconds.toFixed(1)}"`;
    if (result.status === "in-sync") return `${open}/>`;
    if (result.status === "drifted") {
      const detail = result.changes.map((c) => `${c.op} ${c.name} (${c.type})`).join("\n");
      // Which property, live against declared, and what the providers said: in system-out, next to the failure.
      const out = [
        ...(result.properties ?? []).map((p) => `${p.name} (${p.type}) ${describeProperty(p)}`),
        ...(result.messages ?? []),
      ];
      const systemOut = out.length > 0 ? `\n    <system-out>${xml(out.join("\n"))}</system-out>` : "";
      return `${open}>\n    <failure message="${xml(`${result.changes.length} resource(s) drifted`)}">${xml(detail)}</failure>${systemOut}\n  </testcase>`;
    }
    return `${open}>\n    <error message="preview failed">${xml(result.error ?? "")}</error>\n  </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="entra-writeback drift" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time.toFixed(1)}">`,
    ...cases,
    "</testsuite>",
    "",
  ].join("\n");
}
