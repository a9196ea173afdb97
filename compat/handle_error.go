package compat

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/internal/limit"
)

// handleError is the one place that maps a handler's error to a status and
// the JSON body {"error", "field"}. 5xx causes are logged, not shown.
func (s *Server) handleError(c *echo.Context, err error) {
	if resp, _ := echo.UnwrapResponse(c.Response()); resp != nil && resp.Committed {
		return
	}
	code, body := errorBody(err)
	switch {
	case code >= http.StatusInternalServerError:
		s.log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "status", code, "err", err)
	case code == http.StatusRequestTimeout:
		s.log.Warn("request body not received within the read timeout", "method", c.Request().Method, "route", c.Path(), "status", code, "remote", c.Request().RemoteAddr)
		c.Response().Header().Set("Connection", "close")
	}
	if code == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="probehub"`)
	}
	if err := c.JSON(code, body); err != nil {
		s.log.Warn("write error response", "err", err)
	}
}

func errorBody(err error) (int, api.Error) {
	var (
		fe *FieldError
		se *statusError
		me *http.MaxBytesError
		he *echo.HTTPError
	)
	switch {
	case errors.As(err, &fe):
		return http.StatusBadRequest, api.Error{Error: fe.Msg, Field: fe.Field}
	case errors.As(err, &se):
		return se.code, api.Error{Error: se.msg}
	case errors.As(err, &me):
		return http.StatusRequestEntityTooLarge, api.Error{Error: "request body too large"}
	case limit.Timeout(err):
		return http.StatusRequestTimeout, api.Error{Error: "request body not received within the read timeout"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest, api.Error{Error: "request body cut short: the client closed the connection"}
	case errors.Is(err, ErrWritesDisabled):
		return http.StatusForbidden, api.Error{Error: ErrWritesDisabled.Error()}
	case errors.As(err, &he) && he.Code < http.StatusInternalServerError && he.Message != "":
		return he.Code, api.Error{Error: he.Message}
	}
	if code := echo.StatusCode(err); code != 0 && code < http.StatusInternalServerError {
		return code, api.Error{Error: http.StatusText(code)}
	}
	return http.StatusInternalServerError, api.Error{Error: "internal error"}
}
