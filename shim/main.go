// Command shim is the file Vault / OpenBao executes for a Java plugin packaged by
// scripts/package-plugin.sh (Herald's own package is one of them).
//
// Vault pins only the SHA-256 of this one file. The shim extends that pin to everything the plugin
// runs: the payload directory beside it (<name>.d: the Java runtime, the jar, the JVM options and
// the AOT cache) is checked against a manifest whose own SHA-256 is compiled in here. Only then does
// the shim replace itself (exec) with the packaged JVM, so Vault talks to the JVM directly.
//
// What differs from one plugin to the next (its name, main class and the payload's file names) is
// compiled in too, with -ldflags -X, so it is pinned with the shim: nothing in the payload can
// choose the class the JVM runs or the jar it loads.
//
// stdout belongs to the go-plugin handshake, which the JVM writes; the shim never writes to it.
// Problems go to stderr as one hclog JSON line, so Vault logs them at the right level.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// jarModTime is the modification time (Unix seconds) scripts/package-plugin.sh gave the jar before training
// the AOT cache; the JVM refuses the cache for a jar with another time.
var jarModTime string

// manifestDigest is the hex SHA-256 of <name>.d/MANIFEST.sha256, set at build time by
// scripts/package-plugin.sh with -ldflags "-X main.manifestDigest=...".
var manifestDigest string

// version is the plugin's semantic version (v0.1.0), set at build time with -ldflags
// "-X main.version=...": the one the jar reports and <name>.d/VERSION holds.
var version string

// The plugin, set at build time with -ldflags -X like the digest. A shim built without them refuses
// to start (see checkBuild).
var (
	name      string // the plugin's name: the shim's file name, and how its log lines call it
	mainClass string // the class the JVM runs
	jarPath   string // the plugin's jar in the payload (<name>-plugin.jar)
	aotPath   string // the AOT cache in the payload (<name>.aot); optional: the JVM starts without it, only slower
)

// The rest of the payload layout written by scripts/package-plugin.sh.
const (
	javaPath    = "runtime/bin/java"
	optionsPath = "jvm.options"
	// Native libraries (Netty's epoll transport), loaded from here so that they are pinned like
	// everything else. Left inside the jar, Netty would extract them to a temporary file at every
	// start and load that unchecked copy.
	nativePath = "native"
)

const remedy = "package the plugin again (scripts/package-plugin.sh), install the package and register its new sha256"

// checkBuild reports what the build left out of the values it must compile in.
func checkBuild() error {
	var missing []string
	for _, v := range []struct{ flag, value string }{
		{"main.name", name}, {"main.mainClass", mainClass}, {"main.jarPath", jarPath}, {"main.aotPath", aotPath}} {
		if v.value == "" {
			missing = append(missing, v.flag)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("this shim was built without %s (build it with scripts/package-plugin.sh)", strings.Join(missing, ", "))
	}
	return nil
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		// By hand only: the server never passes it (registration arguments go to the JVM).
		fmt.Println(nameOrShim() + " " + versionOrUnknown())
		return
	}
	if err := checkBuild(); err != nil {
		fail("refusing to start: " + err.Error())
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		fail(fmt.Sprintf("cannot find my own executable: %v", err))
	}
	p, err := verify(exe+".d", manifestDigest)
	if err != nil {
		fail(fmt.Sprintf("refusing to start: %v; %s", err, remedy))
	}
	if p.listed[aotPath] && !aotUsable(p, jarModTime) {
		delete(p.listed, aotPath) // start without the cache rather than have the JVM complain
	}
	argv, err := javaCommand(p, os.Args[1:], payloadByFd(p.dir))
	if err != nil {
		fail(fmt.Sprintf("refusing to start: %v; %s", err, remedy))
	}
	env, dropped := cleanEnv(os.Environ())
	if len(dropped) > 0 {
		logLine("warn", "ignoring environment variables that would let code or options into the JVM past the shim's checks: "+
			strings.Join(dropped, ", "))
	}
	env = withIdentity(env)
	err = syscall.Exec(argv[0], argv, env)
	fail(fmt.Sprintf("cannot start %s: %v", argv[0], err))
}

// aotUsable makes sure the JVM will accept the AOT cache: the jar must carry the modification time
// it was trained with. A copy that did not keep times (cp without -p) breaks that; the jar's
// content is verified already, so putting its time back is safe. When that is not possible (a
// read-only plugin directory), the plugin starts without the cache, and the log says why.
func aotUsable(p *payload, want string) bool {
	if want == "" {
		return true // a shim built without the time: let the JVM decide
	}
	seconds, err := strconv.ParseInt(want, 10, 64)
	if err != nil {
		logLine("warn", "ignoring the AOT cache: the shim was built with a bad jar time "+strconv.Quote(want))
		return false
	}
	jar := filepath.Join(p.dir, filepath.FromSlash(jarPath))
	info, err := os.Stat(jar)
	if err != nil {
		return false
	}
	if info.ModTime().Unix() == seconds {
		return true
	}
	if err := os.Chtimes(jar, time.Now(), time.Unix(seconds, 0)); err != nil {
		logLine("warn", fmt.Sprintf("starting without the AOT cache (slower): %s lost the modification time it was "+
			"packaged with, and it cannot be put back (%v); copy the package with cp -p", jarPath, err))
		return false
	}
	return true
}

// payloadFd is the descriptor number under which the payload directory stays open across the exec,
// so that the class path can be named /proc/self/fd/9/<jar>: scripts/package-plugin.sh trains
// the AOT cache with that same name, and the JVM then finds the class path it was trained with
// wherever the package is installed. Given the jar's own path instead, the JVM accepts the moved
// cache, but for each of the ~2,000 archived classes of the jar it looks up the jar's training-time
// path to build the class's protection domain, and fails (the staging directory is gone): measured
// -50 ms of CPU and -20 to -60 ms to the handshake with the same name at training and run time.
const payloadFd = 9

// payloadByFd opens dir as descriptor payloadFd (kept open across exec) and returns the name of the
// directory through it, or "" when that cannot be done (descriptor taken, no /proc): the JVM is then
// given the directory's path, which works, only slower.
func payloadByFd(dir string) string {
	if _, err := unixFcntl(payloadFd, syscall.F_GETFD); err == nil {
		return "" // inherited from the server: leave it alone
	}
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer syscall.Close(fd)
	if err := syscall.Dup3(fd, payloadFd, 0); err != nil {
		return ""
	}
	name := "/proc/self/fd/" + strconv.Itoa(payloadFd)
	if _, err := os.Stat(filepath.Join(name, filepath.FromSlash(jarPath))); err != nil {
		syscall.Close(payloadFd)
		return ""
	}
	return name
}

func unixFcntl(fd, cmd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// javaCommand builds the JVM command line from the verified payload. Every path is absolute, so
// the plugin does not depend on the working directory Vault gives it. The argv[0] the JVM sees is
// the real path, which the launcher uses to find its runtime. The class path names the jar through
// jarDir (the payload directory by descriptor, see payloadFd) when that is not "".
func javaCommand(p *payload, args []string, jarDir string) ([]string, error) {
	for _, required := range []string{javaPath, optionsPath, jarPath} {
		if !p.listed[required] {
			return nil, fmt.Errorf("%s is not in %s", required, manifestName)
		}
	}
	at := func(rel string) string { return filepath.Join(p.dir, filepath.FromSlash(rel)) }
	argv := []string{at(javaPath), "@" + at(optionsPath)}
	if p.listed[aotPath] {
		argv = append(argv, "-XX:AOTCache="+at(aotPath))
	}
	classPath := at(jarPath)
	if jarDir != "" {
		classPath = jarDir + "/" + jarPath
	}
	argv = append(argv, "-Djava.library.path="+at(nativePath), "-cp", classPath, mainClass)
	return append(argv, args...), nil
}

// unsafeEnv are variables the JDK launcher, the JVM or the dynamic loader act on. Through them a
// registration's -env (or the server's environment) could load an agent or a shared library that
// the manifest does not pin, or make the launcher print to stdout. Everything else (Vault's magic
// cookie, PLUGIN_* and VAULT_*/BAO_* variables, tokens) passes through unchanged.
var unsafeEnv = map[string]bool{
	"JAVA_TOOL_OPTIONS":    true,
	"JDK_JAVA_OPTIONS":     true,
	"_JAVA_OPTIONS":        true,
	"JAVA_AOT_OPTIONS":     true,
	"JDK_AOT_VM_OPTIONS":   true, // read by JDK 25 when it assembles an AOT cache
	"_JAVA_LAUNCHER_DEBUG": true,
	"LD_PRELOAD":           true,
	"LD_AUDIT":             true,
	"LD_LIBRARY_PATH":      true,
}

// cleanEnv returns env without the unsafeEnv variables, and the names it dropped (never values:
// the environment may carry tokens).
func cleanEnv(env []string) (kept, dropped []string) {
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if unsafeEnv[name] {
			dropped = append(dropped, name)
			continue
		}
		kept = append(kept, kv)
	}
	return kept, dropped
}

// logLine writes one hclog-style JSON line to stderr. The host parses @level and @message as
// strings and accepts @timestamp only in exactly this layout (six fractional digits).
func logLine(level, msg string) { writeLog(os.Stderr, level, msg, time.Now()) }

func writeLog(w io.Writer, level, msg string, now time.Time) {
	line := struct {
		Level     string `json:"@level"`
		Message   string `json:"@message"`
		Module    string `json:"@module"`
		Timestamp string `json:"@timestamp"`
	}{level, nameOrShim() + " shim: " + msg, nameOrShim() + "-shim", now.UTC().Format("2006-01-02T15:04:05.000000Z07:00")}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(line) // Encode adds the newline
}

func nameOrShim() string {
	if name == "" {
		return "plugin"
	}
	return name
}

func versionOrUnknown() string {
	if version == "" {
		return "(unversioned build)"
	}
	return version
}

func fail(msg string) {
	logLine("error", msg+" ("+nameOrShim()+" "+versionOrUnknown()+")")
	os.Exit(1)
}
