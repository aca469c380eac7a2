package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests run as the shim of a plugin called greeter: what package-plugin.sh compiles in with -X.
var greeterFlags = map[string]string{"main.name": "greeter", "main.mainClass": "org.example.greeter.GreeterPlugin",
	"main.jarPath": "greeter-plugin.jar", "main.aotPath": "greeter.aot"}

func TestMain(m *testing.M) {
	name, mainClass, jarPath, aotPath = greeterFlags["main.name"], greeterFlags["main.mainClass"],
		greeterFlags["main.jarPath"], greeterFlags["main.aotPath"]
	os.Exit(m.Run())
}

func TestCheckBuild(t *testing.T) {
	if err := checkBuild(); err != nil {
		t.Fatal(err)
	}
	saved := mainClass
	defer func() { mainClass = saved }()
	mainClass = ""
	if err := checkBuild(); err == nil || !strings.Contains(err.Error(), "main.mainClass") {
		t.Fatalf("a shim built without its main class must say so: %v", err)
	}
}

func TestJavaCommand(t *testing.T) {
	p := &payload{dir: "/opt/vault/plugins/greeter.d", listed: map[string]bool{
		"runtime/bin/java": true, "jvm.options": true, "greeter-plugin.jar": true, "greeter.aot": true}}
	got, err := javaCommand(p, []string{"--x"}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/opt/vault/plugins/greeter.d/runtime/bin/java", "@/opt/vault/plugins/greeter.d/jvm.options",
		"-XX:AOTCache=/opt/vault/plugins/greeter.d/greeter.aot",
		"-Djava.library.path=/opt/vault/plugins/greeter.d/native", "-cp", "/opt/vault/plugins/greeter.d/greeter-plugin.jar",
		"org.example.greeter.GreeterPlugin", "--x"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got  %q\nwant %q", got, want)
	}

	got, _ = javaCommand(p, nil, "/proc/self/fd/9") // the payload directory by descriptor
	if !strings.Contains(strings.Join(got, " "), " -cp /proc/self/fd/9/greeter-plugin.jar ") {
		t.Fatalf("class path not named through the descriptor: %q", got)
	}

	delete(p.listed, "greeter.aot") // no cache packaged: start without one
	got, _ = javaCommand(p, nil, "")
	if strings.Contains(strings.Join(got, " "), "AOTCache") {
		t.Fatalf("AOT cache used although not listed: %q", got)
	}

	delete(p.listed, "greeter-plugin.jar")
	if _, err := javaCommand(p, nil, ""); err == nil || !strings.Contains(err.Error(), "greeter-plugin.jar") {
		t.Fatalf("missing jar not reported: %v", err)
	}
}

func TestCleanEnv(t *testing.T) {
	kept, dropped := cleanEnv([]string{"VAULT_BACKEND_PLUGIN=cookie", "JAVA_TOOL_OPTIONS=-agentpath:/tmp/x.so",
		"PLUGIN_CLIENT_CERT=-----BEGIN", "LD_PRELOAD=/tmp/x.so", "PATH=/bin", "NOEQUALS"})
	if strings.Join(kept, ",") != "VAULT_BACKEND_PLUGIN=cookie,PLUGIN_CLIENT_CERT=-----BEGIN,PATH=/bin,NOEQUALS" {
		t.Fatalf("kept %q", kept)
	}
	if strings.Join(dropped, ",") != "JAVA_TOOL_OPTIONS,LD_PRELOAD" {
		t.Fatalf("dropped %q", dropped)
	}
}

var hclogTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// checkLogLine asserts that out is exactly one hclog JSON line at level with string fields.
func checkLogLine(t *testing.T, out []byte, level string) map[string]any {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\n")) || bytes.Count(out, []byte("\n")) != 1 {
		t.Fatalf("want exactly one line, got %q", out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("not JSON: %q: %v", out, err)
	}
	if m["@level"] != level || m["@module"] != "greeter-shim" || !hclogTimestamp.MatchString(m["@timestamp"].(string)) {
		t.Fatalf("bad hclog line %q", out)
	}
	if msg, _ := m["@message"].(string); !strings.HasPrefix(msg, "greeter shim: ") {
		t.Fatalf("bad message in %q", out)
	}
	return m
}

func TestWriteLog(t *testing.T) {
	var b bytes.Buffer
	writeLog(&b, "error", `a "quoted" <path> & more`, time.Date(2026, 11, 24, 5, 45, 48, 123456789, time.UTC))
	m := checkLogLine(t, b.Bytes(), "error")
	if m["@timestamp"] != "2026-11-24T05:45:48.123456Z" || m["@message"] != `greeter shim: a "quoted" <path> & more` {
		t.Fatalf("got %q", b.String())
	}
}

// TestShimEndToEnd builds the real binary with a digest, as scripts/package-plugin.sh does, and runs it
// against a payload whose "java" is a shell script that records how it was called.
func TestShimEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the shim")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	files := sampleFiles()
	files["runtime/bin/java"] = []byte("#!/bin/sh\n" +
		"{ printf '%s\\n' \"$0\" \"$@\"; echo \"tool=${JAVA_TOOL_OPTIONS-unset} cookie=$VAULT_BACKEND_PLUGIN\"; " +
		"test -f /proc/self/fd/9/greeter-plugin.jar && echo 'jar through fd 9'; " +
		"head -n 1 /proc/self/fd/$HERALD_TLS_IDENTITY_FD; } > \"$RECORD\"\n" +
		"echo '1|5|unix|/tmp/s|grpc|'\n")
	dir, digest := writeTree(t, files)
	os.Chmod(filepath.Join(dir, "runtime/bin/java"), 0o755)
	shim := strings.TrimSuffix(dir, ".d")

	ldflags := "-X main.manifestDigest=" + digest
	for flag, value := range greeterFlags {
		ldflags += " -X " + flag + "=" + value
	}
	build := exec.Command(goTool, "build", "-trimpath", "-ldflags", ldflags, "-o", shim, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// Vault may reach the shim through a symlink; the payload is found beside the real file.
	link := filepath.Join(t.TempDir(), "linked")
	os.Symlink(shim, link)
	record := filepath.Join(t.TempDir(), "record")

	run := func() (stdout, stderr []byte, code int) {
		cmd := exec.Command(link, "arg1")
		cmd.Env = append(os.Environ(), "RECORD="+record, "JAVA_TOOL_OPTIONS=-agentpath:/tmp/x.so",
			"VAULT_BACKEND_PLUGIN=6669da05-b1c8-4f49-97d9-c8e5bed98e20")
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return o.Bytes(), e.Bytes(), code
	}

	stdout, stderr, code := run()
	if code != 0 || string(stdout) != "1|5|unix|/tmp/s|grpc|\n" {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	checkLogLine(t, stderr, "warn") // the dropped JAVA_TOOL_OPTIONS, by name
	rec, _ := os.ReadFile(record)
	want := strings.Join([]string{dir + "/runtime/bin/java", "@" + dir + "/jvm.options", "-XX:AOTCache=" + dir + "/greeter.aot",
		"-Djava.library.path=" + dir + "/native", "-cp", "/proc/self/fd/9/greeter-plugin.jar", "org.example.greeter.GreeterPlugin", "arg1",
		"tool=unset cookie=6669da05-b1c8-4f49-97d9-c8e5bed98e20", "jar through fd 9", "-----BEGIN PRIVATE KEY-----", ""}, "\n")
	if string(rec) != want {
		t.Fatalf("java called as\n%s\nwant\n%s", rec, want)
	}

	// Tampered jar: one error line on stderr, nothing on stdout, exit 1, java never started.
	os.Remove(record)
	os.WriteFile(filepath.Join(dir, "greeter-plugin.jar"), []byte("PK evil"), 0o644)
	stdout, stderr, code = run()
	if code != 1 || len(stdout) != 0 {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	m := checkLogLine(t, stderr, "error")
	if msg := m["@message"].(string); !strings.Contains(msg, "greeter-plugin.jar was modified") || !strings.Contains(msg, "scripts/package-plugin.sh") {
		t.Fatalf("unhelpful message %q", msg)
	}
	if _, err := os.Stat(record); err == nil {
		t.Fatal("java was started despite the failed check")
	}
}

func TestAotUsableRestoresTheJarTime(t *testing.T) {
	dir := t.TempDir()
	jar := filepath.Join(dir, "greeter-plugin.jar")
	if err := os.WriteFile(jar, []byte("jar"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &payload{dir: dir, listed: map[string]bool{"greeter-plugin.jar": true, "greeter.aot": true}}
	packaged := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	want := strconv.FormatInt(packaged.Unix(), 10)

	if !aotUsable(p, want) {
		t.Fatal("a writable jar with another time should be fixed and the cache used")
	}
	info, _ := os.Stat(jar)
	if !info.ModTime().Equal(packaged) {
		t.Fatalf("jar time %v, want %v", info.ModTime(), packaged)
	}
	if !aotUsable(p, want) {
		t.Fatal("the packaged time is usable")
	}
	if aotUsable(p, "not-a-number") {
		t.Fatal("a bad compiled-in time must not be trusted")
	}
	if !aotUsable(p, "") {
		t.Fatal("without a compiled-in time the JVM decides")
	}
}
