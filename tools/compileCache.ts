// Node's compile cache for the project's own long tools (npm run drift), in the directory the plugin launchers
// (tools/plugins/) and jest.config.js use: tests/unit/tools/compileCacheDirectory.test.ts checks that all name the
// same one, so every process that loads @pulumi/pulumi, grpc and protobuf compiles them once for all.
import * as nodeModule from "node:module";
import * as os from "node:os";
import * as path from "node:path";

/** NODE_COMPILE_CACHE when set, else entra-writeback/node-compile-cache under XDG_CACHE_HOME or ~/.cache. */
export function compileCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.NODE_COMPILE_CACHE ||
    path.join(
      env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache"),
      "entra-writeback",
      "node-compile-cache",
    )
  );
}

/**
 * Compiles the modules this process loads from now on through the cache, as if it had been started with
 * NODE_COMPILE_CACHE: the drift tool loads the SDK for its shared language host, about 0.2 s of CPU less with the cache
 * (docs/fleet-drift.md). Node writes what it compiled when the process exits.
 */
export function enableCompileCache(): void {
  // Node 22.8 and later (the project runs Node 24; an older Node goes on without the cache).
  if (typeof nodeModule.enableCompileCache === "function")
    nodeModule.enableCompileCache(compileCacheDirectory());
}
