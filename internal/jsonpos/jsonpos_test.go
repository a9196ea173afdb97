package jsonpos

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestError(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"syntax on line 2", "{\n  \"a\": x}", "2:8: invalid character 'x' looking for beginning of value"},
		{"type on line 3", "{\n\"a\": 1,\n\"b\": \"s\"}", "3:9: json: cannot unmarshal string into Go struct field .B of type int"},
		{"empty", "", "1:1: unexpected end of JSON input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v struct{ A, B int }
			err := json.Unmarshal([]byte(tc.in), &v)
			got := Error([]byte(tc.in), err)
			if got.Error() != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if !errors.Is(got, err) {
				t.Error("the decoding error is not wrapped")
			}
		})
	}
}
