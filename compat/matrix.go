package compat

import (
	"encoding/csv"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/probehub/probehub/compat/api"
)

// matrix is GET /v1/matrix: JSON, or CSV with ?format=csv or Accept: text/csv.
func (s *Server) matrix(c *echo.Context) error {
	q := c.QueryParams()
	f, err := parseFilter(q, "format")
	if err != nil {
		return err
	}
	csvOut, err := wantCSV(q.Get("format"), c.Request().Header.Get("Accept"))
	if err != nil {
		return err
	}
	m, err := s.index().matrix(f)
	if err != nil {
		return err
	}
	if !csvOut {
		return c.JSON(http.StatusOK, m)
	}
	c.Response().Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	return writeMatrixCSV(c.Response(), m)
}

func wantCSV(format, accept string) (bool, error) {
	switch format {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
		return strings.Contains(accept, "text/csv"), nil
	}
	return false, fieldErr("format", "want json or csv")
}

func (ix *index) matrix(f filter) (api.Matrix, error) {
	m := api.Matrix{Probes: ix.probes, Rows: []api.MatrixRow{}}
	if m.Probes == nil {
		m.Probes = []string{}
	}
	err := ix.each(f, func(e *entry) {
		row := api.MatrixRow{Kernel: e.key, Release: e.kernel.Key.Release, Cells: make([]api.Status, len(ix.probes))}
		for i, r := range e.brief.Probes {
			row.Cells[i] = r.Status
		}
		m.Rows = append(m.Rows, row)
	})
	return m, err
}

func writeMatrixCSV(w http.ResponseWriter, m api.Matrix) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"kernel", "release"}, m.Probes...)); err != nil {
		return err
	}
	rec := make([]string, 2+len(m.Probes))
	for _, r := range m.Rows {
		rec[0], rec[1] = r.Kernel, r.Release
		for i, st := range r.Cells {
			rec[2+i] = string(st)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
