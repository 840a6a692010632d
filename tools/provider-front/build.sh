#!/usr/bin/env bash
# Builds the dynamic provider's Go front (main.go here) into TARGET, unless STAMP says the build there is of the same
# source with the same Go toolchain. Used by tools/ensure-pulumi-cli.sh (TARGET next to the plugin launchers) and by
# tests/unit/tools/dynamicProviderHost.test.ts. It builds from the Go module cache that the Pulumi CLI's build fills
# (the same module versions and flags, so Go's build cache already holds most of it: about a second), without the
# network when the modules are there. The front is optional: without a Go toolchain, or when the build fails,
# it removes TARGET (the launcher then runs the Node host directly, so a stale front never runs), says why and exits 0.
set -euo pipefail
target="${1:?usage: build.sh TARGET STAMP}"
stamp_file="${2:?usage: build.sh TARGET STAMP}"
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf 'provider-front: %s\n' "$*" >&2; }
# One build at a time for a TARGET (two checkouts may run this at once on a shared cache directory): the binary and
# its stamp are then always of the same build.
exec 8>>"$stamp_file.lock"
if command -v flock >/dev/null; then flock 8; fi
# The temporary binary of a build that did not finish is removed, whatever ends this script.
temporary=""
trap 'rm -f "$temporary"' EXIT

without_front="the dynamic provider runs without its Go front (its Node host serves the engine alone: about 0.1 s more CPU per preview --refresh)"
# go_bin and go_home, found as the CLI's build finds them.
. "$source_dir/go-toolchain.sh"
if [ -z "$go_bin" ]; then
  rm -f "$target" "$stamp_file"
  say "no Go toolchain on PATH or in $go_home: $without_front; install Go >= 1.25 to build it"
  exit 0
fi
# The source, this script (its flags) and the toolchain (its path, size and time: no Go process for a build that is
# current).
stamp="$(cat "$source_dir"/go.mod "$source_dir"/go.sum "$source_dir"/*.go "$source_dir"/build.sh | sha256sum | cut -d' ' -f1) $go_bin $(stat -L -c '%s %Y' "$go_bin")"
if [ -x "$target" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then exit 0; fi
# Renamed into place: another checkout's deployment may be running the old binary. The name is set before the file
# exists, so that a signal at any moment leaves nothing behind (with mktemp, a SIGTERM between the file's creation and
# the assignment left it); random, and created exclusively (noclobber), as mktemp does.
temporary="$target.$$.$SRANDOM"
(set -C && : >"$temporary")
# The flags on the command line, so that the environment's GOFLAGS (and `go env -w GOFLAGS=...`) still apply.
# -buildvcs=false: no VCS stamp, so no `git status`, which fails in a checkout git refuses ("dubious ownership").
if ! output="$(cd "$source_dir" && "$go_bin" build -mod=readonly -buildvcs=false -trimpath \
  -tags osusergo,grpcnotrace -ldflags "-w -s" -o "$temporary" . 2>&1)"; then
  rm -f "$target" "$stamp_file"
  say "cannot build tools/provider-front with $go_bin; Go said:"
  printf '%s\n' "$output" >&2
  say "warning: $without_front. Fix what Go said above (a module missing from Go's module cache: run 'go mod download' in tools/provider-front with the Go module proxy reachable), then run tools/ensure-pulumi-cli.sh again"
  exit 0
fi
chmod 755 "$temporary"
mv -f "$temporary" "$target"
printf '%s\n' "$stamp" >"$stamp_file"
