// Command crypto11check loads the module through Go's crypto11 (Debian
// golang-github-thalesignite-crypto11-dev, on miekg/pkcs11) as a Go program does, and checks
// what it can do with it. Built and run by tests/integration/test_go.sh, in GOPATH mode.
//
// Environment: IOTOKEN_MODULE (the module), GO_TOKEN (label of an initialized token whose
// user PIN is GO_PIN).
//
// Prints "PASS <tag>" for each check; the first failed check prints "FAIL: ..." and exits 1.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"

	"github.com/ThalesIgnite/crypto11"
	"github.com/miekg/pkcs11"
)

var (
	module = os.Getenv("IOTOKEN_MODULE")
	token  = os.Getenv("GO_TOKEN")
	pin    = os.Getenv("GO_PIN")
)

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func pass(tag string) { fmt.Printf("PASS %s\n", tag) }

func configure(p string) (*crypto11.Context, error) {
	return crypto11.Configure(&crypto11.Config{Path: module, TokenLabel: token, Pin: p})
}

// checkECDSA signs SHA-256 digests through crypto.Signer and verifies them with the standard
// library: the signature must verify, and must not verify for another digest.
func checkECDSA(what string, s crypto.Signer, pub *ecdsa.PublicKey) {
	msg := []byte("signed through crypto11: " + what)
	digest := sha256.Sum256(msg)
	sig, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		fail("%s: Sign: %v", what, err)
	}
	if !ecdsa.VerifyASN1(pub, digest[:], sig) {
		fail("%s: ecdsa.VerifyASN1 refuses the signature %x", what, sig)
	}
	other := sha256.Sum256(append(msg, '!'))
	if ecdsa.VerifyASN1(pub, other[:], sig) {
		fail("%s: ecdsa.VerifyASN1 accepts the signature for another digest", what)
	}
}

func main() {
	if module == "" || token == "" || pin == "" {
		fail("IOTOKEN_MODULE, GO_TOKEN and GO_PIN must be set")
	}

	// A wrong PIN: Configure fails with the module's CKR_PIN_INCORRECT.
	if ctx, err := configure(pin + "0"); err == nil {
		_ = ctx.Close()
		fail("Configure with a wrong PIN succeeded")
	} else {
		var p11err pkcs11.Error
		if !errors.As(err, &p11err) || p11err != pkcs11.CKR_PIN_INCORRECT {
			fail("Configure with a wrong PIN: %v (want CKR_PIN_INCORRECT)", err)
		}
	}
	pass("wrong-pin")

	ctx, err := configure(pin)
	if err != nil {
		fail("Configure: %v", err)
	}
	pass("configure")

	// EC P-256 key pair generated in the token, signing through crypto.Signer. The ids and
	// labels must be new: FindKeyPair pairs a private key with a public key by them.
	ecID, ecLabel := []byte("go-ec-1"), []byte("go-ec")
	for _, id := range [][]byte{ecID, []byte("go-rsa-1")} {
		if k, err := ctx.FindKeyPair(id, nil); err != nil || k != nil {
			fail("FindKeyPair(%q) before generating: key %v, error %v (want nil, nil)", id, k, err)
		}
	}
	pass("find-missing")
	ecKey, err := ctx.GenerateECDSAKeyPairWithLabel(ecID, ecLabel, elliptic.P256())
	if err != nil {
		fail("GenerateECDSAKeyPairWithLabel: %v", err)
	}
	ecPub, ok := ecKey.Public().(*ecdsa.PublicKey)
	if !ok || ecPub.Curve != elliptic.P256() {
		fail("generated EC key: public key is %T, not a P-256 *ecdsa.PublicKey", ecKey.Public())
	}
	pass("generate-ecdsa")
	checkECDSA("generated P-256 key", ecKey, ecPub)
	pass("sign-ecdsa")

	// The same pair found again, by id and by label.
	for _, f := range []struct {
		what      string
		id, label []byte
	}{{"by id", ecID, nil}, {"by label", nil, ecLabel}} {
		found, err := ctx.FindKeyPair(f.id, f.label)
		if err != nil || found == nil {
			fail("FindKeyPair %s: %v (key: %v)", f.what, err, found)
		}
		pub, ok := found.Public().(*ecdsa.PublicKey)
		if !ok || !pub.Equal(ecPub) {
			fail("FindKeyPair %s: another public key", f.what)
		}
		checkECDSA("key found "+f.what, found, pub)
	}
	pass("find-ecdsa")

	// RSA-2048: PKCS#1 v1.5 and PSS (TLS 1.3 parameters) through crypto.Signer.
	rsaKey, err := ctx.GenerateRSAKeyPairWithLabel([]byte("go-rsa-1"), []byte("go-rsa"), 2048)
	if err != nil {
		fail("GenerateRSAKeyPairWithLabel: %v", err)
	}
	rsaPub, ok := rsaKey.Public().(*rsa.PublicKey)
	if !ok || rsaPub.N.BitLen() != 2048 {
		fail("generated RSA key: public key is %T, not a 2048-bit *rsa.PublicKey", rsaKey.Public())
	}
	digest := sha256.Sum256([]byte("signed through crypto11 with RSA"))
	other := sha256.Sum256([]byte("signed through crypto11 with RSA!"))
	sig, err := rsaKey.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		fail("RSA PKCS#1 v1.5 Sign: %v", err)
	}
	if err := rsa.VerifyPKCS1v15(rsaPub, crypto.SHA256, digest[:], sig); err != nil {
		fail("rsa.VerifyPKCS1v15 refuses the signature: %v", err)
	}
	if rsa.VerifyPKCS1v15(rsaPub, crypto.SHA256, other[:], sig) == nil {
		fail("rsa.VerifyPKCS1v15 accepts the signature for another digest")
	}
	pass("sign-rsa-pkcs1v15")
	pss := &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
	sig, err = rsaKey.Sign(rand.Reader, digest[:], pss)
	if err != nil {
		fail("RSA PSS Sign: %v", err)
	}
	if err := rsa.VerifyPSS(rsaPub, crypto.SHA256, digest[:], sig, pss); err != nil {
		fail("rsa.VerifyPSS refuses the signature: %v", err)
	}
	if rsa.VerifyPSS(rsaPub, crypto.SHA256, other[:], sig, pss) == nil {
		fail("rsa.VerifyPSS accepts the signature for another digest")
	}
	pass("sign-rsa-pss")

	// A second context while the first is open: its login gets CKR_USER_ALREADY_LOGGED_IN,
	// which crypto11 tolerates (no other code), and it sees the same keys.
	ctx2, err := configure(pin)
	if err != nil {
		fail("second Configure while the first context is logged in: %v", err)
	}
	found, err := ctx2.FindKeyPair(ecID, nil)
	if err != nil || found == nil {
		fail("second context: FindKeyPair: %v (key: %v)", err, found)
	}
	checkECDSA("key found by the second context", found, ecPub)
	if err := ctx2.Close(); err != nil {
		fail("second context: Close: %v", err)
	}
	pass("second-context")

	if err := ctx.Close(); err != nil {
		fail("Close: %v", err)
	}

	// A new context after both are closed (the library finalized and loaded again): the
	// key is in the token, not in memory.
	ctx3, err := configure(pin)
	if err != nil {
		fail("Configure after Close: %v", err)
	}
	found, err = ctx3.FindKeyPair(nil, ecLabel)
	if err != nil || found == nil {
		fail("after Close: FindKeyPair: %v (key: %v)", err, found)
	}
	pub, ok := found.Public().(*ecdsa.PublicKey)
	if !ok || !bytes.Equal(elliptic.Marshal(pub.Curve, pub.X, pub.Y),
		elliptic.Marshal(ecPub.Curve, ecPub.X, ecPub.Y)) {
		fail("after Close: FindKeyPair returns another public key")
	}
	checkECDSA("key found after Close", found, pub)
	if err := ctx3.Close(); err != nil {
		fail("Close: %v", err)
	}
	pass("persistent")
}
