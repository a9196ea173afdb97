package compat

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/internal/limit"
)

// Config configures a Server. The zero value serves read-only endpoints
// from empty sources.
type Config struct {
	Sources Sources
	// Token enables POST /v1/builds and POST /v1/catalog/refresh for
	// requests bearing it (Authorization: Bearer <token>). Empty, the
	// default, disables writes.
	Token string
	// MetricsToken, when set, must be presented as a bearer token on
	// GET /metrics. Empty, the default, leaves /metrics open.
	MetricsToken string
	// Build runs one queued build; the queue calls it from one goroutine,
	// in order. Nil, the default, makes POST /v1/builds answer 501.
	Build BuildFunc
	// QueueSize bounds the build queue; a full queue answers 503. The
	// default is 64.
	QueueSize int
	// Logger logs failed requests (never tokens) and build outcomes. The
	// default discards.
	Logger *slog.Logger
	// Registry receives the request metrics, also served at /metrics.
	// The default is a fresh registry of its own.
	Registry *prometheus.Registry
	// MaxInFlight bounds the requests handled at once; one more is
	// answered 503 with Retry-After at once (/healthz and /readyz are
	// never limited). The default is DefaultMaxInFlight (1024); a negative
	// value means no limit.
	MaxInFlight int
	// Timeouts are the connection deadlines of Serve; a zero field takes
	// its value in DefaultTimeouts.
	Timeouts limit.Timeouts
}

// DefaultMaxInFlight is Config.MaxInFlight's default: an answer takes
// microseconds of CPU and a request holds its connection's buffers and at
// most MaxBodyBytes of body, so a thousand slow clients hold a few tens of
// MiB and still leave room for the good ones.
const DefaultMaxInFlight = 1024

// DefaultTimeouts are Serve's deadlines unless set: headers within 5s, a
// whole request (at most MaxBodyBytes) within 10s, the answer within 30s,
// keep-alive connections idle for 2 minutes.
var DefaultTimeouts = limit.Timeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 30 * time.Second, Idle: 2 * time.Minute}

// Server is the compatibility service.
type Server struct {
	src              Sources
	tokenHash        *[sha256.Size]byte
	metricsTokenHash *[sha256.Size]byte
	log              *slog.Logger
	echo             *echo.Echo
	queue            *queue
	ix               atomic.Pointer[index]
	metrics          *metrics
	limit            *limit.Inflight
	timeouts         limit.Timeouts
}

// New makes a Server; call Refresh before serving, or /readyz says 503 and
// every kernel is unknown.
func New(cfg Config) *Server {
	s := &Server{src: cfg.Sources, log: cfg.Logger, timeouts: cfg.Timeouts}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Token != "" {
		h := sha256.Sum256([]byte(cfg.Token))
		s.tokenHash = &h
	}
	if cfg.MetricsToken != "" {
		h := sha256.Sum256([]byte(cfg.MetricsToken))
		s.metricsTokenHash = &h
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(reg)
	s.queue = newQueue(cfg.Build, cfg.QueueSize, s.log)
	s.ix.Store(&index{})
	s.echo = s.routes(reg)
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	s.limit = limit.New(limit.Config{Max: cfg.MaxInFlight, Exempt: []string{"/healthz", "/readyz"}})
	s.metrics.registerLimit(reg, s.limit)
	return s
}

// Refresh rebuilds the in-memory index from the sources and swaps it in;
// on error the previous index stays.
func (s *Server) Refresh(ctx context.Context) error {
	ix, err := buildIndex(ctx, s.src, time.Now())
	if err != nil {
		return fmt.Errorf("refresh index: %w", err)
	}
	s.ix.Store(ix)
	return nil
}

// Handler returns the HTTP handler of every route, behind the in-flight
// limit.
func (s *Server) Handler() http.Handler { return s.limit.Wrap(s.echo) }

// Limit returns the in-flight limit (its Rejected count are the 503s).
func (s *Server) Limit() *limit.Inflight { return s.limit }

// Routes lists the registered routes (method and echo path template).
func (s *Server) Routes() echo.Routes { return s.echo.Router().Routes() }

// Serve serves on ln until ctx is done, runs the build queue meanwhile, and
// then shuts down gracefully within 10 seconds. A clean shutdown returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:        s.Handler(),
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	DefaultTimeouts.Apply(hs)
	s.timeouts.Apply(hs)
	qctx, stopQueue := context.WithCancel(ctx)
	defer stopQueue()
	go s.queue.run(qctx)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}

func (s *Server) index() *index { return s.ix.Load() }
