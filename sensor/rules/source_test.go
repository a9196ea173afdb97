package rules_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

func TestEngineSource(t *testing.T) {
	e, err := rules.New(rules.WithSource(syscall.New()))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := e.Source("syscall"); err != nil || s.Name() != "syscall" {
		t.Fatalf("Source(syscall) = %v, %v", s, err)
	}
	_, err = e.Source("k8s_audit")
	if !errors.Is(err, rules.ErrUnknownSource) || !strings.Contains(err.Error(), "registered: syscall") {
		t.Fatalf("Source(k8s_audit) error %v: want ErrUnknownSource naming the registered sources", err)
	}
}
