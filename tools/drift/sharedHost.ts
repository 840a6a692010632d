// The shared language host of `npm run drift`: one gRPC LanguageRuntime server in the drift tool's own process runs
// the program of every stack checked. Each `pulumi preview` connects to it with `--client=ADDRESS` (the CLI's hidden
// flag the Automation API uses for inline programs) and starts no language host process of its own.
//
// It serves with @pulumi/pulumi's in-process LanguageServer, as tools/plugins/language-host.js does for one run per
// process. That server keeps each run's state in its own AsyncLocalStorage store, but installs each run's
// `uncaughtException` and `unhandledRejection` handlers on the process: with several runs at once, every run's
// handler would see every run's error, and an error in one stack's program would fail every stack checked at that
// moment. SharedRuns takes those handlers off the process and gives an error only to the run it came from (docs/
// fleet-drift.md, "One language host for every stack").
import { AsyncLocalStorage } from "node:async_hooks";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as langrpc from "@pulumi/pulumi/proto/language_grpc_pb";
import * as langproto from "@pulumi/pulumi/proto/language_pb";
import { parse } from "yaml";
import { projectRoot } from "../pulumiCli";

/** gRPC as the SDK uses it: the project depends on @pulumi/pulumi, which brings its own @grpc/grpc-js. */
const grpc = require(
  require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }),
) as typeof grpcTypes;

/** A call of the gRPC Run method: its request, and (from a real client) the event of the client going away. */
type RunCall = { request: langproto.RunRequest; on?(event: "cancelled", listener: () => void): unknown };
type RunCallback = (error: Error | null | undefined, response?: langproto.RunResponse) => void;

/** What tools/drift/sharedHost.ts uses of the SDK's in-process LanguageServer (internal: its .d.ts exports nothing). */
export interface InProcessLanguageServer {
  run(call: RunCall, callback: RunCallback): unknown;
  getRequiredPlugins(call: unknown, callback: (...args: never[]) => void): void;
  getPluginInfo(call: unknown, callback: (...args: never[]) => void): void;
}
export type LanguageServerClass = new (program: () => Promise<unknown>) => InProcessLanguageServer;

export const loadLanguageServer = (): LanguageServerClass =>
  (require("@pulumi/pulumi/automation/server") as { LanguageServer: LanguageServerClass }).LanguageServer;

const EVENTS = ["uncaughtException", "unhandledRejection"] as const;
type ProcessEvent = (typeof EVENTS)[number];
type Listener = (...args: unknown[]) => void;
/** The process as an emitter of the two events, with listeners of any signature. */
const processEvents = process as unknown as {
  on(event: ProcessEvent, listener: Listener): void;
  off(event: ProcessEvent, listener: Listener): void;
  listeners(event: ProcessEvent): Listener[];
};

/** The process's listeners of each event now, to tell later which ones a run of the SDK's server added. */
function listenersNow(): Record<ProcessEvent, Listener[]> {
  return Object.fromEntries(EVENTS.map((event) => [event, processEvents.listeners(event)])) as Record<
    ProcessEvent,
    Listener[]
  >;
}

/** The listeners of `event` added since `before` was taken. */
function addedSince(before: Record<ProcessEvent, Listener[]>, event: ProcessEvent): Listener[] {
  return processEvents.listeners(event).filter((listener) => !before[event].includes(listener));
}

/** Where the program of a project is, as the CLI tells a language host: Pulumi.yaml's `main`, or the project. */
export interface ProgramLocation {
  /** The module to load: a file, or a directory whose package.json `main` (or index.js) Node loads. */
  entry: string;
  /** The directory the CLI gives as the run's `pwd` (and starts the provider processes in). */
  pwd: string;
}

/** As the CLI reads Pulumi.yaml: `main` a directory is the program's directory; a file runs from the project. */
export function programLocation(projectDir: string): ProgramLocation {
  const file = path.join(projectDir, "Pulumi.yaml");
  const project = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { main?: unknown };
  if (project.main !== undefined && typeof project.main !== "string")
    throw new Error(`${file}: main must be a path`);
  const entry = path.resolve(projectDir, project.main ?? ".");
  const isDirectory = fs.statSync(entry, { throwIfNoEntry: false })?.isDirectory() ?? false;
  return { entry, pwd: isDirectory ? entry : projectDir };
}

/** tools/plugins/run-answer.js: how a language host runs and answers a Run, shared with language-host.js. */
const { answerOnce, mainOf } = require(path.join(projectRoot, "tools", "plugins", "run-answer.js")) as {
  answerOnce(
    callback: RunCallback,
    sdk: { RunResponse: typeof langproto.RunResponse; hasErrors: () => boolean },
    onAnswer?: (failed: boolean) => void,
  ): RunCallback;
  mainOf(loaded: unknown): unknown;
};

/**
 * The program function of a loaded module: its default export, or the module if it is a function. A module that
 * exports no function is refused: it declared its resources when it loaded, once, outside every stack's run.
 */
export function programOf(loaded: unknown, entry: string): () => Promise<unknown> {
  const main = mainOf(loaded);
  if (typeof main !== "function")
    throw new Error(
      `${entry} exports no function (a program that declares its resources when it loads cannot run once per stack)`,
    );
  return async () => (main as () => unknown)();
}

/** The real path of a directory, or the path itself when it does not exist. */
function realDirectory(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

const takeoverFailure = (count: number) =>
  `this version of @pulumi/pulumi installs ${count} error handler(s) of each kind for a run where the shared ` +
  "language host expects one, so it cannot keep one stack's errors from the others";

/**
 * Fails unless one run of the SDK's server installs exactly one `uncaughtException` and one `unhandledRejection`
 * listener on the process, before its first await (what SharedRuns takes over): a run without an engine, of a
 * program that does nothing.
 */
export async function probeLanguageServer(LanguageServer: LanguageServerClass): Promise<void> {
  const before = listenersNow();
  const done = new Promise<void>((resolve) =>
    new LanguageServer(async () => undefined).run(
      { request: new langproto.RunRequest().setProject("probe").setStack("probe").setDryrun(true) },
      () => resolve(),
    ),
  );
  const counts = EVENTS.map((event) => addedSince(before, event).length);
  await done;
  const wrong = counts.find((count) => count !== 1);
  if (wrong !== undefined) throw new Error(takeoverFailure(wrong));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The end of a refused run's error: what the user does instead. */
const SEPARATE_HOSTS_ADVICE = ": check the stack with npm run drift -- --separate-hosts";

interface Run {
  stack: string;
  handlers: Record<ProcessEvent, Listener[]>;
  /** Runs a function in this run's context (the SDK's store of this run), once the program started. */
  inContext?: <R>(fn: () => R) => R;
  failed: boolean;
  /** Its CLI went away (it ended, or was killed) before its answer: no engine to give its errors to. */
  cancelled?: boolean;
}

/**
 * The runs of one program, any number at once, each error given to the run it came from. Node (24, the project's
 * Node; the unit tests check it) calls the process's error listeners in the asynchronous context of the code that
 * threw or of the rejected promise, so an AsyncLocalStorage of our own, entered around each run, says whose error it is.
 */
export class SharedRuns {
  private readonly current = new AsyncLocalStorage<Run>();
  /** Runs not answered yet, their CLI connected or not (`cancelled`). */
  private readonly unanswered = new Set<Run>();
  private readonly listeners: Record<ProcessEvent, Listener>;
  private readonly expectedRealPwd: string | undefined;
  /** Why no run can be given the shared host any more (its error handling could not be set up for a run). */
  private broken: string | undefined;

  constructor(
    private readonly LanguageServer: LanguageServerClass,
    private readonly program: () => Promise<unknown>,
    private readonly expectedPwd: string | undefined,
    /** Said on stderr: what no stack's result can carry. */
    private readonly warn: (message: string) => void,
  ) {
    this.listeners = {
      uncaughtException: (...args) => this.deliver("uncaughtException", args),
      unhandledRejection: (...args) => this.deliver("unhandledRejection", args),
    };
    for (const event of EVENTS) processEvents.on(event, this.listeners[event]);
    this.expectedRealPwd = expectedPwd === undefined ? undefined : realDirectory(expectedPwd);
  }

  /**
   * Stops listening on the process. Only for a SharedRuns that served nothing (or whose programs have all returned):
   * a program still running would have its errors go to every run's handler, or end the process.
   */
  close(): void {
    for (const event of EVENTS) processEvents.off(event, this.listeners[event]);
  }

  /**
   * Why the shared host should run no more programs, once `stack`'s preview has ended: its run not answered (its
   * program still running, and so maybe holding up the others: the SDK sends every run's log messages through one
   * promise chain), or the host's error handling failed for a run. Undefined when nothing is wrong. A run has
   * `graceMs` to be answered after its preview ended: a preview the engine aborted (a provider that failed, say) may
   * end a moment before its program does, the program's calls to the engine failing once the CLI is gone.
   */
  async compromisedAfter(stack: string, graceMs = 2000): Promise<string | undefined> {
    const pending = () => [...this.unanswered].some((run) => run.stack === stack);
    for (let waited = 0; !this.broken && pending() && waited < graceMs; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    if (this.broken) return this.broken;
    if (pending())
      return `${stack}'s preview ended while its program was still running in the shared language host, which may hold up the other programs there`;
    return undefined;
  }

  /** The gRPC Run method. */
  run(call: RunCall, callback: RunCallback): void {
    const request = call.request;
    const run: Run = {
      stack: request.getStack(),
      handlers: { uncaughtException: [], unhandledRejection: [] },
      failed: false,
    };
    const pwd = request.getPwd();
    // The CLI names its directory as $PWD says (through a symbolic link, say), Node the program's by its real path.
    if (this.expectedRealPwd !== undefined && pwd && realDirectory(pwd) !== this.expectedRealPwd) {
      callback(
        null,
        new langproto.RunResponse().setError(
          `the shared language host of npm run drift runs the program of ${this.expectedPwd}, and this run is for ` +
            `${pwd}${SEPARATE_HOSTS_ADVICE}`,
        ),
      );
      return;
    }
    if (this.broken) {
      callback(null, new langproto.RunResponse().setError(`${this.broken}${SEPARATE_HOSTS_ADVICE}`));
      return;
    }
    const before = listenersNow();
    const server = new this.LanguageServer(async () => {
      run.inContext = AsyncLocalStorage.snapshot();
      return this.program();
    });
    this.unanswered.add(run);
    call.on?.("cancelled", () => (run.cancelled = true));
    // Once, and "bail" for an error already logged, as tools/plugins/language-host.js answers.
    const answer = answerOnce(
      callback,
      { RunResponse: langproto.RunResponse, hasErrors: () => pulumi.log.hasErrors() },
      (failed) => {
        run.failed = failed;
        this.unanswered.delete(run);
      },
    );
    this.current.run(run, () => server.run(call, answer));
    // The server installed this run's handlers before its first await: take them off the process; deliver() calls
    // them for this run's errors only.
    for (const event of EVENTS) {
      const added = addedSince(before, event);
      if (added.length !== 1) {
        // Its errors, and the other runs', cannot be kept apart: fail it, and run no more programs here.
        this.broken ??= takeoverFailure(added.length);
        answer(null, new langproto.RunResponse().setError(`${this.broken}${SEPARATE_HOSTS_ADVICE}`));
        continue;
      }
      processEvents.off(event, added[0] as Listener);
      run.handlers[event] = added as Listener[];
    }
  }

  private deliver(event: ProcessEvent, args: unknown[]): void {
    const owner = this.current.getStore();
    // Not answered yet: its errors are its own (answered runs leave `unanswered`).
    if (owner && this.unanswered.has(owner)) {
      for (const handler of owner.handlers[event]) handler(...args);
      return;
    }
    if (owner) {
      // A failed run's late errors are the failure it already reported (a rejected promise of its program).
      if (!owner.failed)
        this.warn(
          `${owner.stack}: its program raised an error after its check finished (not in the reports): ${describe(args[0])}`,
        );
      return;
    }
    // The runs whose program may still raise errors for them: not answered, and their CLI still connected.
    const runs = [...this.unanswered].filter((run) => !run.cancelled);
    if (runs.length === 0) {
      this.warn(`an error outside every stack's program: ${describe(args[0])}`);
      return;
    }
    // Code that runs outside every run's context (started when the program's modules loaded): whose it is cannot be
    // known, so every stack checked at this moment fails with it, and says so.
    const shared = new pulumi.RunError(
      `${describe(args[0])} (an error the shared language host cannot attribute to one stack's program; it fails ` +
        `every stack checked at that moment: ${runs.map((r) => r.stack).join(", ")}. ` +
        "npm run drift -- --separate-hosts checks each stack with a language host of its own)",
    );
    for (const run of runs) {
      const give = () => {
        for (const handler of run.handlers[event]) handler(shared, ...args.slice(1));
      };
      if (run.inContext) run.inContext(give);
      else give();
    }
  }
}

export interface SharedLanguageHost {
  /** 127.0.0.1:PORT, for `--client`. */
  address: string;
  /** SharedRuns.compromisedAfter: why no more programs should run here, once `stack`'s preview has ended. */
  compromisedAfter(stack: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Loads the program of the project once and serves it on 127.0.0.1 for every preview of this drift run. */
export async function startSharedLanguageHost(
  projectDir: string,
  warn: (message: string) => void,
): Promise<SharedLanguageHost> {
  const location = programLocation(projectDir);
  // The program finds the project's compiled providers from the directory the CLI would start it in.
  process.env.ENTRA_WRITEBACK_PROJECT_DIR ||= location.pwd;
  const LanguageServer = loadLanguageServer();
  await probeLanguageServer(LanguageServer);
  // Loaded here, outside every run: what its modules start at load belongs to no stack.
  const program = programOf(require(location.entry), location.entry);
  const runs = new SharedRuns(LanguageServer, program, location.pwd, warn);
  const idle = new LanguageServer(async () => undefined);
  // The SDK's channel options (message size), as its own servers use them (internal, so not in its .d.ts).
  const { grpcChannelOptions } = require("@pulumi/pulumi/runtime/settings") as {
    grpcChannelOptions: grpcTypes.ChannelOptions;
  };
  const server = new grpc.Server({ ...grpcChannelOptions });
  server.addService(langrpc.LanguageRuntimeService, {
    run: (call: RunCall, callback: RunCallback) => runs.run(call, callback),
    getRequiredPlugins: idle.getRequiredPlugins.bind(idle),
    getPluginInfo: idle.getPluginInfo.bind(idle),
  } as unknown as grpcTypes.UntypedServiceImplementation);
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
  } catch (error) {
    runs.close();
    throw error;
  }
  return {
    address: `127.0.0.1:${port}`,
    compromisedAfter: (stack) => runs.compromisedAfter(stack),
    // The runs' error listeners stay until the process ends: a program still running (one whose CLI is gone) may
    // raise errors after the server is down, and they are still its own.
    close: () =>
      new Promise<void>((resolve) => {
        // Calls whose CLI is gone but whose program never returned would keep a graceful shutdown waiting.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
