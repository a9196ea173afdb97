package main

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/probehub/probehub/internal/limit"
	"github.com/probehub/probehub/sensor/audit"
)

// auditLimitFlags bound what the audit webhook holds: body size, requests
// in flight, and the connection deadlines.
type auditLimitFlags struct {
	maxBody     int64
	maxBuffered int64
	maxInFlight int
	timeouts    limit.Timeouts
}

func (a *auditLimitFlags) register(fl *pflag.FlagSet) {
	fl.Int64Var(&a.maxBody, "k8s-audit-max-body", audit.DefaultMaxBodyBytes,
		"largest audit batch accepted, in bytes (413 beyond): 400 events (the API server's --audit-webhook-batch-max-size) of 10 KiB; keep the API server under it with --audit-webhook-truncate-enabled --audit-webhook-truncate-max-batch-size")
	fl.Int64Var(&a.maxBuffered, "k8s-audit-max-buffered", audit.DefaultMaxBufferedBytes, "body bytes held at once by all requests together, counted as they arrive; a body that would pass it is answered 503 with Retry-After")
	fl.IntVar(&a.maxInFlight, "k8s-audit-max-in-flight", audit.DefaultMaxInFlight, "requests handled at once, slow senders included; one more is answered 503 with Retry-After (the API server retries after its backoff); -1: no limit")
	a.timeouts = audit.DefaultTimeouts
	(*limitTimeouts)(&a.timeouts).register(fl, "k8s-audit-", "the audit webhook")
}

// auditToken checks the audit webhook's settings at start and returns the
// bearer token it requires. Listening needs a token file holding a
// non-blank token (an empty or whitespace-only file is an error, never "no
// authentication"); a certificate needs its key and both must load. A
// plain-HTTP webhook on a non-loopback address is allowed (a service mesh
// may terminate TLS) but logged as a warning.
func auditToken(log *slog.Logger, f *runFlags) (string, error) {
	if f.auditTokenFile == "" {
		return "", errors.New("--k8s-audit-listen needs --k8s-audit-token-file: the webhook accepts audit events only with a bearer token (the API server's webhook kubeconfig carries it)")
	}
	token, err := readTokenFile(f.auditTokenFile)
	if err != nil {
		return "", fmt.Errorf("--k8s-audit-token-file: %w", err)
	}
	if (f.auditCert == "") != (f.auditKey == "") {
		return "", errors.New("--k8s-audit-tls-cert and --k8s-audit-tls-key go together: pass both (PEM certificate and key) or neither")
	}
	if f.auditCert != "" {
		if _, err := tls.LoadX509KeyPair(f.auditCert, f.auditKey); err != nil {
			return "", fmt.Errorf("audit webhook TLS: load %s and %s: %w", f.auditCert, f.auditKey, err)
		}
	} else if !loopback(f.auditListen) {
		log.Warn("k8s audit webhook serves plain HTTP on a non-loopback address: the token crosses the network in clear; pass --k8s-audit-tls-cert/-key", "addr", f.auditListen)
	}
	return token, nil
}

// readTokenFile reads a bearer token, trimmed of surrounding whitespace; a
// file with nothing else is an error.
func readTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("%s: the token is empty (only whitespace): write a random token, e.g. `head -c 32 /dev/urandom | base64`", path)
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("%s: the token holds whitespace inside; a bearer token is one word", path)
	}
	for i, c := range []byte(tok) {
		if c < 0x21 || c > 0x7e {
			return "", fmt.Errorf("%s: byte %d of the token is %#x: a bearer token is printable ASCII (RFC 6750)", path, i+1, c)
		}
	}
	return tok, nil
}

// loopback reports whether a listen address binds only a loopback address.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// requireBearer lets a request through only with "Authorization: Bearer
// TOKEN"; an empty token lets everything through.
func requireBearer(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="probehub-sensor metrics"`)
			http.Error(w, "metrics need a bearer token (--metrics-token-file)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
