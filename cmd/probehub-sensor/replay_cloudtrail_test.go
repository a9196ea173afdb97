package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const ctRules = "../../sensor/rules/cloudtrail/testdata/s3_rules.yaml"

// ctTree is an S3-layout tree of CloudTrail log files: two regions, gzip'd
// and plain, whose file-name times interleave across regions.
const ctTree = "testdata/cloudtrail"

func alertRules(t *testing.T, out string) []string {
	t.Helper()
	var rs []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var a struct{ Rule, Source string }
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("alert line %q: %v", l, err)
		}
		if a.Source != "aws_cloudtrail" {
			t.Errorf("alert source %q", a.Source)
		}
		rs = append(rs, a.Rule)
	}
	return rs
}

// TestReplayCloudTrail replays a directory tree in the S3 layout (in time
// order: us-east-1 08:50, eu-west-1 09:05, us-east-1 09:15, not the
// walk's region order), one .json.gz file, and a decompressed file.
func TestReplayCloudTrail(t *testing.T) {
	out, code := runCLI(t, nil, "replay", "--rules", ctRules, "--events", ctTree)
	if code != 0 {
		t.Fatalf("replay tree: exit %d: %s", code, out)
	}
	got := strings.Join(alertRules(t, out), " | ")
	want := "S3 Bucket Deleted | S3 Bucket Made Public by Policy | S3 Bucket Made Public by ACL | S3 Large Object Download"
	if got != want {
		t.Errorf("tree alerts:\n got %s\nwant %s", got, want)
	}

	gz, _ := filepath.Glob(ctTree + "/AWSLogs/*/CloudTrail/eu-west-1/*/*/*/*.json.gz")
	if len(gz) != 1 {
		t.Fatalf("fixture: %v", gz)
	}
	out, code = runCLI(t, nil, "replay", "--rules", ctRules, "--events", gz[0])
	if got := alertRules(t, out); code != 0 || len(got) != 1 || got[0] != "S3 Bucket Made Public by Policy" {
		t.Errorf("replay .json.gz: exit %d, alerts %v", code, got)
	}

	f, err := os.Open(gz[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "trail.json")
	b, _ := io.ReadAll(zr)
	os.WriteFile(plain, b, 0o644)
	out, code = runCLI(t, nil, "replay", "--rules", ctRules, "--events", plain)
	if got := alertRules(t, out); code != 0 || len(got) != 1 {
		t.Errorf("replay decompressed: exit %d, alerts %v: %s", code, got, out)
	}

	empty := t.TempDir()
	out, code = runCLI(t, nil, "replay", "--rules", ctRules, "--events", empty)
	if code == 0 || !strings.Contains(out, "no .json or .json.gz files") {
		t.Errorf("empty directory: exit %d: %s", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.json.gz")
	os.WriteFile(bad, []byte{0x1f, 0x8b, 0, 1, 2}, 0o644)
	out, code = runCLI(t, nil, "replay", "--rules", ctRules, "--events", bad)
	if code == 0 || !strings.Contains(out, bad) {
		t.Errorf("corrupt gzip: exit %d: %s", code, out)
	}
}

// TestValidateCloudTrailRules: the CloudTrail rules load (never "0 rules"
// with exit 0), ours always and the upstream file when
// $PROBEHUB_UPSTREAM_RULES holds it.
func TestValidateCloudTrailRules(t *testing.T) {
	files := map[string]string{ctRules: "ok: 8 rules loaded"}
	if dir := os.Getenv("PROBEHUB_UPSTREAM_RULES"); dir != "" {
		files[filepath.Join(dir, "aws_cloudtrail_rules.yaml")] = "ok: 22 rules loaded"
	}
	for f, want := range files {
		out, code := runCLI(t, nil, "rules", "validate", f)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("validate %s: exit %d, want %q:\n%s", f, code, want, out)
		}
	}
}
