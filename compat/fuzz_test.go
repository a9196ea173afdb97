package compat

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func FuzzResolveRequest(f *testing.F) {
	f.Add(facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "proc_version", jammyBanner, "nvidia_driver", "550.54.15"))
	f.Add(`{"distro":"debian","version_id":"12","arch":"arm64","release":"6.1.0-18-arm64","probe":"v0.10.0"}`)
	f.Add(`{"distro":7}`)
	f.Add(`{}{}`)
	f.Add(`{"distro":"ubuntu","unknown":1}`)
	ix, err := buildIndex(t0ctx(), StaticSources(fixture()), fixedNow)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		facts, err := decodeFacts(strings.NewReader(body))
		if err != nil {
			var fe *FieldError
			var se *statusError
			if !errors.As(err, &fe) && !errors.As(err, &se) {
				t.Fatalf("decode error is neither a FieldError nor a status error: %v", err)
			}
			return
		}
		if err := validateFacts(facts); err != nil {
			t.Fatalf("decoded facts do not validate again: %v", err)
		}
		if a := ix.resolve(facts); !a.Status.Valid() {
			t.Fatalf("resolve gave status %q", a.Status)
		}
		checkReplyJSON(t, ix, facts)
		checkScan(t, []byte(body))
	})
}

func FuzzKernelsQuery(f *testing.F) {
	f.Add("distro=ubuntu&release=5.15&limit=2")
	f.Add("verdict=pending&nvidia=R550&arch=arm64")
	f.Add("cursor=" + encodeCursor(jammy.String()))
	f.Add("cursor=Li4vLi4v&limit=-1")
	f.Add("%zz")
	ix, err := buildIndex(t0ctx(), StaticSources(fixture()), fixedNow)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		kq, err := parseKernelsQuery(q)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("query error is not a FieldError: %v", err)
			}
			return
		}
		if kq.Limit < 1 || kq.Limit > MaxLimit {
			t.Fatalf("limit %d out of range", kq.Limit)
		}
		page, err := ix.list(kq)
		if err != nil {
			return // an unknown probe version
		}
		if len(page.Kernels) > kq.Limit {
			t.Fatalf("page of %d kernels, limit %d", len(page.Kernels), kq.Limit)
		}
		if page.NextCursor != "" {
			if _, err := decodeCursor(page.NextCursor); err != nil {
				t.Fatalf("next cursor does not decode: %v", err)
			}
		}
	})
}
