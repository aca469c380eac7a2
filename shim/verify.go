package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// manifestName is the file in the payload directory that lists every other file with its SHA-256.
// Its own SHA-256 is compiled into the shim, so pinning the shim (what Vault does) pins the manifest,
// and the manifest pins everything else.
const manifestName = "MANIFEST.sha256"

// entry is one line of the manifest: a path relative to the payload directory (slash-separated)
// and the SHA-256 its content must have.
type entry struct {
	path string
	sum  [sha256.Size]byte
}

// payload is a verified payload directory.
type payload struct {
	dir    string          // absolute, symlink-free path of the directory
	listed map[string]bool // paths named by the manifest
}

// parseManifest reads `sha256sum` output: "<64 hex digits><space><space or *><path>" per line.
// It is strict on purpose: the manifest is machine-written, so anything unusual means it was
// not written by scripts/package-plugin.sh.
func parseManifest(data []byte) ([]entry, error) {
	var entries []entry
	seen := map[string]bool{}
	text := strings.TrimSuffix(string(data), "\n")
	if text == "" {
		return nil, fmt.Errorf("%s lists no files", manifestName)
	}
	for n, line := range strings.Split(text, "\n") {
		n++ // 1-based line numbers in messages
		if len(line) < 67 || (line[64:66] != "  " && line[64:66] != " *") {
			return nil, fmt.Errorf("%s line %d is not \"<sha256>  <path>\"", manifestName, n)
		}
		var e entry
		if _, err := hex.Decode(e.sum[:], []byte(line[:64])); err != nil {
			return nil, fmt.Errorf("%s line %d: bad hex digest", manifestName, n)
		}
		e.path = line[66:]
		// Only clean relative paths inside the directory. A leading backslash is how sha256sum
		// escapes odd file names; package.sh never produces them.
		if !fs.ValidPath(e.path) || e.path == "." || e.path == manifestName || strings.ContainsAny(e.path, "\\\r") {
			return nil, fmt.Errorf("%s line %d: path %q is not allowed", manifestName, n, e.path)
		}
		if seen[e.path] {
			return nil, fmt.Errorf("%s line %d: %s is listed twice", manifestName, n, e.path)
		}
		seen[e.path] = true
		entries = append(entries, e)
	}
	return entries, nil
}

// verify checks the payload directory dir against the manifest whose SHA-256 (hex) is digest:
// the manifest itself, the content of every listed file, and that nothing else is there that a
// JVM could load (extra files, symlinks leading out of the directory, devices, pipes, sockets).
//
// It proves the files at rest are the packaged ones. It cannot stop someone who can write to the
// directory from swapping a file after the check; the plugin directory has to be writable only by
// its owner anyway, as for every Vault plugin.
func verify(dir, digest string) (*payload, error) {
	want, err := hex.DecodeString(digest)
	if err != nil || len(want) != sha256.Size {
		return nil, errors.New("this shim carries no valid manifest digest (it was not built by scripts/package-plugin.sh)")
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("payload directory %s: %v", dir, err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, err
	}

	// The manifest must be a plain file: a symlink could point at a file an attacker controls.
	mpath := filepath.Join(root, manifestName)
	if fi, err := os.Lstat(mpath); err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", mpath, err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", mpath)
	}
	data, err := os.ReadFile(mpath)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", mpath, err)
	}
	got := sha256.Sum256(data)
	if subtle.ConstantTimeCompare(got[:], want) != 1 {
		return nil, fmt.Errorf("%s does not belong to this shim (expected sha256 %s…, found %s…)",
			mpath, digest[:12], hex.EncodeToString(got[:6]))
	}
	entries, err := parseManifest(data)
	if err != nil {
		return nil, err
	}

	sizes, err := inventory(root, entries)
	if err != nil {
		return nil, err
	}
	if err := hashAll(root, entries, sizes); err != nil {
		return nil, err
	}
	p := &payload{dir: root, listed: make(map[string]bool, len(entries))}
	for _, e := range entries {
		p.listed[e.path] = true
	}
	return p, nil
}

// inventory walks root and refuses anything the manifest does not list, symlinks that leave root
// or do not lead to a regular file, and listed files that are absent. It returns the size of each
// listed file, used to hash the biggest ones first.
func inventory(root string, entries []entry) (map[string]int64, error) {
	listed := make(map[string]bool, len(entries))
	for _, e := range entries {
		listed[e.path] = true
	}
	sizes := make(map[string]int64, len(entries))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() || rel == manifestName {
			return nil
		}
		if !listed[rel] {
			return fmt.Errorf("%s is not in %s (an unlisted file could be loaded by the JVM)", path, manifestName)
		}
		switch mode := d.Type(); {
		case mode == 0: // regular file
		case mode&fs.ModeSymlink != 0:
			target, err := filepath.EvalSymlinks(path)
			if err != nil {
				return fmt.Errorf("symlink %s: %v", path, err)
			}
			if r, err := filepath.Rel(root, target); err != nil || r == ".." || strings.HasPrefix(r, "../") {
				return fmt.Errorf("symlink %s points outside %s (to %s)", path, root, target)
			}
		default:
			return fmt.Errorf("%s is not a regular file (%v)", path, mode)
		}
		fi, err := os.Stat(path) // follows a symlink to its (checked) target
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s does not lead to a regular file", path)
		}
		sizes[rel] = fi.Size()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if _, ok := sizes[e.path]; !ok {
			return nil, fmt.Errorf("%s is listed in %s but missing", filepath.Join(root, e.path), manifestName)
		}
	}
	return sizes, nil
}

// hashAll hashes the listed files on runtime.NumCPU() goroutines, largest first (the runtime's
// lib/modules, libjvm.so, the AOT cache and the jar dominate; starting them first keeps the wall
// time close to the time of the biggest file). It reports the first mismatch in path order, so
// the message does not depend on scheduling.
func hashAll(root string, entries []entry, sizes map[string]int64) error {
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return sizes[entries[order[a]].path] > sizes[entries[order[b]].path] })

	errs := make([]error, len(entries))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			for i := range jobs {
				errs[i] = checkFile(filepath.Join(root, filepath.FromSlash(entries[i].path)), entries[i].sum, buf)
			}
		}()
	}
	for _, i := range order {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	var first error
	bad := 0
	for i := range entries { // entries are in manifest (path) order
		if errs[i] != nil {
			if first == nil {
				first = errs[i]
			}
			bad++
		}
	}
	if bad > 1 {
		return fmt.Errorf("%v (and %d more files differ)", first, bad-1)
	}
	return first
}

func checkFile(path string, want [sha256.Size]byte, buf []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, buf); err != nil {
		return fmt.Errorf("reading %s: %v", path, err)
	}
	var got [sha256.Size]byte
	h.Sum(got[:0])
	if got != want {
		return fmt.Errorf("%s was modified (expected sha256 %s…, found %s…)",
			path, hex.EncodeToString(want[:6]), hex.EncodeToString(got[:6]))
	}
	return nil
}
