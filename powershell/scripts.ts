// Loads the reviewed .ps1 files: one per contract operation, plus the session setup script.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type OperationName } from "../operations/contract";

export const SESSION_SCRIPT = "_session";
export type ScriptName = OperationName | typeof SESSION_SCRIPT;

const cache = new Map<ScriptName, string>();

/** The scripts live in the source tree; compiled code in dist/powershell looks for them there too. */
export function scriptsDirectory(): string {
  const candidates = [
    path.join(__dirname, "scripts"),
    path.resolve(__dirname, "..", "..", "powershell", "scripts"),
  ];
  const found = candidates.find((candidate) => existsSync(path.join(candidate, `${SESSION_SCRIPT}.ps1`)));
  if (found === undefined) {
    throw new Error(`the PowerShell scripts were not found; looked in ${candidates.join(" and ")}`);
  }
  return found;
}

export function scriptPath(name: ScriptName): string {
  return path.join(scriptsDirectory(), `${name}.ps1`);
}

/** The script text exactly as reviewed (a leading byte-order mark removed). */
export function loadScript(name: ScriptName): string {
  const cached = cache.get(name);
  if (cached !== undefined) {
    return cached;
  }
  const text = readFileSync(scriptPath(name), "utf8").replace(/^\uFEFF/, "");
  cache.set(name, text);
  return text;
}
