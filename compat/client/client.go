// Package client calls the compatibility API. The sensor uses Resolve when
// it is configured with an API URL, and falls back to the registry index
// when Resolve fails with ErrUnavailable.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/probehub/probehub/compat/api"
)

// Facts and Answer are the wire types of POST /v1/resolve.
type (
	Facts  = api.Facts
	Answer = api.Answer
)

// ErrUnavailable wraps every failure to get an answer from the service
// (network, timeout, 5xx, a body that is not an answer): fall back to the
// registry index.
var ErrUnavailable = errors.New("compatibility API unavailable")

// maxAnswer bounds the answer body read.
const maxAnswer = 1 << 20

// Error is a 4xx answer: the request was wrong and retrying will not help.
type Error struct {
	Status  int
	Message string
	Field   string // the request field at fault, when the server named one
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("compatibility API: %d: %s: %s", e.Status, e.Field, e.Message)
	}
	return fmt.Sprintf("compatibility API: %d: %s", e.Status, e.Message)
}

// Client calls one compatibility API.
type Client struct {
	base *url.URL
	http *http.Client
}

// New returns a Client for the API at baseURL (http or https). httpClient
// may be nil: the default has a 5-second timeout.
func New(baseURL string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("parse API URL %q: want http(s)://host[:port]", baseURL)
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 5 * time.Second}
	}
	return &Client{base: u, http: httpClient}, nil
}

// Resolve asks whether the sensor runs on the node the facts describe. A
// 4xx returns *Error; anything else that yields no answer wraps
// ErrUnavailable.
func (c *Client) Resolve(ctx context.Context, f Facts) (Answer, error) {
	body, err := json.Marshal(f)
	if err != nil {
		return Answer{}, fmt.Errorf("encode facts: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.JoinPath("v1", "resolve").String(), bytes.NewReader(body))
	if err != nil {
		return Answer{}, fmt.Errorf("resolve: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("resolve: %w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return Answer{}, fmt.Errorf("resolve: read answer: %w: %w", ErrUnavailable, err)
	}
	return decodeAnswer(resp.StatusCode, raw)
}

func decodeAnswer(status int, raw []byte) (Answer, error) {
	switch {
	case status >= 400 && status < 500:
		var e api.Error
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = http.StatusText(status)
		}
		return Answer{}, &Error{Status: status, Message: e.Error, Field: e.Field}
	case status != http.StatusOK:
		return Answer{}, fmt.Errorf("resolve: status %d: %w", status, ErrUnavailable)
	}
	var a Answer
	if err := json.Unmarshal(raw, &a); err != nil || !a.Status.Valid() {
		return Answer{}, fmt.Errorf("resolve: not an answer: %w", ErrUnavailable)
	}
	return a, nil
}
