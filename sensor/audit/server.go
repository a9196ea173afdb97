package audit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// DefaultAddr is the k8saudit plugin's default listen address. Clusters
// still configured for Falco 0.31's built-in webserver use ":8765".
const DefaultAddr = ":9765"

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
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
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
