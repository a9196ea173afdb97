package output

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// Writer writes one line per message to w: the JSON alert, or the text line.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

// NewWriter returns a sink writing JSON (asJSON) or text lines to w.
func NewWriter(w io.Writer, asJSON bool) *Writer { return &Writer{w: w, json: asJSON} }

// Send writes m.
func (s *Writer) Send(_ context.Context, m Message) error {
	line := []byte(m.Text)
	if s.json {
		line = m.JSON
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(append(append([]byte(nil), line...), '\n')); err != nil {
		return fmt.Errorf("write alert: %w", err)
	}
	return nil
}

// OpenFile returns a sink appending JSON lines to path.
func OpenFile(path string) (*Writer, io.Closer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open alert file: %w", err)
	}
	return NewWriter(f, true), f, nil
}

// Webhook POSTs the Falco JSON alert to URL, the body falcosidekick's
// / endpoint accepts unchanged.
type Webhook struct {
	URL     string
	Headers map[string]string
	Client  *http.Client // default: 5s timeout
}

// Send posts m.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	return post(ctx, w.client(), w.URL, w.Headers, m.JSON)
}

func (w *Webhook) client() *http.Client {
	if w.Client != nil {
		return w.Client
	}
	return defaultClient
}

var defaultClient = &http.Client{Timeout: 5 * time.Second}

// Slack posts to a Slack incoming webhook.
type Slack struct {
	URL    string
	Client *http.Client // default: 5s timeout
}

// Send posts m as a Slack message.
func (s *Slack) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(map[string]any{
		"text": fmt.Sprintf("*%s* %s", m.Priority, m.Rule),
		"attachments": []map[string]any{{
			"color": slackColor(m.Priority),
			"text":  m.Text,
			"fields": []map[string]any{
				{"title": "namespace", "value": m.Namespace, "short": true},
				{"title": "source", "value": m.Source, "short": true},
			},
		}},
	})
	if err != nil {
		return fmt.Errorf("encode slack message: %w", err)
	}
	c := s.Client
	if c == nil {
		c = defaultClient
	}
	return post(ctx, c, s.URL, nil, body)
}

func slackColor(p string) string {
	switch p {
	case "Emergency", "Alert", "Critical", "Error":
		return "danger"
	case "Warning":
		return "warning"
	}
	return "good"
}

func post(ctx context.Context, c *http.Client, url string, headers map[string]string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("post alert: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("post alert: %s", resp.Status)
	}
	return nil
}
