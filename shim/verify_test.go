package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// writeTree creates files (path -> content) under a new payload directory, writes a manifest
// listing them as scripts/package.sh would, and returns the directory and the manifest's digest.
func writeTree(t testing.TB, files map[string][]byte) (dir, digest string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "greeter.d")
	var paths []string
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, content, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return dir, writeManifest(t, dir, paths)
}

// writeManifest lists paths (following symlinks, like sha256sum) and returns the manifest digest.
func writeManifest(t testing.TB, dir string, paths []string) string {
	t.Helper()
	sort.Strings(paths)
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%x  %s\n", sha256.Sum256(data), p)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256([]byte(b.String())))
}

func sampleFiles() map[string][]byte {
	return map[string][]byte{
		"runtime/bin/java":        []byte("#!/bin/sh\n"),
		"runtime/lib/modules":     []byte("modules image"),
		"runtime/lib/libjava.so":  []byte("elf"),
		"jvm.options":             []byte("-Xss512k\n"),
		"greeter-plugin.jar":      []byte("PK jar"),
		"greeter.aot":             []byte("aot cache"),
		"runtime/legal/a/LICENSE": []byte("license"),
		"name with spaces/ok.txt": []byte("fine"),
	}
}

func wantError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("verify succeeded, want an error mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}

func TestParseManifest(t *testing.T) {
	h := strings.Repeat("ab", 32)
	entries, err := parseManifest([]byte(h + "  jvm.options\n" + h + " *runtime/bin/java\n" + h + "  a b/c d"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[0].path != "jvm.options" || entries[1].path != "runtime/bin/java" || entries[2].path != "a b/c d" {
		t.Fatalf("unexpected entries %+v", entries)
	}
	if hex.EncodeToString(entries[0].sum[:]) != h {
		t.Fatalf("digest not decoded: %x", entries[0].sum)
	}

	for name, text := range map[string]string{
		"empty":          "",
		"blank line":     h + "  a\n\n",
		"short hash":     "abcd  a\n",
		"bad hex":        strings.Repeat("zz", 32) + "  a\n",
		"one space":      h + " a\n",
		"absolute":       h + "  /etc/passwd\n",
		"dotdot":         h + "  ../x\n",
		"inner dotdot":   h + "  a/../../x\n",
		"dot segment":    h + "  ./a\n",
		"double slash":   h + "  a//b\n",
		"escaped name":   "\\" + h + "  a\\nb\n",
		"self":           h + "  " + manifestName + "\n",
		"duplicate":      h + "  a\n" + h + "  a\n",
		"carriage ret":   h + "  a\r\n",
		"trailing slash": h + "  a/\n",
	} {
		if _, err := parseManifest([]byte(text)); err == nil {
			t.Errorf("%s: parseManifest accepted %q", name, text)
		}
	}
}

func TestVerifyOK(t *testing.T) {
	dir, digest := writeTree(t, sampleFiles())
	// jlink-ed runtimes link duplicate legal notices to java.base's copy: allowed inside the tree.
	if err := os.Symlink("a/LICENSE", filepath.Join(dir, "runtime/legal/b.LICENSE")); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p := range sampleFiles() {
		paths = append(paths, p)
	}
	digest = writeManifest(t, dir, append(paths, "runtime/legal/b.LICENSE"))

	p, err := verify(dir, digest)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !p.listed["greeter.aot"] || !p.listed["runtime/legal/b.LICENSE"] || len(p.listed) != 9 {
		t.Fatalf("listed = %v", p.listed)
	}
	// verify follows a symlinked payload directory and reports the real one.
	link := filepath.Join(t.TempDir(), "link.d")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if p, err = verify(link, digest); err != nil || p.dir != dir {
		t.Fatalf("verify via symlink: dir=%v err=%v", p, err)
	}
}

func TestVerifyDigestMismatch(t *testing.T) {
	dir, digest := writeTree(t, sampleFiles())
	other := fmt.Sprintf("%x", sha256.Sum256([]byte("another build")))
	wantError(t, func() error { _, err := verify(dir, other); return err }(), manifestName, "does not belong", other[:12])

	// An edited manifest (e.g. someone re-hashed a replaced jar) no longer matches the shim.
	m := filepath.Join(dir, manifestName)
	data, _ := os.ReadFile(m)
	os.WriteFile(m, append(data, []byte(strings.Repeat("0", 64)+"  extra\n")...), 0o644)
	wantError(t, func() error { _, err := verify(dir, digest); return err }(), "does not belong", digest[:12])
}

func TestVerifyNoDigest(t *testing.T) {
	dir, _ := writeTree(t, sampleFiles())
	for _, d := range []string{"", "xyz", "abcd"} {
		_, err := verify(dir, d)
		wantError(t, err, "no valid manifest digest")
	}
}

func TestVerifyModifiedFile(t *testing.T) {
	dir, digest := writeTree(t, sampleFiles())
	jar := filepath.Join(dir, "greeter-plugin.jar")
	want := sha256.Sum256([]byte("PK jar"))
	os.WriteFile(jar, []byte("PK evil"), 0o644)
	got := sha256.Sum256([]byte("PK evil"))
	_, err := verify(dir, digest)
	wantError(t, err, jar, "was modified", hex.EncodeToString(want[:6]), hex.EncodeToString(got[:6]))

	// Two bad files: the first in path order is named, the rest counted.
	os.WriteFile(filepath.Join(dir, "runtime/lib/modules"), []byte("patched"), 0o644)
	_, err = verify(dir, digest)
	wantError(t, err, jar, "and 1 more")
}

func TestVerifyUnlistedFile(t *testing.T) {
	dir, digest := writeTree(t, sampleFiles())
	extra := filepath.Join(dir, "runtime/lib/libevil.so")
	os.WriteFile(extra, []byte("elf"), 0o644)
	_, err := verify(dir, digest)
	wantError(t, err, extra, "not in "+manifestName)

	// An unlisted symlink is refused the same way, even if it points at a listed file.
	os.Remove(extra)
	os.Symlink("libjava.so", extra)
	_, err = verify(dir, digest)
	wantError(t, err, extra, "not in "+manifestName)
}

func TestVerifyMissingFile(t *testing.T) {
	dir, digest := writeTree(t, sampleFiles())
	os.Remove(filepath.Join(dir, "greeter.aot"))
	_, err := verify(dir, digest)
	wantError(t, err, "greeter.aot", "missing")
}

func TestVerifySymlinkEscaping(t *testing.T) {
	dir, _ := writeTree(t, sampleFiles())
	outside := filepath.Join(filepath.Dir(dir), "outside.so")
	os.WriteFile(outside, []byte("elf"), 0o644)
	link := filepath.Join(dir, "runtime/lib/libnet.so")
	os.Symlink(outside, link)
	// Listed with the right hash: content alone must not make an outside file acceptable.
	var paths []string
	for p := range sampleFiles() {
		paths = append(paths, p)
	}
	digest := writeManifest(t, dir, append(paths, "runtime/lib/libnet.so"))
	_, err := verify(dir, digest)
	wantError(t, err, link, "points outside")

	// A symlink to a directory inside is not a file either.
	os.Remove(link)
	os.Symlink("../legal", link)
	_, err = verify(dir, digest)
	wantError(t, err, link, "regular file")
}

func TestVerifyNonRegularManifest(t *testing.T) {
	dir, digest := writeTree(t, sampleFiles())
	m := filepath.Join(dir, manifestName)
	real := filepath.Join(filepath.Dir(dir), "m")
	os.Rename(m, real)
	os.Symlink(real, m)
	_, err := verify(dir, digest)
	wantError(t, err, "not a regular file")
}

// BenchmarkVerify verifies a tree shaped like the real payload (sizes in MB: lib/modules 28,
// libjvm.so 29, greeter.aot 40, jar 12, plus 60 small files). Run:
//
//	go test -bench Verify -benchtime 20x
func BenchmarkVerify(b *testing.B) {
	files := map[string][]byte{}
	var total int64
	add := func(p string, size int) {
		data := make([]byte, size)
		rand.Read(data)
		files[p] = data
		total += int64(size)
	}
	add("runtime/lib/modules", 28<<20)
	add("runtime/lib/server/libjvm.so", 29<<20)
	add("greeter.aot", 40<<20)
	add("greeter-plugin.jar", 12<<20)
	for i := 0; i < 60; i++ {
		add(fmt.Sprintf("runtime/lib/small%02d", i), 50<<10)
	}
	dir, digest := writeTree(b, files)
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := verify(dir, digest); err != nil {
			b.Fatal(err)
		}
	}
}
