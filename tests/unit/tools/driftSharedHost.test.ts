// The shared language host of npm run drift (tools/drift/sharedHost.ts): several programs at once in one process with
// the SDK's in-process LanguageServer, each error given to the run it came from. The runs are real runs of the SDK's
// server without an engine (no monitor address: the program's resources are not registered, and the server prints
// what it would log to the engine on stderr); each scenario runs in a process of its own, since what is checked is
// what the process's `uncaughtException` and `unhandledRejection` listeners do.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as langrpc from "@pulumi/pulumi/proto/language_grpc_pb";
import * as langproto from "@pulumi/pulumi/proto/language_pb";
import {
  loadLanguageServer,
  programLocation,
  programOf,
  SharedRuns,
  startSharedLanguageHost,
} from "../../../tools/drift/sharedHost";
import { noPulumiCliEnvironment } from "../../support/noPulumiCli";
import { isRunning } from "../../support/processes";
import { ensureBuilt } from "../simulator/testSupport";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..", "..");
const SHARED_HOST = path.join(PROJECT_ROOT, "dist", "tools", "drift", "sharedHost.js");

interface Outcome {
  error?: string;
  responseError?: string;
  bail?: boolean;
}
interface Scenario {
  outcomes: Record<string, Outcome>;
  warnings: string[];
  stderr: string;
}

/**
 * Runs the named stacks at once, through SharedRuns (`shared`) or each through the SDK's own server (`sdk`). Each
 * stack's program is PROGRAMS[stack]. `prelude` runs first, outside every run.
 */
function scenario(mode: "shared" | "sdk", stacks: string[], prelude = ""): Scenario {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    const langproto = require("@pulumi/pulumi/proto/language_pb");
    const { SharedRuns, loadLanguageServer } = require(${JSON.stringify(SHARED_HOST)});
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const PROGRAMS = {
      // Runs while the others fail.
      calm: async () => { await sleep(600); return { calm: true }; },
      // A program that refuses its configuration: the SDK returns the error and its promise's rejection reaches the
      // process's unhandledRejection listeners afterwards.
      config: async () => { await sleep(20); throw new pulumi.RunError("invalid stack configuration of config"); },
      // An error thrown in a callback of the program (the process's uncaughtException listeners).
      timer: async () => { await sleep(20); setTimeout(() => { throw new Error("thrown by timer"); }, 0); await sleep(200); return {}; },
      // A program that succeeds and leaves a callback that throws after its run finished.
      late: async () => { setTimeout(() => { throw new Error("thrown by late"); }, 300); return {}; },
    };
    const program = () => PROGRAMS[pulumi.getStack()]();
    const LanguageServer = loadLanguageServer();
    const warnings = [];
    const runs = new SharedRuns(LanguageServer, program, undefined, (message) => warnings.push(message));
    ${prelude}
    const outcomes = {};
    Promise.all(${JSON.stringify(stacks)}.map((stack) => new Promise((resolve) => {
      const request = new langproto.RunRequest().setProject("p").setStack(stack).setDryrun(true);
      const callback = (error, response) => {
        if (outcomes[stack]) return;
        outcomes[stack] = { error: error?.message, responseError: response?.getError() || undefined, bail: response?.getBail() || undefined };
        resolve();
      };
      if (${JSON.stringify(mode)} === "shared") runs.run({ request }, callback);
      else new LanguageServer(program).run({ request }, callback);
    }))).then(() => sleep(500)).then(() => {
      runs.close();
      process.stdout.write(JSON.stringify({ outcomes, warnings }));
    });
  `;
  const child = spawnSync(process.execPath, ["-e", script], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    timeout: 30_000,
  });
  if (child.status !== 0) throw new Error(`scenario failed (${child.status}): ${child.stderr}`);
  return { ...(JSON.parse(child.stdout) as Omit<Scenario, "stderr">), stderr: child.stderr };
}

beforeAll(ensureBuilt); // dist/tools/drift/sharedHost.js and dist/tools/drift.js as the sources are

const failure = (outcome: Outcome | undefined) => outcome?.error ?? outcome?.responseError;

test("the SDK's server alone fails every run in flight with one program's error (what SharedRuns prevents)", () => {
  const { outcomes } = scenario("sdk", ["calm", "config"]);
  expect(failure(outcomes.config)).toBe("invalid stack configuration of config");
  expect(failure(outcomes.calm)).toBe("One or more errors occurred: invalid stack configuration of config");
  const timer = scenario("sdk", ["calm", "timer"]);
  expect(failure(timer.outcomes.timer)).toContain("thrown by timer");
  expect(failure(timer.outcomes.calm)).toContain("thrown by timer");
});

test("shared: a program's error fails its own run only, and is printed once", () => {
  const { outcomes, warnings, stderr } = scenario("shared", ["calm", "config", "timer"]);
  expect(outcomes.calm).toEqual({});
  expect(failure(outcomes.config)).toBe("invalid stack configuration of config");
  // The error was logged (to the engine: here, without one, on stderr), so the run bails as language-host.js does.
  expect(outcomes.timer).toEqual({ bail: true });
  expect(stderr.match(/thrown by timer/g)).toHaveLength(1);
  // The configuration error's late rejection belongs to a run that failed with it: nothing more to say.
  expect(warnings).toEqual([]);
});

test("shared: an error after a run succeeded is said on the side, and fails no other run", () => {
  const { outcomes, warnings } = scenario("shared", ["calm", "late"]);
  expect(outcomes).toEqual({ calm: {}, late: {} });
  expect(warnings).toEqual([
    "late: its program raised an error after its check finished (not in the reports): thrown by late",
  ]);
});

test("shared: an error from outside every run fails each run in flight, and says why", () => {
  const prelude = `setTimeout(() => { throw new Error("thrown at load"); }, 100);`;
  const { outcomes } = scenario("shared", ["calm", "late"], prelude);
  // late had finished (successfully) when the error came; calm was running.
  expect(outcomes.late).toEqual({});
  expect(outcomes.calm).toEqual({ bail: true });
  const { stderr } = scenario("shared", ["calm"], prelude);
  expect(stderr).toContain(
    "thrown at load (an error the shared language host cannot attribute to one stack's program; it fails every stack " +
      "checked at that moment: calm. npm run drift -- --separate-hosts checks each stack with a language host of its own)",
  );
  const idle = scenario("shared", [], prelude.replace("100", "0"));
  expect(idle.warnings).toEqual(["an error outside every stack's program: thrown at load"]);
});

test("shared: a run for another program directory is refused, naming both", () => {
  const runs = new SharedRuns(
    loadLanguageServer(),
    async () => ({}),
    "/projects/a",
    () => undefined,
  );
  try {
    const answers: [Error | null | undefined, langproto.RunResponse | undefined][] = [];
    runs.run({ request: new langproto.RunRequest().setStack("s").setPwd("/projects/b") }, (error, response) =>
      answers.push([error, response]),
    );
    expect(answers).toHaveLength(1);
    expect(answers[0]![1]!.getError()).toBe(
      "the shared language host of npm run drift runs the program of /projects/a, and this run is for /projects/b: " +
        "check the stack with npm run drift -- --separate-hosts",
    );
  } finally {
    runs.close();
  }
});

test("shared: a run whose directory is the program's through a symbolic link is accepted", async () => {
  const real = fs.mkdtempSync(path.join(os.tmpdir(), "shared-host-real-"));
  const link = `${real}-link`;
  fs.symlinkSync(real, link);
  const sharedRuns = (directory: string) =>
    new SharedRuns(
      loadLanguageServer(),
      async () => ({}),
      directory,
      () => undefined,
    );
  const answer = (of: InstanceType<typeof SharedRuns>, pwd: string) =>
    new Promise<[Error | null | undefined, langproto.RunResponse | undefined]>((resolve) =>
      of.run(
        { request: new langproto.RunRequest().setStack("s").setPwd(pwd).setDryrun(true) },
        (error, response) => resolve([error, response]),
      ),
    );
  const runs = sharedRuns(real);
  try {
    // The CLI names the directory as $PWD has it (the link), the drift tool by its real path, or the other way round.
    for (const pwd of [link, real]) {
      const [error, response] = await answer(runs, pwd);
      expect(error).toBeFalsy();
      expect(response!.getError()).toBe("");
    }
    const other = sharedRuns(link);
    try {
      const [error, response] = await answer(other, real);
      expect(error).toBeFalsy();
      expect(response!.getError()).toBe("");
    } finally {
      other.close();
    }
    // What is refused is another directory, not another name of this one.
    expect((await answer(runs, os.tmpdir()))[1]!.getError()).toContain(`this run is for ${os.tmpdir()}`);
  } finally {
    runs.close();
    fs.rmSync(link);
    fs.rmSync(real, { recursive: true });
  }
});

/** Runs `script` (with SharedRuns, probeLanguageServer, langproto and sleep in scope) in a process of its own. */
function inProcess(script: string): { stdout: string; stderr: string } {
  const child = spawnSync(
    process.execPath,
    [
      "-e",
      `const { SharedRuns, loadLanguageServer, probeLanguageServer } = require(${JSON.stringify(SHARED_HOST)});
       const langproto = require("@pulumi/pulumi/proto/language_pb");
       const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
       (async () => { ${script} })().then(() => process.exit(0), (e) => { console.error(e); process.exit(3); });`,
    ],
    { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 30_000 },
  );
  if (child.status !== 0) throw new Error(`script failed (${child.status}): ${child.stderr}`);
  return child;
}

test("shared: a run whose CLI went away is no longer given errors, and says the host may be held up unless its program soon returns", () => {
  const { stdout } = inProcess(`
    const { EventEmitter } = require("events");
    const warnings = [];
    const runs = new SharedRuns(loadLanguageServer(), () => new Promise(() => setInterval(() => {}, 60000)), undefined, (m) => warnings.push(m));
    const call = Object.assign(new EventEmitter(), { request: new langproto.RunRequest().setStack("stuck").setDryrun(true) });
    let answered = false;
    runs.run(call, () => (answered = true));
    await sleep(100);
    const before = await runs.compromisedAfter("stuck", 0);
    // An error no run can be said to own, while stuck's CLI is still there: given to stuck.
    process.emit("uncaughtException", new Error("first"));
    call.emit("cancelled");
    process.emit("uncaughtException", new Error("second"));
    const after = await runs.compromisedAfter("stuck", 300);
    // A program that returns a moment after its CLI went away (the engine aborted its preview): nothing held up.
    const soon = Object.assign(new EventEmitter(), { request: new langproto.RunRequest().setStack("soon").setDryrun(true) });
    const quick = new SharedRuns(loadLanguageServer(), () => sleep(400), undefined, () => {});
    quick.run(soon, () => {});
    soon.emit("cancelled");
    const soonAtOnce = await quick.compromisedAfter("soon", 0);
    const soonWithGrace = (await quick.compromisedAfter("soon", 2000)) ?? null;
    process.stdout.write(JSON.stringify({ answered, before, after, other: (await runs.compromisedAfter("other")) ?? null, soonAtOnce, soonWithGrace, warnings }));
  `);
  expect(JSON.parse(stdout)).toEqual({
    answered: false,
    before:
      "stuck's preview ended while its program was still running in the shared language host, which may hold up the " +
      "other programs there",
    after:
      "stuck's preview ended while its program was still running in the shared language host, which may hold up the " +
      "other programs there",
    other: null,
    soonAtOnce:
      "soon's preview ended while its program was still running in the shared language host, which may hold up the " +
      "other programs there",
    soonWithGrace: null,
    warnings: ["an error outside every stack's program: second"],
  });
});

test("shared: an SDK that does not install one error handler of each kind per run is refused at start, and fails a run", () => {
  const { stdout } = inProcess(`
    const Real = loadLanguageServer();
    // A future SDK installing its handlers differently: two of each, or none.
    const installing = (n) => class {
      constructor(program) { this.real = new Real(program); }
      run(call, callback) {
        for (let i = 0; i < n; i++) for (const e of ["uncaughtException", "unhandledRejection"]) process.on(e, () => {});
        return this.real.run(call, callback);
      }
    };
    const probes = {};
    for (const [name, Server] of [["real", Real], ["two", installing(1)]])
      probes[name] = await probeLanguageServer(Server).then(() => "ok", (e) => e.message);
    const warnings = [];
    const runs = new SharedRuns(installing(1), async () => ({}), undefined, (m) => warnings.push(m));
    const answer = (stack) => new Promise((resolve) => runs.run({ request: new langproto.RunRequest().setStack(stack).setDryrun(true) }, (e, r) => resolve(e ? e.message : r.getError())));
    const first = await answer("a");
    const second = await answer("b");
    process.stdout.write(JSON.stringify({ probes, first, second, compromised: await runs.compromisedAfter("c") }));
    process.exit(0);
  `);
  const reason =
    "this version of @pulumi/pulumi installs 2 error handler(s) of each kind for a run where the shared language " +
    "host expects one, so it cannot keep one stack's errors from the others";
  expect(JSON.parse(stdout)).toEqual({
    probes: { real: "ok", two: reason },
    first: `${reason}: check the stack with npm run drift -- --separate-hosts`,
    second: `${reason}: check the stack with npm run drift -- --separate-hosts`,
    compromised: reason,
  });
});

test("startSharedLanguageHost: its error listeners stay after close, and are removed when it cannot listen", () => {
  const { stdout } = inProcess(`
    const fs = require("fs"), os = require("os"), path = require("path");
    const { startSharedLanguageHost } = require(${JSON.stringify(SHARED_HOST)});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-host-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\\nruntime: nodejs\\nmain: program.js\\n");
    fs.writeFileSync(path.join(dir, "program.js"), "module.exports = async () => ({});\\n");
    const count = () => ["uncaughtException", "unhandledRejection"].map((e) => process.listeners(e).length);
    const initially = count();
    const host = await startSharedLanguageHost(dir, () => {});
    const serving = count();
    await host.close();
    const closed = count();
    // The gRPC the shared host uses (@pulumi/pulumi's), made unable to listen.
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
    grpc.Server.prototype.bindAsync = (_address, _credentials, callback) => callback(new Error("no port for you"));
    const failed = await startSharedLanguageHost(dir, () => {}).then(() => "started", (e) => e.message);
    fs.rmSync(dir, { recursive: true });
    process.stdout.write(JSON.stringify({ initially, serving, closed, failed, afterFailure: count() }));
  `);
  const { initially, ...rest } = JSON.parse(stdout) as Record<string, unknown> & { initially: number[] };
  const plusOne = initially.map((n) => n + 1);
  expect(rest).toEqual({
    serving: plusOne,
    closed: plusOne,
    failed: "no port for you",
    afterFailure: plusOne,
  });
});

describe("the program, found as the CLI finds it", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-host-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("no main: the project directory", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
    expect(programLocation(dir)).toEqual({ entry: dir, pwd: dir });
  });

  test("main a directory: the program's directory, relative to the project or absolute", () => {
    fs.mkdirSync(path.join(dir, "app"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\nmain: app\n");
    expect(programLocation(dir)).toEqual({ entry: path.join(dir, "app"), pwd: path.join(dir, "app") });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: p\nruntime: nodejs\nmain: ${PROJECT_ROOT}\n`);
    expect(programLocation(dir)).toEqual({ entry: PROJECT_ROOT, pwd: PROJECT_ROOT });
  });

  test("main a file: that file, run from the project directory", () => {
    fs.writeFileSync(path.join(dir, "main.js"), "");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\nmain: main.js\n");
    expect(programLocation(dir)).toEqual({ entry: path.join(dir, "main.js"), pwd: dir });
  });

  test("the default export of a compiled module, or a function module; a module that exports no function is refused", async () => {
    expect(await programOf({ __esModule: true, default: () => "outputs" }, "/p/index.js")()).toBe("outputs");
    expect(await programOf(() => "function", "/p/index.js")()).toBe("function");
    // A program that declared its resources when it loaded: they would be declared once, outside every stack's run.
    for (const declared of [{ declared: true }, { __esModule: true, default: { declared: true } }, undefined])
      expect(() => programOf(declared, "/p/index.js")).toThrow(
        "/p/index.js exports no function (a program that declares its resources when it loads cannot run once per stack)",
      );
  });
});

describe("startSharedLanguageHost", () => {
  let dir: string;
  const projectDirBefore = process.env.ENTRA_WRITEBACK_PROJECT_DIR;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-host-"));
    delete process.env.ENTRA_WRITEBACK_PROJECT_DIR;
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (projectDirBefore === undefined) delete process.env.ENTRA_WRITEBACK_PROJECT_DIR;
    else process.env.ENTRA_WRITEBACK_PROJECT_DIR = projectDirBefore;
  });

  test("serves Pulumi.yaml's program on 127.0.0.1, one run per request, in the program's directory", async () => {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\nmain: program.js\n");
    const seen = path.join(dir, "seen.txt");
    fs.writeFileSync(
      path.join(dir, "program.js"),
      `const pulumi = require(${JSON.stringify(require.resolve("@pulumi/pulumi"))});
       module.exports = async () => {
         require("fs").appendFileSync(${JSON.stringify(seen)}, pulumi.getStack() + " " + process.env.ENTRA_WRITEBACK_PROJECT_DIR + "\\n");
       };`,
    );
    const host = await startSharedLanguageHost(dir, () => undefined);
    const client = new langrpc.LanguageRuntimeClient(host.address, grpc.credentials.createInsecure());
    const run = (stack: string, pwd: string) =>
      new Promise<langproto.RunResponse>((resolve, reject) =>
        client.run(
          new langproto.RunRequest().setProject("p").setStack(stack).setPwd(pwd).setDryrun(true),
          (error, response) => (error ? reject(error) : resolve(response)),
        ),
      );
    try {
      expect(host.address).toMatch(/^127\.0\.0\.1:\d+$/);
      const answers = await Promise.all([run("one", dir), run("two", dir)]);
      expect(answers.map((answer) => answer.getError())).toEqual(["", ""]);
      expect(fs.readFileSync(seen, "utf8").split("\n").filter(Boolean).sort()).toEqual([
        `one ${dir}`,
        `two ${dir}`,
      ]);
      expect((await run("three", "/elsewhere")).getError()).toContain("this run is for /elsewhere");
    } finally {
      client.close();
      await host.close();
    }
  });

  test("a program that does not load is an error before anything is served", async () => {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\nmain: missing.js\n");
    await expect(startSharedLanguageHost(dir, () => undefined)).rejects.toThrow(/Cannot find module/);
  });
});

describe("npm run drift with a stand-in for the Pulumi CLI", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-host-"));
    // The stand-in writes down its arguments and answers as a preview of a stack in sync.
    fs.writeFileSync(
      path.join(dir, "pulumi"),
      // With STANDIN_HANG, it starts a child that waits, in a session (and process group) of its own as the CLI starts
      // its plugins, writes down the child's pid, and waits for it.
      // `stack ls` answers STANDIN_STACKS (what `pulumi stack ls --json` prints).
      `#!/bin/sh\necho "$*" >> "${dir}/calls"\n` +
        `if [ "$1 $2" = "stack ls" ]; then echo "$STANDIN_STACKS"; exit 0; fi\n` +
        `if [ -n "$STANDIN_HANG" ]; then setsid sleep 60 & echo $! >> "${dir}/sleepers"; wait; fi\n` +
        `echo '{"steps":[],"diagnostics":[]}'\n`,
      { mode: 0o755 },
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const drift = (main: string, ...args: string[]) => driftWith({}, main, ...args);
  const driftWith = (env: Record<string, string>, main: string, ...args: string[]) =>
    driftOver(["east", "west"], env, main, ...args);
  const driftOver = (stacks: string[], env: Record<string, string>, main: string, ...args: string[]) => {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: p\nruntime: nodejs\nmain: ${main}\n`);
    const run = spawnSync(
      process.execPath,
      [
        path.join(PROJECT_ROOT, "dist", "tools", "drift.js"),
        ...stacks,
        ...[
          "--project-dir",
          dir,
          "--json",
          path.join(dir, "drift.json"),
          "--junit",
          path.join(dir, "drift.xml"),
        ],
        ...args,
      ],
      {
        encoding: "utf8",
        env: { ...process.env, ENTRA_WRITEBACK_PULUMI: path.join(dir, "pulumi"), ...env },
        timeout: 30_000,
      },
    );
    const calls = fs.existsSync(path.join(dir, "calls"))
      ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n")
      : [];
    fs.rmSync(path.join(dir, "calls"), { force: true });
    return { ...run, calls };
  };

  test("without stack names, checks the stacks pulumi stack ls lists; with none, exits 2 and says so", () => {
    fs.writeFileSync(path.join(dir, "program.js"), "module.exports = async () => ({});\n");
    const listed = driftOver(
      [],
      { STANDIN_STACKS: '[{"name":"org/p/north"},{"name":"south"}]' },
      "program.js",
    );
    expect(listed.stderr).toContain("drift: checking 2 stack(s)");
    expect(listed.status).toBe(0);
    expect(listed.calls[0]).toBe("stack ls --json --non-interactive");
    expect(
      listed.calls
        .slice(1)
        .map((call) => call.match(/ --stack (\w+) /)?.[1])
        .sort(),
    ).toEqual(["north", "south"]);
    const none = driftOver([], { STANDIN_STACKS: "[]" }, "program.js");
    expect({ status: none.status, calls: none.calls }).toEqual({
      status: 2,
      calls: ["stack ls --json --non-interactive"],
    });
    expect(none.stderr).toContain(`drift: no stacks in ${dir}; name them or create one first\n`);
  });

  test.each([
    ["named stacks", ["east", "west"]],
    ["the stacks of the project", []],
  ])(
    "a Pulumi CLI that cannot be found or built ends the run with exit 2, the script run once (%s)",
    (_label, stacks) => {
      fs.writeFileSync(path.join(dir, "program.js"), "module.exports = async () => ({});\n");
      const run = driftOver(
        stacks,
        { ENTRA_WRITEBACK_PULUMI: "", ...noPulumiCliEnvironment(path.join(dir, "cache")) },
        "program.js",
      );
      const script = path.join(PROJECT_ROOT, "tools", "ensure-pulumi-cli.sh");
      expect(run.status).toBe(2);
      // The script said why (it tried to build the CLI, once), and the drift tool's one line follows.
      expect(run.stderr.match(/^ensure-pulumi-cli: building the Pulumi CLI/gm)).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^stub go: no toolchain in this test$`, "m"));
      expect(run.stderr.endsWith(`drift: ${script} failed (exit 1); what it said is above\n`)).toBe(true);
      expect(run.stderr).not.toContain("drift: checking");
      expect(run.calls).toEqual([]); // the stand-in was not used at all
    },
  );

  test("each preview is given the shared host's address, or none with --separate-hosts", () => {
    fs.writeFileSync(path.join(dir, "program.js"), "module.exports = async () => ({});\n");
    const shared = drift("program.js");
    expect(shared.status).toBe(0);
    expect(shared.calls).toHaveLength(2);
    const clients = shared.calls.map((call) => call.match(/ --client=(127\.0\.0\.1:\d+) /)?.[1]);
    expect(clients[0]).toBeDefined();
    expect(clients[1]).toBe(clients[0]);
    const separate = drift("program.js", "--separate-hosts");
    expect(separate.status).toBe(0);
    expect(separate.calls).toHaveLength(2);
    for (const call of separate.calls) expect(call).not.toContain("--client");
    expect(separate.stderr).not.toMatch(/^drift: (?!checking|reports)/m);
  });

  test("a preview still running after --timeout is stopped, with what it started, and its stack fails", () => {
    fs.writeFileSync(path.join(dir, "program.js"), "module.exports = async () => ({});\n");
    const started = Date.now();
    const run = driftWith({ STANDIN_HANG: "1" }, "program.js", "--timeout", "2");
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.status).toBe(1);
    const report = JSON.parse(fs.readFileSync(path.join(dir, "drift.json"), "utf8"));
    for (const stack of ["east", "west"])
      expect(report.results.find((r: { stack: string }) => r.stack === stack)).toMatchObject({
        status: "failed",
        error:
          "timed out after 2 s (its preview was stopped; npm run drift -- --timeout SECONDS allows more)",
      });
    // The stand-in's children were killed with it (here: the first preview's, in the shared host, and the second's).
    const sleepers = fs.readFileSync(path.join(dir, "sleepers"), "utf8").trim().split("\n").map(Number);
    expect(sleepers.length).toBeGreaterThanOrEqual(2);
    const gone = (pid: number) => !isRunning(pid); // killed (a zombie not yet reaped counts as gone)
    for (let waited = 0; !sleepers.every(gone) && waited < 5000; waited += 100) spawnSync("sleep", ["0.1"]);
    expect(sleepers.filter((pid) => !gone(pid))).toEqual([]);
    // The shared host was given up after the first timeout (only previews started after it go without --client).
    expect(run.stderr).toMatch(
      /^drift: (east|west)'s preview timed out with its program in the shared language host, where it may hold up the others: the stacks not checked yet are checked again/m,
    );
    const bad = drift("program.js", "--timeout", "0");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("drift: --timeout: a whole number of seconds from 1 to 86400\n");
  });

  test("a program that exports no function: said in one line, and each preview starts its own language host", () => {
    fs.writeFileSync(path.join(dir, "program.js"), "exports.declared = true;\n");
    const run = drift("program.js");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(
      `drift: cannot run the programs in one shared language host (${path.join(dir, "program.js")} exports no ` +
        "function (a program that declares its resources when it loads cannot run once per stack)); each preview " +
        "starts its own, as with --separate-hosts\n",
    );
    for (const call of run.calls) expect(call).not.toContain("--client");
  });

  test("a program that does not load: said in one line, and each preview starts its own language host", () => {
    const run = drift("missing.js");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(
      `drift: cannot run the programs in one shared language host (Cannot find module '${path.join(dir, "missing.js")}'); ` +
        "each preview starts its own, as with --separate-hosts\n",
    );
    for (const call of run.calls) expect(call).not.toContain("--client");
  });
});
