package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/probehub/probehub/internal/limit"
)

// DefaultAddr is the k8saudit plugin's default listen address. Clusters
// still configured for Falco 0.31's built-in webserver use ":8765".
const DefaultAddr = ":9765"

// DefaultTimeouts are the Server's deadlines unless set: headers within 10s,
// the whole request (a 4 MiB batch needs 140 KB/s) within 30s, the answer
// within 30s, and a keep-alive connection idle for 2 minutes.
var DefaultTimeouts = limit.Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 30 * time.Second, Idle: 2 * time.Minute}

// Server serves a Handler over HTTP or HTTPS.
type Server struct {
	// Addr is the listen address. The default is DefaultAddr (":9765").
	Addr string
	// CertFile and KeyFile, when both set, serve HTTPS with that
	// certificate and key (PEM). The default is plain HTTP.
	CertFile, KeyFile string
	// ShutdownTimeout bounds the graceful shutdown when ctx ends. The
	// default is 5s.
	ShutdownTimeout time.Duration
	// Timeouts are the connection deadlines; a zero field takes its value
	// in DefaultTimeouts.
	Timeouts limit.Timeouts
	// Logger receives net/http's own errors (TLS handshakes, malformed
	// requests) at WARN. The default discards.
	Logger *slog.Logger
	// Handler serves the requests; usually a *Handler.
	Handler http.Handler
}

// ListenAndServe listens on s.Addr and serves until ctx is done, then shuts
// down gracefully. It returns nil after a shutdown caused by ctx.
func (s *Server) ListenAndServe(ctx context.Context) error {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for audit webhook: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln (closing it) until ctx is done.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{Handler: s.Handler, MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	DefaultTimeouts.Apply(srv)
	s.Timeouts.Apply(srv)
	done := make(chan error, 1)
	go func() {
		if s.CertFile != "" && s.KeyFile != "" {
			done <- srv.ServeTLS(ln, s.CertFile, s.KeyFile)
			return
		}
		done <- srv.Serve(ln)
	}()
	select {
	case err := <-done:
		return fmt.Errorf("serve audit webhook: %w", err)
	case <-ctx.Done():
	}
	timeout := s.ShutdownTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("shut down audit webhook: %w", err)
	}
	return nil
}
