// An environment in which tools/ensure-pulumi-cli.sh finds no Pulumi CLI and cannot build one, whatever the machine
// has: an empty cache directory of its own, no CLI taken from PATH, and a `go` first on PATH that fails at once (so a
// machine's own Go never starts a build). The script then exits 1 after saying why.
import * as fs from "node:fs";
import * as path from "node:path";

/** The variables to add to an environment; `directory` (empty, the test's own) holds the cache and the stub. */
export function noPulumiCliEnvironment(directory: string): Record<string, string> {
  const stubs = path.join(directory, "stub-bin");
  fs.mkdirSync(stubs, { recursive: true });
  fs.writeFileSync(
    path.join(stubs, "go"),
    "#!/bin/sh\necho 'stub go: no toolchain in this test' >&2\nexit 1\n",
    {
      mode: 0o755,
    },
  );
  return {
    ENTRA_WRITEBACK_CACHE_DIR: directory,
    ENTRA_WRITEBACK_IGNORE_PATH_PULUMI: "1",
    PATH: `${stubs}:/usr/bin:/bin`,
  };
}
