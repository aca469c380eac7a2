// Command tlogcheck is Herald's independent verifier: it checks a Herald log with
// golang.org/x/mod's sumdb/tlog and sumdb/note, which implement RFC 6962 hashing,
// tiles and signed notes without sharing a line of code with Herald's Java.
//
// Usage:
//
//	tlogcheck verify DIR   verify a static copy of a log written by the tlog module's
//	                       interop test (tiles, bundles, checkpoint, proofs); exit 1 on
//	                       any disagreement
//	tlogcheck fetch URL [I C]
//	                       verify a log served over HTTP: URL is the log's prefix
//	                       (http://127.0.0.1:8200/v1/herald/log/); reads key, checkpoint,
//	                       every tile and bundle of the checkpoint's size, and the inclusion
//	                       proofs of I leaves and the consistency proofs from C sizes, spread
//	                       over the tree (default 20 and 5; fewer if the tree is smaller)
//	tlogcheck golden DIR   write golden files made with x/mod (a signed checkpoint, a note
//	                       with several signatures, a cosigned checkpoint, tlog-proofs and
//	                       consistency proofs) for the Java tests to read; deterministic
//
// The DIR layout is the tlog-tiles one (DIR/checkpoint, DIR/tile/<L>/<N>[.p/<W>],
// DIR/tile/entries/<N>[.p/<W>]) plus DIR/log.vkey, DIR/witness.vkey and DIR/proofs/.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

func main() {
	if len(os.Args) != 3 && !(len(os.Args) == 5 && os.Args[1] == "fetch") {
		fmt.Fprintln(os.Stderr, "usage: tlogcheck verify|golden DIR, or tlogcheck fetch URL [INCLUSIONS CONSISTENCIES]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "verify":
		err = verify(dirSource(os.Args[2]), "log.vkey", dirProofs(os.Args[2]))
	case "fetch":
		src := httpSource{prefix: strings.TrimSuffix(os.Args[2], "/") + "/", client: &http.Client{Timeout: 30 * time.Second}}
		inclusions, consistencies := int64(20), int64(5)
		if len(os.Args) == 5 {
			inclusions, err = strconv.ParseInt(os.Args[3], 10, 64)
			if err == nil {
				consistencies, err = strconv.ParseInt(os.Args[4], 10, 64)
			}
			if err != nil || inclusions < 1 || consistencies < 1 {
				fmt.Fprintln(os.Stderr, "tlogcheck: the sample sizes must be positive integers")
				os.Exit(2)
			}
		}
		err = verify(src, "key", sampledProofs(src, inclusions, consistencies))
	case "golden":
		err = golden(os.Args[2])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlogcheck:", err)
		os.Exit(1)
	}
}

// c2spPath is the tlog-tiles path of a tile: x/mod's Tile.Path puts the height in the
// path (tile/8/L/N), the C2SP layout does not.
func c2spPath(t tlog.Tile) string {
	p := t.Path()
	prefix := fmt.Sprintf("tile/%d/", height)
	if !strings.HasPrefix(p, prefix) {
		panic("unexpected x/mod tile path " + p)
	}
	return "tile/" + strings.TrimPrefix(p, prefix)
}

// source is where the log's files are: a directory, or a server's log prefix.
type source interface {
	read(path string) ([]byte, error)
}

type dirSource string

func (d dirSource) read(path string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), path))
}

// httpSource reads <prefix><path> without a token: the log's paths are unauthenticated.
type httpSource struct {
	prefix string
	client *http.Client
}

func (h httpSource) read(path string) ([]byte, error) {
	resp, err := h.client.Get(h.prefix + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

type srcTiles struct{ src source }

func (d srcTiles) Height() int { return height }

func (d srcTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := d.src.read(c2spPath(t))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (d srcTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// proofSource gives the proofs to check for a tree, by file name: <name>.tlog-proof for an
// inclusion proof, consistency-<from>-<to> for a consistency proof.
type proofSource func(tree tlog.Tree) (map[string][]byte, error)

func dirProofs(dir string) proofSource {
	return func(tlog.Tree) (map[string][]byte, error) {
		files, err := filepath.Glob(filepath.Join(dir, "proofs", "*"))
		if err != nil {
			return nil, err
		}
		out := map[string][]byte{}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			out[filepath.Base(f)] = b
		}
		return out, nil
	}
}

// sampledProofs fetches the inclusion proofs of about {inclusions} leaves spread evenly over
// the tree (the first and the last among them) and the consistency proofs to the tree from about
// {consistencies} sizes spread evenly from 1 to its size (both included).
func sampledProofs(src source, inclusions, consistencies int64) proofSource {
	return func(tree tlog.Tree) (map[string][]byte, error) {
		out := map[string][]byte{}
		for _, i := range spread(0, tree.N-1, inclusions) {
			if err := fetchInclusion(src, out, i, tree.N); err != nil {
				return nil, err
			}
		}
		for _, from := range spread(1, tree.N, consistencies) {
			b, err := src.read(fmt.Sprintf("proof/consistency?from=%d&to=%d", from, tree.N))
			if err != nil {
				return nil, err
			}
			out[fmt.Sprintf("consistency-%d-%d", from, tree.N)] = b
		}
		return out, nil
	}
}

// spread gives up to count distinct values from lo to hi, both included when count > 1, evenly apart.
func spread(lo, hi, count int64) []int64 {
	if hi < lo {
		return nil
	}
	if count == 1 || hi == lo {
		return []int64{hi}
	}
	var out []int64
	for k := int64(0); k < count; k++ {
		v := lo + k*(hi-lo)/(count-1)
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}

func fetchInclusion(src source, out map[string][]byte, index, size int64) error {
	b, err := src.read(fmt.Sprintf("proof/inclusion?index=%d&size=%d", index, size))
	if err != nil {
		return err
	}
	out[fmt.Sprintf("leaf-%d.tlog-proof", index)] = b
	return nil
}

// openCheckpoint verifies the note with x/mod and parses the checkpoint body itself
// (tlog.ParseTree expects the sumdb header line, not a C2SP origin).
func openCheckpoint(msg []byte, v note.Verifier) (origin string, tree tlog.Tree, body string, err error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return "", tree, "", fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return "", tree, "", errors.New("checkpoint has fewer than three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || strconv.FormatInt(size, 10) != lines[1] {
		return "", tree, "", fmt.Errorf("checkpoint size %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return "", tree, "", fmt.Errorf("checkpoint root: %w", err)
	}
	return lines[0], tlog.Tree{N: size, Hash: root}, n.Text, nil
}

// cosignatureKey parses a type 0x04 vkey by hand: x/mod's note verifies type 0x01 only.
func cosignatureKey(vkey string) (name string, id uint32, key ed25519.PublicKey, err error) {
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3) // base64 may hold a +
	if len(parts) != 3 {
		return "", 0, nil, errors.New("witness vkey")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		return "", 0, nil, errors.New("witness vkey is not an Ed25519 cosignature key")
	}
	h := sha256.Sum256(append(append([]byte(parts[0]+"\n"), 0x04), raw[1:]...))
	want := binary.BigEndian.Uint32(h[:4])
	got, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil || uint32(got) != want {
		return "", 0, nil, errors.New("witness vkey id")
	}
	return parts[0], want, ed25519.PublicKey(raw[1:]), nil
}

func cosignatureMessage(body string, t uint64) []byte {
	return []byte(fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, body))
}

func checkCosignature(msg []byte, body, vkey string) (uint64, error) {
	name, id, key, err := cosignatureKey(vkey)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(msg), "\n") {
		rest, ok := strings.CutPrefix(line, "— "+name+" ")
		if !ok {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(rest)
		if err != nil || len(sig) != 4+8+64 || binary.BigEndian.Uint32(sig) != id {
			continue
		}
		t := binary.BigEndian.Uint64(sig[4:12])
		if !ed25519.Verify(key, cosignatureMessage(body, t), sig[12:]) {
			return 0, errors.New("cosignature does not verify")
		}
		return t, nil
	}
	return 0, errors.New("no cosignature by the witness")
}

func decodeBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("bundle ends inside a length")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, errors.New("bundle entry runs past the end")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

func verify(src source, vkeyPath string, proofSrc proofSource) error {
	vkey, err := src.read(vkeyPath)
	if err != nil {
		return err
	}
	// The first key: the current one (a server lists retired keys after it).
	first, _, _ := strings.Cut(strings.TrimSpace(string(vkey)), "\n")
	v, err := note.NewVerifier(first)
	if err != nil {
		return fmt.Errorf("log vkey: %w", err)
	}
	msg, err := src.read("checkpoint")
	if err != nil {
		return err
	}
	origin, tree, body, err := openCheckpoint(msg, v)
	if err != nil {
		return err
	}
	if v.Name() != origin {
		return fmt.Errorf("key name %q is not the origin %q", v.Name(), origin)
	}
	fmt.Printf("checkpoint: %s, size %d, root %s, signed by %s\n", origin, tree.N, tree.Hash, v.Name())

	// A witness key is a directory's only (the interop test's cosigned checkpoint); a server's
	// checkpoint carries no cosignature yet.
	if _, isDir := src.(dirSource); isDir {
		if wkey, err := src.read("witness.vkey"); err == nil {
			t, err := checkCosignature(msg, body, string(wkey))
			if err != nil {
				return err
			}
			fmt.Printf("cosignature: verified, time %d\n", t)
		}
	}

	// The tiles, as a tlog client reads them: each one checked against the signed root.
	hr := tlog.TileHashReader(tree, srcTiles{src})
	th, err := tlog.TreeHash(tree.N, hr)
	if err != nil {
		return fmt.Errorf("tree hash from tiles: %w", err)
	}
	if th != tree.Hash {
		return fmt.Errorf("tree hash from tiles %s, checkpoint says %s", th, tree.Hash)
	}

	// The entry bundles: every leaf hashes to its level-0 tile entry, and the tree built
	// from the leaves alone (x/mod's own storage) gives byte-identical tiles.
	var stored []tlog.Hash
	memory := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(stored)) {
				return nil, fmt.Errorf("hash %d not stored", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	for n := int64(0); n*256 < tree.N; n++ {
		w := tree.N - n*256
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: height, L: 0, N: n, W: int(w)}
		path := strings.Replace(c2spPath(t), "tile/0/", "tile/entries/", 1)
		b, err := src.read(path)
		if err != nil {
			return err
		}
		leaves, err := decodeBundle(b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if int64(len(leaves)) != w {
			return fmt.Errorf("%s has %d entries, not %d", path, len(leaves), w)
		}
		indexes := make([]int64, w)
		for i := range indexes {
			indexes[i] = tlog.StoredHashIndex(0, n*256+int64(i))
		}
		fromTiles, err := hr.ReadHashes(indexes)
		if err != nil {
			return fmt.Errorf("%s: leaf hashes from tiles: %w", path, err)
		}
		for i, leaf := range leaves {
			if tlog.RecordHash(leaf) != fromTiles[i] {
				return fmt.Errorf("%s: entry %d does not hash to its tile entry", path, i)
			}
			hs, err := tlog.StoredHashes(n*256+int64(i), leaf, memory)
			if err != nil {
				return err
			}
			stored = append(stored, hs...)
		}
	}
	tiles := tlog.NewTiles(height, 0, tree.N)
	for _, t := range tiles {
		want, err := tlog.ReadTileData(t, memory)
		if err != nil {
			return err
		}
		got, err := src.read(c2spPath(t))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("%s differs from the tile x/mod builds from the entries", c2spPath(t))
		}
	}
	fmt.Printf("tiles: %d tiles and %d bundles verified against the root and rebuilt byte for byte from the entries\n", len(tiles), (tree.N+255)/256)

	// Proofs.
	proofs, err := proofSrc(tree)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(proofs))
	for name := range proofs {
		names = append(names, name)
	}
	sort.Strings(names)
	inclusions, consistencies := 0, 0
	for _, base := range names {
		b := proofs[base]
		switch {
		case strings.HasSuffix(base, ".tlog-proof"):
			if err := checkTlogProof(b, v, origin, hr, tree); err != nil {
				return fmt.Errorf("%s: %w", base, err)
			}
			inclusions++
		case strings.HasPrefix(base, "consistency-"):
			var from, to int64
			if _, err := fmt.Sscanf(base, "consistency-%d-%d", &from, &to); err != nil {
				return fmt.Errorf("%s: name", base)
			}
			if err := checkConsistency(b, from, to, hr); err != nil {
				return fmt.Errorf("%s: %w", base, err)
			}
			consistencies++
		default:
			return fmt.Errorf("unexpected file proofs/%s", base)
		}
	}
	if inclusions == 0 || consistencies == 0 {
		return errors.New("no proofs to check")
	}
	fmt.Printf("proofs: %d inclusion (tlog-proof) and %d consistency proofs verified and equal to x/mod's\n", inclusions, consistencies)
	return nil
}

func parseHashes(lines []string) ([]tlog.Hash, error) {
	var out []tlog.Hash
	for _, l := range lines {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func checkTlogProof(b []byte, v note.Verifier, origin string, hr tlog.HashReader, latest tlog.Tree) error {
	head, checkpoint, ok := strings.Cut(string(b), "\n\n")
	if !ok {
		return errors.New("no checkpoint")
	}
	lines := strings.Split(head, "\n")
	if lines[0] != "c2sp.org/tlog-proof@v1" {
		return errors.New("header")
	}
	lines = lines[1:]
	var leaf []byte
	if e, ok := strings.CutPrefix(lines[0], "extra "); ok {
		var err error
		if leaf, err = base64.StdEncoding.DecodeString(e); err != nil {
			return err
		}
		lines = lines[1:]
	}
	is, ok := strings.CutPrefix(lines[0], "index ")
	if !ok {
		return errors.New("no index line")
	}
	index, err := strconv.ParseInt(is, 10, 64)
	if err != nil {
		return err
	}
	proof, err := parseHashes(lines[1:])
	if err != nil {
		return err
	}
	o, tree, _, err := openCheckpoint([]byte(checkpoint), v)
	if err != nil {
		return err
	}
	if o != origin || tree.N > latest.N {
		return errors.New("checkpoint of another log or beyond the latest")
	}
	if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, tlog.RecordHash(leaf)); err != nil {
		return err
	}
	// The tree of the proof's size is in the latest one: its root from the tiles must match.
	if h, err := tlog.TreeHash(tree.N, hr); err != nil || h != tree.Hash {
		return fmt.Errorf("the proof's checkpoint root is not the root of size %d from the tiles", tree.N)
	}
	want, err := tlog.ProveRecord(tree.N, index, hr)
	if err != nil {
		return err
	}
	if fmt.Sprint(want) != fmt.Sprint(tlog.RecordProof(proof)) {
		return errors.New("proof differs from x/mod's")
	}
	return nil
}

func checkConsistency(b []byte, from, to int64, hr tlog.HashReader) error {
	text := strings.TrimSuffix(string(b), "\n")
	var lines []string
	if text != "" {
		lines = strings.Split(text, "\n")
	}
	proof, err := parseHashes(lines)
	if err != nil {
		return err
	}
	oldRoot, err := tlog.TreeHash(from, hr)
	if err != nil {
		return err
	}
	newRoot, err := tlog.TreeHash(to, hr)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(proof, to, newRoot, from, oldRoot); err != nil {
		return err
	}
	want, err := tlog.ProveTree(to, from, hr)
	if err != nil {
		return err
	}
	if fmt.Sprint(want) != fmt.Sprint(tlog.TreeProof(proof)) {
		return errors.New("proof differs from x/mod's")
	}
	return nil
}
