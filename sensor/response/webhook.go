package response

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// webhook posts the Falco JSON alert, with the decision added to its
// output_fields (response.policy, response.action, response.dry_run), so a
// falcosidekick, Argo Events or Talon-style receiver reads it as any Falco
// alert.
func (r *Responder) webhook(ctx context.Context, j job) error {
	body, err := withDecision(j.a.JSON, j.pol)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.act.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range j.act.Headers {
		req.Header.Set(k, v)
	}
	resp, err := r.o.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", j.act.URL, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook %s: %s", j.act.URL, resp.Status)
	}
	return nil
}

// withDecision adds the policy and its actions to the alert's output_fields.
func withDecision(alert []byte, p *Policy) ([]byte, error) {
	var m map[string]any
	if len(alert) == 0 {
		m = map[string]any{}
	} else if err := json.Unmarshal(alert, &m); err != nil {
		return nil, fmt.Errorf("webhook: alert is not JSON: %w", err)
	}
	fields, _ := m["output_fields"].(map[string]any)
	if fields == nil {
		fields = map[string]any{}
	}
	acts := make([]string, len(p.Actions))
	for i, a := range p.Actions {
		acts[i] = string(a.Kind)
	}
	fields["response.policy"] = p.Name
	fields["response.actions"] = acts
	fields["response.dry_run"] = p.DryRun
	m["output_fields"] = fields
	return json.Marshal(m)
}
