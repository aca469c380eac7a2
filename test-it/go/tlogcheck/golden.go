package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Golden inputs, shared with the Java test that reads the files (GoldenFromGoTest).
const (
	goldenOrigin   = "golden.herald.invalid/log"
	goldenWitness  = "witness.herald.invalid/w1"
	goldenOther    = "other.herald.invalid/key"
	goldenSize     = 300
	goldenCosignAt = 1700000000
)

func goldenSeed(what string) []byte {
	s := sha256.Sum256([]byte("herald tlog golden: " + what))
	return s[:]
}

func goldenLeaf(i int) []byte { return []byte(fmt.Sprintf("golden leaf %d", i)) }

// signerFromSeed builds an x/mod signer key string; x/mod derives the public key and
// refuses the key if the id written here is not the one it computes.
func signerFromSeed(name string, seed []byte) (note.Signer, string, error) {
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return nil, "", err
	}
	id := strings.Split(vkey, "+")[1]
	s, err := note.NewSigner(fmt.Sprintf("PRIVATE+KEY+%s+%s+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{1}, seed...))))
	return s, vkey, err
}

func golden(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name, content string) error {
		return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	logSigner, logVkey, err := signerFromSeed(goldenOrigin, goldenSeed("log key"))
	if err != nil {
		return err
	}
	otherSigner, _, err := signerFromSeed(goldenOther, goldenSeed("other key"))
	if err != nil {
		return err
	}

	var stored []tlog.Hash
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i := 0; i < goldenSize; i++ {
		hs, err := tlog.StoredHashes(int64(i), goldenLeaf(i), hr)
		if err != nil {
			return err
		}
		stored = append(stored, hs...)
	}
	root, err := tlog.TreeHash(goldenSize, hr)
	if err != nil {
		return err
	}
	body := fmt.Sprintf("%s\n%d\n%s\n", goldenOrigin, goldenSize, root)
	checkpoint, err := note.Sign(&note.Note{Text: body}, logSigner)
	if err != nil {
		return err
	}
	multi, err := note.Sign(&note.Note{Text: body}, otherSigner, logSigner)
	if err != nil {
		return err
	}

	// A v1 cosignature, by hand: x/mod has no cosigner.
	wpriv := ed25519.NewKeyFromSeed(goldenSeed("witness key"))
	wpub := wpriv.Public().(ed25519.PublicKey)
	wkey := append([]byte{0x04}, wpub...)
	h := sha256.Sum256(append([]byte(goldenWitness+"\n"), wkey...))
	wid := binary.BigEndian.Uint32(h[:4])
	wvkey := fmt.Sprintf("%s+%08x+%s", goldenWitness, wid, base64.StdEncoding.EncodeToString(wkey))
	sig := make([]byte, 4+8)
	binary.BigEndian.PutUint32(sig, wid)
	binary.BigEndian.PutUint64(sig[4:], goldenCosignAt)
	sig = append(sig, ed25519.Sign(wpriv, cosignatureMessage(body, goldenCosignAt))...)
	cosigned := string(checkpoint) + "— " + goldenWitness + " " + base64.StdEncoding.EncodeToString(sig) + "\n"

	files := map[string]string{
		"log.vkey":            logVkey + "\n",
		"witness.vkey":        wvkey + "\n",
		"checkpoint":          string(checkpoint),
		"checkpoint-multi":    string(multi),
		"checkpoint-cosigned": cosigned,
	}
	for _, i := range []int64{0, 1, 255, 256, 299} {
		p, err := tlog.ProveRecord(goldenSize, i, hr)
		if err != nil {
			return err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "c2sp.org/tlog-proof@v1\nextra %s\nindex %d\n", base64.StdEncoding.EncodeToString(goldenLeaf(int(i))), i)
		for _, x := range p {
			fmt.Fprintf(&b, "%s\n", x)
		}
		b.WriteString("\n")
		b.Write(checkpoint)
		files[fmt.Sprintf("inclusion-%d.tlog-proof", i)] = b.String()
	}
	for _, from := range []int64{1, 100, 256, 299} {
		p, err := tlog.ProveTree(goldenSize, from, hr)
		if err != nil {
			return err
		}
		var b strings.Builder
		for _, x := range p {
			fmt.Fprintf(&b, "%s\n", x)
		}
		files[fmt.Sprintf("consistency-%d-%d", from, goldenSize)] = b.String()
	}
	for name, content := range files {
		if err := write(name, content); err != nil {
			return err
		}
	}
	return nil
}
