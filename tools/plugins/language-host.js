// The language host behind tools/plugins/pulumi-language-nodejs. It serves the engine's LanguageRuntime
// gRPC interface with @pulumi/pulumi's own in-process server (the one the Automation API uses for
// inline programs) and loads the program the engine names: Pulumi.yaml's `main`, or the project
// directory, whose package.json "main" points at the compiled program (run `npm run build` first).
"use strict";
const path = require("path");
// Exit when the engine that started this host is gone (kill -9 of the CLI), so the program stops too.
require("./engine-watch");
const { answerOnce, mainOf } = require("./run-answer");

const engineAddress = process.argv[process.argv.length - 1];
const projectDir = process.cwd();

function fromProject(request) {
  try {
    return require(require.resolve(request, { paths: [projectDir] }));
  } catch (error) {
    process.stderr.write(
      `pulumi-language-nodejs: cannot load ${request} from ${projectDir} (${error.message}); run npm install and npm run build\n`,
    );
    process.exit(1);
  }
}

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [projectDir] }));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const { LanguageServer } = fromProject("@pulumi/pulumi/automation/server");
const langrpc = fromProject("@pulumi/pulumi/proto/language_grpc_pb");
const langproto = fromProject("@pulumi/pulumi/proto/language_pb");
const log = fromProject("@pulumi/pulumi/log");
const runtime = fromProject("@pulumi/pulumi/runtime");

function programFor(request) {
  const entry = path.resolve(request.getPwd() || projectDir, request.getProgram() || ".");
  return async () => {
    const loaded = require(entry);
    const main = mainOf(loaded);
    return typeof main === "function" ? main() : loaded;
  };
}

const service = {
  getRequiredPlugins: (call, callback) =>
    new LanguageServer(async () => undefined).getRequiredPlugins(call, callback),
  getPluginInfo: (call, callback) => new LanguageServer(async () => undefined).getPluginInfo(call, callback),
  run: (call, callback) => {
    // The in-process server reads the engine address from the request's arguments.
    call.request.setArgsList([engineAddress]);
    const answer = answerOnce(callback, {
      RunResponse: langproto.RunResponse,
      hasErrors: () => log.hasErrors(),
    });
    return new LanguageServer(programFor(call.request)).run(call, answer);
  },
};

const server = new grpc.Server({ ...runtime.grpcChannelOptions });
server.addService(langrpc.LanguageRuntimeService, service);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`pulumi-language-nodejs: cannot listen: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});
