package compat

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"
)

// requireToken lets a request through only with the configured bearer
// token. Both sides are hashed before the constant-time compare, so neither
// the token nor its length leaks through timing. Nothing here logs.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if s.tokenHash == nil {
			return ErrWritesDisabled
		}
		tok, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(tok))
		if subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) != 1 || !ok {
			return errorf(http.StatusUnauthorized, "missing or wrong bearer token")
		}
		return next(c)
	}
}

// requireMetricsToken guards /metrics when Config.MetricsToken is set.
func (s *Server) requireMetricsToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if s.metricsTokenHash == nil {
			return next(c)
		}
		tok, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(tok))
		if subtle.ConstantTimeCompare(got[:], s.metricsTokenHash[:]) != 1 || !ok {
			return errorf(http.StatusUnauthorized, "metrics need a bearer token (--metrics-token-file)")
		}
		return next(c)
	}
}
