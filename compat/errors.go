package compat

import (
	"errors"
	"net/http"
)

// ErrWritesDisabled is returned by write endpoints when the server has no
// token configured.
var ErrWritesDisabled = errors.New("writes are disabled: start the server with a token (probehub serve --token-file)")

// FieldError is a 400: the request field Field is invalid.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// StatusCode makes a FieldError a 400 for echo.
func (e *FieldError) StatusCode() int { return http.StatusBadRequest }

// statusError is an error with an HTTP status and a message safe to show.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string   { return e.msg }
func (e *statusError) StatusCode() int { return e.code }

func errorf(code int, msg string) error { return &statusError{code: code, msg: msg} }

func fieldErr(field, msg string) error { return &FieldError{Field: field, Msg: msg} }
