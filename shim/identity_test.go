package main

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOneTimeIdentityIsWhatTheServerPins(t *testing.T) {
	now := time.Now()
	keyDER, certDER, err := oneTimeIdentity(now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	// The way Vault verifies the plugin: the certificate is its own root, for "localhost", both ways.
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: pool,
			KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
			t.Fatalf("usage %v: %v", usage, err)
		}
	}
	if cert.SerialNumber.Sign() <= 0 || cert.NotBefore.After(now) {
		t.Fatalf("serial %v not before %v", cert.SerialNumber, cert.NotBefore)
	}
	key, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		t.Fatal(err)
	}
	if !key.(*ecdsa.PrivateKey).PublicKey.Equal(cert.PublicKey) {
		t.Fatal("the key does not belong to the certificate")
	}
	_, certDER2, _ := oneTimeIdentity(now)
	if string(certDER2) == string(certDER) {
		t.Fatal("every start must get a fresh identity")
	}
}

func TestIdentityReachesTheChildThroughAnInheritedPipe(t *testing.T) {
	env := withIdentity([]string{"PATH=/bin", identityFdEnv + "=0"})
	var fd string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, identityFdEnv+"="); ok {
			if fd != "" {
				t.Fatalf("two values in %q", env)
			}
			fd = v
		}
	}
	if fd == "" || fd == "0" {
		t.Fatalf("inherited value kept or none set: %q", env)
	}
	n, _ := strconv.Atoi(fd)
	data, err := os.ReadFile("/proc/self/fd/" + fd)
	if err != nil {
		t.Fatal(err)
	}
	key, rest := pem.Decode(data)
	cert, _ := pem.Decode(rest)
	if key == nil || key.Type != "PRIVATE KEY" || cert == nil || cert.Type != "CERTIFICATE" {
		t.Fatalf("pipe held %q", data)
	}
	if flags, err := fcntlGetFd(n); err != nil || flags != 0 {
		t.Fatalf("close-on-exec still set (%d, %v): the JVM would not inherit it", flags, err)
	}
}

func fcntlGetFd(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
