package compat

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v5"
	"github.com/probehub/probehub/compat/api"
)

// pageRows bounds the rows the page renders; filters narrow the rest.
const pageRows = 500

//go:embed page.html.tmpl
var pageSource string

var pageTmpl = template.Must(template.New("page").Parse(pageSource))

// pageData is what page.html.tmpl renders.
type pageData struct {
	Filter   filter
	Statuses []api.Status
	Distros  []string
	Arches   []string
	Probes   []string
	Rows     []pageRow
	Total    int // rows that pass the filter
	Kernels  int // rows in the catalog
	Error    string
	Stats    *api.Stats // coverage of the newest probe version
	Cov      struct{ Supported, Unsupported, Pending, Unknown int }
}

// page is GET /: the kernel × probe-version matrix for people. The form's
// fields are the query parameters of GET /v1/matrix, so filtering works
// without JavaScript.
func (s *Server) page(c *echo.Context) error {
	ix := s.index()
	d := pageData{
		Statuses: []api.Status{api.Supported, api.Unsupported, api.Pending, api.Unknown},
		Probes:   ix.probes, Kernels: len(ix.entries),
		Distros: ix.distinct(func(e *entry) string { return e.kernel.Key.Distro }),
		Arches:  ix.distinct(func(e *entry) string { return e.kernel.Key.Arch }),
	}
	st := ix.stats(len(ix.probes) - 1)
	d.Stats = &st
	d.Cov.Supported, d.Cov.Unsupported = st.ByStatus[api.Supported], st.ByStatus[api.Unsupported]
	d.Cov.Pending, d.Cov.Unknown = st.ByStatus[api.Pending], st.ByStatus[api.Unknown]
	code := http.StatusOK
	f, err := parseFilter(c.QueryParams())
	if err == nil {
		err = ix.each(f, func(e *entry) {
			if d.Total++; len(d.Rows) < pageRows {
				d.Rows = append(d.Rows, rowOf(e))
			}
		})
	}
	if err != nil {
		code, d.Error = http.StatusBadRequest, err.Error()
	}
	d.Filter = f
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		return err
	}
	return c.HTMLBlob(code, buf.Bytes())
}

// pageRow is one kernel as the page shows it.
type pageRow struct {
	Key, URL, Release string
	BTF               bool
	Nvidia            []string
	Cells             []api.ProbeResult
}

func rowOf(e *entry) pageRow {
	return pageRow{Key: e.key, URL: "/v1/kernels/" + url.PathEscape(e.key), Release: e.kernel.Key.Release,
		BTF: e.kernel.BTF, Nvidia: e.kernel.Nvidia, Cells: e.view.Probes}
}

// distinct returns the distinct values of fn over the kernels, in first-seen
// order of the sorted catalog.
func (ix *index) distinct(fn func(*entry) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range ix.entries {
		if v := fn(e); !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
