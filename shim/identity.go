package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"syscall"
	"time"
)

// identityFdEnv names the inherited file descriptor from which the plugin reads its one-time TLS
// identity. The plugin makes its own identity when the variable is missing.
const identityFdEnv = "HERALD_TLS_IDENTITY_FD"

// identityPipe keeps the pipe's read end referenced until exec: an *os.File that is collected
// closes its descriptor.
var identityPipe *os.File

// oneTimeIdentity makes the plugin process's TLS key and self-signed certificate: what the JVM
// would otherwise make itself at start, in microseconds here instead of ~75 ms on a cold JVM. The
// certificate is what the server pins: it names "localhost", serves and authenticates clients,
// and has a positive serial, as Go's verifier requires.
func oneTimeIdentity(now time.Time) (keyDER, certDER []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          serial.SetBit(serial, 126, 1),
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"Herald"}},
		DNSNames:              []string{"localhost"},
		NotBefore:             now.Add(-30 * time.Second),
		NotAfter:              now.Add(3650 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if certDER, err = x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key); err != nil {
		return nil, nil, err
	}
	if keyDER, err = x509.MarshalPKCS8PrivateKey(key); err != nil {
		return nil, nil, err
	}
	return keyDER, certDER, nil
}

// handOverIdentity writes the identity as PEM into a pipe whose read end the JVM inherits across
// exec, and returns that end's descriptor number. The private key never touches a file or the
// environment; once the JVM has read it, the pipe is empty.
func handOverIdentity(keyDER, certDER []byte) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	data := append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})...)
	// A pipe holds 64 KiB before a writer blocks; the identity is about 1 KiB.
	_, werr := w.Write(data)
	cerr := w.Close()
	if werr != nil || cerr != nil {
		r.Close()
		return 0, fmt.Errorf("writing the identity pipe: %v %v", werr, cerr)
	}
	fd := int(r.Fd())
	// os.Pipe sets close-on-exec; clear it so that the JVM inherits the read end.
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, 0); errno != 0 {
		r.Close()
		return 0, errno
	}
	identityPipe = r
	return fd, nil
}

// withIdentity returns env with the descriptor of a fresh identity, or, if making one fails, env
// without any (the plugin then makes its own, more slowly). An inherited value is never kept: it
// could name a descriptor the shim did not fill.
func withIdentity(env []string) []string {
	kept := env[:0:0]
	for _, kv := range env {
		if len(kv) > len(identityFdEnv) && kv[:len(identityFdEnv)+1] == identityFdEnv+"=" {
			continue
		}
		kept = append(kept, kv)
	}
	keyDER, certDER, err := oneTimeIdentity(time.Now())
	if err == nil {
		var fd int
		if fd, err = handOverIdentity(keyDER, certDER); err == nil {
			return append(kept, identityFdEnv+"="+strconv.Itoa(fd))
		}
	}
	logLine("warn", "the plugin will make its own TLS identity (slower start): "+err.Error())
	return kept
}
