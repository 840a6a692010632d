# Sourced by tools/ensure-pulumi-cli.sh (the CLI's build) and tools/provider-front/build.sh (the front's): which Go
# toolchain builds. Go on PATH, else where Go's installer puts it (ENTRA_WRITEBACK_GO_HOME, default /usr/local/go): a CI
# job's or a non-login shell's PATH often lacks /usr/local/go/bin although Go is installed.
go_home="${ENTRA_WRITEBACK_GO_HOME:-/usr/local/go}"
# The go executable to use (empty when there is none).
go_bin="$(command -v go 2>/dev/null || true)"
if [ -z "$go_bin" ] && [ -x "$go_home/bin/go" ]; then go_bin="$go_home/bin/go"; fi
