package audit

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/labstack/echo/v5"

	"github.com/probehub/probehub/internal/limit"
	"github.com/probehub/probehub/sensor/rules"
)

// Defaults of Config.
const (
	DefaultPath = "/k8s-audit"
	// DefaultMaxBodyBytes is sized from the API server's batches: its
	// webhook backend sends at most --audit-webhook-batch-max-size events
	// a request (default 400), and 10 KiB covers an event at the Request
	// or RequestResponse level for the objects the rules look at (a pod
	// with its spec; the largest event in our testdata is 3.2 KiB
	// minified): 400 × 10 KiB ≈ 4 MiB. API servers logging bigger objects
	// keep their batches under it with --audit-webhook-truncate-enabled and
	// --audit-webhook-truncate-max-batch-size=4194304 (a larger batch is
	// split, a larger event loses its request and response objects).
	DefaultMaxBodyBytes = 4 << 20
	// DefaultMaxInFlight bounds the requests handled at once, each a
	// goroutine and its connection's buffers (tens of KiB, also while it
	// sends slowly): a thousand slow clients fit beside the API server's.
	DefaultMaxInFlight = 1024
	// DefaultMaxBufferedBytes bounds the bodies held at once across
	// requests, counted as their buffers grow with the bytes that arrived:
	// 16 full batches, or thousands of small ones.
	DefaultMaxBufferedBytes = 16 * DefaultMaxBodyBytes
)

// Config configures the webhook Handler. The zero value is valid.
type Config struct {
	// Path is the endpoint. The default is DefaultPath ("/k8s-audit").
	Path string
	// MaxBodyBytes bounds a request body; larger bodies get 413. The
	// default is DefaultMaxBodyBytes (4 MiB).
	MaxBodyBytes int64
	// MaxInFlight bounds the requests handled at once; one more is
	// answered 503 with Retry-After at once. The default is
	// DefaultMaxInFlight (1024); a negative value means no limit.
	MaxInFlight int
	// MaxBufferedBytes bounds the body bytes held at once by all requests
	// together; a body that would pass it is answered 503 with
	// Retry-After. The default is DefaultMaxBufferedBytes (64 MiB).
	MaxBufferedBytes int64
	// Logger logs bodies cut by the read timeout (WARN, answered 408) and
	// recovered panics (ERROR). The default discards.
	Logger *slog.Logger
	// Token, when set, must be presented as "Authorization: Bearer <Token>"
	// (a kubeconfig `token:` for the webhook backend); otherwise 401. The
	// default is "" (no authentication; put the endpoint on a trusted
	// network or use TLS client certificates in front of it).
	Token string
}

// Stats counts the webhook's traffic. Every field is updated atomically.
type Stats struct {
	Requests     atomic.Uint64 // POSTs received on the path
	Events       atomic.Uint64 // events delivered to the sink
	Malformed    atomic.Uint64 // bodies rejected with 400
	Unauthorized atomic.Uint64 // requests rejected with 401
	TooLarge     atomic.Uint64 // bodies rejected with 413
	TimedOut     atomic.Uint64 // bodies cut by the server's read timeout (answered 408)
	Busy         atomic.Uint64 // bodies refused while MaxBufferedBytes were held (answered 503)
	Panics       atomic.Uint64 // decoder or sink panics recovered (answered 500)
}

// Handler is the audit webhook: an http.Handler for POST Config.Path.
type Handler struct {
	cfg      Config
	dec      rules.Decoder
	sink     Sink
	stats    Stats
	e        *echo.Echo
	lim      *limit.Inflight
	serve    http.Handler
	log      *slog.Logger
	buffered atomic.Int64 // body bytes held, against MaxBufferedBytes
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns the webhook. dec decodes bodies (a *k8saudit.Source);
// sink receives each event, with the request's context.
func NewHandler(cfg Config, dec rules.Decoder, sink Sink) *Handler {
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.MaxBufferedBytes <= 0 {
		cfg.MaxBufferedBytes = DefaultMaxBufferedBytes
	}
	h := &Handler{cfg: cfg, dec: dec, sink: sink, log: cfg.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.e = echo.New()
	h.e.Logger = h.log
	h.e.HTTPErrorHandler = echo.DefaultHTTPErrorHandler(true)
	h.e.POST(cfg.Path, h.post)
	h.lim = limit.New(limit.Config{Max: cfg.MaxInFlight})
	h.serve = h.lim.Wrap(h.e)
	return h
}

// Stats returns the handler's counters.
func (h *Handler) Stats() *Stats { return &h.stats }

// Limit returns the in-flight limit (its Rejected count are the 503s).
func (h *Handler) Limit() *limit.Inflight { return h.lim }

// ServeHTTP serves the endpoint: 200 with {"events":N} when the body held N
// events, 400 for malformed JSON or non-audit objects, 401 for a missing or
// wrong token, 405 for another method, 408 for a body the server's read
// timeout cut, 413 for a body over the limit, 503 (with Retry-After) while
// MaxInFlight requests are being handled or MaxBufferedBytes held.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }

func (h *Handler) post(c *echo.Context) (err error) {
	h.stats.Requests.Add(1)
	if !h.authorized(c.Request()) {
		h.stats.Unauthorized.Add(1)
		c.Response().Header().Set("Connection", "close") // answer now; do not wait for the body
		return echo.NewHTTPError(http.StatusUnauthorized, "missing or wrong bearer token")
	}
	body, release, err := h.readBody(c)
	if err != nil {
		return err
	}
	defer release()
	defer func() {
		if p := recover(); p != nil {
			h.stats.Panics.Add(1)
			h.log.Error("audit webhook: recovered panic decoding a batch", "remote", c.Request().RemoteAddr, "panic", fmt.Sprint(p))
			err = echo.NewHTTPError(http.StatusInternalServerError, "internal error decoding audit events")
		}
	}()
	evs, err := h.dec.Decode(body)
	if err != nil {
		h.stats.Malformed.Add(1)
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	ctx := c.Request().Context()
	for _, ev := range evs {
		h.sink(ctx, ev)
	}
	h.stats.Events.Add(uint64(len(evs)))
	return c.JSON(http.StatusOK, map[string]int{"events": len(evs)})
}

// readBody reads the request body, up to MaxBodyBytes, into a buffer that
// grows (doubling from 4 KiB, up to the declared length) only as bytes
// arrive, each growth taken from
// the shared MaxBufferedBytes: a client declaring a large body and sending
// it slowly holds only what it sent. A declared length over MaxBodyBytes is
// refused before reading. The caller calls release once done
// with the body.
func (h *Handler) readBody(c *echo.Context) (body []byte, release func(), err error) {
	r := c.Request()
	if r.ContentLength > h.cfg.MaxBodyBytes { // refused before a byte is read
		h.stats.TooLarge.Add(1)
		c.Response().Header().Set("Connection", "close")
		return nil, nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes over %d", r.ContentLength, h.cfg.MaxBodyBytes))
	}
	in := http.MaxBytesReader(c.Response(), r.Body, h.cfg.MaxBodyBytes)
	var held int64
	release = func() { h.buffered.Add(-held) }
	for {
		if len(body) == cap(body) {
			grow := int64(max(4<<10, cap(body)))
			if n := r.ContentLength; n > int64(cap(body)) {
				grow = min(grow, n+1-int64(cap(body))) // the last growth fits the declared length (+1 to see EOF)
			}
			if h.buffered.Add(grow) > h.cfg.MaxBufferedBytes {
				h.buffered.Add(-grow)
				release()
				h.stats.Busy.Add(1)
				c.Response().Header().Set("Retry-After", "1")
				c.Response().Header().Set("Connection", "close")
				return nil, nil, echo.NewHTTPError(http.StatusServiceUnavailable, "server busy: the bodies being received fill the buffer budget; retry later")
			}
			held += grow
			body = append(make([]byte, 0, int64(cap(body))+grow), body...)
		}
		n, rerr := in.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if rerr == io.EOF {
			return body, release, nil
		}
		if rerr != nil {
			release()
			return nil, nil, h.readError(c, rerr, len(body))
		}
	}
}

// readError maps a body read error to 413, 408 or 400.
func (h *Handler) readError(c *echo.Context, err error, received int) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		h.stats.TooLarge.Add(1)
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", h.cfg.MaxBodyBytes))
	case limit.Timeout(err):
		h.stats.TimedOut.Add(1)
		h.log.Warn("audit webhook: body not received within the read timeout; answered 408", "remote", c.Request().RemoteAddr, "status", http.StatusRequestTimeout, "received_bytes", received)
		c.Response().Header().Set("Connection", "close")
		return echo.NewHTTPError(http.StatusRequestTimeout, "request body not received within the read timeout")
	}
	return echo.NewHTTPError(http.StatusBadRequest, "read body: "+err.Error())
}

func (h *Handler) authorized(r *http.Request) bool {
	if h.cfg.Token == "" {
		return true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(tok), []byte(h.cfg.Token)) == 1
}
