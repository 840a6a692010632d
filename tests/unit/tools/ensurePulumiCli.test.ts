// tools/ensure-pulumi-cli.sh writing the plugin launchers into a cache directory that every checkout on the machine
// shares, while other checkouts' deployments may be running them: each file is renamed into place (a process that
// opened the old file keeps reading it), and a file that is already the same is not written at all.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPOSITORY = path.join(__dirname, "..", "..", "..");
const SCRIPT = path.join(REPOSITORY, "tools", "ensure-pulumi-cli.sh");
const PLUGINS = path.join(REPOSITORY, "tools", "plugins");
const PINNED_VERSION = /^PINNED_VERSION="([^"]+)"$/m.exec(fs.readFileSync(SCRIPT, "utf8"))![1]!;
const LAUNCHERS = fs.readdirSync(PLUGINS).sort();
/** Built from tools/provider-front next to the launchers (the launcher runs it when it is there). */
const FRONT = "provider-front";
// Each run of the script in a new cache directory builds the front (about a second with Go's build cache warm).
jest.setTimeout(60_000);

let cache: string;
let bin: string;
beforeEach(() => {
  cache = fs.mkdtempSync(path.join(os.tmpdir(), "entra-ensure-cli-"));
  bin = path.join(cache, `pulumi-${PINNED_VERSION}`, "bin");
  fs.mkdirSync(bin, { recursive: true });
  // A CLI "built before": the script's second way, which keeps the launchers current and prints the CLI.
  fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho ${PINNED_VERSION}\n`, { mode: 0o755 });
});
afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

function ensure(): string {
  return execFileSync(SCRIPT, {
    encoding: "utf8",
    env: { ...process.env, ENTRA_WRITEBACK_CACHE_DIR: cache, ENTRA_WRITEBACK_IGNORE_PATH_PULUMI: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** The script run with another PATH: its exit status, stdout and stderr. */
function ensureWithPath(
  PATH: string,
  extra: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(SCRIPT, {
    encoding: "utf8",
    env: {
      ...process.env,
      PATH,
      ENTRA_WRITEBACK_CACHE_DIR: cache,
      ENTRA_WRITEBACK_IGNORE_PATH_PULUMI: "1",
      ...extra,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { status, stdout: stdout.trim(), stderr };
}

/** The command line of the process the cached provider launcher runs, started as the engine starts it. */
async function launcherServes(): Promise<string[]> {
  const child = spawn(cached("pulumi-resource-pulumi-nodejs"), ["127.0.0.1:1"], {
    cwd: REPOSITORY,
    env: { ...process.env, PULUMI_NODEJS_PROJECT: "test", PULUMI_PROJECT: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    // Its port, printed once it serves.
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (text: string) => text.includes("\n") && resolve());
      child.on("error", reject);
      child.on("exit", (code) => reject(new Error(`the launcher exited with ${code}`)));
    });
    return fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
  } finally {
    child.kill("SIGKILL");
  }
}

const cached = (name: string) => path.join(bin, name);
const executable = (file: string) => (fs.statSync(file).mode & 0o111) !== 0;

test("writes every file of tools/plugins next to the CLI, executable where the source is, and leaves no temporary file", () => {
  expect(LAUNCHERS).toContain("pulumi-resource-pulumi-nodejs");
  expect(ensure()).toBe(cached("pulumi"));
  expect(fs.readdirSync(bin).sort()).toEqual([...LAUNCHERS, FRONT, "pulumi"].sort());
  expect(executable(cached(FRONT))).toBe(true);
  for (const name of LAUNCHERS) {
    const source = path.join(PLUGINS, name);
    expect({ name, same: fs.readFileSync(cached(name)).equals(fs.readFileSync(source)) }).toEqual({
      name,
      same: true,
    });
    expect({ name, executable: executable(cached(name)) }).toEqual({ name, executable: executable(source) });
  }
});

test("a launcher with other content is replaced by a rename: a process that has the old file open keeps reading all of it", () => {
  ensure();
  const launcher = cached("pulumi-resource-pulumi-nodejs");
  const old = "#!/bin/sh\n# what an older checkout wrote, being read by a running provider\n".repeat(200);
  fs.writeFileSync(launcher, old);
  const before = fs.statSync(launcher).ino;
  const reader = fs.openSync(launcher, "r");
  try {
    ensure();
    // The old file, unchanged, for the process that had it open (sh reads its script as it runs)...
    const seen = Buffer.alloc(old.length + 100);
    expect(seen.toString("utf8", 0, fs.readSync(reader, seen, 0, seen.length, 0))).toBe(old);
  } finally {
    fs.closeSync(reader);
  }
  // ...and the whole new one, a new file, for the next process.
  expect(fs.statSync(launcher).ino).not.toBe(before);
  expect(fs.readFileSync(launcher)).toEqual(
    fs.readFileSync(path.join(PLUGINS, "pulumi-resource-pulumi-nodejs")),
  );
  expect(executable(launcher)).toBe(true);
  expect(
    fs.readdirSync(bin).filter((name) => !LAUNCHERS.includes(name) && ![FRONT, "pulumi"].includes(name)),
  ).toEqual([]);
});

test("a launcher already the same is not written again; one that differs is", () => {
  ensure();
  const past = new Date("2020-01-01T00:00:00Z");
  for (const name of LAUNCHERS) fs.utimesSync(cached(name), past, past);
  fs.appendFileSync(cached("engine-watch.js"), "// an older version\n");
  fs.utimesSync(cached("engine-watch.js"), past, past);
  const before = new Map(LAUNCHERS.map((name) => [name, fs.statSync(cached(name))]));
  ensure();
  for (const name of LAUNCHERS) {
    const now = fs.statSync(cached(name));
    const written = name === "engine-watch.js";
    expect({
      name,
      sameFile: now.ino === before.get(name)!.ino,
      sameTime: now.mtimeMs === past.getTime(),
    }).toEqual({ name, sameFile: !written, sameTime: !written });
  }
});

test("the provider's Go front is built once for its source: not again while it is the same, again when it changed", () => {
  ensure();
  const front = cached(FRONT);
  const stamp = path.join(bin, "..", "provider-front.source");
  const first = fs.statSync(front).ino;
  ensure();
  expect(fs.statSync(front).ino).toBe(first);
  // What the last build was of, as if the source had changed since.
  fs.writeFileSync(stamp, "an older source\n");
  ensure();
  expect(fs.statSync(front).ino).not.toBe(first);
  expect(fs.readFileSync(stamp, "utf8")).not.toBe("an older source\n");
  expect(executable(front)).toBe(true);
  expect(fs.readdirSync(bin).filter((name) => name.startsWith(`${FRONT}.`))).toEqual([]);
}, 60_000);

/** A copy of tools/provider-front in a checkout of its own (a `.git` directory above it, as in a fresh clone). */
function frontCheckout(): string {
  const front = path.join(cache, "checkout", "tools", "provider-front");
  fs.mkdirSync(path.join(cache, "checkout", ".git"), { recursive: true });
  fs.cpSync(path.join(REPOSITORY, "tools", "provider-front"), front, { recursive: true });
  return path.join(front, "build.sh");
}

/** A command on PATH (in a directory of the test's cache) that prints `message` and exits with `code`. */
function failingCommand(name: string, message: string, code: number): string {
  const directory = path.join(cache, `failing-${name}`);
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, name), `#!/bin/sh\necho '${message}' >&2\nexit ${code}\n`, {
    mode: 0o755,
  });
  return directory;
}

test("the front builds in a checkout whose git repository git refuses to read (no VCS stamp), whatever GOFLAGS says; a change of build.sh builds it again", () => {
  const build = frontCheckout();
  const target = path.join(cache, "provider-front");
  const stamp = path.join(cache, "provider-front.source");
  // git as it answers in a checkout owned by another user; GOFLAGS as this machine sets it (-buildvcs=false).
  const git = failingCommand("git", "fatal: detected dubious ownership in repository", 128);
  const env = { ...process.env, PATH: `${git}:${process.env.PATH}`, GOFLAGS: "-buildvcs=false" };
  execFileSync(build, [target, stamp], { env, stdio: ["ignore", "pipe", "pipe"] });
  expect(executable(target)).toBe(true);
  const first = fs.statSync(target).ino;
  execFileSync(build, [target, stamp], { env, stdio: ["ignore", "pipe", "pipe"] });
  expect(fs.statSync(target).ino).toBe(first);
  // Its flags are part of what the stamp is of.
  fs.appendFileSync(build, "# other flags\n");
  execFileSync(build, [target, stamp], { env, stdio: ["ignore", "pipe", "pipe"] });
  expect(fs.statSync(target).ino).not.toBe(first);
}, 60_000);

/** What the script does when the front cannot be built: it goes on, and the launcher runs the Node host alone. */
async function expectWithoutFront(run: { status: number | null; stdout: string; stderr: string }) {
  expect(run).toMatchObject({ status: 0, stdout: cached("pulumi") });
  expect(run.stderr).toContain("the dynamic provider runs without its Go front");
  // The stale front and its stamp are gone; every launcher is written.
  expect(fs.existsSync(cached(FRONT))).toBe(false);
  expect(fs.existsSync(path.join(bin, "..", "provider-front.source"))).toBe(false);
  expect(fs.readdirSync(bin).sort()).toEqual([...LAUNCHERS, "pulumi"].sort());
  const served = await launcherServes();
  expect(served).toContain(cached("dynamic-provider-host.js"));
  expect(served.join(" ")).not.toContain(FRONT);
}

test("a Go whose build of the front fails: the script prints what Go said and a warning, removes the older front and goes on; the launcher runs the Node host", async () => {
  ensure();
  // The front as an earlier run built it: the launcher runs it (the filter below can see it).
  expect((await launcherServes())[0]).toBe(cached(FRONT));
  const go = failingCommand(
    "go",
    "go: go.mod requires go >= 1.25.0 (running go 1.24.4; GOTOOLCHAIN=local)",
    1,
  );
  const run = ensureWithPath(`${go}:${process.env.PATH}`);
  expect(run.stderr).toContain("go: go.mod requires go >= 1.25.0 (running go 1.24.4; GOTOOLCHAIN=local)");
  expect(run.stderr).toContain("provider-front: warning: the dynamic provider runs without its Go front");
  await expectWithoutFront(run);
});

test("without Go (none on PATH, none where Go's installer puts it): the script says so, removes the older front and goes on; the launcher runs the Node host", async () => {
  ensure();
  expect((await launcherServes())[0]).toBe(cached(FRONT));
  const withoutGo = process.env
    .PATH!.split(":")
    .filter((directory) => !fs.existsSync(path.join(directory, "go")))
    .join(":");
  const nowhere = path.join(cache, "no-go-here");
  const run = ensureWithPath(withoutGo, { ENTRA_WRITEBACK_GO_HOME: nowhere });
  expect(run.stderr).toContain(`provider-front: no Go toolchain on PATH or in ${nowhere}`);
  await expectWithoutFront(run);
});

test("Go installed where its installer puts it but not on PATH (a CI job's PATH): the front is built all the same", async () => {
  const withoutGo = process.env
    .PATH!.split(":")
    .filter((directory) => !fs.existsSync(path.join(directory, "go")))
    .join(":");
  // The Go these tests use, found as the scripts find it (on PATH, else /usr/local/go): CI's PATH may have none.
  const onPath = spawnSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).stdout.trim();
  const go = onPath || "/usr/local/go/bin/go";
  expect(fs.existsSync(go)).toBe(true);
  const goHome = path.dirname(path.dirname(fs.realpathSync(go)));
  const run = ensureWithPath(withoutGo, { ENTRA_WRITEBACK_GO_HOME: goHome });
  expect(run.status).toBe(0);
  expect(fs.existsSync(cached(FRONT))).toBe(true);
  expect((await launcherServes())[0]).toBe(cached(FRONT));
});

test("a build of the front ended by SIGTERM leaves no temporary binary behind", async () => {
  // A go that takes its time, so that the build is under way when it is ended.
  const go = path.join(cache, "slow-go");
  fs.mkdirSync(go);
  fs.writeFileSync(path.join(go, "go"), "#!/bin/sh\nsleep 3\n", { mode: 0o755 });
  const target = path.join(cache, "provider-front");
  const build = spawn(
    path.join(REPOSITORY, "tools", "provider-front", "build.sh"),
    [target, path.join(cache, "provider-front.source")],
    { env: { ...process.env, PATH: `${go}:${process.env.PATH}` }, stdio: "ignore" },
  );
  const temporaries = () => fs.readdirSync(cache).filter((name) => name.startsWith("provider-front."));
  const leftovers = () => temporaries().filter((name) => name !== "provider-front.source.lock");
  const deadline = Date.now() + 5_000;
  while (leftovers().length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  // The temporary binary exists while the build runs (the check below can see one).
  expect(leftovers()).toHaveLength(1);
  const ended = new Promise((resolve) => build.on("exit", resolve));
  build.kill("SIGTERM");
  await ended;
  expect(leftovers()).toEqual([]);
  expect(fs.existsSync(target)).toBe(false);
});
