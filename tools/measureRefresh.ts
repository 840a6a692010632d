// npm run measure:refresh -- [--rounds N] [--profile DIR]
// The CPU a converged `pulumi preview --refresh` of the lab stack costs, beside the same command on an empty
// stack (a Node.js program that declares nothing), with the same CLI on the same machine, run alternately so
// that a busy machine weighs on both alike. CPU time is that of the whole process tree (the CLI, the language
// host, the provider process), read from the kernel's accounting of a wrapper shell's children.
// Prints each round, the medians and their ratio. With --profile DIR, one more lab preview runs with every Node
// process profiled (--cpu-prof): it prints the CPU of each (language hosts, provider hosts, and the CLI as the rest)
// and leaves their V8 CPU profiles in DIR. Everything else lives in a temporary directory, removed after.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ensurePulumiCli, projectRoot, pulumiEnvironment } from "./pulumiCli";
import { childrenCpuSecondsOf, median, roundsOption } from "./measurement";
import { convergeLabStack, createLabProject, pulumiOk } from "./measureLab";

const PASSPHRASE = "measure-refresh";

interface Sample {
  cpuSeconds: number;
  wallSeconds: number;
  exitCode: number;
}

/** Runs the CLI under `sh`, which reports its reaped children's CPU time (utime+stime of the whole tree). */
function measure(args: string[], projectDir: string, extraEnv: Record<string, string> = {}): Promise<Sample> {
  const script = `"$@" >/dev/null 2>"$ERR_FILE"; code=$?; cat /proc/$$/stat; exit $code`;
  const errFile = path.join(projectDir, "last-stderr.txt");
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", script, "sh", ensurePulumiCli(), ...args, "--non-interactive"], {
      cwd: projectDir,
      env: {
        ...pulumiEnvironment(projectDir, { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }),
        ...extraEnv,
        ERR_FILE: errFile,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stat = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stat += text));
    child.on("error", reject);
    child.on("close", (code) => {
      const cpuSeconds = childrenCpuSecondsOf(stat);
      if (!Number.isFinite(cpuSeconds)) {
        reject(new Error(`could not read the CPU time from /proc (got "${stat.trim()}")`));
        return;
      }
      if (code !== 0) {
        reject(
          new Error(`pulumi ${args.join(" ")} failed in ${projectDir}: ${fs.readFileSync(errFile, "utf8")}`),
        );
        return;
      }
      resolve({
        cpuSeconds,
        wallSeconds: (Date.now() - started) / 1000,
        exitCode: code ?? 1,
      });
    });
  });
}

/**
 * The environment of a profiled run: every Node process the engine starts (language hosts, provider hosts) writes a
 * V8 CPU profile (.cpuprofile, for Chrome's DevTools) and its own CPU time into directory. The engine stops its
 * plugins with SIGINT; the preload makes that a normal exit, so that Node writes the profile.
 */
function profileEnvironment(directory: string, work: string): Record<string, string> {
  const preload = path.join(work, "profile-preload.js");
  fs.writeFileSync(
    preload,
    `"use strict";
const cpu = () => { const used = process.cpuUsage(); return (used.user + used.system) / 1e6; };
let serving = null;
const write = process.stdout.write.bind(process.stdout);
// A plugin prints its port once it serves: what it spent before that is starting and loading modules.
process.stdout.write = (chunk, ...rest) => { if (serving === null) serving = cpu(); return write(chunk, ...rest); };
process.on("SIGINT", () => process.exit(0));
process.on("exit", () => require("fs").writeFileSync(
  require("path").join(${JSON.stringify(directory)}, \`process-\${process.pid}.json\`),
  JSON.stringify({ process: require("path").basename(process.argv[1] || "node"), cpuSeconds: cpu(), beforeServing: serving })));
`,
  );
  return {
    NODE_OPTIONS: `--require ${preload} --cpu-prof --cpu-prof-dir=${directory}`,
  };
}

/** One more lab preview with profiles, and a table of the CPU of each Node process against the whole tree's. */
async function profileLabPreview(directory: string, run: () => Promise<Sample>): Promise<void> {
  fs.mkdirSync(directory, { recursive: true });
  for (const name of fs.readdirSync(directory).filter((file) => /^process-\d+\.json$/.test(file)))
    fs.rmSync(path.join(directory, name));
  const sample = await run();
  const processes = fs
    .readdirSync(directory)
    .filter((file) => /^process-\d+\.json$/.test(file))
    .map(
      (file) =>
        JSON.parse(fs.readFileSync(path.join(directory, file), "utf8")) as {
          process: string;
          cpuSeconds: number;
          beforeServing: number | null;
        },
    );
  console.log(
    `profiled lab preview (the profiler adds to every figure): ${sample.cpuSeconds.toFixed(2)} s CPU in all`,
  );
  console.log("  process                       CPU   before serving");
  for (const each of processes)
    console.log(
      `  ${each.process.padEnd(26)} ${each.cpuSeconds.toFixed(2).padStart(6)} s ${each.beforeServing === null ? "         -" : `${each.beforeServing.toFixed(2).padStart(8)} s`}`,
    );
  const plugins = processes.reduce((sum, each) => sum + each.cpuSeconds, 0);
  console.log(
    `  ${"the CLI (the rest)".padEnd(26)} ${(sample.cpuSeconds - plugins).toFixed(2).padStart(6)} s`,
  );
  console.log(`V8 CPU profiles of each process (open in Chrome DevTools): ${directory}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: "string", default: "3" }, profile: { type: "string" } },
  });
  const rounds = roundsOption(values.rounds);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-refresh-"));
  try {
    // The lab project: the project's program against a simulated server on a simulated clock.
    const lab = path.join(work, "lab");
    createLabProject(lab);
    // The empty project: a Node.js program that declares nothing.
    const empty = path.join(work, "empty");
    fs.mkdirSync(empty, { recursive: true });
    fs.writeFileSync(
      path.join(empty, "Pulumi.yaml"),
      `name: empty\nruntime: nodejs\nmain: ${path.join(projectRoot, "dist", "tools", "emptyProgram.js")}\n`,
    );
    console.error("measure-refresh: converging the lab stack (up, the wizard step, up)...");
    await convergeLabStack(lab, "lab", path.join(work, "lab.json"), PASSPHRASE, {
      m365: 24,
      m365OptedOut: 6,
      security: 8,
      securityEnabled: 3,
    });
    await pulumiOk(["stack", "init", "empty"], empty, PASSPHRASE);
    await pulumiOk(["up", "--yes", "--stack", "empty"], empty, PASSPHRASE);

    const preview = (stack: string) => ["preview", "--refresh", "--expect-no-changes", "--stack", stack];
    const labSamples: Sample[] = [];
    const emptySamples: Sample[] = [];
    console.log("round  lab CPU  lab wall  empty CPU  empty wall");
    for (let round = 1; round <= rounds; round++) {
      const labSample = await measure(preview("lab"), lab);
      const emptySample = await measure(preview("empty"), empty);
      labSamples.push(labSample);
      emptySamples.push(emptySample);
      console.log(
        `${String(round).padStart(5)}  ${labSample.cpuSeconds.toFixed(2).padStart(6)} s ${labSample.wallSeconds.toFixed(2).padStart(7)} s` +
          `  ${emptySample.cpuSeconds.toFixed(2).padStart(8)} s ${emptySample.wallSeconds.toFixed(2).padStart(9)} s`,
      );
    }
    if (values.profile !== undefined) {
      const directory = path.resolve(values.profile);
      await profileLabPreview(directory, () =>
        measure(preview("lab"), lab, profileEnvironment(directory, work)),
      );
    }
    const labCpu = median(labSamples.map((s) => s.cpuSeconds));
    const emptyCpu = median(emptySamples.map((s) => s.cpuSeconds));
    console.log(
      `median CPU: lab ${labCpu.toFixed(2)} s, empty ${emptyCpu.toFixed(2)} s; ratio ${(labCpu / emptyCpu).toFixed(2)}x ` +
        `(${os.availableParallelism()} cores, load average ${os.loadavg()[0]?.toFixed(1)})`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`measure-refresh: ${(error as Error).message}`);
  process.exitCode = 1;
});
