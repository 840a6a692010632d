// The EntraWriteback PowerShell module (one function per contract operation), the table that names those
// functions, and _session.ps1, which prepares a session and imports the module in it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type OperationName, operationNames } from "../contract/contract";
import commandTable from "./commands.json";

export const MODULE_NAME = "EntraWriteback";

// The function names an administrator sees: approved verb, EntraWriteback prefix, the noun.
const commandName = z.string().regex(/^[A-Z][a-z]+-EntraWriteback[A-Za-z0-9]+$/);

/** Contract operation → EntraWriteback function: the one table (powershell/commands.json) everything reads. */
export const COMMANDS: Readonly<Record<OperationName, string>> = z
  .strictObject(
    Object.fromEntries(operationNames.map((operation) => [operation, commandName])) as Record<
      OperationName,
      typeof commandName
    >,
  )
  .parse(commandTable);

export function commandOf(operation: OperationName): string {
  return COMMANDS[operation];
}

/** The sources live in the source tree; compiled code in dist/powershell looks for them there too. */
function powershellDirectory(): string {
  const candidates = [__dirname, path.resolve(__dirname, "..", "..", "powershell")];
  const found = candidates.find((candidate) => existsSync(path.join(candidate, "scripts", "_session.ps1")));
  if (found === undefined) {
    throw new Error(`the PowerShell sources were not found; looked in ${candidates.join(" and ")}`);
  }
  return found;
}

export function moduleDirectory(): string {
  return path.join(powershellDirectory(), "module", MODULE_NAME);
}

export function sessionScriptPath(): string {
  return path.join(powershellDirectory(), "scripts", "_session.ps1");
}

const cache = new Map<string, string>();

/** A file's text exactly as reviewed (a leading byte-order mark removed). */
function readSource(file: string): string {
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  cache.set(file, text);
  return text;
}

/** EntraWriteback.psm1: sent to the session (as data) when it opens. */
export function loadModule(): string {
  return readSource(path.join(moduleDirectory(), `${MODULE_NAME}.psm1`));
}

export function loadManifest(): string {
  return readSource(path.join(moduleDirectory(), `${MODULE_NAME}.psd1`));
}

export function loadSessionScript(): string {
  return readSource(sessionScriptPath());
}
