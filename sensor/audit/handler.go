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

	"github.com/probehub/probehub/sensor/rules"
)

// Defaults of Config.
const (
	DefaultPath         = "/k8s-audit"
	DefaultMaxBodyBytes = 12 << 20 // the k8saudit plugin's webhookMaxBatchSize
)

// Config configures the webhook Handler. The zero value is valid.
type Config struct {
	// Path is the endpoint. The default is DefaultPath ("/k8s-audit").
	Path string
	// MaxBodyBytes bounds a request body; larger bodies get 413. The
	// default is DefaultMaxBodyBytes (12 MiB).
	MaxBodyBytes int64
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
	Panics       atomic.Uint64 // decoder or sink panics recovered (answered 500)
}

// Handler is the audit webhook: an http.Handler for POST Config.Path.
type Handler struct {
	cfg   Config
	dec   rules.Decoder
	sink  Sink
	stats Stats
	e     *echo.Echo
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
	h := &Handler{cfg: cfg, dec: dec, sink: sink}
	h.e = echo.New()
	h.e.Logger = slog.New(slog.DiscardHandler)
	h.e.HTTPErrorHandler = echo.DefaultHTTPErrorHandler(true)
	h.e.POST(cfg.Path, h.post)
	return h
}

// Stats returns the handler's counters.
func (h *Handler) Stats() *Stats { return &h.stats }

// ServeHTTP serves the endpoint: 200 with {"events":N} when the body held N
// events, 400 for malformed JSON or non-audit objects, 401 for a missing or
// wrong token, 405 for another method, 413 for a body over the limit.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.e.ServeHTTP(w, r) }

func (h *Handler) post(c *echo.Context) (err error) {
	h.stats.Requests.Add(1)
	if !h.authorized(c.Request()) {
		h.stats.Unauthorized.Add(1)
		return echo.NewHTTPError(http.StatusUnauthorized, "missing or wrong bearer token")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, h.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.stats.TooLarge.Add(1)
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", h.cfg.MaxBodyBytes))
		}
		return echo.NewHTTPError(http.StatusBadRequest, "read body: "+err.Error())
	}
	defer func() {
		if p := recover(); p != nil {
			h.stats.Panics.Add(1)
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

func (h *Handler) authorized(r *http.Request) bool {
	if h.cfg.Token == "" {
		return true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(tok), []byte(h.cfg.Token)) == 1
}
