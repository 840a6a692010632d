// Everything is validated before the first change: each class of invalid configuration is refused by the
// program, with the providers' own rules, and the simulated server's journal holds no write. Through the
// plain Pulumi CLI, the error is printed once and without a stack trace.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  failureOf,
  LAB_ACCOUNT,
  LAB_OU,
  labServersForThisFile,
  labStack,
  providerOperations,
  show,
} from "./support/lab";
import {
  initStack,
  projectRoot,
  pulumiCliPath,
  pulumiEnvironment,
  setPlaintextConfig,
} from "./support/pulumiHarness";

jest.setTimeout(5 * 60_000);

const newServer = labServersForThisFile();

/** A frame of a JavaScript stack trace. */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;

/** Operations that change the server (everything but get* and list*). */
function writes(stateFile: string): string[] {
  return providerOperations(stateFile)
    .map((o) => o.operation)
    .filter((name) => !/^(get|list)/.test(name));
}

interface CliProject {
  dir: string;
  pulumi(...args: string[]): { status: number | null; output: string };
  /** Sets a configuration key of the stack (removes it when value is undefined). */
  setConfig(key: string, value: string | undefined): void;
}

/** A project directory running the compiled program (dist/index.js) with the plain CLI, on one stack (named on each command). */
function cliProject(stateFile: string): CliProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-config-cli-"));
  directories.push(dir);
  fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: entra-writeback\nruntime: nodejs\nmain: ${projectRoot}/dist/index.js\n`,
  );
  const env = {
    ...pulumiEnvironment(dir),
    PULUMI_HOME: path.join(dir, ".pulumi-home"),
    ENTRA_WRITEBACK_PROJECT_DIR: projectRoot,
  };
  const pulumi = (...args: string[]) => {
    const run = spawnSync(pulumiCliPath(), ["--non-interactive", ...args, "--stack", "cli"], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
  };
  // The stack and its configuration written as `pulumi stack init` and `pulumi config set` would (initStack,
  // setPlaintextConfig): what these tests run through the CLI is the program, not the configuration commands.
  const setConfig = (key: string, value: string | undefined) =>
    setPlaintextConfig(dir, "cli", `entra-writeback:${key}`, value);
  initStack({
    workDir: dir,
    backendDir: dir,
    stackName: "cli",
    config: {
      "entra-writeback:target": JSON.stringify({ kind: "simulator", stateFile }),
      "entra-writeback:writebackOu": LAB_OU,
      "entra-writeback:connectorAccountDn": LAB_ACCOUNT,
    },
  });
  return { dir, pulumi, setConfig };
}

const directories: string[] = [];
afterAll(() => directories.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

test("each class of invalid input is refused before anything is written", () => {
  const stateFile = newServer(["--m365", "2"]);
  const project = cliProject(stateFile);
  const cases: [string, string, RegExp][] = [
    ["writebackOu", "OU=a,b,DC=contoso,DC=com", /writebackOu: must be a distinguished name.*missing "="/],
    ["writebackOu", `OU=${"n".repeat(65)},OU=Groups,OU=Corp,DC=contoso,DC=com`, /at most 64 characters/],
    ["writebackOu", "CN=Writeback,OU=Groups,OU=Corp,DC=contoso,DC=com", /must start with OU=/],
    ["writebackOu", "OU=a+b=c,OU=Groups,OU=Corp,DC=contoso,DC=com", /multi-valued RDN/],
    ["connectorAccountDn", "MSOL_a08ff49b6f77", /connectorAccountDn: must be a distinguished name/],
    ["callTimeoutSeconds", "abc", /callTimeoutSeconds: .*number/],
    ["callTimeoutSeconds", "-5", /callTimeoutSeconds: .*>=1/],
    [
      "wizardWaitSecs",
      "60",
      /wizardWaitSecs: not a known key \(did you mean entra-writeback:wizardWaitSeconds\?\)/,
    ],
  ];
  for (const [key, value, message] of cases) {
    project.setConfig(key, value);
    const up = project.pulumi("up", "--yes", "--skip-preview");
    expect({ key, value, status: up.status, matches: message.test(up.output) }).toEqual({
      key,
      value,
      status: 1,
      matches: true,
    });
    expect(up.output).toContain("invalid stack configuration; nothing was changed");
    expect({ key, value, writes: writes(stateFile) }).toEqual({ key, value, writes: [] });
    if (key === "writebackOu") project.setConfig(key, LAB_OU);
    else if (key === "connectorAccountDn") project.setConfig(key, LAB_ACCOUNT);
    else project.setConfig(key, undefined);
  }
  // With the configuration valid again, the same journal does record the writes (the filter can match).
  const up = project.pulumi("up", "--yes", "--skip-preview"); // stops at the wizard step, after v2
  expect(up.output).toContain("Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard");
  expect(writes(stateFile)).toContain("setGroupWritebackV2");
  expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(true);
});

test("the plain CLI prints a configuration error without a stack trace, and exits non-zero", () => {
  const stateFile = newServer();
  const project = cliProject(stateFile);
  const { dir, pulumi } = project;
  project.setConfig("writebackOu", "OU=a,b,DC=contoso,DC=com");
  project.setConfig("writebackOU", "OU=x,DC=contoso,DC=com");
  const up = pulumi("up", "--yes", "--skip-preview");
  const output = up.output;
  expect(up.status).not.toBe(0);
  // Printed once as the engine's diagnostic, without "Unhandled exception" and its stack frames (the project's
  // language host, tools/plugins/language-host.js, tells the engine the error was reported instead of returning
  // it a second time, as the official nodejs host does).
  expect(output).toMatch(/Diagnostics:[\s\S]*error: invalid stack configuration; nothing was changed/);
  expect(inDiagnostics(output, "error: invalid stack configuration; nothing was changed")).toBe(1);
  expect(output).toContain("entra-writeback:writebackOu: must be a distinguished name such as");
  expect(output).toContain(
    "entra-writeback:writebackOU: not a known key (did you mean entra-writeback:writebackOu?)",
  );
  expect(output).not.toMatch(STACK_FRAME);
  expect(output).not.toMatch(/unhandled exception/i);
  expect(writes(stateFile)).toEqual([]);

  // The filter can match: a program that throws a plain Error gets its stack trace printed.
  fs.writeFileSync(
    path.join(dir, "throws.js"),
    'module.exports = async () => { throw new Error("plain"); };\n',
  );
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: entra-writeback\nruntime: nodejs\nmain: throws.js\n",
  );
  const plain = pulumi("up", "--yes", "--skip-preview");
  expect(plain.output).toMatch(STACK_FRAME);
  expect(plain.output).toMatch(/unhandled exception/i);
  expect(plain.status).not.toBe(0);
  expect(inDiagnostics(plain.output, "Error: plain")).toBe(1);

  // The count can see a message twice: a program that logs the same error twice shows it twice.
  fs.writeFileSync(
    path.join(dir, "throws.js"),
    `const pulumi = require(${JSON.stringify(require.resolve("@pulumi/pulumi"))});\n` +
      'module.exports = async () => { pulumi.log.error("logged twice"); pulumi.log.error("logged twice"); };\n',
  );
  const twice = pulumi("up", "--yes", "--skip-preview");
  expect(twice.status).not.toBe(0);
  expect(inDiagnostics(twice.output, "error: logged twice")).toBe(2);
});

/** How often a text occurs in the CLI's summary of diagnostics (what follows "Diagnostics:"). */
function inDiagnostics(output: string, text: string): number {
  const summary = output.indexOf("Diagnostics:");
  return summary < 0 ? 0 : output.slice(summary).split(text).length - 1;
}

test("an OU outside the sync scope and another connector account are refused before the scheduler is paused", async () => {
  const stateFile = newServer(["--m365", "2"]);
  const testStack = await labStack("preflight", stateFile, {
    writebackOu: "OU=Writeback,OU=Excluded,DC=contoso,DC=com",
  });
  try {
    const outside = await failureOf(testStack.stack.up());
    expect(outside).toMatch(/OU=Writeback,OU=Excluded,DC=contoso,DC=com is outside the sync scope/);
    expect(outside).toContain("Nothing was changed: checked before pausing the scheduler");
    expect(writes(stateFile)).toEqual([]);

    await testStack.stack.setConfig("entra-writeback:writebackOu", { value: LAB_OU });
    await testStack.stack.setConfig("entra-writeback:connectorAccountDn", {
      value: "CN=MSOL_0000old00000,CN=Users,DC=contoso,DC=com",
    });
    const account = await failureOf(testStack.stack.up());
    const advice = /Set connectorAccountDn to (CN=MSOL_[^;]+);/.exec(account);
    expect(advice?.[1]).toBe(LAB_ACCOUNT);
    expect(account).toContain("Nothing was changed");
    expect(writes(stateFile)).toEqual([]);
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(false);

    // Following the advice, the deployment goes ahead (and the journal shows its writes).
    await testStack.stack.setConfig("entra-writeback:connectorAccountDn", { value: advice![1]! });
    const third = await failureOf(testStack.stack.up()); // stops at the wizard step
    expect(third).toContain("Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard");
    expect(writes(stateFile)).toContain("setGroupWritebackV2");
  } finally {
    await testStack.cleanup();
  }
});

test("without the compiled providers: one line saying what to do, before anything is declared", () => {
  const stateFile = newServer();
  const project = cliProject(stateFile);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-unbuilt-"));
  directories.push(empty);
  // The project's own CLI environment, but the compiled providers looked for in a directory without them.
  const run = (projectDir: string, ...args: string[]) => {
    const result = spawnSync(pulumiCliPath(), ["--non-interactive", ...args, "--stack", "cli"], {
      cwd: project.dir,
      env: {
        ...pulumiEnvironment(project.dir),
        PULUMI_HOME: path.join(project.dir, ".pulumi-home"),
        ENTRA_WRITEBACK_PROJECT_DIR: projectDir,
      },
      encoding: "utf8",
    });
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  };
  const line =
    `entra-writeback: cannot load the compiled providers from ${path.join(empty, "dist", "providers", "registry.js")} ` +
    "(it does not exist). Run `npm run build` in the project directory, or set ENTRA_WRITEBACK_PROJECT_DIR to it.";

  const up = run(empty, "up", "--yes", "--skip-preview");
  expect(up.status).not.toBe(0);
  expect(up.output).toContain(line);
  expect(up.output).not.toMatch(STACK_FRAME);
  // Before anything is declared: no resource was registered, nothing read or written on the server.
  expect(up.output).not.toContain("entra-writeback:SchedulerState");
  expect(providerOperations(stateFile)).toEqual([]);

  // Following the advice (ENTRA_WRITEBACK_PROJECT_DIR set to the built project): the same stack runs.
  const built = run(projectRoot, "up", "--yes", "--skip-preview"); // stops at the wizard step, after v2
  expect(built.output).toContain(
    "Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard",
  );
  expect(writes(stateFile)).toContain("setGroupWritebackV2");

  // A command that does not run the program (refresh) reaches the provider shells: the same line, no stack trace.
  const refresh = run(empty, "refresh", "--yes");
  expect(refresh.status).not.toBe(0);
  expect(refresh.output).toContain(line);
  expect(refresh.output).not.toMatch(STACK_FRAME);
});
