// tools/plugins/dynamic-provider-host.js, the provider host the engine starts, against the SDK's own host
// (@pulumi/pulumi/cmd/dynamic-provider): the same gRPC calls go to both, as the engine sends them, and every answer
// (responses, error codes, messages, ErrorResourceInitFailed details) must be the same, so state written through
// either host works with the other. The same calls go through the Go front (tools/provider-front) with our host
// behind it, and must be answered the same again. Then what only ours promises: it does not load the SDK runtime;
// and what the front promises: it starts the host only for a call that needs the provider code, and the host ends
// with it.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as messages from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { providerModuleSource } from "../../../providers/common/shell";
import { ensureBuilt, PROJECT_ROOT } from "../simulator/testSupport";
import { isRunning, until } from "../../support/processes";

const OURS = path.join(PROJECT_ROOT, "tools", "plugins", "dynamic-provider-host.js");
const SDK = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
/** The Go front, built by its own script (as tools/ensure-pulumi-cli.sh builds it) into a directory of this file's. */
const frontDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-front-"));
const FRONT = path.join(frontDirectory, "provider-front");
/** Why FRONT may be missing: tools/provider-front/build.sh builds it only with Go (on PATH or in /usr/local/go). */
const FRONT_MISSING =
  " (tools/provider-front/build.sh builds the Go front only with Go, on PATH or in /usr/local/go; its tests need Go: README, Requirements)";
/** Our host behind the Go front: the front's arguments are the host's command line. */
const FRONTED = [FRONT, process.execPath, OURS];
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cr3t" };

/** A provider exercising every method and every answer shape the hosts translate. */
const TEST_PROVIDER = `"use strict";
exports.handler = function () {
  let configured = "not configured";
  return {
    async configure(request) {
      configured = [request.config.get("test:region"), request.config.get("region"), request.config.get("test:token"),
        String(request.config.get("test:missing"))].join("/");
      try { request.config.require("test:missing"); } catch (error) { configured += " | " + error.message; }
    },
    async check(olds, news) {
      if (news.bad) return { failures: [{ property: "bad", reason: "not allowed" }] };
      return { inputs: { ...news, checked: true } };
    },
    async diff(id, olds, news) {
      if (news.boom) throw new Error("diff exploded");
      if (news.unsure) return {};
      const renamed = olds.name !== news.name;
      return { changes: renamed || olds.value !== news.value, replaces: renamed ? ["name"] : [], deleteBeforeReplace: renamed };
    },
    async create(inputs) {
      if (inputs.half) {
        const error = new Error("created, not ready");
        Object.assign(error, { id: "half-1", properties: { value: inputs.value }, reasons: ["still starting"] });
        throw error;
      }
      if (inputs.fail) throw new Error(inputs.failMessage || "create refused");
      return { id: "id-" + inputs.name, outs: { ...inputs, configured } };
    },
    async read(id, props) {
      return id === "gone" ? { id: "" } : { id, props: { ...props, live: true }, inputs: { name: props.name } };
    },
    async update(id, olds, news) {
      if (news.fail) throw new Error("update refused");
      return { outs: { ...news, updated: true } };
    },
    async delete(id, props) {
      if (props.stuck) throw new Error("cannot delete " + id);
      console.log("deleted " + id);
    },
  };
};
`;
/** A provider with create only: read echoes the state, update keeps only the provider, delete does nothing. */
const MINIMAL_PROVIDER = `exports.handler = () => ({ create: async (inputs) => ({ id: "m", outs: { value: inputs.value } }) });`;

interface Host {
  client: ResourceProviderClient;
  stderr(): string;
  stdout(): string;
  child: ChildProcess;
}

/** A host started as the engine starts it: a Node host's script, or a whole command line (the Go front). */
async function startHost(command: string | string[], env: Record<string, string> = {}): Promise<Host> {
  const [file, ...args] = typeof command === "string" ? [process.execPath, command] : command;
  const child = spawn(file!, [...args, "127.0.0.1:1"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PULUMI_NODEJS_PROJECT: "test", PULUMI_PROJECT: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
    });
    child.on("exit", (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
    // A command that cannot start at all (the Go front not built: it needs Go, see README).
    child.on("error", (error) =>
      reject(new Error(`cannot start ${file}: ${error.message}${file === FRONT ? FRONT_MISSING : ""}`)),
    );
  });
  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return { client, child, stderr: () => stderr, stdout: () => stdout.slice(stdout.indexOf("\n") + 1) };
}

function stop(host: Host): void {
  host.client.close();
  host.child.kill("SIGINT");
}

/** Ends a host at once (SIGKILL): a test's clean-up, whatever state the test left it in. */
function kill(host: Host): void {
  host.client.close();
  host.child.kill("SIGKILL");
}

type Unary<Req, Res> = (
  request: Req,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/** One call's answer as plain data: the response, or the error's code, message and init-failure details. */
function call<Req, Res extends { toObject(): unknown }>(
  method: Unary<Req, Res>,
  request: Req,
): Promise<unknown> {
  return new Promise((resolve) => {
    method(request, (error, response) => {
      if (!error) {
        resolve({ ok: response.toObject() });
        return;
      }
      const details = error.metadata.get("grpc-status-details-bin")[0];
      const initFailed = details
        ? Status.deserializeBinary(details as Buffer)
            .getDetailsList()
            .map((any) => ({
              type: any.getTypeUrl(),
              failure: messages.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8()).toObject(),
            }))
        : undefined;
      resolve({ code: error.code, details: error.details, initFailed });
    });
  });
}

const struct = (value: Record<string, unknown>) => Struct.fromJavaScript(value as never);

/** The engine's calls of a deployment: the answers in order. */
async function conversation(host: Host): Promise<unknown[]> {
  const c = host.client;
  const answers: unknown[] = [];
  const ask = async <Req, Res extends { toObject(): unknown }>(method: Unary<Req, Res>, request: Req) =>
    answers.push(await call(method.bind(c), request));

  answers.push(
    await call(c.getPluginInfo.bind(c) as unknown as Unary<Empty, { toObject(): unknown }>, new Empty()),
  );
  await ask(c.checkConfig, new messages.CheckRequest());
  await ask(c.diffConfig, new messages.DiffRequest());
  const configure = new messages.ConfigureRequest();
  configure.setArgs(struct({ "test:region": "west", "test:token": SECRET, __provider: "ignored" }));
  await ask(c.configure, configure);

  const provider = TEST_PROVIDER;
  const inputs = { name: "a", value: 1, __provider: provider };
  const check = (olds: Record<string, unknown>, news: Record<string, unknown>) => {
    const request = new messages.CheckRequest();
    request.setUrn("urn:pulumi:s::p::pulumi-nodejs:dynamic:Resource::a");
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    return request;
  };
  await ask(c.check, check({}, inputs));
  await ask(c.check, check({}, { ...inputs, bad: true }));
  // During a preview the new provider may be unknown: the old one answers.
  await ask(c.check, check(inputs, { ...inputs, __provider: UNKNOWN }));

  const diff = (olds: Record<string, unknown>, news: Record<string, unknown>) => {
    const request = new messages.DiffRequest();
    request.setId("id-a");
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    return request;
  };
  await ask(c.diff, diff(inputs, inputs));
  await ask(c.diff, diff(inputs, { ...inputs, value: 2 }));
  await ask(c.diff, diff(inputs, { ...inputs, name: "b" }));
  await ask(c.diff, diff(inputs, { ...inputs, unsure: true }));
  await ask(c.diff, diff(inputs, { ...inputs, boom: true }));

  const create = (properties: Record<string, unknown>) => {
    const request = new messages.CreateRequest();
    request.setProperties(struct(properties));
    return request;
  };
  await ask(c.create, create(inputs));
  await ask(c.create, create({ ...inputs, half: true }));
  await ask(c.create, create({ ...inputs, fail: true }));

  const read = (id: string, properties: Record<string, unknown>, readInputs?: Record<string, unknown>) => {
    const request = new messages.ReadRequest();
    request.setId(id);
    request.setProperties(struct(properties));
    if (readInputs) request.setInputs(struct(readInputs));
    return request;
  };
  await ask(c.read, read("id-a", inputs));
  await ask(c.read, read("gone", inputs));
  await ask(c.read, read("id-a", {}, inputs)); // a `get`: only inputs

  const update = (olds: Record<string, unknown>, news: Record<string, unknown>) => {
    const request = new messages.UpdateRequest();
    request.setId("id-a");
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    return request;
  };
  await ask(c.update, update(inputs, { ...inputs, value: 2 }));
  await ask(c.update, update(inputs, { ...inputs, fail: true }));

  const remove = (properties: Record<string, unknown>) => {
    const request = new messages.DeleteRequest();
    request.setId("id-a");
    request.setProperties(struct(properties));
    return request;
  };
  await ask(c.delete, remove(inputs));
  await ask(c.delete, remove({ ...inputs, stuck: true }));

  const minimal = { value: 7, __provider: MINIMAL_PROVIDER };
  await ask(c.check, check({}, minimal));
  await ask(c.diff, diff(minimal, minimal));
  await ask(c.read, read("m", minimal));
  await ask(c.update, update(minimal, { ...minimal, value: 8 }));
  await ask(c.delete, remove(minimal));

  // The project's own provider shell, which loads the compiled providers from the project directory.
  await ask(
    c.check,
    check(
      {},
      { __provider: providerModuleSource("WritebackOU"), target: { kind: "simulator" }, writebackOu: "x" },
    ),
  );

  const invoke = new messages.InvokeRequest();
  invoke.setTok("test:index:fn");
  await ask(c.invoke, invoke);
  await ask(c.construct, new messages.ConstructRequest());
  await ask(c.cancel as unknown as Unary<Empty, Empty>, new Empty());
  return answers;
}

beforeAll(async () => {
  await ensureBuilt();
  execFileSync(
    path.join(PROJECT_ROOT, "tools", "provider-front", "build.sh"),
    [FRONT, path.join(frontDirectory, "source")],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
}, 180_000);
afterAll(() => fs.rmSync(frontDirectory, { recursive: true, force: true }));

test("our host, alone and behind the Go front, answers every call of a deployment exactly as the SDK's host does", async () => {
  // The front first: when it cannot start (no Go), no host is left running.
  const fronted = await startHost(FRONTED);
  const sdk = await startHost(SDK);
  const ours = await startHost(OURS);
  try {
    const [expected, actual, throughFront] = await Promise.all([
      conversation(sdk),
      conversation(ours),
      conversation(fronted),
    ]);
    expect(actual).toEqual(expected);
    expect(throughFront).toEqual(expected);

    // The answers are the interesting ones (the comparison above could pass on two empty lists).
    const answer = (index: number) => actual[index] as Record<string, unknown>;
    expect(answer(1)).toMatchObject({ code: grpc.status.UNIMPLEMENTED }); // CheckConfig
    expect(answer(3)).toMatchObject({ ok: { acceptsecrets: false } });
    expect(JSON.stringify(answer(5))).toContain("not allowed");
    expect(answer(7)).toMatchObject({ ok: { changes: messages.DiffResponse.DiffChanges.DIFF_NONE } });
    expect(answer(8)).toMatchObject({ ok: { changes: messages.DiffResponse.DiffChanges.DIFF_SOME } });
    expect(answer(9)).toMatchObject({ ok: { replacesList: ["name"], deletebeforereplace: true } });
    expect(answer(10)).toMatchObject({ ok: { changes: messages.DiffResponse.DiffChanges.DIFF_UNKNOWN } });
    expect(answer(11)).toMatchObject({ code: grpc.status.UNKNOWN, details: "diff exploded" });
    // Configure: a key without ":" is in the project's namespace; secrets arrive unwrapped.
    expect(JSON.stringify(answer(12))).toContain(
      "west/west/s3cr3t/undefined | Missing required configuration key: test:missing",
    );
    expect(answer(13)).toEqual({
      code: grpc.status.UNKNOWN,
      details: "created, not ready",
      initFailed: [
        {
          type: "type.googleapis.com/pulumirpc.ErrorResourceInitFailed",
          failure: expect.objectContaining({ id: "half-1", reasonsList: ["still starting"] }),
        },
      ],
    });
    expect(answer(14)).toMatchObject({
      code: grpc.status.UNKNOWN,
      details: "create refused",
      initFailed: undefined,
    });
    expect(answer(16)).toMatchObject({ ok: { id: "" } });
    expect(answer(19)).toMatchObject({ details: "update refused" });
    expect(answer(21)).toMatchObject({ details: "cannot delete id-a" });
    expect((answer(27) as { ok: { failuresList: unknown[] } }).ok.failuresList.length).toBeGreaterThan(0);
    expect(answer(28)).toMatchObject({
      code: grpc.status.UNKNOWN,
      details: "unknown function test:index:fn",
    });
    expect(answer(29)).toMatchObject({ code: grpc.status.UNIMPLEMENTED });

    // Errors of check, diff, read and delete reach the engine on stderr as `${error}: ${error.stack}`; a
    // provider's own output reaches it too.
    for (const host of [sdk, ours, fronted]) {
      expect(host.stderr()).toContain("Error: diff exploded: Error: diff exploded\n    at ");
      expect(host.stderr()).toContain("Error: cannot delete id-a: Error: cannot delete id-a\n    at ");
      expect(host.stdout()).toContain("deleted id-a");
    }
  } finally {
    stop(sdk);
    stop(ours);
    stop(fronted);
  }
}, 60_000);

test("large messages, many calls at once, unusual text and a streaming method: the same answers from all three", async () => {
  // The front first: when it cannot start (no Go), no host is left running.
  const fronted = await startHost(FRONTED);
  const sdk = await startHost(SDK);
  const ours = await startHost(OURS);
  const provider = TEST_PROVIDER;
  /** Past one HTTP/2 frame (16 KB), and past 1 MB (many frames and flow-control windows). */
  const big = "x".repeat(20 * 1024);
  const huge = Object.fromEntries(
    Array.from({ length: 3000 }, (_, i) => [
      `key ${i} \u00e9`,
      { text: big.slice(0, 400), list: [i, -0, i / 3] },
    ]),
  );
  const calls = async (host: Host): Promise<unknown[]> => {
    const c = host.client;
    const ask = <Req, Res extends { toObject(): unknown }>(method: Unary<Req, Res>, request: Req) =>
      call(method.bind(c), request);
    const check = (news: Record<string, unknown>) => {
      const request = new messages.CheckRequest();
      request.setOlds(struct({}));
      request.setNews(struct({ ...news, __provider: provider }));
      return request;
    };
    const create = (properties: Record<string, unknown>) => {
      const request = new messages.CreateRequest();
      request.setProperties(struct({ ...properties, __provider: provider }));
      return request;
    };
    const diff = (value: number) => {
      const request = new messages.DiffRequest();
      request.setId(`id-${value}`);
      request.setOlds(struct({ name: "a", value: 0, __provider: provider }));
      request.setNews(struct({ name: value % 3 === 0 ? "b" : "a", value, __provider: provider }));
      return request;
    };
    // The engine configures a provider before anything else (the SDK's host fails calls made before).
    const configure = new messages.ConfigureRequest();
    configure.setArgs(struct({ "test:region": "west" }));
    const answers: unknown[] = [await ask(c.configure, configure)];
    answers.push(await ask(c.check, check({ name: "big", value: big })));
    answers.push(await ask(c.check, check({ name: "huge", value: huge })));
    // Thirty calls at once, answered each to its own question.
    answers.push(await Promise.all(Array.from({ length: 30 }, (_, i) => ask(c.diff, diff(i)))));
    answers.push(
      await ask(
        c.create,
        create({ name: "u", fail: true, failMessage: "création refusée: 100% \u2717\nsecond line" }),
      ),
    );
    // An init failure whose details (the grpc-status-details-bin trailer) are past one frame.
    answers.push(await ask(c.create, create({ name: "h", half: true, value: big })));
    // List answers a stream: not served by either.
    answers.push(
      await new Promise((resolve) => {
        const stream = c.list(new messages.ListRequest());
        stream.on("data", () => resolve("a message"));
        stream.on("error", (error: grpc.ServiceError) => resolve({ code: error.code }));
      }),
    );
    return answers;
  };
  try {
    const [expected, actual, throughFront] = await Promise.all([calls(sdk), calls(ours), calls(fronted)]);
    expect(actual).toEqual(expected);
    expect(throughFront).toEqual(expected);
    // What the comparison compared.
    const [, bigCheck, hugeCheck, diffs, refused, initFailed, list] = actual as Record<string, unknown>[];
    expect(JSON.stringify(bigCheck)).toContain(big);
    expect(JSON.stringify(hugeCheck).length).toBeGreaterThan(1024 * 1024);
    expect(
      (diffs as unknown as { ok: { changes: number; replacesList: string[] } }[]).map((d) => d.ok),
    ).toEqual(
      Array.from({ length: 30 }, (_, i) =>
        expect.objectContaining({
          changes: messages.DiffResponse.DiffChanges.DIFF_SOME,
          replacesList: i % 3 === 0 ? ["name"] : [],
        }),
      ),
    );
    expect(refused).toEqual({
      code: grpc.status.UNKNOWN,
      details: "création refusée: 100% \u2717\nsecond line",
      initFailed: undefined,
    });
    expect(JSON.stringify(initFailed)).toContain(big);
    expect(list).toEqual({ code: grpc.status.UNIMPLEMENTED });
  } finally {
    stop(sdk);
    stop(ours);
    stop(fronted);
  }
}, 60_000);

test("our host loads neither the SDK runtime nor the Graph client to serve the project's providers", () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-host-"));
  const isSdkRuntime = `(file) => file.includes(${JSON.stringify(path.join("@pulumi", "pulumi", "runtime"))})`;
  const isGraphClient = `(file) => file.includes(${JSON.stringify(path.join("@azure", "identity"))})`;
  // Loaded before a host: reports what the process holds once the host serves (it prints its port at once).
  const probe = path.join(directory, "probe.js");
  fs.writeFileSync(
    probe,
    `setTimeout(() => { console.error(JSON.stringify({ sdkRuntime: Object.keys(require.cache).some(${isSdkRuntime}) })); process.exit(0); }, 1000);`,
  );
  const hostHolds = (host: string) => {
    const result = spawnSync(process.execPath, ["--require", probe, host, "127.0.0.1:1"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    });
    return JSON.parse(result.stderr.trim().split("\n").pop()!) as unknown;
  };
  // The probe sees the SDK runtime where it is loaded: in the SDK's own host.
  expect(hostHolds(SDK)).toEqual({ sdkRuntime: true });
  expect(hostHolds(OURS)).toEqual({ sdkRuntime: false });

  // The project's providers, loaded through the shell as the host loads it, bring neither in either.
  const shellCheck = `
    const module = { exports: {} };
    new Function("exports", "require", "module", ${JSON.stringify(providerModuleSource("WritebackOU"))})(module.exports, require, module);
    module.exports.handler().check({}, { target: { kind: "simulator" }, writebackOu: "x" }).then(() => {
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        registry: loaded.some((file) => file.endsWith(${JSON.stringify(path.join("dist", "providers", "registry.js"))})),
        sdkRuntime: loaded.some(${isSdkRuntime}),
        graphClient: loaded.some(${isGraphClient}),
        // The filter finds the Graph client once something loads it.
        graphClientAfterUse: (require("./dist/graph/client.js"), Object.keys(require.cache).some(${isGraphClient})),
      }));
    });`;
  const result = spawnSync(process.execPath, ["-e", shellCheck], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(result.stderr).toBe("");
  expect(JSON.parse(result.stdout)).toEqual({
    registry: true,
    sdkRuntime: false,
    graphClient: false,
    graphClientAfterUse: true,
  });
  fs.rmSync(directory, { recursive: true, force: true });
}, 60_000);

test("the launcher runs our host, and the SDK's with ENTRA_WRITEBACK_PROVIDER_HOST=sdk", async () => {
  const launcher = path.join(PROJECT_ROOT, "tools", "plugins", "pulumi-resource-pulumi-nodejs");
  /** The command line of the process the launcher leaves serving (it execs Node), once it printed its port. */
  const servedBy = async (env: Record<string, string>): Promise<string> => {
    const child = spawn(launcher, ["127.0.0.1:1"], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once("data", () => resolve());
        child.on("exit", (code) => reject(new Error(`the launcher exited with ${code}`)));
      });
      return fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0").join(" ");
    } finally {
      child.kill("SIGINT");
    }
  };
  const ours = await servedBy({});
  expect(ours).toContain(OURS.replace(PROJECT_ROOT, ""));
  expect(ours).not.toContain(path.join("cmd", "dynamic-provider"));
  const sdk = await servedBy({ ENTRA_WRITEBACK_PROVIDER_HOST: "sdk" });
  expect(sdk).toContain(path.join("@pulumi", "pulumi", "cmd", "dynamic-provider"));
  expect(sdk).not.toContain("dynamic-provider-host.js");
}, 60_000);

test.each([
  ["alone", OURS],
  ["behind the Go front", FRONTED],
])(
  "an init failure whose details cannot be sent still answers with its id, and the other calls in flight finish (our host %s)",
  async (_, command) => {
    // The provider's error carries properties a Struct cannot hold (undefined) and a numeric id and reason. The SDK's
    // host never answers such a call (its error handler throws); ours must neither end the process, which would fail
    // every other call in flight (a create that already created its resource would be lost from the state), nor drop
    // the id, which tells the engine to keep the resource.
    const provider = `exports.handler = () => ({
    // A thrown value that cannot even be printed (no toString): the call still fails with an answer.
    async check() { throw Object.create(null); },
    async create(inputs) {
      if (inputs.slow) { await new Promise((resolve) => setTimeout(resolve, 400)); return { id: "slow-1", outs: {} }; }
      const error = new Error("created, not ready");
      Object.assign(error, { id: inputs.numericId ? 42 : "half-2", properties: { value: undefined }, reasons: ["starting", 7] });
      throw error;
    },
  });`;
    const ours = await startHost(command);
    try {
      const c = ours.client;
      const create = (properties: Record<string, unknown>) => {
        const request = new messages.CreateRequest();
        request.setProperties(struct({ ...properties, __provider: provider }));
        return call(c.create.bind(c), request);
      };
      const configure = new messages.ConfigureRequest();
      configure.setArgs(struct({}));
      await call(c.configure.bind(c), configure);
      const check = new messages.CheckRequest();
      check.setOlds(struct({}));
      check.setNews(struct({ __provider: provider }));
      const [slow, initFailed, numericId, unprintable] = await Promise.all([
        create({ slow: true }),
        create({}),
        create({ numericId: true }),
        call(c.check.bind(c), check),
      ]);
      expect(unprintable).toMatchObject({ code: grpc.status.UNKNOWN });
      expect(slow).toMatchObject({ ok: { id: "slow-1" } });
      expect(initFailed).toEqual({
        code: grpc.status.UNKNOWN,
        details: "created, not ready",
        initFailed: [
          {
            type: "type.googleapis.com/pulumirpc.ErrorResourceInitFailed",
            failure: expect.objectContaining({
              id: "half-2",
              reasonsList: expect.arrayContaining(["starting", "7"]),
            }),
          },
        ],
      });
      expect(numericId).toMatchObject({ initFailed: [{ failure: expect.objectContaining({ id: "42" }) }] });
      // Why the properties were left out reaches the engine's log.
      expect(ours.stderr()).toContain(
        "the properties of resource half-2, created but failed to initialize, cannot be sent to the engine and are left out",
      );
      expect(ours.child.exitCode).toBeNull();
    } finally {
      stop(ours);
    }
  },
  60_000,
);

test("a provider that imports modules with import() works as in the SDK's host", async () => {
  // A provider compiled as an ES module, or one that loads an ES-only package, imports at run time: a built-in, a
  // package and a file of the project (relative to the project directory).
  const provider = `exports.handler = () => ({
    async check(olds, news) {
      const { sep } = await import("node:path");
      const zod = await import("zod");
      const registry = await import("./dist/providers/registry.js");
      return { inputs: { ...news, sep, zod: typeof zod.z.object, registry: typeof registry.default.implementationFor } };
    },
  });`;
  // The front first: when it cannot start (no Go), no host is left running.
  const fronted = await startHost(FRONTED);
  const sdk = await startHost(SDK);
  const ours = await startHost(OURS);
  const ask = async (host: Host) => {
    const c = host.client;
    const configure = new messages.ConfigureRequest();
    configure.setArgs(struct({}));
    await call(c.configure.bind(c), configure);
    const check = new messages.CheckRequest();
    check.setOlds(struct({}));
    check.setNews(struct({ name: "a", __provider: provider }));
    return call(c.check.bind(c), check);
  };
  try {
    const [expected, actual, throughFront] = await Promise.all([ask(sdk), ask(ours), ask(fronted)]);
    expect(actual).toEqual(expected);
    expect(throughFront).toEqual(expected);
    const text = (value: string) => expect.objectContaining({ stringValue: value });
    expect(actual).toMatchObject({
      ok: {
        inputs: {
          fieldsMap: expect.arrayContaining([
            ["sep", text(path.sep)],
            ["zod", text("function")],
            ["registry", text("function")],
          ]),
        },
      },
    });
  } finally {
    stop(sdk);
    stop(ours);
    stop(fronted);
  }
}, 60_000);

/** The Go front with our host behind it, which appends its process id to a file as it starts. */
function frontWithRecordedHost(
  directory: string,
  hostOnSigint = "",
): { command: string[]; hostPids(): number[] } {
  const started = path.join(directory, "host-started");
  const recorder = path.join(directory, "record-start.js");
  fs.writeFileSync(
    recorder,
    `require("fs").appendFileSync(${JSON.stringify(started)}, process.pid + "\\n");` +
      (hostOnSigint && `process.on("SIGINT", () => { ${hostOnSigint} });`),
  );
  return {
    command: [FRONT, process.execPath, "--require", recorder, OURS],
    hostPids: () =>
      fs.existsSync(started) ? fs.readFileSync(started, "utf8").trim().split("\n").map(Number) : [],
  };
}

test("the Go front answers the engine's second provider process (plugin info, CheckConfig, DiffConfig) without starting the host; the first provider call starts it once", async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-front-"));
  const { command, hostPids } = frontWithRecordedHost(directory);
  const front = await startHost(command);
  const sdk = await startHost(SDK);
  try {
    const ask = async (host: Host) => {
      const c = host.client;
      return [
        await call(c.getPluginInfo.bind(c) as unknown as Unary<Empty, { toObject(): unknown }>, new Empty()),
        await call(c.checkConfig.bind(c), new messages.CheckRequest()),
        await call(c.diffConfig.bind(c), new messages.DiffRequest()),
        await call(c.handshake.bind(c), new messages.ProviderHandshakeRequest()),
        await call(c.cancel.bind(c) as unknown as Unary<Empty, Empty>, new Empty()),
      ];
    };
    const [expected, answers] = await Promise.all([ask(sdk), ask(front)]);
    expect(answers).toEqual(expected);
    const version = (require("@pulumi/pulumi/package.json") as { version: string }).version;
    expect(answers[0]).toEqual({ ok: { version } });
    expect(answers[1]).toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    expect(answers[2]).toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hostPids()).toEqual([]);

    // The first call that needs the provider code starts the host (the record above can see it), once.
    const configure = new messages.ConfigureRequest();
    configure.setArgs(struct({ "test:region": "west" }));
    const check = new messages.CheckRequest();
    check.setOlds(struct({}));
    check.setNews(struct({ name: "a", __provider: TEST_PROVIDER }));
    const c = front.client;
    expect(await call(c.configure.bind(c), configure)).toEqual({ ok: expect.anything() });
    const checks = await Promise.all(Array.from({ length: 5 }, () => call(c.check.bind(c), check)));
    expect(checks[0]).toMatchObject({ ok: { inputs: expect.anything() } });
    expect(hostPids()).toHaveLength(1);
    expect(isRunning(hostPids()[0]!)).toBe(true);
  } finally {
    stop(front);
    stop(sdk);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

test("the host behind the Go front ends when the front is killed with SIGKILL, and the front ends when its engine is", async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-front-"));
  const configure = new messages.ConfigureRequest();
  configure.setArgs(struct({}));
  try {
    // The front killed: its host's engine-watch sees its parent gone.
    fs.mkdirSync(path.join(directory, "killed"));
    const killed = frontWithRecordedHost(path.join(directory, "killed"));
    const front = await startHost(killed.command);
    await call(front.client.configure.bind(front.client), configure);
    const [host] = killed.hostPids().slice(-1);
    expect(isRunning(host!)).toBe(true);
    front.child.kill("SIGKILL");
    expect(await until(() => !isRunning(host!), 15_000)).toBe(true);
    front.client.close();

    // The engine killed (here a shell that started the front): the front exits, then its host.
    const engineKilled = frontWithRecordedHost(directory);
    const engine = await startHost([
      "/bin/sh",
      "-c",
      '"$@" & echo "front $!" >&2; wait',
      "sh",
      ...engineKilled.command,
    ]);
    await call(engine.client.configure.bind(engine.client), configure);
    const frontPid = Number(/front (\d+)/.exec(engine.stderr())?.[1]);
    const [engineHost] = engineKilled.hostPids();
    expect([isRunning(frontPid), isRunning(engineHost!)]).toEqual([true, true]);
    engine.child.kill("SIGKILL");
    expect(await until(() => !isRunning(frontPid), 15_000)).toBe(true);
    expect(await until(() => !isRunning(engineHost!), 15_000)).toBe(true);
    engine.client.close();
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

test("the Go front passes SIGINT on to its host and ends after it, as its own child to the end; it ends on SIGINT even started with SIGINT ignored", async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-front-"));
  // A host that takes its time to end (as one that stops PowerShell sessions would).
  const { command, hostPids } = frontWithRecordedHost(directory, "setTimeout(() => process.exit(0), 400);");
  const front = await startHost(command);
  try {
    const configure = new messages.ConfigureRequest();
    configure.setArgs(struct({}));
    await call(front.client.configure.bind(front.client), configure);
    const [host] = hostPids();
    expect(isRunning(host!)).toBe(true);
    const exited = new Promise<number | null>((resolve) => front.child.on("exit", (code) => resolve(code)));
    const signalled = Date.now();
    front.child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(400);
    expect(isRunning(host!)).toBe(false);

    // Started with SIGINT ignored (a shell's background job), the front still ends on it, as Node does.
    const background = await startHost([
      "/bin/sh",
      "-c",
      '"$@" & echo "front $!" >&2; wait',
      "sh",
      FRONT,
      process.execPath,
      OURS,
    ]);
    const frontPid = Number(/front (\d+)/.exec(background.stderr())?.[1]);
    expect(isRunning(frontPid)).toBe(true);
    process.kill(frontPid, "SIGINT");
    expect(await until(() => !isRunning(frontPid), 15_000)).toBe(true);
    background.client.close();
  } finally {
    kill(front);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

test("the launcher runs the Go front when it was built next to it, our host behind it; our host alone with ENTRA_WRITEBACK_PROVIDER_HOST=node, the SDK's with =sdk", async () => {
  // The launchers' directory as tools/ensure-pulumi-cli.sh writes it next to the CLI.
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-launchers-"));
  const plugins = path.join(PROJECT_ROOT, "tools", "plugins");
  for (const name of fs.readdirSync(plugins))
    fs.copyFileSync(path.join(plugins, name), path.join(directory, name));
  fs.copyFileSync(FRONT, path.join(directory, "provider-front"));
  for (const name of ["pulumi-resource-pulumi-nodejs", "provider-front"])
    fs.chmodSync(path.join(directory, name), 0o755);
  const launcher = path.join(directory, "pulumi-resource-pulumi-nodejs");
  try {
    const front = await startHost([launcher]);
    const commandLine = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    try {
      expect(commandLine(front.child.pid!)[0]).toBe(path.join(directory, "provider-front"));
      const check = new messages.CheckRequest();
      check.setOlds(struct({}));
      check.setNews(struct({ name: "a", __provider: MINIMAL_PROVIDER }));
      expect(await call(front.client.check.bind(front.client), check)).toMatchObject({
        ok: expect.anything(),
      });
      // The front's children (each of its threads may have started one).
      const tasks = `/proc/${front.child.pid}/task`;
      const children = fs
        .readdirSync(tasks)
        .flatMap((task) =>
          fs
            .readFileSync(path.join(tasks, task, "children"), "utf8")
            .trim()
            .split(" "),
        )
        .filter(Boolean);
      expect(children.map(Number).map(commandLine)).toEqual([
        expect.arrayContaining([path.join(directory, "dynamic-provider-host.js")]),
      ]);
    } finally {
      stop(front);
    }
    // Without the front when asked.
    const alone = await startHost([launcher], { ENTRA_WRITEBACK_PROVIDER_HOST: "node" });
    try {
      const served = commandLine(alone.child.pid!);
      expect(served).toContain(path.join(directory, "dynamic-provider-host.js"));
      expect(served.join(" ")).not.toContain("provider-front");
    } finally {
      stop(alone);
    }
    const sdk = await startHost([launcher], { ENTRA_WRITEBACK_PROVIDER_HOST: "sdk" });
    try {
      const served = commandLine(sdk.child.pid!).join(" ");
      expect(served).toContain(path.join("@pulumi", "pulumi", "cmd", "dynamic-provider"));
      expect(served).not.toContain("provider-front");
    } finally {
      stop(sdk);
    }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

test("the Go front forwards every method our host serves with the provider code: main.go's list and the host's methods are the same", () => {
  const main = fs.readFileSync(path.join(PROJECT_ROOT, "tools", "provider-front", "main.go"), "utf8");
  const host = fs.readFileSync(OURS, "utf8");
  // main.go: `var forwarded = map[string]bool{"Configure": true, ...}`, and the methods it answers itself
  // (`name == "Cancel"`) and forwards once the host runs.
  const forwardedMap = /^var forwarded = map\[string\]bool\{([^}]*)\}/m.exec(main)?.[1];
  expect(forwardedMap).toBeDefined();
  const forwarded = [...forwardedMap!.matchAll(/"(\w+)": true/g)].map((match) => match[1]!);
  const answeredByTheFront = [...new Set([...main.matchAll(/name == "(\w+)"/g)].map((match) => match[1]!))];
  // dynamic-provider-host.js: `const methods = { Configure: method(...), ... };`
  const methodsObject = /^const methods = \{([\s\S]*?)^\};/m.exec(host)?.[1];
  expect(methodsObject).toBeDefined();
  const served = [...methodsObject!.matchAll(/^ {2}(\w+): method\(/gm)].map((match) => match[1]!);
  // The lists read as they should (a parse that found nothing would compare two empty lists).
  expect(served).toEqual(expect.arrayContaining(["Configure", "Create", "Cancel", "GetPluginInfo"]));
  expect(answeredByTheFront.sort()).toEqual(["Cancel", "GetPluginInfo"]);
  expect(forwarded).toEqual(expect.arrayContaining(["Configure", "Create"]));
  expect(new Set(forwarded).size).toBe(forwarded.length);
  expect([...forwarded, ...answeredByTheFront].sort()).toEqual([...served].sort());
});

test("the Go front passes every SIGINT on to its host, not only the first: a host that ends on the second ends, and the front after it", async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-front-"));
  const seen = path.join(directory, "sigints");
  // A host that notes each SIGINT and ends on the second.
  const { command, hostPids } = frontWithRecordedHost(
    directory,
    `require("fs").appendFileSync(${JSON.stringify(seen)}, "x"); if (require("fs").readFileSync(${JSON.stringify(seen)}, "utf8").length >= 2) process.exit(0);`,
  );
  const front = await startHost(command);
  try {
    const configure = new messages.ConfigureRequest();
    configure.setArgs(struct({}));
    await call(front.client.configure.bind(front.client), configure);
    const [host] = hostPids();
    const exited = new Promise<number | null>((resolve) => front.child.on("exit", (code) => resolve(code)));
    front.child.kill("SIGINT");
    expect(await until(() => fs.existsSync(seen), 15_000)).toBe(true);
    // The first reached the host, which still runs (the check below can tell a running host).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([isRunning(host!), isRunning(front.child.pid!)]).toEqual([true, true]);
    front.child.kill("SIGINT");
    expect(await until(() => !isRunning(host!), 15_000)).toBe(true);
    expect(await exited).toBe(0);
    expect(fs.readFileSync(seen, "utf8")).toBe("xx");
  } finally {
    kill(front);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

test("the first calls all at once (Configure, Checks and Creates before any answer) start exactly one host behind the Go front, and all are answered", async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-front-"));
  const { command, hostPids } = frontWithRecordedHost(directory);
  const front = await startHost(command);
  try {
    const c = front.client;
    const configure = new messages.ConfigureRequest();
    configure.setArgs(struct({ "test:region": "west" }));
    const check = new messages.CheckRequest();
    check.setOlds(struct({}));
    check.setNews(struct({ name: "a", __provider: TEST_PROVIDER }));
    const create = new messages.CreateRequest();
    create.setProperties(struct({ name: "a", __provider: TEST_PROVIDER }));
    expect(hostPids()).toEqual([]);
    const answers = await Promise.all([
      call(c.configure.bind(c), configure),
      ...Array.from({ length: 3 }, () => call(c.check.bind(c), check)),
      ...Array.from({ length: 3 }, () => call(c.create.bind(c), create)),
    ]);
    expect(answers).toEqual(Array.from({ length: 7 }, () => ({ ok: expect.anything() })));
    expect(hostPids()).toHaveLength(1);
  } finally {
    stop(front);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 30_000);

test("a host whose Go front died before the host began to watch ends: ENTRA_WRITEBACK_WATCH_PARENT is what ends it", async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "provider-front-"));
  const configure = new messages.ConfigureRequest();
  configure.setArgs(struct({}));
  /** The front, with a host that takes 3 s before it loads engine-watch.js; the front killed meanwhile. */
  const orphan = async (name: string, forgetParent: boolean): Promise<number> => {
    const started = path.join(directory, `${name}-started`);
    const recorder = path.join(directory, `${name}.js`);
    fs.writeFileSync(
      recorder,
      // Its port goes to a pipe nobody reads any more: that must not be what ends it.
      `process.stdout.on("error", () => {});` +
        (forgetParent ? "delete process.env.ENTRA_WRITEBACK_WATCH_PARENT;" : "") +
        `require("fs").writeFileSync(${JSON.stringify(started)}, String(process.pid));` +
        "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);",
    );
    const front = await startHost([FRONT, process.execPath, "--require", recorder, OURS]);
    void call(front.client.configure.bind(front.client), configure);
    // The file holds the pid once it is written (it can exist empty a moment before).
    const pid = () => (fs.existsSync(started) ? Number(fs.readFileSync(started, "utf8")) : 0);
    expect(await until(() => pid() > 0, 15_000)).toBe(true);
    kill(front);
    return pid();
  };
  const hosts: number[] = [];
  try {
    // Without the variable, a host that began to watch after its front died watches its new parent: it runs on
    // (so the check below can see a host that did not end).
    const forgot = await orphan("forgot", true);
    hosts.push(forgot);
    const told = await orphan("told", false);
    hosts.push(told);
    expect(await until(() => !isRunning(told), 15_000)).toBe(true);
    expect(isRunning(forgot)).toBe(true);
  } finally {
    for (const pid of hosts) if (isRunning(pid)) process.kill(pid, "SIGKILL");
    fs.rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

test("a call the engine cancels through the Go front ends as cancelled, and the front goes on serving", async () => {
  const front = await startHost(FRONTED);
  try {
    const c = front.client;
    const slow = `exports.handler = () => ({ create: (inputs) => new Promise((done) => setTimeout(() => done({ id: "slow", outs: inputs }), 1000)) });`;
    const create = new messages.CreateRequest();
    create.setProperties(struct({ name: "a", __provider: slow }));
    const cancelled = await new Promise<number | undefined>((resolve) => {
      const pending = c.create(create, (error) => resolve(error?.code));
      setTimeout(() => pending.cancel(), 300);
    });
    expect(cancelled).toBe(grpc.status.CANCELLED);
    const check = new messages.CheckRequest();
    check.setOlds(struct({}));
    check.setNews(struct({ name: "b", __provider: slow }));
    expect(await call(c.check.bind(c), check)).toMatchObject({ ok: expect.anything() });
    // The create the engine cancelled ran to its end in the host; the next one is answered as usual.
    expect(await call(c.create.bind(c), create)).toMatchObject({ ok: { id: "slow" } });
  } finally {
    stop(front);
  }
}, 30_000);
