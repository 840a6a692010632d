// provider-front: the process the Pulumi engine starts as the dynamic provider plugin
// (pulumi-resource-pulumi-nodejs execs it when it was built next to the launcher). It serves the engine's
// ResourceProvider gRPC interface on 127.0.0.1 and prints its port, as the Node host does, and answers by itself
// the calls whose answer never depends on the provider code: GetPluginInfo (the SDK's version, read from the
// project's node_modules/@pulumi/pulumi/package.json as the Node host reads it), Cancel before the Node host runs,
// and every method the Node host does not serve (CheckConfig, DiffConfig, Handshake, Construct, ...: UNIMPLEMENTED
// with the Node host's message). The engine starts two provider processes for every `preview --refresh` of a stack
// with resources and the second only asks these; it is then ended without ever starting Node.
//
// The first call that needs the provider code (Configure, Check, Diff, Create, Read, Update, Delete, Invoke)
// starts the Node host, its command line being this program's arguments, and every such call is forwarded to it
// byte for byte (messages, status, message and grpc-status-details-bin), as are all later calls but GetPluginInfo
// and the UNIMPLEMENTED ones. The Node host's first stdout line (its port) is read here; the rest of its stdout,
// and its stderr, reach the engine as this process's own.
//
// Lifetime: the engine ends its plugins with SIGINT to the process group, which holds the Node host too. A SIGINT
// or SIGTERM sent to this process alone is passed on to the Node host, each one. When the Node host exits, this process
// exits with its status. When the engine is gone (its process id is no longer our parent's: kill -9 of the CLI),
// this process exits within 200 ms; the Node host's engine-watch.js then sees its own parent (this process) gone,
// stops its PowerShell sessions and exits. ENTRA_WRITEBACK_WATCH_PARENT tells it which parent to watch, so that it
// also notices a parent that was gone before it started to watch.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

const (
	service = "/pulumirpc.ResourceProvider"
	// The engine's limit for one message; the Node host uses the same.
	maxMessageBytes = 400 * 1024 * 1024
	watchInterval   = 200 * time.Millisecond
	// engine-watch.js's exit code when the engine is gone.
	engineGoneExit = 70
)

// The methods the Node host serves with the provider code: these start it and are forwarded.
var forwarded = map[string]bool{
	"Configure": true, "Check": true, "Diff": true, "Create": true, "Read": true, "Update": true,
	"Delete": true, "Invoke": true,
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-resource-pulumi-nodejs: "+format+"\n", args...)
}

// frame is one message as it is on the wire; rawCodec passes it through unread.
type frame struct{ data []byte }

type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.(*frame).data)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	v.(*frame).data = data.Materialize()
	return nil
}

func (rawCodec) Name() string { return "proto" }

// sdkVersion is the version of @pulumi/pulumi seen from dir, found as Node's resolver finds
// "@pulumi/pulumi/package.json" (node_modules of dir and of each directory above it); "" when there is none.
func sdkVersion(dir string) string {
	if os.Getenv("NODE_PATH") != "" {
		return "" // Node would look there too: let the Node host answer.
	}
	for {
		if filepath.Base(dir) != "node_modules" {
			text, err := os.ReadFile(filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "package.json"))
			if err == nil {
				var pkg struct {
					Version string `json:"version"`
				}
				if json.Unmarshal(text, &pkg) != nil {
					return ""
				}
				return pkg.Version
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// pluginInfo is a PluginInfo message: version, field 1.
func pluginInfo(version string) []byte {
	return protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), version)
}

type front struct {
	command []string
	version string

	mu      sync.Mutex
	started bool
	ready   chan struct{} // closed once conn is set
	conn    *grpc.ClientConn
	child   *exec.Cmd
}

// host starts the Node host once and returns the connection to it. A Node host that fails to start ends this
// process with its exit status (its stderr already reached the engine), as the plugin itself failing would.
func (f *front) host() *grpc.ClientConn {
	f.mu.Lock()
	if !f.started {
		f.started = true
		go f.start()
	}
	f.mu.Unlock()
	<-f.ready
	return f.conn
}

func (f *front) isStarted() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.started
}

func (f *front) start() {
	read, write, err := os.Pipe()
	if err != nil {
		say("cannot start the provider host: %v", err)
		os.Exit(1)
	}
	cmd := exec.Command(f.command[0], f.command[1:]...)
	cmd.Stdin = os.Stdin
	cmd.Stdout = write
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), "ENTRA_WRITEBACK_WATCH_PARENT="+strconv.Itoa(os.Getpid()))
	f.mu.Lock() // a signal to end, meanwhile, waits to see the host
	if err := cmd.Start(); err != nil {
		say("cannot start the provider host %s: %v", f.command[0], err)
		os.Exit(1)
	}
	f.child = cmd
	f.mu.Unlock()
	write.Close()
	copied := make(chan struct{})
	lines := bufio.NewReader(read)
	portLine, readErr := lines.ReadString('\n')
	go func() {
		// The rest of the Node host's stdout is the provider's log, for the engine.
		io.Copy(os.Stdout, lines)
		close(copied)
	}()
	go func() {
		waitErr := cmd.Wait()
		// The log up to the host's end (a process the host started may still hold the pipe: not longer than 1 s).
		select {
		case <-copied:
		case <-time.After(time.Second):
		}
		exitLike(cmd.ProcessState, waitErr)
	}()
	port, convErr := strconv.Atoi(strings.TrimSpace(portLine))
	if readErr != nil || convErr != nil {
		// The host exited (its exit is handled above) or printed something else than its port.
		if readErr == nil {
			say("the provider host printed %q instead of its port", portLine)
			cmd.Process.Kill()
		}
		select {}
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{}),
			grpc.MaxCallRecvMsgSize(maxMessageBytes), grpc.MaxCallSendMsgSize(maxMessageBytes)))
	if err != nil {
		say("cannot connect to the provider host: %v", err)
		os.Exit(1)
	}
	f.conn = conn
	close(f.ready)
}

// exitLike ends this process as the Node host ended: with its exit code, or by the same signal.
func exitLike(state *os.ProcessState, err error) {
	if state == nil {
		say("the provider host: %v", err)
		os.Exit(1)
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		dieBy(ws.Signal())
	}
	os.Exit(state.ExitCode())
}

// dieBy ends this process by the signal sig, as a Node process ends on it. Node restores every signal's default at
// start; a process started with SIGINT ignored (a background job of a shell) would ignore it here: then it exits
// with the shell's code for that signal.
func dieBy(sig syscall.Signal) {
	signal.Reset(sig)
	syscall.Kill(os.Getpid(), sig)
	time.Sleep(100 * time.Millisecond)
	os.Exit(128 + int(sig))
}

// reply reads a call's one request and answers it with data, without the host.
func reply(stream grpc.ServerStream, data []byte) error {
	var request frame
	if err := stream.RecvMsg(&request); err != nil {
		return err
	}
	return stream.SendMsg(&frame{data})
}

// handle serves every call: the engine's calls all arrive here (no service is registered).
func (f *front) handle(_ any, stream grpc.ServerStream) error {
	full, _ := grpc.MethodFromServerStream(stream)
	slash := strings.LastIndex(full, "/")
	name := full[slash+1:]
	ours := full[:slash] == service
	switch {
	case ours && forwarded[name]:
		return f.forward(full, stream)
	case ours && name == "GetPluginInfo" && f.version != "":
		return reply(stream, pluginInfo(f.version))
	case ours && name == "Cancel" && !f.isStarted():
		return reply(stream, nil)
	case ours && (name == "GetPluginInfo" || name == "Cancel"):
		return f.forward(full, stream)
	default:
		return status.Error(codes.Unimplemented, name+" is not implemented by the dynamic provider")
	}
}

var bothWays = &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}

// forward passes one call to the Node host and its answer back, message by message, unread. The requests' side
// runs in its own goroutine, which is cancelled and waited for before this returns: the engine's stream is not used
// after its handler ended. (Every forwarded method is unary: the engine closes its side with its one request.)
func (f *front) forward(method string, stream grpc.ServerStream) error {
	conn := f.host()
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	out, err := conn.NewStream(ctx, bothWays, method)
	if err != nil {
		return err
	}
	requestsDone := make(chan struct{})
	defer func() {
		cancel()
		<-requestsDone
	}()
	go func() {
		defer close(requestsDone)
		for {
			var request frame
			if err := stream.RecvMsg(&request); err != nil {
				if errors.Is(err, io.EOF) {
					out.CloseSend()
				} else {
					cancel()
				}
				return
			}
			if out.SendMsg(&request) != nil {
				return // the answer's side reports it
			}
		}
	}()
	for {
		var response frame
		if err := out.RecvMsg(&response); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			// The Node host's status (code, message, details) as it sent it.
			return err
		}
		if err := stream.SendMsg(&response); err != nil {
			return err
		}
	}
}

// watchEngine ends this process when the process that started it is gone (see engine-watch.js).
func watchEngine() {
	startedBy := os.Getppid()
	if startedBy <= 1 {
		return
	}
	for range time.Tick(watchInterval) {
		if os.Getppid() != startedBy {
			os.Exit(engineGoneExit)
		}
	}
}

func main() {
	if len(os.Args) < 2 {
		say("usage: provider-front NODE_HOST_COMMAND...")
		os.Exit(2)
	}
	go watchEngine()
	dir, _ := os.Getwd()
	f := &front{command: os.Args[1:], version: sdkVersion(dir), ready: make(chan struct{})}

	// A signal to end: passed on to the host (every one: a host may end only on a second SIGINT), and this process
	// ends as the host does, after it (so that the host is this process's child to its end: the engine, and a
	// measurement of its process tree, see it whole).
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for sig := range signals {
			f.mu.Lock()
			child := f.child
			f.mu.Unlock()
			if child == nil {
				dieBy(sig.(syscall.Signal))
			}
			child.Process.Signal(sig) // the host's end ends this process (start)
		}
	}()

	if f.version == "" {
		// Without the SDK's version the Node host answers everything (and says what is missing if it cannot start).
		f.host()
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		say("cannot serve: %v", err)
		os.Exit(1)
	}
	server := grpc.NewServer(
		grpc.ForceServerCodecV2(rawCodec{}),
		grpc.UnknownServiceHandler(f.handle),
		grpc.MaxRecvMsgSize(maxMessageBytes),
		grpc.MaxSendMsgSize(maxMessageBytes),
	)
	// The engine reads the port from the first line.
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		say("cannot serve: %v", err)
		os.Exit(1)
	}
}
