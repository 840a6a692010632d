// The Go front of the dynamic provider plugin (main.go). Built by tools/ensure-pulumi-cli.sh offline, from the Go
// module cache that the Pulumi CLI's build filled: the versions below are the CLI v3.259.0 build's own.
module entra-writeback.local/provider-front

go 1.25.0

require (
	google.golang.org/grpc v1.83.1
	golang.org/x/net v0.58.0
	golang.org/x/sys v0.47.0
	golang.org/x/text v0.41.0
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260819154853-08b0e4226688
	google.golang.org/protobuf v1.36.12
)
