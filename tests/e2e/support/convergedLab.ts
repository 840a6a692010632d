// Converged labs made once and copied: a test that starts from a converged lab gets its own copy of one that
// converged earlier in the same test file with the same server flags, stack configuration and wizard flags,
// instead of converging again (two `pulumi up`s and the wizard step). A copy is the server's state database
// (copied through SQLite's VACUUM INTO) and the stack's directory (file backend, stack settings, Pulumi home),
// with the paths and the stack name rewritten: to Pulumi and to the simulator it is a stack that converged.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import program from "../../../index";
import { openStateDatabase } from "../../../simulator/store";
import { convergeLab, labStack, newLabDirectory, newLabServer } from "./lab";
import { selectTestStack, type TestStack } from "./pulumiHarness";

export interface ConvergedLab {
  /** The copy's own server state. */
  stateFile: string;
  /** The copy's own stack, named as the test asked. */
  testStack: TestStack;
  /** What the first `pulumi up` of the convergence printed (it stops at the wizard step). */
  firstUp: string;
}

interface Template {
  directory: string;
  stateFile: string;
  stateDir: string;
  stackName: string;
  firstUp: string;
}

/** Copies a state database that no process writes to, with SQLite itself (whatever its WAL holds). */
export function copyStateDatabase(from: string, to: string): void {
  const db = openStateDatabase(from);
  try {
    db.prepare("VACUUM INTO ?").run(to);
  } finally {
    db.close();
  }
}

/** Rewrites every occurrence of the keys in a text file. */
function rewrite(file: string, replacements: [string, string][]): void {
  let text = fs.readFileSync(file, "utf8");
  for (const [from, to] of replacements) text = text.split(from).join(to);
  fs.writeFileSync(file, text);
}

/**
 * Copies a text file of a stack (its checkpoint, its settings) with every occurrence of the keys replaced: keys
 * that are unique temporary names (paths, a random stack name), so that plain text replacement is exact.
 */
export function copyRewritten(from: string, to: string, replacements: [string, string][]): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  rewrite(to, replacements);
}

async function copyOf(template: Template, stackName: string): Promise<ConvergedLab> {
  const directory = newLabDirectory();
  const stateFile = path.join(directory, path.basename(template.stateFile));
  copyStateDatabase(template.stateFile, stateFile);

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-e2e-"));
  // The stack's current checkpoint and settings; not its update history, logs or backups.
  const stacks = path.join(".pulumi", "stacks", "entra-writeback");
  fs.mkdirSync(path.join(stateDir, stacks), { recursive: true });
  fs.mkdirSync(path.join(stateDir, ".pulumi-home"));
  const files: [string, string][] = [
    ["Pulumi.yaml", "Pulumi.yaml"],
    [`Pulumi.${template.stackName}.yaml`, `Pulumi.${stackName}.yaml`],
    [path.join(".pulumi", "meta.yaml"), path.join(".pulumi", "meta.yaml")],
    [path.join(stacks, `${template.stackName}.json`), path.join(stacks, `${stackName}.json`)],
  ];
  // The template's paths and stack name are unique temporary names, so plain text replacement is exact.
  const replacements: [string, string][] = [
    [template.stateDir, stateDir],
    [template.stateFile, stateFile],
    [template.stackName, stackName],
  ];
  for (const [from, to] of files)
    copyRewritten(path.join(template.stateDir, from), path.join(stateDir, to), replacements);
  const testStack = await selectTestStack({ stackName, program, stateDir });
  return { stateFile, testStack, firstUp: template.firstUp.split(template.stackName).join(stackName) };
}

/**
 * Converged labs for one test file: `converged(stackName, serverFlags, overrides, wizardFlags)` converges the
 * first time it sees those arguments (as convergeLab does) and gives each call its own copy. Templates are
 * removed after the file's tests; each test removes its copy with testStack.cleanup() and its directory.
 */
export function convergedLabsForThisFile(): (
  stackName: string,
  serverFlags: string[],
  overrides?: Record<string, string | number | boolean>,
  wizardFlags?: string[],
) => Promise<ConvergedLab> {
  const templates = new Map<string, Promise<Template>>();
  const copies: string[] = [];
  afterAll(async () => {
    for (const template of templates.values()) {
      const { directory, stateDir } = await template.catch(() => ({ directory: "", stateDir: "" }));
      for (const made of [directory, stateDir]) if (made) fs.rmSync(made, { recursive: true, force: true });
    }
    for (const directory of copies) fs.rmSync(directory, { recursive: true, force: true });
  });
  return async (stackName, serverFlags, overrides = {}, wizardFlags = []) => {
    const key = JSON.stringify([serverFlags, overrides, wizardFlags]);
    let template = templates.get(key);
    if (!template) {
      template = (async () => {
        const directory = newLabDirectory();
        const stateFile = newLabServer(directory, serverFlags);
        const name = `converged-${randomBytes(6).toString("hex")}`;
        const testStack = await labStack(name, stateFile, overrides);
        const firstUp = await convergeLab(testStack, stateFile, wizardFlags);
        return { directory, stateFile, stateDir: testStack.stateDir, stackName: name, firstUp };
      })();
      templates.set(key, template);
    }
    const lab = await copyOf(await template, stackName);
    copies.push(path.dirname(lab.stateFile));
    return lab;
  };
}
